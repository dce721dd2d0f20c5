package push_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/yingpu/govbot/push"
	"github.com/yingpu/govbot/push/pushtest"
)

func TestErrcodeMapping(t *testing.T) {
	cases := []struct {
		code      int
		transient bool
	}{
		{-1, true}, {45009, true}, {45011, true}, {45033, true},
		{43004, false}, {40003, false}, {45002, false}, {45015, false},
		{45047, false}, {48001, false}, {40037, false}, {99999, false},
	}
	for _, c := range cases {
		t.Run(fmt.Sprint(c.code), func(t *testing.T) {
			srv := pushtest.NewServer(t)
			a := newOA(t, srv, push.Template{})
			srv.FailNext(pushtest.PathCustomSend, c.code, 1)
			err := a.SendCustom(context.Background(), "o", push.Message{Body: "x"})
			pe := wantError(t, err, c.code, c.transient)
			if !strings.Contains(pe.Msg, "message/custom/send") {
				t.Errorf("message %q does not name the API", pe.Msg)
			}
		})
	}
}

func TestHTTPStatusMapping(t *testing.T) {
	for _, c := range []struct {
		status    int
		transient bool
	}{{500, true}, {502, true}, {503, true}, {429, true}, {404, false}, {403, false}} {
		t.Run(fmt.Sprint(c.status), func(t *testing.T) {
			srv := pushtest.NewServer(t)
			r := newRobot(t, srv)
			srv.FailNextHTTP(pushtest.PathRobot, c.status, 1)
			wantError(t, r.SendRobot(context.Background(), "k", push.Message{Body: "x"}), 0, c.transient)
		})
	}
}

func TestTimeoutIsTransient(t *testing.T) {
	srv := pushtest.NewServer(t)
	api := apiFor(t, srv)
	api.Timeout = 50 * time.Millisecond
	r, err := push.NewRobot(push.RobotOptions{API: api})
	if err != nil {
		t.Fatal(err)
	}
	srv.SetLatency(pushtest.PathRobot, 2*time.Second)
	err = r.SendRobot(context.Background(), "secret-key", push.Message{Body: "x"})
	pe := wantError(t, err, 0, true)
	if !strings.Contains(pe.Msg, "timed out") {
		t.Errorf("message %q does not say it timed out", pe.Msg)
	}
	if strings.Contains(pe.Error(), "secret-key") {
		t.Errorf("error %q leaks the robot key", pe.Error())
	}
	// The fake answers once the client has given up; its latency for the
	// token path is unaffected.
	srv.SetLatency(pushtest.PathRobot, 0)
	if err := r.SendRobot(context.Background(), "secret-key", push.Message{Body: "x"}); err != nil {
		t.Fatal(err)
	}
}

func TestTokenFetchTimeoutIsTransient(t *testing.T) {
	srv := pushtest.NewServer(t)
	api := apiFor(t, srv)
	api.Timeout = 50 * time.Millisecond
	w, err := push.NewWorkApp(push.WorkAppOptions{API: api, CorpID: "c", Secret: "topsecret", AgentID: "1"})
	if err != nil {
		t.Fatal(err)
	}
	srv.SetLatency(pushtest.PathWorkToken, 2*time.Second)
	_, err = w.SendApp(context.Background(), []string{"a"}, nil, nil, push.Message{Body: "x"})
	pe := wantError(t, err, 0, true)
	if strings.Contains(pe.Error(), "topsecret") {
		t.Errorf("error %q leaks the secret", pe.Error())
	}
}

func TestCanceledContext(t *testing.T) {
	srv := pushtest.NewServer(t)
	r := newRobot(t, srv)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	err := r.SendRobot(ctx, "k", push.Message{Body: "x"})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("error %v, want one wrapping context.Canceled", err)
	}
	wantError(t, err, 0, true)
}

func TestNotJSONAnswerIsTransient(t *testing.T) {
	gw := http.NewServeMux()
	gw.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "<html>gateway maintenance</html>") })
	srv := newPlainServer(t, gw)
	r, err := push.NewRobot(push.RobotOptions{API: push.API{BaseURL: srv}})
	if err != nil {
		t.Fatal(err)
	}
	wantError(t, r.SendRobot(context.Background(), "k", push.Message{Body: "x"}), 0, true)
}

// The base URL's path is put before /cgi-bin/...
func TestBaseURLWithPath(t *testing.T) {
	srv := pushtest.NewServer(t, pushtest.WithPrefix("/wx/gw"))
	if !strings.HasSuffix(srv.BaseURL(), "/wx/gw") {
		t.Fatalf("BaseURL %q", srv.BaseURL())
	}
	w := newWorkApp(t, srv)
	if _, err := w.SendApp(context.Background(), []string{"a"}, nil, nil, push.Message{Body: "x"}); err != nil {
		t.Fatal(err)
	}
	a := newOA(t, srv, push.Template{})
	if err := a.SendCustom(context.Background(), "o", push.Message{Body: "x"}); err != nil {
		t.Fatal(err)
	}
	srv.AssertCount(pushtest.PathAppSend, 1)
	srv.AssertCount(pushtest.PathCustomSend, 1)
}

// With a base URL, the client routes both Tencent hosts to it and refuses
// any other host before it reaches the transport.
func TestClientRoutesOnlyToBase(t *testing.T) {
	var mu sync.Mutex
	var seen []string
	rec := roundTripFunc(func(r *http.Request) (*http.Response, error) {
		mu.Lock()
		seen = append(seen, r.URL.String())
		mu.Unlock()
		return okResponse(r), nil
	})
	client, err := push.API{BaseURL: "https://gw.example.gov.cn:8443/wx/", Transport: rec}.NewHTTPClient()
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range []string{
		"https://api.weixin.qq.com/cgi-bin/token?appid=a",
		"https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k",
		"http://sh.api.weixin.qq.com/cgi-bin/message/custom/send",
	} {
		resp, err := client.Get(u)
		if err != nil {
			t.Fatalf("GET %s: %v", u, err)
		}
		resp.Body.Close()
	}
	for _, u := range []string{"https://example.com/cgi-bin/token", "https://mp.weixin.qq.com/cgi-bin/showqrcode", "http://gw.example.gov.cn:8443/wx/cgi-bin/token"} {
		if resp, err := client.Get(u); err == nil {
			resp.Body.Close()
			t.Errorf("GET %s succeeded, want refused", u)
		}
	}
	want := []string{
		"https://gw.example.gov.cn:8443/wx/cgi-bin/token?appid=a",
		"https://gw.example.gov.cn:8443/wx/cgi-bin/webhook/send?key=k",
		"https://gw.example.gov.cn:8443/wx/cgi-bin/message/custom/send",
	}
	if fmt.Sprint(seen) != fmt.Sprint(want) {
		t.Errorf("requests\n%v\nwant\n%v", seen, want)
	}
}

// Without a base URL the adapters call Tencent's hosts (intercepted here,
// never sent).
func TestDefaultHosts(t *testing.T) {
	var mu sync.Mutex
	hosts := map[string]bool{}
	rec := roundTripFunc(func(r *http.Request) (*http.Response, error) {
		mu.Lock()
		hosts[r.URL.Scheme+"://"+r.URL.Host+r.URL.Path] = true
		mu.Unlock()
		return okResponse(r), nil
	})
	api := push.API{Transport: rec}
	r, _ := push.NewRobot(push.RobotOptions{API: api})
	w, _ := push.NewWorkApp(push.WorkAppOptions{API: api, CorpID: "c", Secret: "s", AgentID: "1"})
	a, _ := push.NewOfficialAccount(push.OfficialAccountOptions{API: api, AppID: "a", AppSecret: "s"})
	ctx := context.Background()
	m := push.Message{Body: "x"}
	if err := r.SendRobot(ctx, "k", m); err != nil {
		t.Fatal(err)
	}
	if _, err := w.SendApp(ctx, []string{"u"}, nil, nil, m); err != nil {
		t.Fatal(err)
	}
	if err := a.SendCustom(ctx, "o", m); err != nil {
		t.Fatal(err)
	}
	for _, u := range []string{
		"https://qyapi.weixin.qq.com/cgi-bin/webhook/send",
		"https://qyapi.weixin.qq.com/cgi-bin/gettoken",
		"https://qyapi.weixin.qq.com/cgi-bin/message/send",
		"https://api.weixin.qq.com/cgi-bin/token",
		"https://api.weixin.qq.com/cgi-bin/message/custom/send",
	} {
		if !hosts[u] {
			t.Errorf("no request for %s; got %v", u, hosts)
		}
	}
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// okResponse answers a token request with a token and anything else with
// errcode 0.
func okResponse(r *http.Request) *http.Response {
	body := `{"errcode":0,"errmsg":"ok"}`
	if strings.HasSuffix(r.URL.Path, "token") {
		body = `{"errcode":0,"access_token":"t","expires_in":7200}`
	}
	return &http.Response{
		StatusCode: http.StatusOK,
		Header:     http.Header{"Content-Type": {"application/json"}},
		Body:       io.NopCloser(strings.NewReader(body)),
		Request:    r,
	}
}
