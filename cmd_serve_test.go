package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/yingpu/govbot/bot"
	"github.com/yingpu/govbot/clock"
	"github.com/yingpu/govbot/config"
	"github.com/yingpu/govbot/handlers/webhook/wechattest"
	"github.com/yingpu/govbot/index"
	"github.com/yingpu/govbot/querylog"
	"github.com/yingpu/govbot/subscribe"
)

// syncBuffer is a bytes.Buffer safe for a logger and a test to share.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func aesKey(t *testing.T) string {
	t.Helper()
	k := make([]byte, 32)
	rand.Read(k)
	return strings.TrimSuffix(base64.StdEncoding.EncodeToString(k), "=")
}

// serveConfig runs on the sample data with fresh state and both webhooks
// configured.
func serveConfig(t *testing.T) config.Config {
	t.Helper()
	cfg := config.Default()
	cfg.StateDir = t.TempDir()
	cfg.Topics = []string{"防汛", "停水"}
	cfg.Menu = []config.MenuItem{{Key: "ASK_CANTEEN", Question: "长者食堂在哪里"}}
	cfg.OfficialAccount = config.OfficialAccount{AppID: "wx0123456789abcdef", Token: "oatoken123", EncodingAESKey: aesKey(t), Path: "/wechat/oa"}
	cfg.Work = config.Work{CorpID: "ww0123456789abcdef", AgentID: "1000002", Token: "worktoken", EncodingAESKey: aesKey(t), Path: "/wechat/work"}
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	return cfg
}

var serveNow = time.Date(2024, 6, 3, 10, 0, 0, 0, clock.Shanghai)

func post(t *testing.T, req *http.Request) *http.Response {
	t.Helper()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { resp.Body.Close() })
	return resp
}

func TestServeWiring(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and opens the index of the sample data (slow under -race)")
	}
	cfg := serveConfig(t)
	logs := &syncBuffer{}
	logger := slog.New(slog.NewTextHandler(logs, nil))
	ctx, cancel := context.WithCancel(context.Background())
	d, h, err := openServe(ctx, cfg, clock.Fixed(serveNow), logger)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	closed := false
	defer func() {
		if !closed {
			srv.Close()
			cancel()
			d.close()
		}
	}()

	// Health.
	resp := post(t, mustRequest(t, "GET", srv.URL+"/healthz"))
	var health struct {
		Status    string `json:"status"`
		Documents int    `json:"documents"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&health); err != nil || resp.StatusCode != 200 || health.Status != "ok" || health.Documents == 0 {
		t.Errorf("healthz: %d %+v %v", resp.StatusCode, health, err)
	}

	// Official Account, safe mode: a subscription, then a question.
	oa := wechattest.NewOA(cfg.OfficialAccount.Token, cfg.OfficialAccount.EncodingAESKey, cfg.OfficialAccount.AppID)
	oa.BaseURL = srv.URL
	const openid = "oServeTestFollower0000000001"
	reply, err := oa.DecodeReply(post(t, oa.SignedTextRequest(openid, "订阅 防汛", serveNow)))
	if err != nil || !strings.Contains(reply, "订阅成功：防汛") {
		t.Fatalf("subscribe reply %q, %v", reply, err)
	}
	if subs, _ := d.subscribe.Subscribers("防汛"); len(subs) != 1 || subs[0] != openid {
		t.Errorf("subscribers %v", subs)
	}
	// Last-message times and the query log are written in the background.
	if !eventually(func() bool { at, ok := d.subscribe.LastSeen(openid); return ok && at.Equal(serveNow) }) {
		at, ok := d.subscribe.LastSeen(openid)
		t.Errorf("last seen %v %v", at, ok)
	}
	reply, err = oa.DecodeReply(post(t, oa.SignedTextRequest(openid, "长者食堂在哪里", serveNow)))
	if err != nil || reply == "" || len(reply) > 2048 {
		t.Fatalf("question reply %q, %v", reply, err)
	}
	eventually(func() bool { recs, _ := d.queries.List(time.Time{}, time.Time{}, 0); return len(recs) > 0 })
	recs, err := d.queries.List(time.Time{}, time.Time{}, 0)
	if err != nil || len(recs) != 1 || recs[0].Q != "长者食堂在哪里" || recs[0].SenderHash != d.hasher.Hash(openid) || len(recs[0].Hits) == 0 {
		t.Errorf("query log %+v, %v", recs, err)
	}

	// WeCom.
	wx := wechattest.NewWork(cfg.Work.Token, cfg.Work.EncodingAESKey, cfg.Work.CorpID)
	wx.BaseURL = srv.URL
	reply, err = wx.DecodeReply(post(t, wx.SignedTextRequest("zhangsan", "帮助", serveNow)))
	if err != nil || !strings.Contains(reply, "您可以这样使用") {
		t.Errorf("WeCom help reply %q, %v", reply, err)
	}

	out := logs.String()
	for _, want := range []string{"official account webhook on", "WeCom webhook on"} {
		if !strings.Contains(out, want) {
			t.Errorf("start-up logs lack %q:\n%s", want, out)
		}
	}
	for _, secret := range []string{"长者食堂", openid, "zhangsan"} {
		if strings.Contains(out, secret) {
			t.Errorf("resident content %q in the info logs:\n%s", secret, out)
		}
	}

	// The command itself, on the same state: it opens the index built
	// above, listens, and stops when its context ends.
	closed = true
	srv.Close()
	cancel()
	if err := d.close(); err != nil {
		t.Fatal(err)
	}
	runServeOn(t, cfg.StateDir)
}

func mustRequest(t *testing.T, method, url string) *http.Request {
	t.Helper()
	r, err := http.NewRequest(method, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func TestMountWebhooksOff(t *testing.T) {
	// Mounting needs no index: a bot over a stub answerer will do.
	cfg := serveConfig(t)
	cfg.OfficialAccount = config.OfficialAccount{Path: "/wechat/oa"}
	cfg.Work = config.Work{Path: "/wechat/work", Token: "worktoken"}
	logs := &syncBuffer{}
	h, _ := querylog.NewHasher([]byte("k"))
	d := &serveDeps{cfg: cfg, clock: clock.Fixed(serveNow), logger: slog.New(slog.NewTextHandler(logs, nil)), hasher: h}
	d.bot = bot.New(bot.Deps{Answerer: noAnswer{}, Subscriptions: &subscribe.Store{}, QueryLog: &querylog.Log{}, Hasher: h})
	mux := http.NewServeMux()
	if err := mountWebhooks(d, mux); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"official account webhook off: officialaccount.token not set",
		"WeCom webhook off: work.encoding_aes_key, work.corp_id not set",
	} {
		if !strings.Contains(logs.String(), want) {
			t.Errorf("start-up logs lack %q:\n%s", want, logs.String())
		}
	}
	for _, path := range []string{"/wechat/oa", "/wechat/work"} {
		rec := httptest.NewRecorder()
		mux.ServeHTTP(rec, httptest.NewRequest("POST", path, strings.NewReader("<xml/>")))
		if rec.Code != http.StatusNotFound {
			t.Errorf("%s with the webhook off: %d", path, rec.Code)
		}
	}
}

type noAnswer struct{}

func (noAnswer) Ask(context.Context, index.Query) (index.Answer, error) { return index.Answer{}, nil }
func (noAnswer) Full(context.Context, string, time.Time) (index.Hit, error) {
	return index.Hit{}, index.ErrNoDisclosure
}
func (noAnswer) Analyze(string) index.Analysis { return index.Analysis{} }

// runServeOn runs `govbot serve` on state until it listens, checks
// /healthz, then stops it.
func runServeOn(t *testing.T, state string) {
	t.Helper()
	addr, stop := startServe(t, "--data", "data", "--state", state, "--listen", "127.0.0.1:0")
	resp, err := http.Get(fmt.Sprintf("http://%s/healthz", addr))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Errorf("healthz %d", resp.StatusCode)
	}
	if logs := stop(); !strings.Contains(logs, "shutting down") {
		t.Errorf("no shutdown log:\n%s", logs)
	}
}

// startServe runs `govbot serve ARGS` until it listens and returns its
// address and a stop function that cancels it, checks that it exited 0,
// and returns its logs.
func startServe(t *testing.T, args ...string) (addr string, stop func() string) {
	t.Helper()
	stderr := &syncBuffer{}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan int, 1)
	go func() {
		done <- run(ctx, append([]string{"serve"}, args...), strings.NewReader(""), &bytes.Buffer{}, stderr)
	}()
	stop = func() string {
		cancel()
		if code := <-done; code != 0 {
			t.Errorf("serve exited %d:\n%s", code, stderr.String())
		}
		return stderr.String()
	}
	addrRE := regexp.MustCompile(`govbot serving"? addr=(\S+)`)
	for deadline := time.Now().Add(60 * time.Second); addr == "" && time.Now().Before(deadline); {
		select {
		case code := <-done:
			cancel()
			t.Fatalf("serve returned early (exit %d):\n%s", code, stderr.String())
		case <-time.After(20 * time.Millisecond):
		}
		if m := addrRE.FindStringSubmatch(stderr.String()); m != nil {
			addr = m[1]
		}
	}
	if addr == "" {
		stop()
		t.Fatalf("no serving line in the logs:\n%s", stderr.String())
	}
	return addr, stop
}

func TestRunServeBadFlags(t *testing.T) {
	for _, args := range [][]string{
		{"--log-level", "loud"},
		{"extra"},
		{"--no-such-flag"},
	} {
		var stderr bytes.Buffer
		args = append([]string{"serve"}, args...)
		if code := run(context.Background(), args, strings.NewReader(""), &bytes.Buffer{}, &stderr); code != 2 {
			t.Errorf("%v: exit %d, want 2 (usage)\n%s", args, code, stderr.String())
		}
	}
}

// eventually polls cond for up to 5 seconds (what is written in the
// background).
func eventually(cond func() bool) bool { return within(5*time.Second, cond) }

// within polls cond every 20 ms for up to d and reports whether it held.
func within(d time.Duration, cond func() bool) bool {
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(20 * time.Millisecond)
	}
	return true
}

// TestServeChecksBeforeWork: what can be checked before the index build is:
// a malformed or taken listen address and every problem of the config file
// fail at once, all reported together, and build nothing.
func TestServeChecksBeforeWork(t *testing.T) {
	taken, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer taken.Close()
	badCfg := filepath.Join(t.TempDir(), "govbot.yaml")
	if err := os.WriteFile(badCfg, []byte("webhook:\n  max_clock_skew: 5 minutes\nsearch:\n  min_score: 2\nlisten: nowhere\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name  string
		args  []string
		wants []string
	}{
		{"malformed listen", []string{"--listen", "localhost"}, []string{`listen "localhost": want host:port`}},
		{"taken listen", []string{"--listen", taken.Addr().String()}, []string{"serve: listen", "address already in use"}},
		{"no data directory", []string{"--data", filepath.Join(t.TempDir(), "nowhere")}, []string{"data_dir ", "nowhere: no such file or directory"}},
		{"every problem of the file", []string{"--config", badCfg}, []string{
			"3 problems:",
			`line 2: webhook.max_clock_skew: "5 minutes" is not a duration`,
			"line 4: search.min_score 2 is outside 0..1",
			`line 5: listen "nowhere": want host:port`,
		}},
	} {
		t.Run(c.name, func(t *testing.T) {
			state := t.TempDir()
			var stderr bytes.Buffer
			args := append([]string{"serve", "--data", "data", "--state", state}, c.args...)
			start := time.Now()
			code := run(context.Background(), args, strings.NewReader(""), &bytes.Buffer{}, &stderr)
			if code != 1 {
				t.Fatalf("exit %d, want 1\n%s", code, stderr.String())
			}
			for _, w := range c.wants {
				if !strings.Contains(stderr.String(), w) {
					t.Errorf("stderr lacks %q:\n%s", w, stderr.String())
				}
			}
			if n := strings.Count(stderr.String(), "govbot:"); n != 1 {
				t.Errorf("%d error lines, want 1:\n%s", n, stderr.String())
			}
			if _, err := os.Stat(filepath.Join(state, "index")); err == nil {
				t.Errorf("an index was built before the check failed (%s)", time.Since(start))
			}
		})
	}
}
