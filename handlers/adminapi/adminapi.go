// Package adminapi is the admin HTTP API of notices: staff write and
// submit notices, reviewers approve or reject them, admins read the audit
// log. Requests carry "Authorization: Bearer TOKEN"; bodies and answers are
// JSON; errors come from one catalogue (errors.go). Every request, allowed
// or refused, is recorded in the audit log.
//
// Mount the handler under /api/:
//
//	mux.Handle("/api/", adminapi.New(opts))
package adminapi

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/yingpu/govbot/audit"
	"github.com/yingpu/govbot/clock"
	"github.com/yingpu/govbot/config"
	"github.com/yingpu/govbot/handlers/clientip"
	"github.com/yingpu/govbot/notice"
	"github.com/yingpu/govbot/outbox"
)

// Notices is the notice workflow (*notice.Service).
type Notices interface {
	Create(actor notice.Actor, d notice.Draft) (notice.Notice, error)
	Update(actor notice.Actor, id string, p notice.Patch) (notice.Notice, error)
	Submit(actor notice.Actor, id string) (notice.Notice, error)
	Approve(ctx context.Context, actor notice.Actor, id, note string) (notice.Notice, error)
	Reject(actor notice.Actor, id, reason string) (notice.Notice, error)
	Cancel(actor notice.Actor, id, note string) (notice.Notice, error)
	Get(id string) (notice.Notice, error)
	List(f notice.ListFilter) ([]notice.Notice, error)
	Report(id string) (outbox.Report, error)
	Audiences() ([]notice.AudienceInfo, error)
	ResolveUncertain(actor notice.Actor, id string, resend bool) (notice.Notice, int, error)
}

// AuditLog is the audit log (*audit.Log).
type AuditLog interface {
	Append(audit.Record) (audit.Record, error)
	List(audit.Filter) ([]audit.Record, error)
}

// DefaultMaxBodyBytes bounds a request body.
const DefaultMaxBodyBytes = 256 << 10

// Options configure the API.
type Options struct {
	Notices Notices
	Audit   AuditLog
	// Users and their tokens (config users).
	Users []config.User
	// TrustedProxies (config trusted_proxies): when the peer is one of
	// these, the client address is taken from X-Forwarded-For.
	TrustedProxies []string
	Logger         *slog.Logger
	// MaxBodyBytes bounds request bodies (default 256 KiB).
	MaxBodyBytes int64
	// Queries serves GET /api/queries/unanswered and Jobs POST and GET
	// /api/reindex (reindex jobs); nil: those answer 404.
	Queries Queries
	Jobs    Jobs
	// Doubts serves GET /api/queries/doubted (answers residents said were
	// wrong); nil: 404.
	Doubts Doubts
	// Syncer serves POST and GET /api/sources/{name}/sync; nil: 404.
	Syncer Syncer
	// Clock tells the time, for periods that default to "until now"
	// (default clock.System).
	Clock clock.Clock
	// RefusedPerMinute: requests refused for want of a valid token an
	// address may make in a minute before it is answered 429 (config
	// audit.refused_per_minute; default 30). See refused.go.
	RefusedPerMinute int
	// OnRefused, when set, is told of each such refusal (metrics).
	OnRefused func()
}

type user struct {
	name  string
	roles []string
	dept  string
	hash  [sha256.Size]byte
}

type api struct {
	opts     Options
	log      *slog.Logger
	users    []user
	ips      clientip.Resolver
	refusals *refusals
}

// API is the admin API's handler. Run writes out the aggregated records of
// refused requests; without it they are written when the same address is
// refused again a minute later, or by Flush.
type API struct {
	http.Handler
	api *api
}

// New returns the API handler. Users without a token can never sign in;
// unparsable trusted proxies are ignored (config.Validate reports both).
func New(opts Options) *API {
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.MaxBodyBytes <= 0 {
		opts.MaxBodyBytes = DefaultMaxBodyBytes
	}
	if opts.Clock == nil {
		opts.Clock = clock.System{}
	}
	a := &api{opts: opts, log: opts.Logger}
	a.refusals = newRefusals(a, opts.RefusedPerMinute)
	for _, u := range opts.Users {
		if len(u.Token) < config.MinTokenLen {
			a.log.Error("adminapi: user has no usable token and cannot sign in", "user", u.Name)
			continue
		}
		a.users = append(a.users, user{name: u.Name, roles: u.Roles, dept: u.Department, hash: sha256.Sum256([]byte(u.Token))})
	}
	var bad []string
	a.ips, bad = clientip.New(opts.TrustedProxies)
	for _, p := range bad {
		a.log.Error("adminapi: ignoring trusted proxy", "proxy", p)
	}

	mux := http.NewServeMux()
	route := func(pattern, action string, h handlerFunc) {
		mux.Handle(pattern, a.handle(action, h))
	}
	route("POST /api/notices", "notice.create", a.create)
	route("GET /api/notices", "notice.list", a.list)
	route("GET /api/notices/{id}", "notice.get", a.get)
	route("PATCH /api/notices/{id}", "notice.update", a.update)
	route("POST /api/notices/{id}/submit", "notice.submit", a.submit)
	route("POST /api/notices/{id}/approve", "notice.approve", a.approve)
	route("POST /api/notices/{id}/reject", "notice.reject", a.reject)
	route("POST /api/notices/{id}/cancel", "notice.cancel", a.cancel)
	route("POST /api/notices/{id}/uncertain", "notice.resolve_uncertain", a.resolveUncertain)
	route("GET /api/audiences", "audience.list", a.audiences)
	route("GET /api/audit", "audit.list", a.auditList)
	route("GET /api/users", "user.list", a.userList)
	route("GET /api/me", "user.me", a.me)
	route("GET /api/queries/unanswered", "queries.unanswered", a.unanswered)
	route("GET /api/queries/doubted", "queries.doubted", a.doubted)
	route("POST /api/reindex", "index.reindex", a.reindex)
	route("GET /api/reindex", "index.reindex.list", a.reindexList)
	route("GET /api/reindex/{id}", "index.reindex.get", a.reindexGet)
	route("POST /api/sources/{name}/sync", "source.sync", a.sourceSync)
	route("GET /api/sources/{name}/sync", "source.sync_status", a.sourceSyncStatus)
	// The same paths with other methods: 405 in the catalogue's form.
	for _, p := range []string{"/api/notices", "/api/notices/{id}", "/api/notices/{id}/submit",
		"/api/notices/{id}/approve", "/api/notices/{id}/reject", "/api/notices/{id}/cancel",
		"/api/audiences", "/api/audit", "/api/users", "/api/me", "/api/queries/unanswered", "/api/queries/doubted", "/api/reindex", "/api/reindex/{id}", "/api/sources/{name}/sync"} {
		route(p, "api.method", func(w http.ResponseWriter, r *http.Request, c *call) error { return ErrMethod })
	}
	route("/", "api.not_found", func(w http.ResponseWriter, r *http.Request, c *call) error {
		return ErrNotFound.with("没有这个接口：" + r.Method + " " + r.URL.Path)
	})
	return &API{Handler: mux, api: a}
}

// call is one request being served, and what the audit record will say.
type call struct {
	actor    notice.Actor
	noticeID string
	note     string // recorded with a successful action (a reason)
	status   int
}

type handlerFunc func(w http.ResponseWriter, r *http.Request, c *call) error

func (c *call) reply(w http.ResponseWriter, status int, v any) error {
	c.status = status
	writeJSON(w, status, v)
	return nil
}

// handle authenticates, serves, renders any error, and audits.
func (a *api) handle(action string, h handlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c := &call{noticeID: r.PathValue("id")}
		remote := a.clientIP(r)
		var err error
		refused := false
		if wait := a.refusals.wait(remote); wait > 0 {
			// Too many refusals from this address: its token is not even
			// looked at until the wait is over.
			retryAfter(w, wait)
			err = ErrTooManyRefused.with(fmt.Sprintf("此地址的请求多次因无有效令牌被拒绝，请 %d 秒后再试", int(wait.Seconds())+1))
			refused = true
		} else if u, ok := a.authenticate(r); !ok {
			w.Header().Set("WWW-Authenticate", `Bearer realm="govbot"`)
			err = ErrUnauthorized
			refused = true
		} else {
			c.actor = notice.Actor{Name: u.name, Roles: u.roles}
			err = a.serve(h, w, r, c)
		}
		rec := audit.Record{
			Actor:    c.actor.Name,
			Action:   action,
			NoticeID: c.noticeID,
			Remote:   remote,
			Request:  r.Method + " " + r.URL.Path,
			Result:   audit.ResultOK,
			Status:   c.status,
			Message:  c.note,
		}
		if err != nil {
			e, internal := toAPIError(err)
			if internal {
				a.log.Error("adminapi: internal error", "action", action, "notice", c.noticeID, "err", err)
			}
			writeJSON(w, e.HTTP, e)
			rec.Result, rec.Status, rec.Code, rec.Message = audit.ResultError, e.HTTP, e.Code, e.Message
			if internal {
				rec.Message = err.Error() // the cause, for admins only
			}
		}
		if refused && !a.refusals.refused(remote, rec.Status, rec.Request) {
			return // counted into the address's aggregated record
		}
		a.append(rec)
	})
}

func (a *api) append(rec audit.Record) {
	if a.opts.Audit == nil {
		return
	}
	if _, err := a.opts.Audit.Append(rec); err != nil {
		a.log.Error("adminapi: audit append failed", "record", fmt.Sprintf("%+v", rec), "err", err)
	}
}

// serve runs h, turning a panic into an internal error so that it is
// answered and audited like any other failure.
func (a *api) serve(h handlerFunc, w http.ResponseWriter, r *http.Request, c *call) (err error) {
	defer func() {
		if p := recover(); p != nil {
			if p == http.ErrAbortHandler {
				panic(p)
			}
			err = fmt.Errorf("panic: %v", p)
		}
	}()
	return h(w, r, c)
}

// authenticate finds the user whose token the request bears. Every user's
// token hash is compared in constant time, so timing tells nothing of how
// much of a token matched, nor which user's it was.
func (a *api) authenticate(r *http.Request) (user, bool) {
	h := r.Header.Get("Authorization")
	scheme, token, ok := strings.Cut(strings.TrimSpace(h), " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return user{}, false
	}
	token = strings.TrimSpace(token)
	if token == "" {
		return user{}, false
	}
	sum := sha256.Sum256([]byte(token))
	found := -1
	for i := range a.users {
		if subtle.ConstantTimeCompare(sum[:], a.users[i].hash[:]) == 1 {
			found = i
		}
	}
	if found < 0 {
		return user{}, false
	}
	return a.users[found], true
}

// clientIP is the address recorded for a request (see clientip).
func (a *api) clientIP(r *http.Request) string { return a.ips.IP(r) }

// decode reads a JSON object body into v: at most MaxBodyBytes, no unknown
// fields, nothing after it. An empty body leaves v as it is when
// allowEmpty.
func (a *api) decode(w http.ResponseWriter, r *http.Request, v any, allowEmpty bool) error {
	body := http.MaxBytesReader(w, r.Body, a.opts.MaxBodyBytes)
	data, err := io.ReadAll(body)
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return ErrTooLarge.with(fmt.Sprintf("请求体超过 %d 字节上限", mbe.Limit))
		}
		return ErrBadJSON.with("读取请求体失败")
	}
	if len(strings.TrimSpace(string(data))) == 0 {
		if allowEmpty {
			return nil
		}
		return ErrBadJSON.with("请求体为空，需要一个 JSON 对象")
	}
	if err := checkKeys(data, v); err != nil {
		return err
	}
	dec := json.NewDecoder(strings.NewReader(string(data)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return ErrBadJSON.with("请求体不是有效的 JSON 对象：" + jsonProblem(err))
	}
	if _, err := dec.Token(); err != io.EOF {
		return ErrBadJSON.with("请求体在 JSON 对象之后还有多余内容")
	}
	return nil
}

// jsonProblem describes a decoding error without echoing the body.
func jsonProblem(err error) string {
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &se):
		return fmt.Sprintf("第 %d 字节处语法错误", se.Offset)
	case errors.As(err, &te):
		return fmt.Sprintf("字段 %s 应为 %s", te.Field, jsonType(te.Type.Kind().String()))
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		return "未知字段 " + strings.TrimPrefix(err.Error(), "json: unknown field ")
	case errors.Is(err, io.ErrUnexpectedEOF):
		return "内容不完整"
	}
	return "格式错误"
}

func jsonType(kind string) string {
	switch kind {
	case "string":
		return "字符串"
	case "bool":
		return "true 或 false"
	case "slice":
		return "数组"
	case "struct", "map":
		return "对象"
	}
	return kind
}

// --- handlers ---

func deref[T any](p *T) T {
	var zero T
	if p == nil {
		return zero
	}
	return *p
}

func (a *api) view(n notice.Notice) (NoticeView, error) {
	rep, err := a.opts.Notices.Report(n.ID)
	if err != nil {
		return NoticeView{}, err
	}
	// A robot's webhook key lets anyone post to its group: show only
	// enough of it to tell robots apart.
	failures := make([]outbox.Failure, len(rep.Failures))
	for i, f := range rep.Failures {
		if f.Kind == outbox.KindRobot {
			f.ID = maskKey(f.ID)
		}
		failures[i] = f
	}
	rep.Failures = failures
	held := make([]outbox.Failure, len(rep.Held))
	for i, f := range rep.Held {
		if f.Kind == outbox.KindRobot {
			f.ID = maskKey(f.ID)
		}
		held[i] = f
	}
	rep.Held = held
	return NoticeView{Notice: n, Report: rep}, nil
}

// maskKey keeps the first and last four characters of a secret.
func maskKey(k string) string {
	if len(k) <= 8 {
		return strings.Repeat("*", len(k))
	}
	return k[:4] + "…" + k[len(k)-4:]
}

func (a *api) replyNotice(w http.ResponseWriter, c *call, status int, n notice.Notice) error {
	v, err := a.view(n)
	if err != nil {
		return err
	}
	return c.reply(w, status, v)
}

func (a *api) create(w http.ResponseWriter, r *http.Request, c *call) error {
	var in NoticeInput
	if err := a.decode(w, r, &in, false); err != nil {
		return err
	}
	n, err := a.opts.Notices.Create(c.actor, notice.Draft{
		Title: deref(in.Title), Body: deref(in.Body), Audiences: deref(in.Audiences),
		Urgent: deref(in.Urgent), Public: deref(in.Public), Markdown: deref(in.Markdown),
		Expires: deref(in.Expires), SendAt: deref(in.SendAt),
	})
	if err != nil {
		return err
	}
	c.noticeID = n.ID
	return a.replyNotice(w, c, http.StatusCreated, n)
}

func (a *api) update(w http.ResponseWriter, r *http.Request, c *call) error {
	var in NoticeInput
	if err := a.decode(w, r, &in, false); err != nil {
		return err
	}
	n, err := a.opts.Notices.Update(c.actor, c.noticeID, notice.Patch{
		Title: in.Title, Body: in.Body, Audiences: in.Audiences,
		Urgent: in.Urgent, Public: in.Public, Markdown: in.Markdown,
		Expires: in.Expires, SendAt: in.SendAt,
	})
	if err != nil {
		return err
	}
	return a.replyNotice(w, c, http.StatusOK, n)
}

func (a *api) note(w http.ResponseWriter, r *http.Request) (string, error) {
	var in NoteInput
	if err := a.decode(w, r, &in, true); err != nil {
		return "", err
	}
	if in.Reason != "" && in.Note != "" {
		return "", ErrInvalid.with("reason 和 note 只能填一个")
	}
	return in.Reason + in.Note, nil
}

func (a *api) submit(w http.ResponseWriter, r *http.Request, c *call) error {
	if _, err := a.note(w, r); err != nil {
		return err
	}
	n, err := a.opts.Notices.Submit(c.actor, c.noticeID)
	if err != nil {
		return err
	}
	return a.replyNotice(w, c, http.StatusOK, n)
}

func (a *api) approve(w http.ResponseWriter, r *http.Request, c *call) error {
	note, err := a.note(w, r)
	if err != nil {
		return err
	}
	n, err := a.opts.Notices.Approve(r.Context(), c.actor, c.noticeID, note)
	if err != nil {
		return err
	}
	c.note = note
	return a.replyNotice(w, c, http.StatusOK, n)
}

func (a *api) reject(w http.ResponseWriter, r *http.Request, c *call) error {
	reason, err := a.note(w, r)
	if err != nil {
		return err
	}
	n, err := a.opts.Notices.Reject(c.actor, c.noticeID, reason)
	if err != nil {
		return err
	}
	c.note = reason
	return a.replyNotice(w, c, http.StatusOK, n)
}

func (a *api) cancel(w http.ResponseWriter, r *http.Request, c *call) error {
	note, err := a.note(w, r)
	if err != nil {
		return err
	}
	n, err := a.opts.Notices.Cancel(c.actor, c.noticeID, note)
	if err != nil {
		return err
	}
	c.note = note
	return a.replyNotice(w, c, http.StatusOK, n)
}

// resolveUncertain: POST /api/notices/{id}/uncertain {"resend": bool}.
func (a *api) resolveUncertain(w http.ResponseWriter, r *http.Request, c *call) error {
	var in UncertainInput
	if err := a.decode(w, r, &in, false); err != nil {
		return err
	}
	if in.Resend == nil {
		return ErrInvalid.with("请填写 resend：true 重发，false 不再重发")
	}
	n, count, err := a.opts.Notices.ResolveUncertain(c.actor, c.noticeID, *in.Resend)
	if err != nil {
		return err
	}
	c.note = fmt.Sprintf("resend=%v count=%d", *in.Resend, count)
	return a.replyNotice(w, c, http.StatusOK, n)
}

func (a *api) get(w http.ResponseWriter, r *http.Request, c *call) error {
	n, err := a.opts.Notices.Get(c.noticeID)
	if err != nil {
		return err
	}
	return a.replyNotice(w, c, http.StatusOK, n)
}

// queryInt parses an optional positive integer parameter.
func queryInt(r *http.Request, name string, max int) (int, error) {
	s := r.URL.Query().Get(name)
	if s == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 || n > max {
		return 0, ErrBadQuery.with(fmt.Sprintf("%s 须为 1 到 %d 的整数", name, max))
	}
	return n, nil
}

func (a *api) list(w http.ResponseWriter, r *http.Request, c *call) error {
	limit, err := queryInt(r, "limit", 500)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	ns, err := a.opts.Notices.List(notice.ListFilter{
		Status: notice.Status(q.Get("status")), Author: q.Get("author"), Limit: limit,
	})
	if err != nil {
		return err
	}
	return c.reply(w, http.StatusOK, NoticeList{Notices: ns})
}

func (a *api) audiences(w http.ResponseWriter, r *http.Request, c *call) error {
	infos, err := a.opts.Notices.Audiences()
	if err != nil {
		return err
	}
	return c.reply(w, http.StatusOK, AudienceList{Audiences: infos})
}

func (a *api) requireAdmin(c *call) error {
	if !c.actor.Has(config.RoleAdmin) {
		return ErrForbidden.with(c.actor.Name + " 不是管理员（admin），不能执行此操作")
	}
	return nil
}

// parseBound parses from/to of the audit query: RFC 3339, or a date
// (YYYY-MM-DD, Asia/Shanghai) meaning its start (from) or its end (to).
func parseBound(name, s string, end bool) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, nil
	}
	d, err := clock.ParseDate(s)
	if err != nil {
		return time.Time{}, ErrBadQuery.with(name + " 须为 YYYY-MM-DD 日期或 RFC 3339 时间")
	}
	if end {
		d = d.AddDate(0, 0, 1).Add(-time.Nanosecond)
	}
	return d, nil
}

func (a *api) auditList(w http.ResponseWriter, r *http.Request, c *call) error {
	if err := a.requireAdmin(c); err != nil {
		return err
	}
	if a.opts.Audit == nil {
		return errors.New("adminapi: no audit log")
	}
	q := r.URL.Query()
	limit, err := queryInt(r, "limit", audit.MaxLimit)
	if err != nil {
		return err
	}
	from, err := parseBound("from", q.Get("from"), false)
	if err != nil {
		return err
	}
	to, err := parseBound("to", q.Get("to"), true)
	if err != nil {
		return err
	}
	recs, err := a.opts.Audit.List(audit.Filter{
		From: from, To: to, Actor: q.Get("actor"), Action: q.Get("action"),
		NoticeID: q.Get("notice"), Limit: limit,
	})
	if err != nil {
		return err
	}
	return c.reply(w, http.StatusOK, AuditList{Records: recs})
}

func (a *api) userList(w http.ResponseWriter, r *http.Request, c *call) error {
	if err := a.requireAdmin(c); err != nil {
		return err
	}
	out := []UserView{}
	for _, u := range a.users {
		out = append(out, UserView{Name: u.name, Roles: u.roles, Department: u.dept})
	}
	return c.reply(w, http.StatusOK, UserList{Users: out})
}

func (a *api) me(w http.ResponseWriter, r *http.Request, c *call) error {
	return c.reply(w, http.StatusOK, UserView{Name: c.actor.Name, Roles: c.actor.Roles})
}
