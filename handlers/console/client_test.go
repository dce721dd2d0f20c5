package console

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/yingpu/govbot/clock"
)

// TestClient asks a console over HTTP as `govbot ask` does beside a
// running serve: the question, the location and the day reach the
// answerer, and the reply comes back whole.
func TestClient(t *testing.T) {
	fa := &fakeConversation{}
	mux := http.NewServeMux()
	mux.Handle("/console/", http.StripPrefix("/console", New(fa)))
	srv := httptest.NewServer(mux)
	defer srv.Close()

	lat, lon := 31.15, 121.11
	c := Client{BaseURL: srv.URL + "/"}
	r, err := c.Ask(context.Background(), AskRequest{Q: "低保标准", Lat: &lat, Lon: &lon, Now: "2026-11-26", User: "tab-1"})
	if err != nil {
		t.Fatal(err)
	}
	if r.Q != "低保标准" || !r.Answered || len(r.Hits) != 1 || r.Hits[0].ID != "ben-002" || len(r.Choices) != 1 || r.Text != "答：低保标准" {
		t.Errorf("reply %+v", r)
	}
	if len(fa.got) != 1 {
		t.Fatalf("answerer got %+v", fa.got)
	}
	got := fa.got[0]
	if got.Geo == nil || got.Geo.Lat != lat || !got.Now.Equal(time.Date(2026, 11, 26, 12, 0, 0, 0, clock.Shanghai)) || got.User != "console|tab-1" {
		t.Errorf("query %+v", got)
	}

	if _, err := c.Ask(context.Background(), AskRequest{Q: "x", Now: "2026-13-01"}); err == nil || !strings.Contains(err.Error(), "YYYY-MM-DD") {
		t.Errorf("bad day: %v", err)
	}
	off := httptest.NewServer(http.NotFoundHandler())
	defer off.Close()
	if _, err := (Client{BaseURL: off.URL}).Ask(context.Background(), AskRequest{Q: "x"}); err == nil || !strings.Contains(err.Error(), "console: false") {
		t.Errorf("console off: %v", err)
	}
}
