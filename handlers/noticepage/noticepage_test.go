package noticepage

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/yingpu/govbot/clock"
	"github.com/yingpu/govbot/content"
	"github.com/yingpu/govbot/notice"
)

// fakeNotices holds notices by ID; a notice's disclosure is its title and
// body by 社区自治办, published on the day it was sent.
type fakeNotices map[string]notice.Notice

func (f fakeNotices) Get(id string) (notice.Notice, error) {
	n, ok := f[id]
	if !ok {
		return notice.Notice{}, errors.New("no such notice")
	}
	return n, nil
}

func (f fakeNotices) Disclosure(n notice.Notice) content.Disclosure {
	return content.Disclosure{ID: "notice-" + n.ID, Title: n.Title, Body: n.Body, Department: "社区自治办",
		Published: content.NewDate(n.SentAt), Effective: content.NewDate(n.SentAt), Expires: n.Expires}
}

func TestNoticePage(t *testing.T) {
	sent := time.Date(2024, 7, 18, 7, 0, 0, 0, clock.Shanghai)
	expires, _ := content.ParseDate("2024-07-20")
	notices := fakeNotices{
		"1": {ID: "1", Title: "高温预警", Body: "明日最高气温 38℃。<script>", Public: true, SentAt: sent, Expires: expires},
		"2": {ID: "2", Title: "楼组长会议", Body: "内部通知", SentAt: sent},                  // targeted, not public
		"3": {ID: "3", Title: "停水通知", Body: "明日停水", Public: true, Expires: expires}, // not sent yet
	}
	cases := []struct {
		name, id string
		now      time.Time
		status   int
		want     []string
		not      []string
	}{
		{"in force", "1", sent.Add(time.Hour), 200,
			[]string{"<h1>高温预警</h1>", "发布单位：社区自治办", "发布日期：2024-07-18", "有效期至：2024-07-20", "&lt;script&gt;"},
			[]string{"已于", "<script>"}},
		{"ended", "1", sent.AddDate(0, 0, 5), 200, []string{"此通知已于2024-07-20结束，仅供查阅。"}, nil},
		{"targeted", "2", sent, 404, []string{"找不到该公开通知"}, []string{"内部通知"}},
		{"unsent", "3", sent, 404, []string{"找不到该公开通知"}, []string{"明日停水"}},
		{"unknown", "9", sent, 404, []string{"找不到该公开通知"}, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			mux := http.NewServeMux()
			mux.Handle("GET /notices/{id}", New(notices, clock.Fixed(c.now)))
			rec := httptest.NewRecorder()
			mux.ServeHTTP(rec, httptest.NewRequest("GET", "/notices/"+c.id, nil))
			body := rec.Body.String()
			if rec.Code != c.status {
				t.Fatalf("status %d, want %d\n%s", rec.Code, c.status, body)
			}
			for _, w := range c.want {
				if !strings.Contains(body, w) {
					t.Errorf("page lacks %q:\n%s", w, body)
				}
			}
			for _, w := range c.not {
				if strings.Contains(body, w) {
					t.Errorf("page has %q:\n%s", w, body)
				}
			}
		})
	}
}
