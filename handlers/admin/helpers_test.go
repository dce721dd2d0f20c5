package admin

import (
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"
	"golang.org/x/crypto/bcrypt"

	"github.com/yingpu/govbot/audit"
	"github.com/yingpu/govbot/auth"
	"github.com/yingpu/govbot/config"
	"github.com/yingpu/govbot/notice"
	"github.com/yingpu/govbot/outbox"
)

type testClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *testClock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *testClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// fakeOutbox takes jobs and reports them all sent.
type fakeOutbox struct {
	mu   sync.Mutex
	jobs map[string]outbox.Job
}

func (o *fakeOutbox) Enqueue(tx *bolt.Tx, job outbox.Job) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.jobs[job.NoticeID] = job
	return nil
}

func (o *fakeOutbox) Report(id string) (outbox.Report, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	j, ok := o.jobs[id]
	if !ok {
		return outbox.Report{}, outbox.ErrUnknownNotice
	}
	n := len(j.Targets)
	return outbox.Report{Total: n, Sent: n - 1, Failed: 1, Done: true,
		ByChannel: map[string]outbox.ChannelReport{outbox.ChannelRobot: {Total: n, Sent: n - 1, Failed: 1}},
		Failures: []outbox.Failure{{Channel: outbox.ChannelRobot, Kind: outbox.KindRobot, ID: j.Targets[0].ID,
			Code: 93000, Reason: "机器人 webhook 地址无效"}}}, nil
}

type subs map[string][]string

func (s subs) Subscribers(topic string) ([]string, error) { return s[topic], nil }

const (
	testPassword = "一个足够长的密码 2026"
	robotKey     = "abcd1234-secret-robot-key-5678wxyz"
)

var testHash = func() string {
	b, err := bcrypt.GenerateFromPassword([]byte(testPassword), bcrypt.MinCost)
	if err != nil {
		panic(err)
	}
	return string(b)
}()

// env is a console over real sessions, audit log and notice service.
type env struct {
	t     *testing.T
	c     *Console
	srv   *httptest.Server
	clock *testClock
	audit *audit.Log
	svc   *notice.Service
	opts  Options
}

func newEnv(t *testing.T, edit ...func(*Options)) *env {
	t.Helper()
	db, err := bolt.Open(filepath.Join(t.TempDir(), "t.db"), 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	clk := &testClock{t: time.Date(2026, 6, 1, 9, 0, 0, 0, time.UTC)}
	al, err := audit.New(db, clk)
	if err != nil {
		t.Fatal(err)
	}
	audiences := []config.Audience{
		{Name: "防汛", Followers: true, WorkRobots: []string{robotKey}},
		{Name: "就业", Followers: true},
	}
	svc, err := notice.New(notice.Options{DB: db, Audiences: audiences, Outbox: &fakeOutbox{jobs: map[string]outbox.Job{}},
		Subscribers: subs{"防汛": {"o1", "o2", "o3"}}, Audit: al, Clock: clk})
	if err != nil {
		t.Fatal(err)
	}
	sessions, err := auth.NewSessions(db, auth.SessionOptions{TTL: 8 * time.Hour, Idle: time.Hour, Clock: clk})
	if err != nil {
		t.Fatal(err)
	}
	opts := Options{
		Users: []config.User{
			{Name: "staff", Roles: []string{config.RoleStaff}, PasswordHash: testHash, Department: "社区服务办"},
			{Name: "staff2", Roles: []string{config.RoleStaff}, PasswordHash: testHash},
			{Name: "reviewer", Roles: []string{config.RoleReviewer}, PasswordHash: testHash},
			{Name: "admin", Roles: []string{config.RoleAdmin}, PasswordHash: testHash, Token: "admin-token-0123456789abcdef"},
			{Name: "apionly", Roles: []string{config.RoleAdmin}, Token: "api-only-token-0123456789"},
		},
		Sessions: sessions, Audit: al, Notices: svc, Audiences: audiences, Clock: clk,
		SignInMaxFailures: 3, SignInAddressMaxFailures: 5, SignInWindow: 10 * time.Minute,
	}
	for _, f := range edit {
		f(&opts)
	}
	c, err := New(opts)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(c)
	t.Cleanup(srv.Close)
	return &env{t: t, c: c, srv: srv, clock: clk, audit: al, svc: svc, opts: opts}
}

// browser is a cookie-keeping client that does not follow redirects.
type browser struct {
	e      *env
	client *http.Client
	csrf   string
}

func (e *env) browser() *browser {
	jar := newJar()
	return &browser{e: e, client: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error {
		return http.ErrUseLastResponse
	}}}
}

// jar is a minimal cookie jar (net/http/cookiejar drops Secure cookies on
// http://, which the Secure test wants to see set).
type jar struct {
	mu sync.Mutex
	c  map[string]*http.Cookie
}

func newJar() *jar { return &jar{c: map[string]*http.Cookie{}} }

func (j *jar) SetCookies(u *url.URL, cs []*http.Cookie) {
	j.mu.Lock()
	defer j.mu.Unlock()
	for _, c := range cs {
		if c.MaxAge < 0 {
			delete(j.c, c.Name)
			continue
		}
		j.c[c.Name] = c
	}
}

func (j *jar) Cookies(u *url.URL) []*http.Cookie {
	j.mu.Lock()
	defer j.mu.Unlock()
	var out []*http.Cookie
	for _, c := range j.c {
		if strings.HasPrefix(u.Path, c.Path) {
			out = append(out, &http.Cookie{Name: c.Name, Value: c.Value})
		}
	}
	return out
}

type resp struct {
	status int
	body   string
	header http.Header
}

func (b *browser) do(method, path string, form url.Values, header ...string) resp {
	b.e.t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequest(method, b.e.srv.URL+path, body)
	if err != nil {
		b.e.t.Fatal(err)
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	res, err := b.client.Do(req)
	if err != nil {
		b.e.t.Fatal(err)
	}
	defer res.Body.Close()
	data, _ := io.ReadAll(res.Body)
	r := resp{status: res.StatusCode, body: string(data), header: res.Header}
	if m := csrfRE.FindStringSubmatch(r.body); m != nil {
		b.csrf = m[1]
	}
	return r
}

var (
	csrfRE      = regexp.MustCompile(`data-csrf="([^"]+)"`)
	formTokenRE = regexp.MustCompile(`name="form_token" value="([^"]+)"`)
)

func (b *browser) get(path string) resp { return b.do("GET", path, nil) }

// post sends a form with the session's CSRF token.
func (b *browser) post(path string, form url.Values) resp {
	if form == nil {
		form = url.Values{}
	}
	form.Set("csrf", b.csrf)
	return b.do("POST", path, form)
}

// signIn signs in as name, failing the test if it does not work.
func (b *browser) signIn(name string) {
	b.e.t.Helper()
	if r := b.trySignIn(name, testPassword); r.status != http.StatusSeeOther {
		b.e.t.Fatalf("sign in as %s: %d %s", name, r.status, r.body)
	}
	if r := b.get("/admin/me"); r.status != http.StatusOK {
		b.e.t.Fatalf("after sign-in /admin/me: %d", r.status)
	}
}

func (b *browser) trySignIn(name, password string) resp {
	b.e.t.Helper()
	page := b.get("/admin/signin")
	m := formTokenRE.FindStringSubmatch(page.body)
	if m == nil {
		b.e.t.Fatalf("no form token on the sign-in page (%d)", page.status)
	}
	return b.do("POST", "/admin/signin", url.Values{"name": {name}, "password": {password}, "form_token": {m[1]}, "next": {"/admin/notices"}})
}

func (e *env) records(action string) []audit.Record {
	e.t.Helper()
	recs, err := e.audit.List(audit.Filter{Action: action, Limit: audit.MaxLimit})
	if err != nil {
		e.t.Fatal(err)
	}
	return recs
}
