package admin

import (
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"path"
	"strings"

	"github.com/yingpu/govbot/audit"
	"github.com/yingpu/govbot/auth"
)

// Request is one request to a page, by a signed-in user whose role and
// CSRF token have been checked.
type Request struct {
	W       http.ResponseWriter
	R       *http.Request
	User    User
	Session auth.Session
	c       *Console
	remote  string
}

// Error is a refusal rendered as an error page (or JSON for a script).
type Error struct {
	Status int
	// Title and Msg are shown to the user (Simplified Chinese).
	Title string
	Msg   string
}

func (e *Error) Error() string { return e.Title + "：" + e.Msg }

// With returns a copy of e with a more specific message.
func (e *Error) With(msg string) *Error {
	c := *e
	c.Msg = msg
	return &c
}

// The console's catalogue of refusals.
var (
	ErrBadRequest   = &Error{http.StatusBadRequest, "请求有误", "表单内容无效。"}
	ErrUnauthorized = &Error{http.StatusUnauthorized, "请先登录", "此页面需要登录后才能查看。"}
	ErrForbidden    = &Error{http.StatusForbidden, "没有权限", "您的角色不能使用此页面。"}
	ErrCSRF         = &Error{http.StatusForbidden, "页面已过期", "表单的安全校验未通过（可能页面打开太久或来自其他网站）。请返回、刷新页面后重试。"}
	ErrCrossOrigin  = &Error{http.StatusForbidden, "请求被拒绝", "不接受来自其他网站的提交。"}
	ErrNotFound     = &Error{http.StatusNotFound, "找不到页面", "您要找的页面不存在。"}
	ErrTooMany      = &Error{http.StatusTooManyRequests, "尝试次数过多", "请稍后再试。"}
	ErrInternal     = &Error{http.StatusInternalServerError, "服务器内部错误", "请稍后重试；如仍有问题，请联系管理员。"}
)

// csrfField is the form field (and X-CSRF-Token the header) carrying the
// session's CSRF token.
const (
	csrfField  = "csrf"
	csrfHeader = "X-CSRF-Token"
	cookieName = "govbot_session"
)

func safeMethod(m string) bool {
	return m == http.MethodGet || m == http.MethodHead || m == http.MethodOptions
}

// wantsJSON: a script asked (fetch with Accept: application/json).
func wantsJSON(r *http.Request) bool {
	return strings.Contains(r.Header.Get("Accept"), "application/json")
}

// guard wraps a page with the session, role and CSRF checks.
func (c *Console) guard(p Page) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "no-store")
		sess, token, err := c.session(r)
		if err != nil {
			if !errors.Is(err, auth.ErrNoSession) {
				c.log.Error("admin: session lookup failed", "err", err)
				c.renderError(w, r, nil, ErrInternal)
				return
			}
			if token != "" {
				clearCookie(w, c.opts.Secure)
			}
			if safeMethod(r.Method) && !wantsJSON(r) {
				c.renderSignIn(w, r, http.StatusUnauthorized, signInView{Next: r.URL.RequestURI(), Message: "请先登录。"})
				return
			}
			c.renderError(w, r, nil, ErrUnauthorized)
			return
		}
		u, ok := c.user(sess.User)
		if !ok {
			// The user was removed from the config, or lost the password.
			c.opts.Sessions.Delete(token)
			clearCookie(w, c.opts.Secure)
			c.renderError(w, r, nil, ErrUnauthorized.With("您的账号已停用，请联系管理员。"))
			return
		}
		q := &Request{W: w, R: r, User: u, Session: sess, c: c, remote: c.ips.IP(r)}
		if !u.Any(p.Roles) {
			c.renderError(w, r, q, ErrForbidden.With(fmt.Sprintf("此页面需要以下角色之一：%s；您的角色是：%s。", roleList(p.Roles), roleList(u.Roles))))
			return
		}
		if !safeMethod(r.Method) && !q.csrfOK() {
			q.Audit(auditAction(p.Pattern), "", audit.ResultError, "CSRF 校验未通过")
			c.renderError(w, r, q, ErrCSRF)
			return
		}
		if err := c.serve(p, q); err != nil {
			c.renderError(w, r, q, err)
		}
	})
}

// serve runs the page, turning a panic into an internal error.
func (c *Console) serve(p Page, q *Request) (err error) {
	defer func() {
		if v := recover(); v != nil {
			if v == http.ErrAbortHandler {
				panic(v)
			}
			err = fmt.Errorf("panic: %v", v)
		}
	}()
	return p.Serve(q)
}

func (q *Request) csrfOK() bool {
	got := q.R.Header.Get(csrfHeader)
	if got == "" {
		got = q.R.PostFormValue(csrfField)
	}
	return got != "" && subtle.ConstantTimeCompare([]byte(got), []byte(q.Session.CSRF)) == 1
}

// CSRF is the token forms of this session carry (templates: {{.CSRF}}).
func (q *Request) CSRF() string { return q.Session.CSRF }

// Remote is the client's address.
func (q *Request) Remote() string { return q.remote }

// Render answers status with the page template name (templates/NAME.html)
// inside the shared layout; data is the template's .Data.
func (q *Request) Render(status int, name, title string, data any) error {
	return q.c.render(q.W, q.R, q, status, name, title, data)
}

// JSON answers v as JSON.
func (q *Request) JSON(status int, v any) error {
	writeJSON(q.W, status, v)
	return nil
}

// Redirect answers 303 See Other to path (after a form was handled).
func (q *Request) Redirect(path string) {
	http.Redirect(q.W, q.R, path, http.StatusSeeOther)
}

// Audit records an action of the signed-in user. action is like
// "notice.approve"; noticeID may be "".
func (q *Request) Audit(action, noticeID, result, message string) {
	q.c.audit(audit.Record{
		Actor: q.User.Name, Action: action, NoticeID: noticeID, Remote: q.remote,
		Request: q.R.Method + " " + q.R.URL.Path, Result: result, Message: message,
	})
}

func (c *Console) audit(rec audit.Record) {
	if c.opts.Audit == nil {
		return
	}
	if _, err := c.opts.Audit.Append(rec); err != nil {
		c.log.Error("admin: audit append failed", "record", fmt.Sprintf("%+v", rec), "err", err)
	}
}

// auditAction names the action of a route for an audit record of a
// refusal: "console" and the pattern's path.
func auditAction(pattern string) string {
	_, path, _ := strings.Cut(pattern, " ")
	return "console " + path
}

func (c *Console) session(r *http.Request) (auth.Session, string, error) {
	ck, err := r.Cookie(cookieName)
	if err != nil || ck.Value == "" {
		return auth.Session{}, "", auth.ErrNoSession
	}
	s, err := c.opts.Sessions.Get(ck.Value)
	return s, ck.Value, err
}

func (c *Console) user(name string) (User, bool) {
	u, ok := c.users[name]
	if !ok {
		return User{}, false
	}
	dept := u.Department
	if dept == "" {
		dept = u.Name
	}
	return User{Name: u.Name, Roles: u.Roles, Department: dept}, true
}

func clearCookie(w http.ResponseWriter, secure bool) {
	http.SetCookie(w, &http.Cookie{Name: cookieName, Value: "", Path: Prefix, MaxAge: -1,
		HttpOnly: true, Secure: secure, SameSite: http.SameSiteStrictMode})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

// safeNext returns next if it is a path inside the console, else the
// console's home: a sign-in link must not send anyone elsewhere.
func safeNext(next string) string {
	u, err := url.Parse(next)
	if err == nil && path.Clean(u.Path)+"/" != u.Path && path.Clean(u.Path) != u.Path {
		return Prefix // dot segments: "/admin/../api/…"
	}
	if err != nil || u.Scheme != "" || u.Host != "" || !strings.HasPrefix(u.Path, Prefix) ||
		strings.HasPrefix(next, "//") || strings.Contains(next, "\\") || u.Path == "/admin/signin" {
		return Prefix
	}
	return u.RequestURI()
}
