package adminapi

import (
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/yingpu/govbot/clock"
	"github.com/yingpu/govbot/indexjobs"
	"github.com/yingpu/govbot/querylog"
)

type fakeQueries struct{ from, to time.Time }

func (f *fakeQueries) Unanswered(from, to time.Time) ([]querylog.Demand, error) {
	f.from, f.to = from, to
	return []querylog.Demand{{Key: "护照", Example: "护照怎么办", Count: 3, Senders: 2}}, nil
}

// fakeJobs runs no rebuild: a started job is running until finish is
// called.
type fakeJobs struct {
	starts int
	jobs   map[uint64]indexjobs.Job
}

func (f *fakeJobs) Start(actor string) (indexjobs.Job, error) {
	for _, j := range f.jobs {
		if j.State == indexjobs.StateRunning {
			return j, indexjobs.ErrBusy
		}
	}
	f.starts++
	j := indexjobs.Job{ID: uint64(f.starts), Kind: indexjobs.KindReindex, Actor: actor, State: indexjobs.StateRunning, Total: 127}
	f.jobs[j.ID] = j
	return j, nil
}

func (f *fakeJobs) Get(id uint64) (indexjobs.Job, bool, error) {
	j, ok := f.jobs[id]
	return j, ok, nil
}

func (f *fakeJobs) History(limit int) ([]indexjobs.Job, error) {
	var out []indexjobs.Job
	for id := uint64(len(f.jobs)); id > 0; id-- {
		out = append(out, f.jobs[id])
	}
	return out, nil
}

func (f *fakeJobs) finish(id uint64) {
	j := f.jobs[id]
	j.State, j.Done, j.Indexed, j.Generation = indexjobs.StateDone, 127, 127, "gen-2"
	f.jobs[id] = j
}

func TestUnansweredAndReindex(t *testing.T) {
	e := newEnv(t)
	fq, fr := &fakeQueries{}, &fakeJobs{jobs: map[uint64]indexjobs.Job{}}
	e.h = New(Options{Notices: nil, Audit: e.audit, Users: users(), Queries: fq, Jobs: fr})
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
	e.h = New(Options{Audit: e.audit, Users: users(), Queries: fq, Jobs: fr, Clock: clock.Fixed(now)})
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

	if code, _ := e.do("POST", "/api/reindex", tokReviewer, nil); code != http.StatusForbidden || fr.starts != 0 {
		t.Fatalf("reviewer reindexing: %d (starts %d), want 403 and no rebuild", code, fr.starts)
	}
	// The answer comes at once, with the job to follow.
	code, body = e.do("POST", "/api/reindex", tokAdmin, nil)
	if code != http.StatusAccepted || body["id"] != float64(1) || body["state"] != "running" || body["running"] != true ||
		body["location"] != "/api/reindex/1" || fr.starts != 1 {
		t.Fatalf("reindex: %d %v", code, body)
	}
	if rec := e.lastAudit(); rec.Action != "index.reindex" || rec.Actor != "root" || rec.Message != "任务 1" {
		t.Fatalf("audit: %+v", rec)
	}
	// One at a time.
	if code, body = e.do("POST", "/api/reindex", tokAdmin, nil); code != http.StatusConflict || body["code"] != float64(40902) {
		t.Fatalf("second reindex while one runs: %d %v", code, body)
	}
	code, body = e.do("GET", "/api/reindex/1", tokAdmin, nil)
	if code != http.StatusOK || body["running"] != true || body["total"] != float64(127) {
		t.Fatalf("progress: %d %v", code, body)
	}
	fr.finish(1)
	code, body = e.do("GET", "/api/reindex/1", tokAdmin, nil)
	if code != http.StatusOK || body["running"] != false || body["state"] != "done" || body["generation"] != "gen-2" {
		t.Fatalf("finished: %d %v", code, body)
	}
	if code, body = e.do("GET", "/api/reindex", tokAdmin, nil); code != http.StatusOK || len(body["jobs"].([]any)) != 1 {
		t.Fatalf("history: %d %v", code, body)
	}
	if code, _ = e.do("GET", "/api/reindex/9", tokAdmin, nil); code != http.StatusNotFound {
		t.Fatalf("unknown job: %d", code)
	}
	if code, _ = e.do("GET", "/api/reindex/1", tokStaff, nil); code != http.StatusForbidden {
		t.Fatalf("staff reading a job: %d", code)
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
