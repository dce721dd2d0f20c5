package metrics

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/yingpu/govbot/clock"
	"github.com/yingpu/govbot/index"
)

type fakeAsker struct {
	answered bool
	err      error
}

func (f fakeAsker) Ask(ctx context.Context, q index.Query) (index.Answer, error) {
	return index.Answer{Answered: f.answered}, f.err
}

func (f fakeAsker) Full(ctx context.Context, id string, now time.Time) (index.Hit, error) {
	return index.Hit{}, index.ErrNoDisclosure
}

func (f fakeAsker) Analyze(text string) index.Analysis { return index.Analysis{} }

func scrape(t *testing.T, h http.Handler, token string) (int, string) {
	t.Helper()
	req := httptest.NewRequest("GET", "/metrics", nil)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, req)
	b, _ := io.ReadAll(w.Body)
	return w.Code, string(b)
}

func TestMetrics(t *testing.T) {
	m := New("v1.2.3", clock.Fixed(time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)))
	m.QueueDepth(func() map[string]int { return map[string]int{"robot": 3, "oa": 0} })
	m.IndexDocuments(func() int { return 127 })

	// A webhook request on the Official Account asks the index twice (a
	// conversation reads a message alone, then with the matter under
	// discussion): one question.
	asker := m.Answerer(fakeAsker{answered: true})
	hook := m.Webhook("oa", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		asker.Ask(r.Context(), index.Query{Text: "低保"})
		asker.Ask(r.Context(), index.Query{Text: "低保"})
		w.WriteHeader(http.StatusForbidden)
	}))
	hook.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("POST", "/wechat/oa", nil))
	m.Answerer(fakeAsker{}).Ask(context.Background(), index.Query{})
	m.Answerer(fakeAsker{err: errors.New("x")}).Ask(context.Background(), index.Query{})
	m.Delivery("robot", "sent")
	m.Delivery("robot", "sent")
	m.Delivery("oa", "failed")
	m.Reindex(3*time.Second, 127, nil)
	m.Reindex(time.Second, 0, errors.New("x"))
	m.SignIn("ok")
	m.SignIn("limited")
	m.APIRefused()

	code, text := scrape(t, m.Handler(""), "")
	if code != 200 {
		t.Fatalf("scrape: %d", code)
	}
	for _, want := range []string{
		`govbot_questions_total{outcome="answered",platform="oa"} 1`,
		`govbot_questions_total{outcome="declined",platform="other"} 1`,
		`govbot_questions_total{outcome="error",platform="other"} 1`,
		`govbot_answer_seconds_count{platform="oa"} 1`,
		`govbot_webhook_requests_total{platform="oa",status="403"} 1`,
		`govbot_deliveries_total{channel="robot",outcome="sent"} 2`,
		`govbot_deliveries_total{channel="oa",outcome="failed"} 1`,
		`govbot_outbox_queue_depth{channel="robot"} 3`,
		`govbot_index_documents 127`,
		`govbot_reindex_total{outcome="ok"} 1`,
		`govbot_reindex_total{outcome="error"} 1`,
		`govbot_reindex_documents 127`,
		`govbot_reindex_duration_seconds_sum 3`,
		`govbot_signins_total{result="limited"} 1`,
		`govbot_api_refused_total 1`,
		`govbot_build_info{version="v1.2.3"} 1`,
	} {
		if !strings.Contains(text, want) {
			t.Errorf("metrics lack %q", want)
		}
	}

	h := m.Handler("metrics-token-0123456789")
	for _, tok := range []string{"", "wrong", "metrics-token-012345678"} {
		if code, _ := scrape(t, h, tok); code != http.StatusUnauthorized {
			t.Errorf("token %q: %d, want 401", tok, code)
		}
	}
	if code, _ := scrape(t, h, "metrics-token-0123456789"); code != 200 {
		t.Errorf("right token: %d", code)
	}
}
