package push_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"sync"
	"testing"

	"github.com/yingpu/govbot/push"
	"github.com/yingpu/govbot/push/pushtest"
)

const benchTargets = 10000

func benchAPI(b *testing.B, srv *pushtest.Server) push.API {
	u, _ := url.Parse(srv.URL)
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.MaxIdleConnsPerHost = 32
	return push.API{BaseURL: srv.BaseURL(), Transport: onlyHost{t: b, host: u.Host, next: tr}}
}

// BenchmarkOACustom10k sends one customer-service message to each of
// 10,000 followers per op, 8 at a time, through the fake server.
func BenchmarkOACustom10k(b *testing.B) {
	srv := pushtest.NewServer(b)
	a, err := push.NewOfficialAccount(push.OfficialAccountOptions{API: benchAPI(b, srv), AppID: "wx", AppSecret: "s"})
	if err != nil {
		b.Fatal(err)
	}
	ids := make([]string, benchTargets)
	for i := range ids {
		ids[i] = fmt.Sprintf("o-%05d", i)
	}
	m := push.Message{Title: "通知", Body: "本周六社区活动中心开放。"}
	ctx := context.Background()
	b.ResetTimer()
	for b.Loop() {
		jobs := make(chan string)
		var wg sync.WaitGroup
		for range 8 {
			wg.Go(func() {
				for id := range jobs {
					if err := a.SendCustom(ctx, id, m); err != nil {
						b.Error(err)
					}
				}
			})
		}
		for _, id := range ids {
			jobs <- id
		}
		close(jobs)
		wg.Wait()
	}
	b.StopTimer()
	b.ReportMetric(float64(b.N*benchTargets)/b.Elapsed().Seconds(), "msgs/s")
	if srv.TokenFetches() != 1 {
		b.Errorf("%d token fetches", srv.TokenFetches())
	}
}

// BenchmarkWorkApp10k sends to 10,000 WeCom users per op in batches of
// 1000.
func BenchmarkWorkApp10k(b *testing.B) {
	srv := pushtest.NewServer(b)
	w, err := push.NewWorkApp(push.WorkAppOptions{API: benchAPI(b, srv), CorpID: "c", Secret: "s", AgentID: "1", DisableDuplicateCheck: true})
	if err != nil {
		b.Fatal(err)
	}
	ids := make([]string, benchTargets)
	for i := range ids {
		ids[i] = fmt.Sprintf("user%05d", i)
	}
	m := push.Message{Title: "通知", Body: "本周六社区活动中心开放。"}
	ctx := context.Background()
	for b.Loop() {
		for i := 0; i < len(ids); i += push.MaxAppUsers {
			if _, err := w.SendApp(ctx, ids[i:i+push.MaxAppUsers], nil, nil, m); err != nil {
				b.Fatal(err)
			}
		}
	}
}
