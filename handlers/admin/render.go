package admin

import (
	"bytes"
	"errors"
	"fmt"
	"html/template"
	"net/http"
	"strings"
	"time"

	"github.com/yingpu/govbot/channel"
	"github.com/yingpu/govbot/clock"
	"github.com/yingpu/govbot/config"
	"github.com/yingpu/govbot/notice"
)

// view is what the layout renders: the page's Data inside the shared
// frame (title, navigation, user, CSRF token).
type view struct {
	Title   string
	User    *User
	Nav     []navLink
	CSRF    string
	Data    any
	Version string
	Now     time.Time
}

type navLink struct {
	Label, Href string
	Active      bool
}

func (c *Console) navFor(q *Request) []navLink {
	if q == nil {
		return nil
	}
	path := q.R.URL.Path
	var out []navLink
	best, bestLen := -1, 0
	for _, n := range c.nav {
		if !q.User.Any(n.Roles) {
			continue
		}
		out = append(out, navLink{Label: n.Label, Href: n.Href})
		if strings.HasPrefix(path, n.Href) && len(n.Href) > bestLen {
			best, bestLen = len(out)-1, len(n.Href)
		}
	}
	if best >= 0 {
		out[best].Active = true
	}
	return out
}

func (c *Console) render(w http.ResponseWriter, r *http.Request, q *Request, status int, name, title string, data any) error {
	t, ok := c.views[name]
	if !ok {
		return fmt.Errorf("admin: no template %q", name)
	}
	v := view{Title: title, Data: data, Version: c.opts.Version, Now: c.clock.Now()}
	if q != nil {
		u := q.User
		v.User, v.CSRF, v.Nav = &u, q.Session.CSRF, c.navFor(q)
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "layout", v); err != nil {
		return fmt.Errorf("admin: render %s: %w", name, err)
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_, err := w.Write(buf.Bytes())
	return err
}

// noticeStatus maps the workflow's refusals to HTTP statuses.
var noticeStatus = map[notice.Code]int{
	notice.CodeForbidden:  http.StatusForbidden,
	notice.CodeNotAuthor:  http.StatusForbidden,
	notice.CodeSelfReview: http.StatusForbidden,
	notice.CodeNotFound:   http.StatusNotFound,
}

// toError maps any error to the catalogue (internal: the cause must be
// logged, never shown).
func toError(err error) (e *Error, internal bool) {
	if errors.As(err, &e) {
		return e, false
	}
	var ne *notice.Error
	if errors.As(err, &ne) {
		st, ok := noticeStatus[ne.Code]
		if !ok {
			st = http.StatusBadRequest
		}
		title := "无法完成操作"
		if st == http.StatusNotFound {
			title = "找不到通知"
		}
		return &Error{Status: st, Title: title, Msg: ne.Msg}, false
	}
	return ErrInternal, true
}

// renderError answers err as the error page (JSON for a script). q is nil
// when no one is signed in.
func (c *Console) renderError(w http.ResponseWriter, r *http.Request, q *Request, err error) {
	e, internal := toError(err)
	if internal {
		c.log.Error("admin: internal error", "path", r.URL.Path, "err", err)
	}
	if e.Status == http.StatusUnauthorized {
		w.Header().Set("WWW-Authenticate", `Cookie realm="govbot"`)
	}
	if wantsJSON(r) || r.Header.Get(csrfHeader) != "" {
		writeJSON(w, e.Status, map[string]any{"error": e.Msg, "title": e.Title, "status": e.Status})
		return
	}
	if rerr := c.render(w, r, q, e.Status, "error", e.Title, e); rerr != nil {
		c.log.Error("admin: error page failed", "err", rerr)
		http.Error(w, e.Title+"："+e.Msg, e.Status)
	}
}

// Names shown to users.
var (
	statusNames = map[notice.Status]string{
		notice.StatusDraft:     "草稿",
		notice.StatusSubmitted: "待审核",
		notice.StatusApproved:  "已批准",
		notice.StatusRejected:  "已退回",
		notice.StatusSending:   "发送中",
		notice.StatusDone:      "已完成",
		notice.StatusCancelled: "已撤销",
	}
	roleNames = map[string]string{
		config.RoleStaff:    "工作人员",
		config.RoleReviewer: "审核人",
		config.RoleAdmin:    "管理员",
	}
	channelNames = channelLabels()
	actionNames  = map[string]string{
		"create": "创建", "edit": "修改", "submit": "提交审核", "approve": "批准", "reject": "退回",
		"cancel": "撤销", "send": "开始发送", "send_failed": "交付发送失败", "done": "发送完成",
		"publish": "公开发布", "publish_failed": "公开发布失败",
		"uncertain": "发送中断", "resend_uncertain": "重发中断的发送", "leave_uncertain": "中断的发送不再重发",
	}
)

// channelLabels maps each registered channel to its label.
func channelLabels() map[string]string {
	m := map[string]string{}
	for _, ch := range channel.All() {
		m[ch.Name] = ch.Label
	}
	return m
}

func roleList(roles []string) string {
	names := make([]string, len(roles))
	for i, r := range roles {
		names[i] = roleName(r)
	}
	return strings.Join(names, "、")
}

func roleName(r string) string {
	if n, ok := roleNames[r]; ok {
		return n
	}
	return r
}

// durText says a duration in words: "2 小时", "30 分钟", "1 小时 30 分钟".
func durText(d time.Duration) string {
	h, m := int(d.Hours()), int(d.Minutes())%60
	switch {
	case h > 0 && m > 0:
		return fmt.Sprintf("%d 小时 %d 分钟", h, m)
	case h > 0:
		return fmt.Sprintf("%d 小时", h)
	}
	return fmt.Sprintf("%d 分钟", max(m, 1))
}

func fmtTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.In(clock.Shanghai).Format("2006-01-02 15:04")
}

func funcs() template.FuncMap {
	m := template.FuncMap{
		"time":    fmtTime,
		"seconds": func(t time.Time) string { return t.In(clock.Shanghai).Format("2006-01-02 15:04:05") },
		"status":  func(s notice.Status) string { return statusNames[s] },
		"role":    roleName,
		"roles":   roleList,
		"channel": func(ch string) string { return orKey(channelNames, ch) },
		"action":  func(a string) string { return orKey(actionNames, a) },
		"auditAction": func(a string) string {
			if n, ok := auditActionNames[a]; ok {
				return n
			}
			return ""
		},
		"join":     strings.Join,
		"percent":  func(n, total int) int { return percent(n, total) },
		"contains": func(list []string, s string) bool { return contains(list, s) },
	}
	for k, f := range contentFuncs() {
		m[k] = f
	}
	return m
}

func orKey(m map[string]string, k string) string {
	if v, ok := m[k]; ok {
		return v
	}
	return k
}

func percent(n, total int) int {
	if total <= 0 {
		return 0
	}
	return n * 100 / total
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
