package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/yingpu/govbot/clock"
	"github.com/yingpu/govbot/config"
	"github.com/yingpu/govbot/handlers/webhook/wechattest"
)

// Webhook load benchmark: the Official Account webhook of `govbot serve`
// in safe mode (signature check, decryption, the bot, a search of the
// sample data, the query log and last-seen writes to bbolt, the encrypted
// reply) against a bare net/http handler that reads the body and answers
// "success", measured in the same run with the same client, the same
// concurrency and requests of the same size.
//
//	go test -run '^$' -bench WebhookSafeMode -benchtime 1x .
//
// GOVBOT_BENCH_REQUESTS sets the requests per server (default 5000).
const (
	defaultBenchConns = 50
	benchWarmup       = 200
	benchFollowers    = 500
	benchSideDeadline = 3 * time.Minute
)

// benchRequest is a request prepared before the clock starts, so that the
// client's encryption does not compete with the server for the CPU.
type benchRequest struct {
	url  string
	body []byte
}

// loadResult is one server's run.
type loadResult struct {
	done      int
	errors    int
	elapsed   time.Duration
	latencies []time.Duration // sorted
	bodies    [][]byte        // response bodies, when kept
}

func (r loadResult) rps() float64 { return float64(r.done) / r.elapsed.Seconds() }

func (r loadResult) pct(p float64) time.Duration {
	if len(r.latencies) == 0 {
		return 0
	}
	i := int(p * float64(len(r.latencies)-1))
	return r.latencies[i]
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// drive sends reqs over conns keep-alive connections, conns at a time, and
// records every latency. It stops early at deadline.
func drive(b *testing.B, client *http.Client, reqs []benchRequest, conns int, keep bool, deadline time.Duration) loadResult {
	b.Helper()
	var (
		next   atomic.Int64
		errs   atomic.Int64
		wg     sync.WaitGroup
		mu     sync.Mutex
		lats   = make([]time.Duration, 0, len(reqs))
		bodies [][]byte
		stop   = time.Now().Add(deadline)
	)
	if keep {
		bodies = make([][]byte, len(reqs))
	}
	var firstErr atomic.Value
	start := time.Now()
	for range conns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			local := make([]time.Duration, 0, len(reqs)/conns+1)
			for {
				i := int(next.Add(1)) - 1
				if i >= len(reqs) || time.Now().After(stop) {
					break
				}
				t0 := time.Now()
				resp, err := client.Post(reqs[i].url, "text/xml", bytes.NewReader(reqs[i].body))
				if err != nil {
					errs.Add(1)
					firstErr.CompareAndSwap(nil, err.Error())
					continue
				}
				body, err := io.ReadAll(resp.Body)
				resp.Body.Close()
				lat := time.Since(t0)
				if err != nil || resp.StatusCode != http.StatusOK || len(body) == 0 {
					errs.Add(1)
					firstErr.CompareAndSwap(nil, fmt.Sprintf("status %d, %d bytes, %v", resp.StatusCode, len(body), err))
					continue
				}
				local = append(local, lat)
				if keep {
					bodies[i] = body
				}
			}
			mu.Lock()
			lats = append(lats, local...)
			mu.Unlock()
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	if e := firstErr.Load(); e != nil {
		b.Logf("%d failed requests; first: %v", errs.Load(), e)
	}
	slices.Sort(lats)
	return loadResult{done: len(lats), errors: int(errs.Load()), elapsed: elapsed, latencies: lats, bodies: bodies}
}

// residentQuestions returns the questions of index/testdata/*-questions.jsonl.
func residentQuestions(b *testing.B) []string {
	b.Helper()
	files, err := filepath.Glob("index/testdata/*-questions.jsonl")
	if err != nil || len(files) == 0 {
		b.Fatalf("no question files: %v", err)
	}
	var qs []string
	for _, file := range files {
		f, err := os.Open(file)
		if err != nil {
			b.Fatal(err)
		}
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			var q struct {
				Q string `json:"q"`
			}
			if err := json.Unmarshal(sc.Bytes(), &q); err != nil {
				b.Fatalf("%s: %v", file, err)
			}
			if strings.TrimSpace(q.Q) != "" {
				qs = append(qs, q.Q)
			}
		}
		f.Close()
	}
	return qs
}

func BenchmarkWebhookSafeMode(b *testing.B) {
	// GOVBOT_BENCH_CONNS sets the concurrent connections (default 50): at 50
	// on 2 cores the latency is mostly waiting in line; fewer connections
	// show what one reply costs.
	benchConns := defaultBenchConns
	if s := os.Getenv("GOVBOT_BENCH_CONNS"); s != "" {
		v, err := strconv.Atoi(s)
		if err != nil || v < 1 {
			b.Fatalf("GOVBOT_BENCH_CONNS %q", s)
		}
		benchConns = v
	}
	n := 5000
	if s := os.Getenv("GOVBOT_BENCH_REQUESTS"); s != "" {
		v, err := strconv.Atoi(s)
		if err != nil || v < 1 {
			b.Fatalf("GOVBOT_BENCH_REQUESTS %q", s)
		}
		n = v
	}

	// (a) govbot serve: the Official Account in safe mode on the sample
	// data, logging at info level as in production.
	cfg := config.Default()
	cfg.StateDir = b.TempDir()
	cfg.OfficialAccount = config.OfficialAccount{
		AppID: "wx0123456789abcdef", Token: "oatoken123",
		EncodingAESKey: "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG", Path: "/wechat/oa",
	}
	cfg.Audiences = []config.Audience{{Name: "防汛", Followers: true}}
	if err := cfg.Validate(); err != nil {
		b.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	d, h, err := openServe(ctx, cfg, clock.System{}, logger)
	if err != nil {
		b.Fatal(err)
	}
	defer func() {
		cancel()
		if err := d.close(); err != nil {
			b.Error(err)
		}
	}()
	realSrv := httptest.NewServer(h)
	defer realSrv.Close()

	// (b) the bare handler.
	bare := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		io.WriteString(w, "success")
	}))
	defer bare.Close()

	newClient := func() *http.Client {
		return &http.Client{
			Timeout: 30 * time.Second,
			Transport: &http.Transport{
				MaxIdleConns:        2 * benchConns,
				MaxIdleConnsPerHost: benchConns,
				IdleConnTimeout:     time.Minute,
			},
		}
	}
	realClient, bareClient := newClient(), newClient()
	defer realClient.CloseIdleConnections()
	defer bareClient.CloseIdleConnections()

	questions := residentQuestions(b)
	oa := wechattest.NewOA(cfg.OfficialAccount.Token, cfg.OfficialAccount.EncodingAESKey, cfg.OfficialAccount.AppID)
	prepare := func(count int, offset int) (realReqs, bareReqs []benchRequest, asked []string) {
		now := time.Now()
		for i := range count {
			q := questions[(offset+i)%len(questions)]
			from := fmt.Sprintf("oBenchFollower%014d", (offset+i)%benchFollowers)
			// A distinct MsgId each, so that no request is taken for a
			// retry.
			r := oa.SignedTextRequest(from, q, now)
			body, err := io.ReadAll(r.Body)
			if err != nil {
				b.Fatal(err)
			}
			realReqs = append(realReqs, benchRequest{url: realSrv.URL + cfg.OfficialAccount.Path + "?" + r.URL.RawQuery, body: body})
			bareReqs = append(bareReqs, benchRequest{url: bare.URL + "/?" + r.URL.RawQuery, body: body})
			asked = append(asked, q)
		}
		return realReqs, bareReqs, asked
	}

	var realRes, bareRes loadResult
	var asked []string
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		// Warm both servers and fill the connection pools.
		warmReal, warmBare, _ := prepare(benchWarmup, i*n)
		drive(b, realClient, warmReal, benchConns, false, benchSideDeadline)
		drive(b, bareClient, warmBare, benchConns, false, benchSideDeadline)
		realReqs, bareReqs, a := prepare(n, benchWarmup+i*n)
		asked = a
		b.StartTimer()
		bareRes = drive(b, bareClient, bareReqs, benchConns, false, benchSideDeadline)
		realRes = drive(b, realClient, realReqs, benchConns, true, benchSideDeadline)
	}
	b.StopTimer()

	// The replies are real answers: decrypt them as WeChat would.
	cited := 0
	for i, body := range realRes.bodies {
		if body == nil {
			continue
		}
		text, err := oa.DecodeReply(&http.Response{StatusCode: http.StatusOK, Body: io.NopCloser(bytes.NewReader(body))})
		if err != nil || text == "" {
			b.Fatalf("reply to %q: %q, %v", asked[i], text, err)
		}
		if strings.Contains(text, "来源：") {
			cited++
		}
	}
	if realRes.errors > 0 || bareRes.errors > 0 || realRes.done < n || bareRes.done < n {
		b.Errorf("webhook %d/%d ok, %d errors; bare %d/%d ok, %d errors",
			realRes.done, n, realRes.errors, bareRes.done, n, bareRes.errors)
	}
	if realRes.done == 0 || bareRes.done == 0 {
		b.Fatal("no request completed")
	}

	ratio := bareRes.rps() / realRes.rps()
	b.ReportMetric(0, "ns/op")
	b.ReportMetric(realRes.rps(), "webhook_req/s")
	b.ReportMetric(bareRes.rps(), "bare_req/s")
	b.ReportMetric(ratio, "bare/webhook")
	b.ReportMetric(ms(realRes.pct(0.50)), "webhook_p50_ms")
	b.ReportMetric(ms(realRes.pct(0.99)), "webhook_p99_ms")
	b.ReportMetric(ms(bareRes.pct(0.50)), "bare_p50_ms")
	b.ReportMetric(ms(bareRes.pct(0.99)), "bare_p99_ms")
	b.ReportMetric(100*float64(cited)/float64(realRes.done), "cited_%")
	b.Logf("webhook safe mode (search, query log): %d req at %d conns in %v: %.0f req/s, p50 %.1f ms, p99 %.1f ms; "+
		"bare net/http: %.0f req/s, p50 %.2f ms, p99 %.2f ms; bare/webhook %.1f×; %.0f%% of replies cite a disclosure",
		realRes.done, benchConns, realRes.elapsed.Round(time.Millisecond), realRes.rps(), ms(realRes.pct(0.50)), ms(realRes.pct(0.99)),
		bareRes.rps(), ms(bareRes.pct(0.50)), ms(bareRes.pct(0.99)), ratio, 100*float64(cited)/float64(realRes.done))
}
