package adminapi

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"
)

type fakeSyncer struct {
	calls         int
	source, actor string
	dry           bool
	err           error
}

func (f *fakeSyncer) Sync(ctx context.Context, source, actor string, dry bool) (SyncReport, error) {
	f.calls++
	f.source, f.actor, f.dry = source, actor, dry
	if source != "yp" {
		return SyncReport{}, fmt.Errorf("%w %q", ErrUnknownSource, source)
	}
	if f.err != nil {
		return SyncReport{}, f.err
	}
	return SyncReport{Source: source, DryRun: dry, New: []SyncChange{{ID: "yp-1", Title: "通知", URL: "https://a.example.cn/1"}},
		Failed: []SyncFailure{{URL: "https://a.example.cn/2", Reason: "HTTP 500"}}, Summary: "sync yp: 1 new"}, nil
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
	code, body := e.do("POST", "/api/sources/yp/sync?dry_run=true", tokAdmin, nil)
	if code != http.StatusOK || !fs.dry || fs.actor != "root" || body["summary"] != "sync yp: 1 new" {
		t.Fatalf("dry sync: %d %v (%+v)", code, body, fs)
	}
	if nw, _ := body["new"].([]any); len(nw) != 1 || nw[0].(map[string]any)["id"] != "yp-1" {
		t.Errorf("new: %v", body["new"])
	}
	if rec := e.lastAudit(); rec.Action != "source.sync" || rec.Actor != "root" || rec.Message != "sync yp: 1 new" {
		t.Errorf("audit: %+v", rec)
	}
	if code, _ := e.do("POST", "/api/sources/nope/sync", tokAdmin, nil); code != http.StatusNotFound {
		t.Errorf("unknown source: %d, want 404", code)
	}
	if code, _ := e.do("POST", "/api/sources/yp/sync?dry_run=perhaps", tokAdmin, nil); code != http.StatusBadRequest {
		t.Errorf("bad dry_run: %d, want 400", code)
	}
	fs.err = errors.New("database closed")
	if code, body := e.do("POST", "/api/sources/yp/sync", tokAdmin, nil); code != http.StatusInternalServerError || body["code"] != float64(50003) {
		t.Errorf("failed sync: %d %v", code, body)
	}
	if code, _ := e.do("GET", "/api/sources/yp/sync", tokAdmin, nil); code != http.StatusMethodNotAllowed {
		t.Errorf("GET: %d, want 405", code)
	}
	e.h = New(Options{Audit: e.audit, Users: users()})
	srv2 := httptest.NewServer(e.h)
	t.Cleanup(srv2.Close)
	e.srv = srv2
	if code, _ := e.do("POST", "/api/sources/yp/sync", tokAdmin, nil); code != http.StatusNotFound {
		t.Errorf("no syncer: %d, want 404", code)
	}
}
