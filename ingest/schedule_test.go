package ingest

import (
	"context"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/yingpu/govbot/config"
	"github.com/yingpu/govbot/importer"
	"github.com/yingpu/govbot/importstore"
	"github.com/yingpu/govbot/sitesync"
)

// fakeCrawler returns one page, changed on each crawl.
type fakeCrawler struct {
	mu    sync.Mutex
	calls int
}

func (f *fakeCrawler) Crawl(ctx context.Context, src config.Source, d importer.Defaults, known sitesync.Known) (*sitesync.Result, error) {
	f.mu.Lock()
	f.calls++
	n := f.calls
	f.mu.Unlock()
	doc := &importer.Document{Title: "通知", Body: "第" + string(rune('0'+n)) + "版", URL: "https://a.example.cn/1.html"}
	it, fail := importer.Build(doc, doc.URL, d)
	if fail != nil {
		return nil, nil
	}
	return &sitesync.Result{Batch: importstore.Batch{Entries: []importstore.Entry{{Item: it}}, Complete: true}}, nil
}

func TestScheduleSyncsWhenDue(t *testing.T) {
	src := config.Source{Name: "site", ListPages: []string{"https://a.example.cn/list.html"}, Selectors: config.SourceSelectors{Item: "li"}}
	e := newEnv(t, src)
	crawler := &fakeCrawler{}
	e.svc.Crawler = crawler
	sched, err := config.ParseSchedule("daily 02:30")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	waits := make(chan time.Duration)
	fire := make(chan time.Time)
	after := func(d time.Duration) <-chan time.Time { waits <- d; return fire }
	done := make(chan struct{})
	go func() {
		e.svc.Schedule(ctx, "site", sched, slog.New(slog.DiscardHandler), after, nil)
		close(done)
	}()
	// The clock says 10:00 Shanghai (02:00 UTC); the next 02:30 is 16.5 h away.
	if d := <-waits; d != 16*time.Hour+30*time.Minute {
		t.Errorf("first wait %v, want 16h30m", d)
	}
	fire <- time.Time{}
	<-waits // the second wait starts after the first sync
	if crawler.calls != 1 || e.reindex != 1 {
		t.Errorf("after one due time: %d crawls, %d reindexes", crawler.calls, e.reindex)
	}
	if ds := e.jsonl(t, "site"); len(ds) != 1 || ds[0].Body != "第1版" {
		t.Errorf("jsonl after the scheduled sync: %+v", ds)
	}
	cancel()
	<-done
}
