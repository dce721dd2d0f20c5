package admin

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/yingpu/govbot/audit"
	"github.com/yingpu/govbot/config"
	"github.com/yingpu/govbot/notice"
)

// route is a console route and who may use it.
type route struct {
	method, path string
	roles        []string // nil: anyone signed in
}

func routes(id string) []route {
	staffish := []string{config.RoleStaff, config.RoleReviewer, config.RoleAdmin}
	reviewers := []string{config.RoleReviewer, config.RoleAdmin}
	admins := []string{config.RoleAdmin}
	n := "/admin/notices/" + id
	return []route{
		{"GET", "/admin/", nil},
		{"GET", "/admin/me", nil},
		{"POST", "/admin/signout", nil},
		{"GET", "/admin/notices", staffish},
		{"GET", "/admin/notices/new", staffish},
		{"POST", "/admin/notices", staffish},
		{"POST", "/admin/notices/check", staffish},
		{"GET", n, staffish},
		{"GET", n + "/edit", staffish},
		{"POST", n, staffish},
		{"GET", n + "/report", staffish},
		{"POST", n + "/submit", staffish},
		{"POST", n + "/approve", reviewers},
		{"POST", n + "/reject", reviewers},
		{"POST", n + "/cancel", staffish},
		{"GET", "/admin/review", reviewers},
		{"GET", "/admin/audit", admins},
		{"GET", "/admin/audit.csv", admins},
		{"GET", "/admin/users", admins},
		{"GET", "/admin/audiences", admins},
	}
}

// userWithout returns a test user lacking every role in roles.
func userWithout(roles []string) string {
	for _, u := range []struct {
		name  string
		roles []string
	}{{"staff", []string{config.RoleStaff}}, {"reviewer", []string{config.RoleReviewer}}} {
		lacks := true
		for _, r := range u.roles {
			if contains(roles, r) {
				lacks = false
			}
		}
		if lacks {
			return u.name
		}
	}
	return ""
}

// TestEveryRouteChecksSessionRoleAndCSRF: for each route, no session is
// 401, a user without the role is 403, a state-changing request without
// the CSRF token is 403, and with both it is let through.
func TestEveryRouteChecksSessionRoleAndCSRF(t *testing.T) {
	e := newEnv(t)
	staff2 := notice.Actor{Name: "staff2", Roles: []string{config.RoleStaff}}
	n, err := e.svc.Create(staff2, notice.Draft{Title: "汛期提醒", Body: "请注意防汛。", Audiences: []string{"防汛"}})
	if err != nil {
		t.Fatal(err)
	}
	browsers := map[string]*browser{}
	for _, name := range []string{"staff", "reviewer", "admin"} {
		b := e.browser()
		b.signIn(name)
		browsers[name] = b
	}
	for _, rt := range routes(n.ID) {
		name := rt.method + " " + rt.path
		anon := e.browser()
		form := url.Values{}
		if rt.method == "POST" {
			form.Set("csrf", "whatever")
		}
		var r resp
		if rt.method == "POST" {
			r = anon.do("POST", rt.path, form)
		} else {
			r = anon.get(rt.path)
		}
		if r.status != http.StatusUnauthorized {
			t.Errorf("%s without a session: %d, want 401", name, r.status)
		}
		if rt.method == "GET" && !strings.Contains(r.body, `id="signin-form"`) {
			t.Errorf("%s without a session does not offer the sign-in form", name)
		}

		if rt.roles != nil {
			if u := userWithout(rt.roles); u != "" {
				b := browsers[u]
				var r resp
				if rt.method == "POST" {
					r = b.post(rt.path, nil)
				} else {
					r = b.get(rt.path)
				}
				if r.status != http.StatusForbidden || !strings.Contains(r.body, "没有权限") {
					t.Errorf("%s as %s: %d, want 403 没有权限", name, u, r.status)
				}
			}
		}

		allowed := "admin"
		if rt.method == "POST" {
			b := browsers[allowed]
			r := b.do("POST", rt.path, url.Values{"title": {"x"}})
			if r.status != http.StatusForbidden || !strings.Contains(r.body, "页面已过期") {
				t.Errorf("%s without the CSRF token: %d, want 403 页面已过期", name, r.status)
			}
			r = b.do("POST", rt.path, url.Values{"csrf": {"forged-token-value"}})
			if r.status != http.StatusForbidden || !strings.Contains(r.body, "页面已过期") {
				t.Errorf("%s with a wrong CSRF token: %d, want 403", name, r.status)
			}
		}
		if rt.path == "/admin/signout" {
			continue // would end the admin's session for the next routes
		}
		b := browsers[allowed]
		if rt.method == "POST" {
			r = b.post(rt.path, nil)
		} else {
			r = b.get(rt.path)
		}
		if r.status == http.StatusUnauthorized || strings.Contains(r.body, "页面已过期") || strings.Contains(r.body, "没有权限") {
			t.Errorf("%s as admin with the token: %d, refused", name, r.status)
		}
	}
	if recs := e.records("console /admin/notices"); len(recs) == 0 {
		t.Error("CSRF refusals are not in the audit log")
	}
}

func TestSignIn(t *testing.T) {
	e := newEnv(t, func(o *Options) { o.Secure = true })
	b := e.browser()

	// Wrong password, unknown user, a user with only an API token.
	for _, c := range []struct{ name, pw string }{{"staff", "wrong password!"}, {"nobody", testPassword}, {"apionly", testPassword}} {
		r := b.trySignIn(c.name, c.pw)
		if r.status != http.StatusUnauthorized || !strings.Contains(r.body, "用户名或密码不正确") {
			t.Errorf("%s/%s: %d, want 401 用户名或密码不正确", c.name, c.pw, r.status)
		}
	}
	fails := e.records("console.signin")
	if len(fails) != 3 {
		t.Fatalf("%d sign-in records, want 3", len(fails))
	}
	for _, rec := range fails {
		if rec.Result != audit.ResultError || rec.Remote == "" {
			t.Errorf("failed sign-in recorded as %+v", rec)
		}
	}
	if fails[2].Actor != "staff" || fails[2].Message != "密码错误" {
		t.Errorf("wrong password recorded as %+v", fails[2])
	}

	// The form's token is required.
	r := b.do("POST", "/admin/signin", url.Values{"name": {"staff"}, "password": {testPassword}})
	if r.status != http.StatusForbidden {
		t.Errorf("sign-in without the form token: %d, want 403", r.status)
	}

	r = b.trySignIn("staff", testPassword)
	if r.status != http.StatusSeeOther || r.header.Get("Location") != "/admin/notices" {
		t.Fatalf("sign-in: %d to %q", r.status, r.header.Get("Location"))
	}
	var session *http.Cookie
	for _, c := range (&http.Response{Header: r.header}).Cookies() {
		if c.Name == cookieName {
			session = c
		}
	}
	if session == nil || !session.HttpOnly || !session.Secure || session.SameSite != http.SameSiteStrictMode || session.Path != "/admin/" {
		t.Fatalf("session cookie %+v: want HttpOnly, Secure, SameSite=Strict, Path=/admin/", session)
	}
	if recs := e.records("console.signin"); recs[0].Result != audit.ResultOK || recs[0].Actor != "staff" {
		t.Errorf("successful sign-in recorded as %+v", recs[0])
	}
	page := b.get("/admin/me")
	if page.status != 200 || !strings.Contains(page.body, `id="me-name">staff<`) || !strings.Contains(page.body, "工作人员") {
		t.Errorf("/admin/me: %d %s", page.status, page.body)
	}

	// Signing out ends the session on the server: the old cookie is dead.
	old := session.Value
	if r := b.post("/admin/signout", nil); r.status != http.StatusSeeOther {
		t.Fatalf("sign out: %d", r.status)
	}
	replay := e.browser()
	replay.client.Jar.SetCookies(nil, []*http.Cookie{{Name: cookieName, Value: old, Path: "/admin/"}})
	if r := replay.get("/admin/me"); r.status != http.StatusUnauthorized {
		t.Errorf("old cookie after sign-out: %d, want 401", r.status)
	}
	if len(e.records("console.signout")) != 1 {
		t.Error("sign-out not audited")
	}
}

func TestSessionExpires(t *testing.T) {
	e := newEnv(t)
	b := e.browser()
	b.signIn("staff")
	e.clock.Advance(61 * time.Minute) // idle 1h
	if r := b.get("/admin/me"); r.status != http.StatusUnauthorized {
		t.Errorf("after an idle hour: %d, want 401", r.status)
	}
}

func TestSignInLimits(t *testing.T) {
	e := newEnv(t)
	b := e.browser()
	for range 3 {
		b.trySignIn("staff", "wrong password!")
	}
	// Even the right password now waits.
	r := b.trySignIn("staff", testPassword)
	if r.status != http.StatusTooManyRequests || r.header.Get("Retry-After") == "" || !strings.Contains(r.body, "分钟后再试") {
		t.Fatalf("4th attempt: %d Retry-After %q", r.status, r.header.Get("Retry-After"))
	}
	// Another user from the same address still may, until the address
	// limit (5) is reached.
	if r := b.trySignIn("reviewer", "wrong password!"); r.status != http.StatusUnauthorized {
		t.Errorf("other user: %d, want 401", r.status)
	}
	b.trySignIn("reviewer", "wrong password!")
	if r := b.trySignIn("admin", testPassword); r.status != http.StatusTooManyRequests {
		t.Errorf("address over its limit: %d, want 429", r.status)
	}
	recs := e.records("console.signin")
	if !strings.Contains(recs[0].Message, "登录尝试过多") || recs[0].Status != http.StatusTooManyRequests {
		t.Errorf("refusal recorded as %+v", recs[0])
	}
	e.clock.Advance(11 * time.Minute)
	b.signIn("staff")
}

func TestCrossOriginRefused(t *testing.T) {
	e := newEnv(t)
	b := e.browser()
	b.signIn("staff")
	r := b.do("POST", "/admin/notices", url.Values{"csrf": {b.csrf}, "title": {"x"}}, "Origin", "https://evil.example", "Sec-Fetch-Site", "cross-site")
	if r.status != http.StatusForbidden {
		t.Errorf("cross-site POST: %d, want 403", r.status)
	}
}

func TestSafeNext(t *testing.T) {
	for in, want := range map[string]string{
		"":                      "/admin/",
		"/admin/notices/3":      "/admin/notices/3",
		"/admin/audit?actor=x":  "/admin/audit?actor=x",
		"https://evil.example/": "/admin/",
		"//evil.example/admin/": "/admin/",
		"/\\evil.example":       "/admin/",
		"/notices/1":            "/admin/",
		"/admin/signin":         "/admin/",
		"javascript:alert(1)":   "/admin/",
		"/admin/../api/reindex": "/admin/",
		"/admin/./audit":        "/admin/",
	} {
		if got := safeNext(in); got != want {
			t.Errorf("safeNext(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestErrorPages(t *testing.T) {
	e := newEnv(t)
	b := e.browser()
	b.signIn("staff")
	r := b.get("/admin/nothing-here")
	if r.status != 404 || !strings.Contains(r.body, "找不到页面") || !strings.Contains(r.body, `class="nav"`) {
		t.Errorf("unknown page: %d", r.status)
	}
	r = b.get("/admin/notices/999")
	if r.status != 404 || !strings.Contains(r.body, "找不到通知") {
		t.Errorf("unknown notice: %d %s", r.status, r.body)
	}
	r = b.do("GET", "/admin/notices/999/report", nil, "Accept", "application/json")
	if r.status != 404 || !strings.Contains(r.body, `"status":404`) {
		t.Errorf("unknown notice as JSON: %d %s", r.status, r.body)
	}
}
