package admin

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"fmt"
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/yingpu/govbot/audit"
	"github.com/yingpu/govbot/auth"
)

// signInCookie carries the sign-in form's own CSRF token (there is no
// session yet): the form must send back what the cookie holds.
const signInCookie = "govbot_signin"

type signInView struct {
	Next    string
	Name    string
	Message string
	Token   string
}

func (c *Console) signInPage(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "no-store")
	if _, _, err := c.session(r); err == nil {
		http.Redirect(w, r, safeNext(r.URL.Query().Get("next")), http.StatusSeeOther)
		return
	}
	c.renderSignIn(w, r, http.StatusOK, signInView{Next: r.URL.Query().Get("next")})
}

// renderSignIn shows the sign-in form with a fresh form token.
func (c *Console) renderSignIn(w http.ResponseWriter, r *http.Request, status int, v signInView) {
	b := make([]byte, 24)
	rand.Read(b)
	v.Token = base64.RawURLEncoding.EncodeToString(b)
	v.Next = safeNext(v.Next)
	http.SetCookie(w, &http.Cookie{Name: signInCookie, Value: v.Token, Path: "/admin/signin",
		HttpOnly: true, Secure: c.opts.Secure, SameSite: http.SameSiteStrictMode, MaxAge: 3600})
	if err := c.render(w, r, nil, status, "signin", "登录", v); err != nil {
		c.log.Error("admin: sign-in page failed", "err", err)
	}
}

func waitText(d time.Duration) string {
	if d < time.Minute {
		return fmt.Sprintf("%d 秒", int(math.Ceil(d.Seconds())))
	}
	return fmt.Sprintf("%d 分钟", int(math.Ceil(d.Minutes())))
}

// signIn checks the password. Failures count against the user name and
// the client address; past the limits the answer is 429 with the wait.
// Every attempt, whatever its outcome, is in the audit log.
func (c *Console) signIn(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "no-store")
	r.Body = http.MaxBytesReader(w, r.Body, 16<<10)
	remote := c.ips.IP(r)
	name := strings.TrimSpace(r.PostFormValue("name"))
	password := r.PostFormValue("password")
	next := r.PostFormValue("next")
	rec := audit.Record{Action: "console.signin", Remote: remote, Request: "POST /admin/signin", Result: audit.ResultError}
	fail := func(status int, msg, why string) {
		rec.Status, rec.Message = status, why
		c.audit(rec)
		switch status {
		case http.StatusForbidden:
			c.signedIn("refused")
		case http.StatusTooManyRequests:
			c.signedIn("limited")
		default:
			c.signedIn("failed")
		}
		c.renderSignIn(w, r, status, signInView{Next: next, Name: name, Message: msg})
	}

	ck, err := r.Cookie(signInCookie)
	if form := r.PostFormValue("form_token"); err != nil || form == "" || subtle.ConstantTimeCompare([]byte(ck.Value), []byte(form)) != 1 {
		fail(http.StatusForbidden, "登录页面已过期，请重新输入。", "登录表单校验未通过（CSRF）")
		return
	}
	if len(name) > 64 {
		name = name[:64]
	}
	u, known := c.users[name]
	if known {
		rec.Actor = name
	}
	userKey, addrKey := "user:"+name, "addr:"+remote
	if wait := max(c.userLi.Wait(userKey), c.addrLi.Wait(addrKey)); wait > 0 {
		w.Header().Set("Retry-After", strconv.Itoa(int(math.Ceil(wait.Seconds()))))
		fail(http.StatusTooManyRequests,
			fmt.Sprintf("登录失败次数过多，请%s后再试。", waitText(wait)),
			fmt.Sprintf("登录尝试过多，已拒绝（用户名“%s”），需等待 %s", name, waitText(wait)))
		return
	}
	select {
	case c.hashing <- struct{}{}:
	case <-r.Context().Done():
		return
	}
	var ok bool
	if known {
		ok = auth.VerifyPassword(u.PasswordHash, password)
	} else {
		ok = auth.VerifyUnknown(password)
	}
	<-c.hashing
	if !ok {
		c.userLi.Fail(userKey)
		c.addrLi.Fail(addrKey)
		why := "密码错误"
		if !known {
			why = fmt.Sprintf("无此用户或该用户未设置密码（用户名“%s”）", name)
		}
		fail(http.StatusUnauthorized, "用户名或密码不正确。", why)
		return
	}
	c.userLi.Reset(userKey)
	token, _, err := c.opts.Sessions.Create(name, remote, r.UserAgent())
	if err != nil {
		c.log.Error("admin: create session", "err", err)
		rec.Message = "创建会话失败：" + err.Error()
		c.audit(rec)
		c.renderError(w, r, nil, ErrInternal)
		return
	}
	rec.Result, rec.Status = audit.ResultOK, http.StatusSeeOther
	c.audit(rec)
	c.signedIn("ok")
	ttl := c.opts.Sessions.Options().TTL
	http.SetCookie(w, &http.Cookie{Name: cookieName, Value: token, Path: Prefix, MaxAge: int(ttl.Seconds()),
		HttpOnly: true, Secure: c.opts.Secure, SameSite: http.SameSiteStrictMode})
	http.SetCookie(w, &http.Cookie{Name: signInCookie, Value: "", Path: "/admin/signin", MaxAge: -1,
		HttpOnly: true, Secure: c.opts.Secure, SameSite: http.SameSiteStrictMode})
	http.Redirect(w, r, safeNext(next), http.StatusSeeOther)
}

func (c *Console) signedIn(result string) {
	if c.opts.OnSignIn != nil {
		c.opts.OnSignIn(result)
	}
}

func (c *Console) signOut(q *Request) error {
	if ck, err := q.R.Cookie(cookieName); err == nil {
		if err := c.opts.Sessions.Delete(ck.Value); err != nil {
			return err
		}
	}
	q.Audit("console.signout", "", audit.ResultOK, "")
	clearCookie(q.W, c.opts.Secure)
	q.Redirect("/admin/signin")
	return nil
}
