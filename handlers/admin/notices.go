package admin

import (
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"time"

	"github.com/yingpu/govbot/audit"
	"github.com/yingpu/govbot/channel"
	"github.com/yingpu/govbot/clock"
	"github.com/yingpu/govbot/config"
	"github.com/yingpu/govbot/notice"
	"github.com/yingpu/govbot/outbox"
)

// Who works with notices: everyone with a role.
var (
	noticeRoles = []string{config.RoleStaff, config.RoleReviewer}
	reviewRoles = []string{config.RoleReviewer}
)

func (c *Console) registerNotices() {
	if c.opts.Notices == nil {
		return
	}
	c.AddNav(NavItem{Label: "通知", Href: "/admin/notices", Roles: noticeRoles, Order: 10})
	c.AddNav(NavItem{Label: "待我审核", Href: "/admin/review", Roles: reviewRoles, Order: 20})
	for _, p := range []Page{
		{Pattern: "GET /admin/notices", Roles: noticeRoles, Serve: c.noticeList},
		{Pattern: "GET /admin/notices/new", Roles: noticeRoles, Serve: c.composePage},
		{Pattern: "POST /admin/notices", Roles: noticeRoles, Serve: c.noticeCreate},
		{Pattern: "POST /admin/notices/check", Roles: noticeRoles, Serve: c.noticeCheck},
		{Pattern: "GET /admin/notices/{id}", Roles: noticeRoles, Serve: c.noticeDetail},
		{Pattern: "GET /admin/notices/{id}/edit", Roles: noticeRoles, Serve: c.editPage},
		{Pattern: "POST /admin/notices/{id}", Roles: noticeRoles, Serve: c.noticeUpdate},
		{Pattern: "GET /admin/notices/{id}/report", Roles: noticeRoles, Serve: c.noticeReport},
		{Pattern: "POST /admin/notices/{id}/submit", Roles: noticeRoles, Serve: c.noticeAction("submit")},
		{Pattern: "POST /admin/notices/{id}/approve", Roles: reviewRoles, Serve: c.noticeAction("approve")},
		{Pattern: "POST /admin/notices/{id}/reject", Roles: reviewRoles, Serve: c.noticeAction("reject")},
		{Pattern: "POST /admin/notices/{id}/cancel", Roles: noticeRoles, Serve: c.noticeAction("cancel")},
		{Pattern: "GET /admin/review", Roles: reviewRoles, Serve: c.reviewQueue},
	} {
		c.Handle(p)
	}
}

// noticeRow is a notice in a list, with its delivery progress.
type noticeRow struct {
	notice.Notice
	Report outbox.Report
}

func (c *Console) rows(ns []notice.Notice) ([]noticeRow, error) {
	out := make([]noticeRow, len(ns))
	for i, n := range ns {
		rep, err := c.opts.Notices.Report(n.ID)
		if err != nil {
			return nil, err
		}
		out[i] = noticeRow{Notice: n, Report: rep}
	}
	return out, nil
}

func (c *Console) noticeList(q *Request) error {
	f := notice.ListFilter{Status: notice.Status(q.R.URL.Query().Get("status")), Limit: 100}
	if q.R.URL.Query().Get("mine") == "1" {
		f.Author = q.User.Name
	}
	ns, err := c.opts.Notices.List(f)
	if err != nil {
		return err
	}
	rows, err := c.rows(ns)
	if err != nil {
		return err
	}
	type opt struct {
		Value, Label string
		Selected     bool
	}
	opts := []opt{{"", "全部状态", f.Status == ""}}
	for _, s := range notice.Statuses {
		opts = append(opts, opt{string(s), statusNames[s], f.Status == s})
	}
	return q.Render(http.StatusOK, "notices", "通知", map[string]any{
		"Rows": rows, "Statuses": opts, "Mine": f.Author != "", "CanCompose": q.User.Has(config.RoleStaff) || q.User.Has(config.RoleReviewer),
		"Flash": flashText(q.R.URL.Query().Get("done")),
	})
}

func (c *Console) reviewQueue(q *Request) error {
	ns, err := c.opts.Notices.List(notice.ListFilter{Status: notice.StatusSubmitted, Limit: 500})
	if err != nil {
		return err
	}
	// Oldest first: the one waiting longest is reviewed first.
	sort.SliceStable(ns, func(i, j int) bool { return ns[i].Updated.Before(ns[j].Updated) })
	return q.Render(http.StatusOK, "review", "待我审核", map[string]any{"Notices": ns, "Me": q.User.Name})
}

// flashText is the message shown after an action redirected back.
func flashText(done string) string {
	return map[string]string{
		"draft":   "已保存为草稿。",
		"submit":  "已提交审核，等待审核人批准。",
		"approve": "已批准。通知将按计划发送，发送进度见下方。",
		"reject":  "已退回给作者。",
		"cancel":  "通知已撤销。",
		"edit":    "修改已保存。",
	}[done]
}

// --- compose ---

// audienceChoice is an audience offered in the compose form.
type audienceChoice struct {
	notice.AudienceInfo
	Targets  []string // "订阅者 3 人", "群机器人 1 个"
	Total    int      // targets reachable now (tags are expanded at sending)
	Checked  bool
	Channels []string
}

var countLabels = []struct{ kind, label, unit string }{
	{"followers", "订阅的公众号粉丝", "人"},
	{"oa_tags", "公众号用户标签", "个（发送时展开）"},
	{"work_users", "企业微信成员", "人"},
	{"work_depts", "企业微信部门", "个"},
	{"work_tags", "企业微信标签", "个"},
	{"work_chats", "企业微信应用群聊", "个"},
	{"work_robots", "企业微信群机器人", "个"},
}

func (c *Console) audienceChoices(checked []string) ([]audienceChoice, error) {
	infos, err := c.opts.Notices.Audiences()
	if err != nil {
		return nil, err
	}
	out := make([]audienceChoice, len(infos))
	for i, a := range infos {
		ch := audienceChoice{AudienceInfo: a, Checked: contains(checked, a.Name)}
		for _, l := range countLabels {
			if n, ok := a.Counts[l.kind]; ok {
				ch.Targets = append(ch.Targets, fmt.Sprintf("%s %d %s", l.label, n, l.unit))
				if l.kind != "oa_tags" {
					ch.Total += n
				}
			}
		}
		for _, name := range a.Channels {
			ch.Channels = append(ch.Channels, channelNames[name])
		}
		out[i] = ch
	}
	return out, nil
}

// composeView is the compose (and edit) form.
type composeView struct {
	Action    string // form action
	ID        string // "" for a new notice
	Draft     notice.Draft
	SendAt    string // datetime-local value
	Audiences []audienceChoice
	Check     notice.CheckResult
	Problem   string
	MaxTitle  int
}

func (c *Console) renderCompose(q *Request, status int, v composeView) error {
	var err error
	if v.Audiences, err = c.audienceChoices(v.Draft.Audiences); err != nil {
		return err
	}
	v.MaxTitle = notice.MaxTitleRunes
	title := "撰写通知"
	if v.ID != "" {
		title = "修改通知 " + v.ID
	}
	return q.Render(status, "compose", title, v)
}

func (c *Console) composePage(q *Request) error {
	d := notice.Draft{}
	if a := q.R.URL.Query().Get("audience"); a != "" {
		d.Audiences = []string{a}
	}
	return c.renderCompose(q, http.StatusOK, composeView{Action: "/admin/notices", Draft: d,
		Check: notice.CheckResult{Privacy: []notice.PrivacyFinding{}, Lengths: []notice.LengthCheck{}}})
}

func (c *Console) editPage(q *Request) error {
	n, err := c.opts.Notices.Get(q.R.PathValue("id"))
	if err != nil {
		return err
	}
	if n.Author != q.User.Name {
		return &Error{Status: http.StatusForbidden, Title: "不能修改", Msg: fmt.Sprintf("只有作者 %s 可以修改这条通知。", n.Author)}
	}
	d := notice.Draft{Title: n.Title, Body: n.Body, Audiences: n.Audiences, Urgent: n.Urgent, Public: n.Public,
		Markdown: n.Markdown, Expires: n.Expires.String()}
	v := composeView{Action: "/admin/notices/" + n.ID, ID: n.ID, Draft: d, Check: c.opts.Notices.Check(d)}
	if !n.SendAt.IsZero() {
		v.SendAt = n.SendAt.In(clock.Shanghai).Format("2006-01-02T15:04")
	}
	return c.renderCompose(q, http.StatusOK, v)
}

// formDraft reads the compose form. send_at comes from a datetime-local
// input, in Beijing time.
func formDraft(r *http.Request) (notice.Draft, string, error) {
	if err := r.ParseForm(); err != nil {
		return notice.Draft{}, "", ErrBadRequest
	}
	f := r.PostForm
	d := notice.Draft{
		Title: f.Get("title"), Body: f.Get("body"), Audiences: f["audience"],
		Urgent: f.Get("urgent") == "on", Public: f.Get("public") == "on", Markdown: f.Get("markdown") == "on",
		Expires: f.Get("expires"),
	}
	local := strings.TrimSpace(f.Get("send_at"))
	if local != "" {
		t, err := time.ParseInLocation("2006-01-02T15:04", local, clock.Shanghai)
		if err != nil {
			return d, local, ErrBadRequest.With("定时发送时间格式不正确，应为 年-月-日 时:分。")
		}
		d.SendAt = t.Format(time.RFC3339)
	}
	return d, local, nil
}

// noticeCreate saves the form as a draft, and submits it for review when
// the submit button was pressed.
func (c *Console) noticeCreate(q *Request) error {
	d, local, err := formDraft(q.R)
	if err != nil {
		return err
	}
	submit := q.R.PostForm.Get("do") == "submit"
	n, err := c.opts.Notices.Create(q.User.Actor(), d)
	if err != nil {
		q.Audit("notice.create", "", audit.ResultError, err.Error())
		if e, internal := toError(err); !internal {
			return c.renderCompose(q, e.Status, composeView{Action: "/admin/notices", Draft: d, SendAt: local,
				Check: c.opts.Notices.Check(d), Problem: e.Msg})
		}
		return err
	}
	q.Audit("notice.create", n.ID, audit.ResultOK, "")
	if !submit {
		q.Redirect("/admin/notices/" + n.ID + "?done=draft")
		return nil
	}
	return c.act(q, "submit", n.ID, "")
}

func (c *Console) noticeUpdate(q *Request) error {
	id := q.R.PathValue("id")
	d, local, err := formDraft(q.R)
	if err != nil {
		return err
	}
	p := notice.Patch{Title: &d.Title, Body: &d.Body, Audiences: &d.Audiences, Urgent: &d.Urgent, Public: &d.Public,
		Markdown: &d.Markdown, Expires: &d.Expires, SendAt: &d.SendAt}
	if d.Audiences == nil {
		d.Audiences = []string{}
	}
	if _, err := c.opts.Notices.Update(q.User.Actor(), id, p); err != nil {
		q.Audit("notice.update", id, audit.ResultError, err.Error())
		if e, internal := toError(err); !internal && e.Status == http.StatusBadRequest {
			return c.renderCompose(q, e.Status, composeView{Action: "/admin/notices/" + id, ID: id, Draft: d, SendAt: local,
				Check: c.opts.Notices.Check(d), Problem: e.Msg})
		}
		return err
	}
	q.Audit("notice.update", id, audit.ResultOK, "")
	if q.R.PostForm.Get("do") == "submit" {
		return c.act(q, "submit", id, "")
	}
	q.Redirect("/admin/notices/" + id + "?done=edit")
	return nil
}

// noticeCheck runs the checks on the form as typed (for the preview).
func (c *Console) noticeCheck(q *Request) error {
	d, _, err := formDraft(q.R)
	if err != nil {
		return err
	}
	return q.JSON(http.StatusOK, c.opts.Notices.Check(d))
}

// --- one notice ---

// noticeView is the detail page.
type noticeView struct {
	N        notice.Notice
	Report   reportView
	Flash    string
	Mine     bool
	Reviewer bool
	// What the user may do now, and why not when they may not.
	CanSubmit, CanEdit, CanReview, CanCancel bool
	NoReview                                 string
	Live                                     bool
	// Rejected: who sent a rejected notice back, and why.
	RejectedBy, RejectReason string
}

func (c *Console) noticeDetail(q *Request) error {
	n, err := c.opts.Notices.Get(q.R.PathValue("id"))
	if err != nil {
		return err
	}
	rep, err := c.opts.Notices.Report(n.ID)
	if err != nil {
		return err
	}
	v := noticeView{N: n, Report: reportOf(n, rep), Flash: flashText(q.R.URL.Query().Get("done")),
		Mine: n.Author == q.User.Name, Reviewer: q.User.Has(config.RoleReviewer)}
	editable := n.Status == notice.StatusDraft || n.Status == notice.StatusRejected
	v.CanSubmit = v.Mine && editable
	v.CanEdit = v.Mine && editable
	v.CanCancel = (v.Mine || v.Reviewer) && (editable || n.Status == notice.StatusSubmitted || n.Status == notice.StatusApproved)
	if n.Status == notice.StatusSubmitted && v.Reviewer {
		if v.Mine {
			v.NoReview = "这是您撰写的通知。按照“一事一审”，须由作者以外的审核人批准，您不能批准或退回自己的通知。"
		} else {
			v.CanReview = true
		}
	}
	v.Live = n.Status == notice.StatusApproved || n.Status == notice.StatusSending
	if n.Status == notice.StatusRejected {
		for _, ev := range n.History {
			if ev.Action == notice.ActionReject {
				v.RejectedBy, v.RejectReason = ev.By, ev.Note
			}
		}
	}
	return q.Render(http.StatusOK, "notice", "通知 "+n.ID+"："+n.Title, v)
}

// reportView is a delivery report as shown (and polled as JSON).
type reportView struct {
	Status     notice.Status   `json:"status"`
	StatusName string          `json:"status_name"`
	Total      int             `json:"total"`
	Sent       int             `json:"sent"`
	Failed     int             `json:"failed"`
	Pending    int             `json:"pending"`
	Unreach    int             `json:"unreachable"`
	Percent    int             `json:"percent"`
	Done       bool            `json:"done"`
	Channels   []channelView   `json:"channels"`
	Failures   []failureView   `json:"failures"`
	Recipients int             `json:"recipients"`
	LastError  string          `json:"last_error,omitempty"`
	ByChannel  map[string]bool `json:"-"`
}

type channelView struct {
	Channel string `json:"channel"`
	Name    string `json:"name"`
	outbox.ChannelReport
	Percent int `json:"percent"`
}

type failureView struct {
	Channel string `json:"channel"`
	Target  string `json:"target"`
	Code    int    `json:"code"`
	Reason  string `json:"reason"`
	At      string `json:"at"`
}

var kindNames = map[string]string{
	outbox.KindRobot: "群机器人", outbox.KindChat: "群聊", outbox.KindUser: "成员",
	outbox.KindDept: "部门", outbox.KindTag: "标签", outbox.KindFollower: "粉丝",
}

func reportOf(n notice.Notice, r outbox.Report) reportView {
	v := reportView{Status: n.Status, StatusName: statusNames[n.Status], Total: r.Total, Sent: r.Sent, Failed: r.Failed,
		Pending: r.Pending, Unreach: r.Unreachable, Done: r.Done, Recipients: n.Recipients, LastError: n.LastError,
		Channels: []channelView{}, Failures: []failureView{}}
	v.Percent = percent(r.Sent+r.Failed+r.Unreachable, r.Total)
	for _, c := range channel.All() {
		ch := c.Name
		cr, ok := r.ByChannel[ch]
		if !ok {
			continue
		}
		v.Channels = append(v.Channels, channelView{Channel: ch, Name: channelNames[ch], ChannelReport: cr,
			Percent: percent(cr.Sent+cr.Failed+cr.Unreachable, cr.Total)})
	}
	for _, f := range r.Failures {
		v.Failures = append(v.Failures, failureView{Channel: channelNames[f.Channel],
			Target: orKey(kindNames, f.Kind) + " " + maskID(f.ID), Code: f.Code, Reason: f.Reason, At: fmtTime(f.At)})
	}
	return v
}

// maskID shows enough of a target id to tell targets apart: a robot's
// webhook key lets anyone post to its group, and an openid names a
// resident.
func maskID(id string) string {
	if len(id) <= 8 {
		return id
	}
	return id[:4] + "…" + id[len(id)-4:]
}

func (c *Console) noticeReport(q *Request) error {
	n, err := c.opts.Notices.Get(q.R.PathValue("id"))
	if err != nil {
		return err
	}
	rep, err := c.opts.Notices.Report(n.ID)
	if err != nil {
		return err
	}
	return q.JSON(http.StatusOK, reportOf(n, rep))
}

// noticeAction handles the buttons of the detail page.
func (c *Console) noticeAction(action string) func(*Request) error {
	return func(q *Request) error {
		note := strings.TrimSpace(q.R.PostFormValue("reason"))
		return c.act(q, action, q.R.PathValue("id"), note)
	}
}

func (c *Console) act(q *Request, action, id, note string) error {
	actor := q.User.Actor()
	var err error
	switch action {
	case "submit":
		_, err = c.opts.Notices.Submit(actor, id)
	case "approve":
		_, err = c.opts.Notices.Approve(q.R.Context(), actor, id, note)
	case "reject":
		_, err = c.opts.Notices.Reject(actor, id, note)
	case "cancel":
		_, err = c.opts.Notices.Cancel(actor, id, note)
	}
	if err != nil {
		q.Audit("notice."+action, id, audit.ResultError, err.Error())
		return err
	}
	q.Audit("notice."+action, id, audit.ResultOK, note)
	q.Redirect("/admin/notices/" + url.PathEscape(id) + "?done=" + action)
	return nil
}
