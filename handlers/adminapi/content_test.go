package adminapi

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/yingpu/govbot/clock"
	"github.com/yingpu/govbot/querylog"
)

type fakeQueries struct{ from, to time.Time }

func (f *fakeQueries) Unanswered(from, to time.Time) ([]querylog.Demand, error) {
	f.from, f.to = from, to
	return []querylog.Demand{{Key: "护照", Example: "护照怎么办", Count: 3, Senders: 2}}, nil
}

type fakeReindexer struct {
	calls int
	err   error
}

func (f *fakeReindexer) Reindex(ctx context.Context) (ReindexResult, error) {
	f.calls++
	if f.err != nil {
		return ReindexResult{}, f.err
	}
	return ReindexResult{Generation: "gen-2", Indexed: 127, Drafts: 4, Blocked: 2}, nil
}

func TestUnansweredAndReindex(t *testing.T) {
	e := newEnv(t)
	fq, fr := &fakeQueries{}, &fakeReindexer{}
	e.h = New(Options{Notices: nil, Audit: e.audit, Users: users(), Queries: fq, Reindexer: fr})
	srv := httptest.NewServer(e.h)
	t.Cleanup(srv.Close)
	e.srv = srv

	if code, _ := e.do("GET", "/api/queries/unanswered", tokStaff, nil); code != http.StatusForbidden {
		t.Fatalf("staff reading unanswered questions: %d, want 403", code)
	}
	if code, _ := e.do("GET", "/api/queries/unanswered", "", nil); code != http.StatusUnauthorized {
		t.Fatalf("no token: %d, want 401", code)
	}
	code, body := e.do("GET", "/api/queries/unanswered?from=2026-11-01&to=2026-11-26", tokAdmin, nil)
	if code != http.StatusOK {
		t.Fatalf("admin: %d %v", code, body)
	}
	qs, _ := body["questions"].([]any)
	if len(qs) != 1 || qs[0].(map[string]any)["example"] != "护照怎么办" {
		t.Fatalf("questions: %v", body)
	}
	if fq.from.Format("2006-01-02") != "2026-11-01" || fq.to.Format("2006-01-02") != "2026-11-26" {
		t.Fatalf("period passed: %v .. %v", fq.from, fq.to)
	}
	// Without a period: the 30 days up to the injected clock's now.
	now := time.Date(2026, 11, 26, 15, 0, 0, 0, clock.Shanghai)
	e.h = New(Options{Audit: e.audit, Users: users(), Queries: fq, Reindexer: fr, Clock: clock.Fixed(now)})
	srv2 := httptest.NewServer(e.h)
	t.Cleanup(srv2.Close)
	e.srv = srv2
	if code, body := e.do("GET", "/api/queries/unanswered", tokAdmin, nil); code != http.StatusOK {
		t.Fatalf("default period: %d %v", code, body)
	}
	if want := now.AddDate(0, 0, -30); !fq.from.Equal(want) || !fq.to.IsZero() {
		t.Fatalf("default period %v .. %v, want %v .. now", fq.from, fq.to, want)
	}
	if code, _ := e.do("GET", "/api/queries/unanswered?from=2026-11-26&to=2026-11-01", tokAdmin, nil); code != http.StatusBadRequest {
		t.Fatalf("reversed period: %d, want 400", code)
	}

	if code, _ := e.do("POST", "/api/reindex", tokReviewer, nil); code != http.StatusForbidden || fr.calls != 0 {
		t.Fatalf("reviewer reindexing: %d (calls %d), want 403 and no rebuild", code, fr.calls)
	}
	code, body = e.do("POST", "/api/reindex", tokAdmin, nil)
	if code != http.StatusOK || body["generation"] != "gen-2" || body["indexed"] != float64(127) || fr.calls != 1 {
		t.Fatalf("reindex: %d %v", code, body)
	}
	if rec := e.lastAudit(); rec.Action != "index.reindex" || rec.Actor != "root" {
		t.Fatalf("audit: %+v", rec)
	}
	fr.err = errors.New("data_dir: no such directory")
	code, body = e.do("POST", "/api/reindex", tokAdmin, nil)
	if code != http.StatusInternalServerError || body["code"] != float64(50002) {
		t.Fatalf("failed reindex: %d %v", code, body)
	}
}

// fakeDoubts serves the answers residents said were wrong.
type fakeDoubts struct{ from, to time.Time }

func (f *fakeDoubts) Doubted(from, to time.Time) ([]querylog.Record, error) {
	f.from, f.to = from, to
	return []querylog.Record{{Q: "低保标准", Turn: "feedback", Answer: "ben-001", Confidence: 0.92, Feedback: querylog.FeedbackWrong}}, nil
}

func TestDoubtedAnswers(t *testing.T) {
	e := newEnv(t)
	fd := &fakeDoubts{}
	e.h = New(Options{Audit: e.audit, Users: users(), Doubts: fd})
	srv := httptest.NewServer(e.h)
	t.Cleanup(srv.Close)
	e.srv = srv
	if code, _ := e.do("GET", "/api/queries/doubted", tokStaff, nil); code != http.StatusForbidden {
		t.Fatalf("staff: %d, want 403", code)
	}
	code, body := e.do("GET", "/api/queries/doubted?from=2026-11-01&to=2026-11-26", tokAdmin, nil)
	if code != http.StatusOK {
		t.Fatalf("admin: %d %v", code, body)
	}
	as, _ := body["answers"].([]any)
	if len(as) != 1 {
		t.Fatalf("answers: %v", body)
	}
	a := as[0].(map[string]any)
	if a["q"] != "低保标准" || a["answer"] != "ben-001" || a["confidence"] != 0.92 || a["feedback"] != "wrong" {
		t.Errorf("answer %v", a)
	}
	if fd.from.Format("2006-01-02") != "2026-11-01" || fd.to.Format("2006-01-02") != "2026-11-26" {
		t.Errorf("period %v .. %v", fd.from, fd.to)
	}
	if code, _ := e.do("GET", "/api/queries/doubted?from=2026-11-26&to=2026-11-01", tokAdmin, nil); code != http.StatusBadRequest {
		t.Errorf("reversed period: %d", code)
	}
	// Without the query log: 404.
	e.h = New(Options{Audit: e.audit, Users: users()})
	srv2 := httptest.NewServer(e.h)
	t.Cleanup(srv2.Close)
	e.srv = srv2
	if code, _ := e.do("GET", "/api/queries/doubted", tokAdmin, nil); code != http.StatusNotFound {
		t.Errorf("no query log: %d, want 404", code)
	}
}
