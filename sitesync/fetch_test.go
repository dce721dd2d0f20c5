package sitesync

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

// fakeTime is a clock that moves only when the fetcher sleeps.
type fakeTime struct {
	mu     sync.Mutex
	now    time.Time
	sleeps []time.Duration
}

func (f *fakeTime) Now() time.Time { f.mu.Lock(); defer f.mu.Unlock(); return f.now }

func (f *fakeTime) Sleep(ctx context.Context, d time.Duration) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.sleeps = append(f.sleeps, d)
	f.now = f.now.Add(d)
	return ctx.Err()
}

func newFetcher(c *http.Client, ft *fakeTime) *fetcher {
	return &fetcher{client: c, userAgent: "test", rate: time.Second, timeout: 2 * time.Second, retries: 2, sleep: ft.Sleep, now: ft.Now}
}

func TestFetcherPoliteRateAndRetries(t *testing.T) {
	var mu sync.Mutex
	calls := map[string]int{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		calls[r.URL.Path]++
		n := calls[r.URL.Path]
		mu.Unlock()
		if r.Header.Get("User-Agent") != "test" {
			t.Errorf("user agent %q", r.Header.Get("User-Agent"))
		}
		switch r.URL.Path {
		case "/flaky":
			if n == 1 {
				w.Header().Set("Retry-After", "7")
				http.Error(w, "slow down", http.StatusTooManyRequests)
				return
			}
		case "/always500":
			http.Error(w, "x", http.StatusInternalServerError)
			return
		case "/forbidden":
			http.Error(w, "x", http.StatusForbidden)
			return
		case "/big":
			w.Header().Set("Content-Length", "5000")
			w.Write([]byte(strings.Repeat("x", 5000)))
			return
		case "/bigchunked":
			w.(http.Flusher).Flush()
			w.Write([]byte(strings.Repeat("x", 5000)))
			return
		}
		w.Write([]byte("ok"))
	}))
	defer srv.Close()
	ft := &fakeTime{now: time.Date(2024, 3, 6, 0, 0, 0, 0, time.UTC)}
	f := newFetcher(srv.Client(), ft)
	ctx := context.Background()

	r, err := f.get(ctx, srv.URL+"/a", "", "", 1000)
	if err != nil || string(r.body) != "ok" {
		t.Fatalf("get: %v %v", r, err)
	}
	if len(ft.sleeps) != 0 {
		t.Errorf("slept before the first request: %v", ft.sleeps)
	}
	if _, err := f.get(ctx, srv.URL+"/b", "", "", 1000); err != nil {
		t.Fatal(err)
	}
	if len(ft.sleeps) != 1 || ft.sleeps[0] != time.Second {
		t.Errorf("second request did not wait the rate: %v", ft.sleeps)
	}
	ft.sleeps = nil
	if r, err := f.get(ctx, srv.URL+"/flaky", "", "", 1000); err != nil || string(r.body) != "ok" {
		t.Fatalf("flaky: %v %v", r, err)
	}
	if len(ft.sleeps) < 2 || ft.sleeps[1] != 7*time.Second {
		t.Errorf("Retry-After not honoured: %v", ft.sleeps)
	}
	if _, err := f.get(ctx, srv.URL+"/always500", "", "", 1000); err == nil || !strings.Contains(err.Error(), "HTTP 500") || calls["/always500"] != 3 {
		t.Errorf("500: %v after %d calls, want an error after 3", err, calls["/always500"])
	}
	if _, err := f.get(ctx, srv.URL+"/forbidden", "", "", 1000); err == nil || calls["/forbidden"] != 1 {
		t.Errorf("403 retried (%d calls) or no error (%v)", calls["/forbidden"], err)
	}
	for _, p := range []string{"/big", "/bigchunked"} {
		if _, err := f.get(ctx, srv.URL+p, "", "", 1000); !errors.Is(err, errTooLarge) || calls[p] != 1 {
			t.Errorf("%s: %v after %d calls", p, err, calls[p])
		}
	}
	if f.requests < 10 {
		t.Errorf("requests counted: %d", f.requests)
	}
}

func TestFetcherTimeout(t *testing.T) {
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	defer srv.Close()
	defer close(release)
	ft := &fakeTime{now: time.Now()}
	f := newFetcher(srv.Client(), ft)
	f.timeout, f.retries = 50*time.Millisecond, 0
	_, err := f.get(context.Background(), srv.URL, "", "", 1000)
	if err == nil || !strings.Contains(err.Error(), "no answer within 50ms") {
		t.Errorf("timeout: %v", err)
	}
}

func TestFetcherConditional(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("If-None-Match") == `"v1"` || r.Header.Get("If-Modified-Since") == "Tue, 05 Mar 2024 00:00:00 GMT" {
			w.WriteHeader(http.StatusNotModified)
			return
		}
		w.Header().Set("ETag", `"v1"`)
		w.Header().Set("Last-Modified", "Tue, 05 Mar 2024 00:00:00 GMT")
		w.Write([]byte("page"))
	}))
	defer srv.Close()
	f := newFetcher(srv.Client(), &fakeTime{now: time.Now()})
	r, err := f.get(context.Background(), srv.URL, "", "", 100)
	if err != nil || r.etag != `"v1"` || r.lastModified == "" {
		t.Fatalf("%+v %v", r, err)
	}
	for _, v := range [][2]string{{`"v1"`, ""}, {"", "Tue, 05 Mar 2024 00:00:00 GMT"}} {
		r, err = f.get(context.Background(), srv.URL, v[0], v[1], 100)
		if err != nil || r.status != http.StatusNotModified {
			t.Errorf("conditional %q: %+v %v", v, r, err)
		}
	}
}
