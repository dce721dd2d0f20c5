package push

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/silenceper/wechat/v2/util"

	"github.com/yingpu/govbot/clock"
)

// DefaultTimeout bounds one HTTP exchange (connect, send, answer) when
// API.Timeout is zero.
const DefaultTimeout = 10 * time.Second

// maxAnswerBytes caps an API answer read into memory (a user/tag/get page of
// 10,000 openids is about 400 KB).
const maxAnswerBytes = 4 << 20

// Tencent's API hosts. Requests are built against them and routed by
// rewriteTransport.
const (
	wechatHost = "api.weixin.qq.com"
	wecomHost  = "qyapi.weixin.qq.com"
)

// tencentHosts are rewritten onto API.BaseURL when it is set: the WeChat API
// host with its regional and backup names, and the WeCom API host.
var tencentHosts = map[string]bool{
	wechatHost:             true,
	"api2.weixin.qq.com":   true,
	"sh.api.weixin.qq.com": true,
	"sz.api.weixin.qq.com": true,
	"hk.api.weixin.qq.com": true,
	wecomHost:              true,
}

// API says where and how the adapters call the WeChat and WeCom APIs. The
// zero value calls Tencent's hosts directly with DefaultTimeout.
type API struct {
	// BaseURL (config api_base_url), when set, receives every WeChat and
	// WeCom API call: scheme and host of api.weixin.qq.com and
	// qyapi.weixin.qq.com are replaced by those of BaseURL, and BaseURL's
	// path, if any, is put before the API path (/cgi-bin/...). A request
	// for any other host is refused, so nothing reaches Tencent directly.
	BaseURL string
	// Timeout bounds each HTTP exchange (config delivery.send_timeout);
	// zero means DefaultTimeout. A call that retries after a token refresh
	// makes up to three exchanges.
	Timeout time.Duration
	// Transport carries the rewritten requests; nil means a clone of
	// http.DefaultTransport (which honours HTTPS_PROXY) keeping up to
	// MaxIdleConnsPerHost idle connections, so that concurrent senders
	// reuse connections to the one API host.
	Transport http.RoundTripper
	// Clock drives access-token expiry; nil means the system clock.
	Clock clock.Clock
}

// NewHTTPClient returns the HTTP client the adapters use: requests for
// Tencent's API hosts go to a.BaseURL when it is set, requests for other
// hosts are then refused, redirects are not followed, and each exchange is
// bounded by a.Timeout. It is exported so that other code calling the same
// APIs can share the routing.
func (a API) NewHTTPClient() (*http.Client, error) {
	rt, err := newRewriteTransport(a.BaseURL, a.Transport)
	if err != nil {
		return nil, err
	}
	timeout := a.Timeout
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	return &http.Client{
		Transport: rt,
		Timeout:   timeout,
		// The APIs never redirect; a redirect from a gateway is an error,
		// not a reason to go elsewhere.
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}, nil
}

// rewriteTransport routes requests for Tencent's API hosts to base.
type rewriteTransport struct {
	base *url.URL // nil: no rewriting
	next http.RoundTripper
}

// MaxIdleConnsPerHost is the idle-connection pool of the default transport.
const MaxIdleConnsPerHost = 32

func newRewriteTransport(baseURL string, next http.RoundTripper) (*rewriteTransport, error) {
	if next == nil {
		if dt, ok := http.DefaultTransport.(*http.Transport); ok {
			tr := dt.Clone()
			tr.MaxIdleConnsPerHost = MaxIdleConnsPerHost
			next = tr
		} else {
			next = http.DefaultTransport
		}
	}
	t := &rewriteTransport{next: next}
	if baseURL == "" {
		return t, nil
	}
	u, err := url.Parse(baseURL)
	if err != nil {
		return nil, fmt.Errorf("push: api_base_url %q: %w", baseURL, err)
	}
	if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("push: api_base_url %q must be an absolute http or https URL", baseURL)
	}
	if u.RawQuery != "" || u.Fragment != "" || u.User != nil {
		return nil, fmt.Errorf("push: api_base_url %q must not carry a query, fragment or user info", baseURL)
	}
	u.Path = strings.TrimSuffix(u.Path, "/")
	u.RawPath = ""
	t.base = u
	return t, nil
}

// RoundTrip rewrites scheme and host (and prefixes the base path) of a
// request for a Tencent API host. With a base set, a request for any host
// other than the base's is refused. The request is cloned, never modified.
func (t *rewriteTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if t.base == nil {
		return t.next.RoundTrip(req)
	}
	host := req.URL.Hostname()
	switch {
	case tencentHosts[host]:
		r := req.Clone(req.Context())
		u := *req.URL
		u.Scheme = t.base.Scheme
		u.Host = t.base.Host
		u.Path = t.base.Path + req.URL.Path
		u.RawPath = ""
		r.URL = &u
		r.Host = ""
		return t.next.RoundTrip(r)
	case req.URL.Host == t.base.Host && req.URL.Scheme == t.base.Scheme:
		return t.next.RoundTrip(req)
	default:
		if req.Body != nil {
			req.Body.Close()
		}
		return nil, fmt.Errorf("push: refusing request for host %q: api_base_url is set", req.URL.Host)
	}
}

// caller makes the JSON calls of one adapter.
type caller struct {
	client *http.Client
	clock  clock.Clock
}

func (a API) newCaller() (*caller, error) {
	client, err := a.NewHTTPClient()
	if err != nil {
		return nil, err
	}
	c := a.Clock
	if c == nil {
		c = clock.System{}
	}
	return &caller{client: client, clock: c}, nil
}

// call makes one exchange with the named API: a GET when body is nil, else
// a POST of body as JSON. The answer's errcode is checked here: a non-zero
// one becomes a *Error even when the HTTP status is 200. out, if not nil,
// receives the whole answer.
func (c *caller) call(ctx context.Context, api, rawURL string, body, out any) error {
	method := http.MethodGet
	var rd io.Reader
	if body != nil {
		var buf bytes.Buffer
		enc := json.NewEncoder(&buf)
		enc.SetEscapeHTML(false)
		if err := enc.Encode(body); err != nil {
			return &Error{Msg: api + ": encode request: " + err.Error(), cause: ErrBadInput}
		}
		method, rd = http.MethodPost, &buf
	}
	req, err := http.NewRequestWithContext(ctx, method, rawURL, rd)
	if err != nil {
		return &Error{Msg: api + ": " + err.Error(), cause: ErrBadInput}
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json; charset=utf-8")
	}
	resp, err := c.client.Do(req)
	if err != nil {
		return transportError(api, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
		return statusError(api, resp.StatusCode)
	}
	b, err := io.ReadAll(io.LimitReader(resp.Body, maxAnswerBytes+1))
	if err != nil {
		return transportError(api, err)
	}
	if len(b) > maxAnswerBytes {
		return &Error{Msg: fmt.Sprintf("%s: answer over %d bytes", api, maxAnswerBytes), Transient: true}
	}
	var st util.CommonError
	if err := json.Unmarshal(b, &st); err != nil {
		return &Error{Msg: api + ": answer is not JSON: " + snippet(b), Transient: true}
	}
	if st.ErrCode != 0 {
		return apiError(api, int(st.ErrCode), st.ErrMsg)
	}
	if out != nil {
		if err := json.Unmarshal(b, out); err != nil {
			return &Error{Msg: api + ": unexpected answer: " + err.Error(), Transient: true}
		}
	}
	return nil
}

func snippet(b []byte) string {
	const n = 80
	s := strings.ToValidUTF8(string(b), "?")
	if r := []rune(s); len(r) > n {
		s = string(r[:n]) + "..."
	}
	return fmt.Sprintf("%q", s)
}
