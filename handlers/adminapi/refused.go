package adminapi

import (
	"context"
	"fmt"
	"math"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/yingpu/govbot/audit"
	"github.com/yingpu/govbot/auth"
)

// Refusals of requests without a valid token: each address may be refused
// RefusedPerMinute times a minute, then it is answered 429 (without its
// token being looked at) until the minute has passed. The first refusal of
// an address is audited at once; the ones after it within refusedWindow
// are counted and written as one aggregated record (action api.refused,
// Count), so a client hammering the API adds a record a minute, not one a
// request.
const (
	DefaultRefusedPerMinute = 30
	refusedWindow           = time.Minute
	// maxRefusalAddrs bounds the addresses being aggregated; past it the
	// oldest aggregates are written out early.
	maxRefusalAddrs = 10_000
)

type refusalAgg struct {
	since, last time.Time
	n401, n429  int
	request     string
}

type refusals struct {
	api   *api
	limit *auth.Limiter

	mu   sync.Mutex
	open map[string]*refusalAgg
}

func newRefusals(a *api, perMinute int) *refusals {
	if perMinute <= 0 {
		perMinute = DefaultRefusedPerMinute
	}
	return &refusals{api: a, limit: auth.NewLimiter(perMinute, refusedWindow, a.opts.Clock), open: map[string]*refusalAgg{}}
}

// wait returns how long addr must wait (0: its request may be checked).
func (f *refusals) wait(addr string) time.Duration { return f.limit.Wait(addr) }

// refused records a refused request (status 401 or 429) of addr. It
// returns the record to write now, or ok false when the refusal is counted
// into the address's aggregate instead.
func (f *refusals) refused(addr string, status int, request string) (first bool) {
	now := f.api.opts.Clock.Now()
	if status == http.StatusUnauthorized {
		f.limit.Fail(addr)
	}
	if f.api.opts.OnRefused != nil {
		f.api.opts.OnRefused()
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	g, ok := f.open[addr]
	if ok && now.Sub(g.since) >= refusedWindow {
		f.flushLocked(addr, g)
		ok = false
	}
	if !ok {
		if len(f.open) >= maxRefusalAddrs {
			f.flushAllLocked(time.Time{})
		}
		f.open[addr] = &refusalAgg{since: now, last: now}
		return true
	}
	g.last, g.request = now, request
	if status == http.StatusTooManyRequests {
		g.n429++
	} else {
		g.n401++
	}
	return false
}

func (f *refusals) flushLocked(addr string, g *refusalAgg) {
	delete(f.open, addr)
	n := g.n401 + g.n429
	if n == 0 {
		return
	}
	status := http.StatusUnauthorized
	if g.n429 > 0 {
		status = http.StatusTooManyRequests
	}
	f.api.append(audit.Record{
		Action: "api.refused", Remote: addr, Request: g.request, Result: audit.ResultError, Status: status, Count: n,
		Message: fmt.Sprintf("%s 至 %s 又有 %d 次请求因无有效令牌被拒绝（401 共 %d 次，429 共 %d 次）",
			g.since.Format("15:04:05"), g.last.Format("15:04:05"), n, g.n401, g.n429),
	})
}

// flushAllLocked writes out the aggregates begun before cutoff (all when
// cutoff is zero).
func (f *refusals) flushAllLocked(cutoff time.Time) {
	for addr, g := range f.open {
		if cutoff.IsZero() || !g.since.After(cutoff) {
			f.flushLocked(addr, g)
		}
	}
}

// Run writes out the aggregates of refused requests once their minute has
// passed, until ctx ends, and then all that are left.
func (a *API) Run(ctx context.Context) {
	t := time.NewTicker(refusedWindow / 4)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			a.Flush()
			return
		case <-t.C:
			f := a.api.refusals
			f.mu.Lock()
			f.flushAllLocked(a.api.opts.Clock.Now().Add(-refusedWindow))
			f.mu.Unlock()
		}
	}
}

// Flush writes out every aggregate of refused requests now.
func (a *API) Flush() {
	f := a.api.refusals
	f.mu.Lock()
	defer f.mu.Unlock()
	f.flushAllLocked(time.Time{})
}

func retryAfter(w http.ResponseWriter, d time.Duration) {
	w.Header().Set("Retry-After", strconv.Itoa(int(math.Ceil(d.Seconds()))))
}
