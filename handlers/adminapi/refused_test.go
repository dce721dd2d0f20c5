package adminapi

import (
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/yingpu/govbot/audit"
	"github.com/yingpu/govbot/clock"
)

// TestRefusedRequestsLimitedAndAggregated: a client without a valid token
// gets 401 until it has been refused RefusedPerMinute times in a minute,
// then 429 with Retry-After, even with a valid token; the audit log holds
// its first refusal and one aggregated record, not one per request.
func TestRefusedRequestsLimitedAndAggregated(t *testing.T) {
	db, err := bolt.Open(filepath.Join(t.TempDir(), "r.db"), 0o600, &bolt.Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	c := clock.NewFake(t0)
	log, err := audit.New(db, c)
	if err != nil {
		t.Fatal(err)
	}
	refusedCount := 0
	api := New(Options{Audit: log, Users: users(), Clock: c, RefusedPerMinute: 5, OnRefused: func() { refusedCount++ }})
	get := func(token, remote string) *httptest.ResponseRecorder {
		req := httptest.NewRequest("GET", "/api/me", nil)
		req.RemoteAddr = remote + ":1234"
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		w := httptest.NewRecorder()
		api.ServeHTTP(w, req)
		return w
	}
	const attacker, other = "203.0.113.9", "198.51.100.7"
	for i := range 5 {
		if w := get("wrong-token-0123456789", attacker); w.Code != http.StatusUnauthorized {
			t.Fatalf("refusal %d: %d, want 401", i+1, w.Code)
		}
	}
	for range 300 {
		if w := get("wrong-token-0123456789", attacker); w.Code != http.StatusTooManyRequests || w.Header().Get("Retry-After") == "" {
			t.Fatalf("over the limit: %d Retry-After %q, want 429", w.Code, w.Header().Get("Retry-After"))
		}
	}
	// Even the right token waits: a guessed token could not be confirmed.
	if w := get(tokAdmin, attacker); w.Code != http.StatusTooManyRequests {
		t.Errorf("valid token from a limited address: %d, want 429", w.Code)
	}
	// Other addresses are not affected.
	if w := get(tokAdmin, other); w.Code != http.StatusOK {
		t.Errorf("other address: %d", w.Code)
	}
	recs, _ := log.List(audit.Filter{Limit: audit.MaxLimit})
	if len(recs) != 2 { // the attacker's first refusal and the other's /api/me
		t.Fatalf("%d records during the flood, want 2: %+v", len(recs), recs)
	}

	// A minute later the aggregate is written by Run's sweep (or the next
	// refusal); the address may try again.
	c.Advance(61 * time.Second)
	api.Flush()
	recs, _ = log.List(audit.Filter{Action: "api.refused"})
	if len(recs) != 1 || recs[0].Count != 305 || recs[0].Status != http.StatusTooManyRequests || recs[0].Remote != attacker {
		t.Fatalf("aggregate: %+v", recs)
	}
	if w := get(tokAdmin, attacker); w.Code != http.StatusOK {
		t.Errorf("after the minute: %d", w.Code)
	}
	if refusedCount != 306 {
		t.Errorf("OnRefused told %d times, want 306", refusedCount)
	}
	if n, err := log.Verify(); err != nil || n != 4 {
		t.Errorf("chain: %d %v", n, err)
	}
}
