package sitesync

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"sync"
	"time"
)

// fetcher makes the requests of one crawl: at most one at a time, at least
// rate apart, each with a timeout, retried on network errors, 429 and 5xx
// with a growing pause, and its body capped.
type fetcher struct {
	client    *http.Client
	userAgent string
	rate      time.Duration
	timeout   time.Duration
	retries   int
	sleep     func(ctx context.Context, d time.Duration) error
	now       func() time.Time

	mu       sync.Mutex
	last     time.Time
	requests int
}

// response is a fetched page.
type response struct {
	status       int
	body         []byte
	contentType  string
	etag         string
	lastModified string
}

// errTooLarge is a body over the limit.
var errTooLarge = errors.New("larger than the size limit")

// maxRetryAfter caps how long a Retry-After header makes us wait.
const maxRetryAfter = time.Minute

// get fetches url; etag and lastModified, when set, make it conditional.
// A 304, 404 or 410 is returned as a response, not an error; any other
// non-2xx status after the retries is an error.
func (f *fetcher) get(ctx context.Context, url, etag, lastModified string, limit int64) (*response, error) {
	var lastErr error
	for attempt := 0; attempt <= f.retries; attempt++ {
		if attempt > 0 {
			pause := f.rate << attempt
			var ra *retryAfter
			if errors.As(lastErr, &ra) && ra.d > pause {
				pause = ra.d
			}
			if err := f.sleep(ctx, pause); err != nil {
				return nil, err
			}
		}
		resp, err := f.once(ctx, url, etag, lastModified, limit)
		if err == nil {
			return resp, nil
		}
		lastErr = err
		var perm *permanent
		if errors.As(err, &perm) || ctx.Err() != nil {
			break
		}
	}
	return nil, lastErr
}

type permanent struct{ err error }

func (p *permanent) Error() string { return p.err.Error() }
func (p *permanent) Unwrap() error { return p.err }

type retryAfter struct {
	d   time.Duration
	err error
}

func (r *retryAfter) Error() string { return r.err.Error() }

func (f *fetcher) wait(ctx context.Context) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if !f.last.IsZero() {
		if d := f.rate - f.now().Sub(f.last); d > 0 {
			if err := f.sleep(ctx, d); err != nil {
				return err
			}
		}
	}
	f.last = f.now()
	f.requests++
	return nil
}

func (f *fetcher) once(ctx context.Context, url, etag, lastModified string, limit int64) (*response, error) {
	if err := f.wait(ctx); err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(ctx, f.timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, &permanent{err}
	}
	req.Header.Set("User-Agent", f.userAgent)
	req.Header.Set("Accept", "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8")
	if etag != "" {
		req.Header.Set("If-None-Match", etag)
	}
	if lastModified != "" {
		req.Header.Set("If-Modified-Since", lastModified)
	}
	resp, err := f.client.Do(req)
	if err != nil {
		if ctx.Err() != nil && errors.Is(ctx.Err(), context.DeadlineExceeded) {
			return nil, fmt.Errorf("no answer within %s", f.timeout)
		}
		return nil, err
	}
	defer resp.Body.Close()
	r := &response{
		status:       resp.StatusCode,
		contentType:  resp.Header.Get("Content-Type"),
		etag:         resp.Header.Get("ETag"),
		lastModified: resp.Header.Get("Last-Modified"),
	}
	switch {
	case resp.StatusCode == http.StatusNotModified, resp.StatusCode == http.StatusNotFound, resp.StatusCode == http.StatusGone:
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 4096))
		return r, nil
	case resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode >= 500:
		err := fmt.Errorf("HTTP %d", resp.StatusCode)
		if s, e := strconv.Atoi(resp.Header.Get("Retry-After")); e == nil && s > 0 {
			d := time.Duration(s) * time.Second
			if d > maxRetryAfter {
				d = maxRetryAfter
			}
			return nil, &retryAfter{d: d, err: err}
		}
		return nil, err
	case resp.StatusCode < 200 || resp.StatusCode > 299:
		return nil, &permanent{fmt.Errorf("HTTP %d", resp.StatusCode)}
	}
	if resp.ContentLength > limit {
		return nil, &permanent{fmt.Errorf("%w (%d bytes, limit %d)", errTooLarge, resp.ContentLength, limit)}
	}
	b, err := io.ReadAll(io.LimitReader(resp.Body, limit+1))
	if err != nil {
		return nil, fmt.Errorf("reading the body: %w", err)
	}
	if int64(len(b)) > limit {
		return nil, &permanent{fmt.Errorf("%w (limit %d bytes)", errTooLarge, limit)}
	}
	r.body = b
	return r, nil
}

// sleepCtx waits d or until ctx is done.
func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
