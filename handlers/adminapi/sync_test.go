package adminapi

import (
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

type fakeSyncer struct {
	calls         int
	source, actor string
	dry           bool
	err           error
	running       bool
}

func (f *fakeSyncer) Start(source, actor string, dry bool) (SyncStatus, error) {
	f.calls++
	f.source, f.actor, f.dry = source, actor, dry
	switch {
	case source != "yp":
		return SyncStatus{}, fmt.Errorf("%w %q", ErrUnknownSource, source)
	case f.running:
		return SyncStatus{}, ErrSyncRunning
	case f.err != nil:
		return SyncStatus{}, f.err
	}
	now := time.Date(2024, 3, 6, 10, 0, 0, 0, time.UTC)
	return SyncStatus{Source: source, State: SyncRunning, Actor: actor, DryRun: dry, Started: &now}, nil
}

func (f *fakeSyncer) Status(source string) (SyncStatus, error) {
	if source != "yp" {
		return SyncStatus{}, fmt.Errorf("%w %q", ErrUnknownSource, source)
	}
	return SyncStatus{Source: source, State: SyncDone, Report: &SyncReport{Source: source,
		New:    []SyncChange{{ID: "yp-1", Title: "通知", URL: "https://a.example.cn/1"}},
		Failed: []SyncFailure{{URL: "https://a.example.cn/2", Reason: "HTTP 500"}}, Summary: "sync yp: 1 new"}}, nil
}

func TestSourceSync(t *testing.T) {
	e := newEnv(t)
	fs := &fakeSyncer{}
	e.h = New(Options{Audit: e.audit, Users: users(), Syncer: fs})
	srv := httptest.NewServer(e.h)
	t.Cleanup(srv.Close)
	e.srv = srv

	if code, _ := e.do("POST", "/api/sources/yp/sync", tokReviewer, nil); code != http.StatusForbidden || fs.calls != 0 {
		t.Fatalf("reviewer syncing: %d (calls %d), want 403", code, fs.calls)
	}
	if code, _ := e.do("GET", "/api/sources/yp/sync", tokStaff, nil); code != http.StatusForbidden {
		t.Fatalf("staff reading a sync: %d, want 403", code)
	}
	code, body := e.do("POST", "/api/sources/yp/sync?dry_run=true", tokAdmin, nil)
	if code != http.StatusAccepted || !fs.dry || fs.actor != "root" || body["state"] != "running" {
		t.Fatalf("dry sync: %d %v (%+v)", code, body, fs)
	}
	if rec := e.lastAudit(); rec.Action != "source.sync" || rec.Actor != "root" {
		t.Errorf("audit: %+v", rec)
	}
	code, body = e.do("GET", "/api/sources/yp/sync", tokAdmin, nil)
	rep, _ := body["report"].(map[string]any)
	if code != http.StatusOK || body["state"] != "done" || rep["summary"] != "sync yp: 1 new" {
		t.Fatalf("status: %d %v", code, body)
	}
	if nw, _ := rep["new"].([]any); len(nw) != 1 || nw[0].(map[string]any)["id"] != "yp-1" {
		t.Errorf("new: %v", rep["new"])
	}
	for _, p := range []string{"POST /api/sources/nope/sync", "GET /api/sources/nope/sync"} {
		m, path, _ := strings.Cut(p, " ")
		if code, _ := e.do(m, path, tokAdmin, nil); code != http.StatusNotFound {
			t.Errorf("%s: %d, want 404", p, code)
		}
	}
	if code, _ := e.do("POST", "/api/sources/yp/sync?dry_run=perhaps", tokAdmin, nil); code != http.StatusBadRequest {
		t.Errorf("bad dry_run: %d, want 400", code)
	}
	fs.running = true
	if code, body := e.do("POST", "/api/sources/yp/sync", tokAdmin, nil); code != http.StatusConflict || body["code"] != float64(40901) {
		t.Errorf("running: %d %v", code, body)
	}
	fs.running, fs.err = false, errors.New("database closed")
	if code, body := e.do("POST", "/api/sources/yp/sync", tokAdmin, nil); code != http.StatusInternalServerError || body["code"] != float64(50003) {
		t.Errorf("failed sync: %d %v", code, body)
	}
	if code, _ := e.do("DELETE", "/api/sources/yp/sync", tokAdmin, nil); code != http.StatusMethodNotAllowed {
		t.Errorf("DELETE: %d, want 405", code)
	}
	e.h = New(Options{Audit: e.audit, Users: users()})
	srv2 := httptest.NewServer(e.h)
	t.Cleanup(srv2.Close)
	e.srv = srv2
	if code, _ := e.do("POST", "/api/sources/yp/sync", tokAdmin, nil); code != http.StatusNotFound {
		t.Errorf("no syncer: %d, want 404", code)
	}
}
