package pushtest

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/yingpu/govbot/clock"
)

// recTB records the failures the server reports instead of failing.
type recTB struct {
	testing.TB
	mu       sync.Mutex
	errs     []string
	cleanups []func()
}

func (r *recTB) Helper() {}
func (r *recTB) Errorf(format string, args ...any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.errs = append(r.errs, format)
}
func (r *recTB) Cleanup(f func()) { r.cleanups = append(r.cleanups, f) }
func (r *recTB) close() {
	for _, f := range r.cleanups {
		f()
	}
}
func (r *recTB) failures() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.errs)
}

func get(t *testing.T, url string) (int, map[string]any) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var m map[string]any
	b, _ := io.ReadAll(resp.Body)
	_ = json.Unmarshal(b, &m)
	return resp.StatusCode, m
}

func post(t *testing.T, url, body string) (int, map[string]any) {
	t.Helper()
	resp, err := http.Post(url, "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var m map[string]any
	b, _ := io.ReadAll(resp.Body)
	_ = json.Unmarshal(b, &m)
	return resp.StatusCode, m
}

func errcode(m map[string]any) int {
	f, _ := m["errcode"].(float64)
	return int(f)
}

func TestUnknownPathFailsTheTest(t *testing.T) {
	rec := &recTB{}
	srv := NewServer(rec)
	defer rec.close()
	if status, _ := get(t, srv.URL+"/cgi-bin/menu/create"); status != http.StatusNotFound {
		t.Errorf("status %d, want 404", status)
	}
	if status, _ := get(t, srv.URL+PathRobot); status != http.StatusMethodNotAllowed {
		t.Errorf("GET robot: status %d, want 405", status)
	}
	if rec.failures() != 2 {
		t.Errorf("%d failures reported, want 2", rec.failures())
	}
	srvP := NewServer(rec, WithPrefix("wx"))
	get(t, srvP.URL+PathOAToken+"?appid=a&secret=s") // outside the prefix
	if rec.failures() != 3 {
		t.Errorf("%d failures reported, want 3", rec.failures())
	}
}

func TestTokensAndScriptedFailures(t *testing.T) {
	srv := NewServer(t)
	_, m := get(t, srv.URL+PathWorkToken+"?corpid=c&corpsecret=s")
	tok, _ := m["access_token"].(string)
	if tok == "" || m["expires_in"] != float64(7200) {
		t.Fatalf("token answer %v", m)
	}
	send := func(token string) int {
		_, m := post(t, srv.URL+PathChatSend+"?access_token="+token, `{"chatid":"c1","msgtype":"text","text":{"content":"hi"}}`)
		return errcode(m)
	}
	if code := send(tok); code != 0 {
		t.Fatalf("send: %d", code)
	}
	if code := send(""); code != CodeMissingToken {
		t.Errorf("no token: %d", code)
	}
	if code := send("forged"); code != CodeInvalidToken {
		t.Errorf("unknown token: %d", code)
	}
	// An OA token is not a WeCom token.
	_, m = get(t, srv.URL+PathOAToken+"?appid=a&secret=s")
	if code := send(m["access_token"].(string)); code != CodeInvalidToken {
		t.Errorf("OA token on WeCom: %d", code)
	}
	srv.FailNext(PathChatSend, -1, 2)
	if a, b, c := send(tok), send(tok), send(tok); a != -1 || b != -1 || c != 0 {
		t.Errorf("FailNext 2: %d %d %d", a, b, c)
	}
	srv.FailNextHTTP(PathChatSend, 502, 1)
	if status, _ := post(t, srv.URL+PathChatSend+"?access_token="+tok, `{"chatid":"c1","msgtype":"text","text":{"content":"hi"}}`); status != 502 {
		t.Errorf("FailNextHTTP: status %d", status)
	}
	srv.ExpireTokens()
	if code := send(tok); code != CodeTokenExpired {
		t.Errorf("expired: %d", code)
	}
	_, m = get(t, srv.URL+PathWorkToken+"?corpid=c&corpsecret=s")
	if code := send(m["access_token"].(string)); code != 0 {
		t.Errorf("new token after expiry: %d", code)
	}
	if got := srv.Delivered(PathChatSend)["c1"]; got != 3 {
		t.Errorf("delivered %d, want 3", got)
	}
	if srv.TokenFetches() != 3 {
		t.Errorf("TokenFetches %d", srv.TokenFetches())
	}
	calls := srv.CallsTo(PathChatSend)
	if len(calls) != 10 || calls[0].To[0] != "c1" || !calls[0].OK() || calls[3].OK() {
		t.Errorf("calls %d %+v", len(calls), calls[0])
	}
}

func TestRobotRateLimitOnClock(t *testing.T) {
	now := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	var mu sync.Mutex
	clk := clock.Func(func() time.Time { mu.Lock(); defer mu.Unlock(); return now })
	srv := NewServer(t, WithClock(clk))
	srv.SetRobotRateLimit(20, time.Minute)
	send := func() int {
		_, m := post(t, srv.URL+PathRobot+"?key=k", `{"msgtype":"text","text":{"content":"hi"}}`)
		return errcode(m)
	}
	for i := range 20 {
		if code := send(); code != 0 {
			t.Fatalf("send %d: %d", i, code)
		}
	}
	if code := send(); code != CodeRateLimit {
		t.Errorf("21st send in a minute: %d", code)
	}
	mu.Lock()
	now = now.Add(time.Minute)
	mu.Unlock()
	if code := send(); code != 0 {
		t.Errorf("after a minute: %d", code)
	}
	srv.AssertRobotCalls("k", 22)
	if got := srv.Delivered(PathRobot)["k"]; got != 21 {
		t.Errorf("delivered %d", got)
	}
}

func TestRobotContentLimits(t *testing.T) {
	srv := NewServer(t)
	send := func(body string) int {
		_, m := post(t, srv.URL+PathRobot+"?key=k", body)
		return errcode(m)
	}
	if code := send(`{"msgtype":"text","text":{"content":"` + strings.Repeat("a", 2049) + `"}}`); code != CodeTooLong {
		t.Errorf("long text: %d", code)
	}
	if code := send(`{"msgtype":"markdown","markdown":{"content":"` + strings.Repeat("a", 4096) + `"}}`); code != 0 {
		t.Errorf("4096-byte markdown: %d", code)
	}
	if code := send(`{"msgtype":"text","text":{"content":""}}`); code != CodeEmptyContent {
		t.Errorf("empty: %d", code)
	}
	srv.FailRecipient("k", CodeBadRobotKey)
	if code := send(`{"msgtype":"text","text":{"content":"x"}}`); code != CodeBadRobotKey {
		t.Errorf("bad key: %d", code)
	}
}
