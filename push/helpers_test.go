package push_test

import (
	"errors"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/yingpu/govbot/push"
	"github.com/yingpu/govbot/push/pushtest"
)

// onlyHost is a transport that fails the test on a request for any host
// but the fake server's: every test routes through it, so a request that
// escaped the api_base_url rewrite would be caught.
type onlyHost struct {
	t    testing.TB
	host string
	next http.RoundTripper
}

func (o onlyHost) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.URL.Host != o.host {
		o.t.Errorf("request for %s escaped to host %q", r.URL.Path, r.URL.Host)
		return nil, errors.New("blocked host " + r.URL.Host)
	}
	return o.next.RoundTrip(r)
}

func apiFor(t testing.TB, srv *pushtest.Server) push.API {
	u, err := url.Parse(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	return push.API{
		BaseURL:   srv.BaseURL(),
		Timeout:   2 * time.Second,
		Transport: onlyHost{t: t, host: u.Host, next: http.DefaultTransport},
	}
}

func newRobot(t testing.TB, srv *pushtest.Server) *push.RobotClient {
	t.Helper()
	r, err := push.NewRobot(push.RobotOptions{API: apiFor(t, srv)})
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func newWorkApp(t testing.TB, srv *pushtest.Server) *push.WorkAppClient {
	t.Helper()
	w, err := push.NewWorkApp(push.WorkAppOptions{API: apiFor(t, srv), CorpID: "ww1", Secret: "s3cret", AgentID: "1000002"})
	if err != nil {
		t.Fatal(err)
	}
	return w
}

func newOA(t testing.TB, srv *pushtest.Server, tpl push.Template) *push.OfficialAccountClient {
	t.Helper()
	a, err := push.NewOfficialAccount(push.OfficialAccountOptions{API: apiFor(t, srv), AppID: "wx1", AppSecret: "s3cret", Template: tpl})
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// wantError checks that err is a *push.Error with code and transience.
func wantError(t *testing.T, err error, code int, transient bool) *push.Error {
	t.Helper()
	var pe *push.Error
	if !errors.As(err, &pe) {
		t.Fatalf("error %v (%T), want *push.Error code %d", err, err, code)
	}
	if pe.Code != code || pe.Transient != transient {
		t.Fatalf("error %v: code %d transient %v, want code %d transient %v", err, pe.Code, pe.Transient, code, transient)
	}
	if push.IsTransient(err) != transient {
		t.Fatalf("IsTransient(%v) = %v", err, !transient)
	}
	return pe
}
