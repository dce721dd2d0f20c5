// Package pushtest is a fake of the WeChat (Official Account) and WeCom APIs
// that the push adapters call, for tests: point api_base_url (push.API
// BaseURL) at Server.URL. It records every call, answers like the real APIs
// (errcodes in HTTP 200 answers, invaliduser lists, next_openid paging,
// duplicate checks) and can be scripted to fail. Any request for a path it
// does not emulate fails the test.
//
// It is safe for concurrent use and cheap per call, so that a benchmark can
// send to 10,000 targets through it.
package pushtest

import (
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/yingpu/govbot/clock"
)

// API paths emulated.
const (
	PathOAToken      = "/cgi-bin/token"                 // GET, Official Account access token
	PathWorkToken    = "/cgi-bin/gettoken"              // GET, WeCom access token
	PathRobot        = "/cgi-bin/webhook/send"          // POST ?key=, WeCom group robot
	PathAppSend      = "/cgi-bin/message/send"          // POST, WeCom app message
	PathChatSend     = "/cgi-bin/appchat/send"          // POST, WeCom app group chat
	PathCustomSend   = "/cgi-bin/message/custom/send"   // POST, OA customer-service message
	PathTemplateSend = "/cgi-bin/message/template/send" // POST, OA template message
	PathTagGet       = "/cgi-bin/user/tag/get"          // POST, OA followers by tag
)

// Errcodes the fake answers on its own.
const (
	CodeOK              = 0
	CodeInvalidToken    = 40014
	CodeTokenExpired    = 42001
	CodeMissingToken    = 41001
	CodeMissingAppID    = 41002
	CodeMissingSecret   = 41004
	CodeEmptyContent    = 44004
	CodeTooLong         = 45002
	CodeRateLimit       = 45009
	CodeBadParameter    = 40058
	CodeBadAgentID      = 40056
	CodeBadTemplateID   = 40037
	CodeBadOpenID       = 40003
	CodeNoValidReceiver = 81013
	CodeBadRobotKey     = 93000
	CodeBadTagID        = 45159
)

var errmsgs = map[int]string{
	-1:                  "system error",
	CodeInvalidToken:    "invalid access_token",
	CodeTokenExpired:    "access_token expired",
	40001:               "invalid credential",
	CodeMissingToken:    "access_token missing",
	CodeMissingAppID:    "appid missing",
	CodeMissingSecret:   "appsecret missing",
	CodeEmptyContent:    "empty content",
	CodeTooLong:         "content size out of limit",
	CodeRateLimit:       "api freq out of limit",
	45011:               "api minute-quota reach limit",
	CodeBadParameter:    "invalid parameter",
	CodeBadAgentID:      "invalid agentid",
	CodeBadTemplateID:   "invalid template_id",
	CodeBadOpenID:       "invalid openid",
	43004:               "require subscribe",
	CodeNoValidReceiver: "all receivers are invalid",
	CodeBadRobotKey:     "invalid webhook url",
	CodeBadTagID:        "invalid tag id",
}

// Errmsg is the errmsg the fake answers with errcode.
func Errmsg(errcode int) string {
	if errcode == 0 {
		return "ok"
	}
	if m, ok := errmsgs[errcode]; ok {
		return m
	}
	return "error " + strconv.Itoa(errcode)
}

// Call is one request received.
type Call struct {
	Path  string // API path without the server prefix, e.g. PathAppSend
	Token string // access_token query parameter
	Key   string // robot webhook key
	// To are the recipients: touser split on '|' (message/send), the
	// openid (custom, template), the chatid (appchat), the robot key
	// (webhook), the appid or corpid (token calls).
	To          []string
	Depts, Tags []string // toparty, totag (message/send)
	MsgType     string
	Content     string            // text or markdown content
	TemplateID  string            // template send
	Data        map[string]string // template data values
	AgentID     int
	Body        []byte // request body as received
	Time        time.Time
	// Status is the HTTP status answered; Errcode the errcode in a 200
	// answer. Duplicate marks a call answered ok but not delivered again
	// (WeCom duplicate check, template client_msg_id).
	Status    int
	Errcode   int
	Duplicate bool
}

// OK reports whether the call was answered HTTP 200 with errcode 0.
func (c Call) OK() bool { return c.Status == http.StatusOK && c.Errcode == 0 }

// Option configures a Server.
type Option func(*Server)

// WithClock sets the clock used for call times, rate limits and duplicate
// checks (default the system clock).
func WithClock(c clock.Clock) Option { return func(s *Server) { s.clock = c } }

// WithPrefix serves the API under a path prefix, like a gateway whose base
// URL has a path ("/wx" serves /wx/cgi-bin/...).
func WithPrefix(p string) Option {
	return func(s *Server) { s.prefix = "/" + strings.Trim(p, "/") }
}

type failure struct {
	status  int // HTTP status when non-zero
	errcode int
}

type tokenInfo struct {
	kind    string // "oa" or "work"
	errcode int    // non-zero: answered for every use
}

type rateWindow struct {
	n   int
	per time.Duration
}

// Server is the fake API server.
type Server struct {
	*httptest.Server
	t      testing.TB
	clock  clock.Clock
	prefix string

	mu         sync.Mutex
	calls      []Call
	counts     map[string]int
	tokens     map[string]*tokenInfo
	nextToken  int
	failNext   map[string][]failure
	recipErr   map[string]int
	invalid    map[string]bool // "user:ID", "party:ID", "tag:ID", "unlicensed:ID"
	latency    map[string]time.Duration
	tags       map[int][]string
	pageSize   int
	robotLimit rateWindow
	robotSends map[string][]time.Time
	dedup      map[string]time.Time
	delivered  map[string]map[string]int
}

// NewServer starts a fake server closed when the test ends.
func NewServer(t testing.TB, opts ...Option) *Server {
	t.Helper()
	s := &Server{
		t:          t,
		clock:      clock.System{},
		counts:     map[string]int{},
		tokens:     map[string]*tokenInfo{},
		failNext:   map[string][]failure{},
		recipErr:   map[string]int{},
		invalid:    map[string]bool{},
		latency:    map[string]time.Duration{},
		tags:       map[int][]string{},
		pageSize:   10000,
		robotSends: map[string][]time.Time{},
		dedup:      map[string]time.Time{},
		delivered:  map[string]map[string]int{},
	}
	for _, o := range opts {
		o(s)
	}
	if s.prefix == "/" {
		s.prefix = ""
	}
	s.Server = httptest.NewServer(http.HandlerFunc(s.serve))
	t.Cleanup(s.Close)
	return s
}

// BaseURL is the URL to configure as api_base_url (URL plus the prefix).
func (s *Server) BaseURL() string { return s.URL + s.prefix }

// --- scripting ---

// FailNext makes the next n calls to path (with a valid token) answer
// errcode.
func (s *Server) FailNext(path string, errcode, n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for range n {
		s.failNext[path] = append(s.failNext[path], failure{errcode: errcode})
	}
}

// FailNextHTTP makes the next n calls to path answer HTTP status.
func (s *Server) FailNextHTTP(path string, status, n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for range n {
		s.failNext[path] = append(s.failNext[path], failure{status: status})
	}
}

// FailRecipient makes every send to id answer errcode: an openid (custom
// and template messages, e.g. 43004 not following), a chatid (app group
// chat) or a robot key (e.g. 93000). errcode 0 clears it. WeCom app message
// recipients are refused with InvalidUsers, InvalidDepts and InvalidTags
// instead.
func (s *Server) FailRecipient(id string, errcode int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if errcode == 0 {
		delete(s.recipErr, id)
		return
	}
	s.recipErr[id] = errcode
}

// InvalidUsers makes app messages list these user IDs in invaliduser (in
// lower case, as WeCom does).
func (s *Server) InvalidUsers(ids ...string) { s.markInvalid("user:", ids) }

// UnlicensedUsers makes app messages list these user IDs in unlicenseduser.
func (s *Server) UnlicensedUsers(ids ...string) { s.markInvalid("unlicensed:", ids) }

// InvalidDepts makes app messages list these department IDs in
// invalidparty.
func (s *Server) InvalidDepts(ids ...string) { s.markInvalid("party:", ids) }

// InvalidTags makes app messages list these tag IDs in invalidtag.
func (s *Server) InvalidTags(ids ...string) { s.markInvalid("tag:", ids) }

func (s *Server) markInvalid(prefix string, ids []string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, id := range ids {
		s.invalid[prefix+strings.ToLower(id)] = true
	}
}

// ExpireTokens makes every access token issued so far answer 42001
// (expired); tokens issued later are valid.
func (s *Server) ExpireTokens() { s.RejectTokens(CodeTokenExpired) }

// RejectTokens makes every access token issued so far answer errcode
// (40001, 40014, 42001).
func (s *Server) RejectTokens(errcode int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, ti := range s.tokens {
		ti.errcode = errcode
	}
}

// SetLatency delays the answers to path by d ("" for every path). A
// request whose client gives up is abandoned.
func (s *Server) SetLatency(path string, d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.latency[path] = d
}

// SetTag sets the followers with an Official Account user tag.
func (s *Server) SetTag(tagID int, openIDs ...string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.tags[tagID] = slices.Clone(openIDs)
}

// SetPageSize sets the user/tag/get page size (WeChat's is 10,000).
func (s *Server) SetPageSize(n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.pageSize = max(1, n)
}

// SetRobotRateLimit makes a robot key answer 45009 once it has been sent n
// messages within per (WeCom's limit is 20 a minute); n 0 turns it off.
func (s *Server) SetRobotRateLimit(n int, per time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.robotLimit = rateWindow{n: n, per: per}
}

// --- accessors ---

// Calls returns every call received, in order of answer.
func (s *Server) Calls() []Call {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.calls)
}

// CallsTo returns the calls to path.
func (s *Server) CallsTo(path string) []Call {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Call
	for _, c := range s.calls {
		if c.Path == path {
			out = append(out, c)
		}
	}
	return out
}

// Count returns the number of calls to path.
func (s *Server) Count(path string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.counts[path]
}

// TokenFetches returns the number of access-token calls (both APIs).
func (s *Server) TokenFetches() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.counts[PathOAToken] + s.counts[PathWorkToken]
}

// RobotCalls returns the number of calls to the robot with key.
func (s *Server) RobotCalls(key string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, c := range s.calls {
		if c.Path == PathRobot && c.Key == key {
			n++
		}
	}
	return n
}

// Delivered returns, for path, how many times each recipient was
// delivered a message: a successful, non-duplicate answer, less the
// recipients listed invalid. App message recipients are user IDs as sent,
// "party:ID" and "tag:ID"; others are the openid, chatid or robot key.
func (s *Server) Delivered(path string) map[string]int {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make(map[string]int, len(s.delivered[path]))
	for k, v := range s.delivered[path] {
		out[k] = v
	}
	return out
}

// AssertCount fails the test unless path received n calls.
func (s *Server) AssertCount(path string, n int) {
	s.t.Helper()
	if got := s.Count(path); got != n {
		s.t.Errorf("pushtest: %d calls to %s, want %d", got, path, n)
	}
}

// AssertRobotCalls fails the test unless the robot with key received n
// calls.
func (s *Server) AssertRobotCalls(key string, n int) {
	s.t.Helper()
	if got := s.RobotCalls(key); got != n {
		s.t.Errorf("pushtest: %d calls to robot %q, want %d", got, key, n)
	}
}

// AssertDeliveredOnce fails the test unless each of ids was delivered
// exactly one message on path and nobody else was.
func (s *Server) AssertDeliveredOnce(path string, ids ...string) {
	s.t.Helper()
	got := s.Delivered(path)
	for _, id := range ids {
		if got[id] != 1 {
			s.t.Errorf("pushtest: %s delivered %d times to %q, want 1", path, got[id], id)
		}
		delete(got, id)
	}
	for id, n := range got {
		s.t.Errorf("pushtest: %s delivered %d times to unexpected %q", path, n, id)
	}
}

// --- serving ---

type reqBody struct {
	ToUser   string                    `json:"touser"`
	ToParty  string                    `json:"toparty"`
	ToTag    string                    `json:"totag"`
	MsgType  string                    `json:"msgtype"`
	AgentID  json.RawMessage           `json:"agentid"`
	ChatID   string                    `json:"chatid"`
	Text     *struct{ Content string } `json:"text"`
	Markdown *struct{ Content string } `json:"markdown"`
	// duplicate check (WeCom app messages)
	EnableDuplicateCheck   int `json:"enable_duplicate_check"`
	DuplicateCheckInterval int `json:"duplicate_check_interval"`
	// template messages
	TemplateID  string                            `json:"template_id"`
	Data        map[string]struct{ Value string } `json:"data"`
	ClientMsgID string                            `json:"client_msg_id"`
	// user/tag/get
	TagID      int    `json:"tagid"`
	NextOpenID string `json:"next_openid"`
}

type answer map[string]any

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	path := r.URL.Path
	if s.prefix != "" {
		rest, ok := strings.CutPrefix(path, s.prefix)
		if !ok {
			s.unexpected(w, r)
			return
		}
		path = rest
	}
	method := http.MethodPost
	switch path {
	case PathOAToken, PathWorkToken:
		method = http.MethodGet
	case PathRobot, PathAppSend, PathChatSend, PathCustomSend, PathTemplateSend, PathTagGet:
	default:
		s.unexpected(w, r)
		return
	}
	if r.Method != method {
		s.t.Errorf("pushtest: %s %s, want %s", r.Method, path, method)
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, 16<<20))
	if err != nil {
		return
	}
	q := r.URL.Query()
	c := Call{Path: path, Token: q.Get("access_token"), Key: q.Get("key"), Body: body}
	var req reqBody
	if method == http.MethodPost {
		if err := json.Unmarshal(body, &req); err != nil {
			s.t.Errorf("pushtest: %s body is not JSON: %v", path, err)
		}
		c.fill(path, &req)
	}

	s.mu.Lock()
	d, ok := s.latency[path]
	if !ok {
		d = s.latency[""]
	}
	s.mu.Unlock()
	if d > 0 {
		timer := time.NewTimer(d)
		select {
		case <-timer.C:
		case <-r.Context().Done():
			timer.Stop()
		}
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	c.Time = s.clock.Now()
	c.Status = http.StatusOK
	a := s.answer(&c, &req, q)
	s.calls = append(s.calls, c)
	s.counts[path]++
	if c.Status != http.StatusOK {
		http.Error(w, http.StatusText(c.Status), c.Status)
		return
	}
	if a == nil {
		a = answer{}
	}
	a["errcode"] = c.Errcode
	a["errmsg"] = Errmsg(c.Errcode)
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	_ = json.NewEncoder(w).Encode(a)
}

func (s *Server) unexpected(w http.ResponseWriter, r *http.Request) {
	s.t.Errorf("pushtest: unexpected request %s %s", r.Method, r.URL.Path)
	http.NotFound(w, r)
}

func (c *Call) fill(path string, req *reqBody) {
	c.MsgType = req.MsgType
	switch {
	case req.Text != nil:
		c.Content = req.Text.Content
	case req.Markdown != nil:
		c.Content = req.Markdown.Content
	}
	if len(req.AgentID) > 0 {
		c.AgentID, _ = strconv.Atoi(strings.Trim(string(req.AgentID), `"`))
	}
	switch path {
	case PathRobot:
		c.To = []string{c.Key}
	case PathAppSend:
		c.To, c.Depts, c.Tags = split(req.ToUser), split(req.ToParty), split(req.ToTag)
	case PathChatSend:
		c.To = []string{req.ChatID}
	case PathCustomSend, PathTemplateSend:
		c.To = []string{req.ToUser}
		c.TemplateID = req.TemplateID
		if req.Data != nil {
			c.Data = make(map[string]string, len(req.Data))
			for k, v := range req.Data {
				c.Data[k] = v.Value
			}
		}
	}
}

func split(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(s, "|")
}

// answer decides the answer to c with s.mu held: it sets c.Status and
// c.Errcode and returns the answer's other fields.
func (s *Server) answer(c *Call, req *reqBody, q map[string][]string) answer {
	get := func(k string) string {
		if v := q[k]; len(v) > 0 {
			return v[0]
		}
		return ""
	}
	switch c.Path {
	case PathOAToken:
		c.To = []string{get("appid")}
		return s.issueToken(c, "oa", get("appid"), get("secret"))
	case PathWorkToken:
		c.To = []string{get("corpid")}
		return s.issueToken(c, "work", get("corpid"), get("corpsecret"))
	case PathRobot:
		if c.Key == "" {
			c.Errcode = CodeBadRobotKey
			return nil
		}
	default:
		kind := "oa"
		if c.Path == PathAppSend || c.Path == PathChatSend {
			kind = "work"
		}
		if c.Errcode = s.checkToken(c.Token, kind); c.Errcode != 0 {
			return nil
		}
	}
	if f := s.failNext[c.Path]; len(f) > 0 {
		s.failNext[c.Path] = f[1:]
		if f[0].status != 0 {
			c.Status = f[0].status
		} else {
			c.Errcode = f[0].errcode
		}
		return nil
	}
	switch c.Path {
	case PathRobot:
		return s.robot(c)
	case PathAppSend:
		return s.appSend(c, req)
	case PathChatSend:
		if req.ChatID == "" {
			c.Errcode = CodeBadParameter
			return nil
		}
		if c.Errcode = s.recipErr[req.ChatID]; c.Errcode == 0 {
			c.Errcode = s.checkContent(c, 2048)
		}
		if c.Errcode == 0 {
			s.deliver(c.Path, req.ChatID)
		}
	case PathCustomSend:
		if c.Errcode = s.checkOpenID(req.ToUser); c.Errcode != 0 {
			return nil
		}
		if c.MsgType != "text" {
			s.t.Errorf("pushtest: custom message msgtype %q, want text", c.MsgType)
		}
		if c.Errcode = s.checkContent(c, 1<<20); c.Errcode == 0 {
			s.deliver(c.Path, req.ToUser)
		}
	case PathTemplateSend:
		if c.Errcode = s.checkOpenID(req.ToUser); c.Errcode != 0 {
			return nil
		}
		if req.TemplateID == "" {
			c.Errcode = CodeBadTemplateID
			return nil
		}
		if req.ClientMsgID != "" {
			k := "tpl\x00" + req.ToUser + "\x00" + req.ClientMsgID
			if at, ok := s.dedup[k]; ok && c.Time.Sub(at) < 10*time.Minute {
				c.Duplicate = true
				return answer{"msgid": 1}
			}
			s.dedup[k] = c.Time
		}
		s.deliver(c.Path, req.ToUser)
		return answer{"msgid": 1}
	case PathTagGet:
		return s.tagGet(c, req)
	}
	return nil
}

func (s *Server) issueToken(c *Call, kind, id, secret string) answer {
	switch {
	case id == "":
		c.Errcode = CodeMissingAppID
		return nil
	case secret == "":
		c.Errcode = CodeMissingSecret
		return nil
	}
	if f := s.failNext[c.Path]; len(f) > 0 {
		s.failNext[c.Path] = f[1:]
		if f[0].status != 0 {
			c.Status = f[0].status
		} else {
			c.Errcode = f[0].errcode
		}
		return nil
	}
	s.nextToken++
	tok := fmt.Sprintf("%s-token-%d", kind, s.nextToken)
	s.tokens[tok] = &tokenInfo{kind: kind}
	return answer{"access_token": tok, "expires_in": 7200}
}

func (s *Server) checkToken(tok, kind string) int {
	if tok == "" {
		return CodeMissingToken
	}
	ti, ok := s.tokens[tok]
	if !ok || ti.kind != kind {
		return CodeInvalidToken
	}
	return ti.errcode
}

func (s *Server) checkOpenID(id string) int {
	if id == "" {
		return CodeBadOpenID
	}
	return s.recipErr[id]
}

func (s *Server) checkContent(c *Call, max int) int {
	switch {
	case c.MsgType != "text" && c.MsgType != "markdown":
		s.t.Errorf("pushtest: %s msgtype %q not emulated", c.Path, c.MsgType)
		return CodeBadParameter
	case c.Content == "":
		return CodeEmptyContent
	case len(c.Content) > max:
		return CodeTooLong
	}
	return 0
}

func (s *Server) deliver(path string, ids ...string) {
	m := s.delivered[path]
	if m == nil {
		m = map[string]int{}
		s.delivered[path] = m
	}
	for _, id := range ids {
		m[id]++
	}
}

func (s *Server) robot(c *Call) answer {
	if code := s.recipErr[c.Key]; code != 0 {
		c.Errcode = code
		return nil
	}
	max := 2048
	if c.MsgType == "markdown" {
		max = 4096
	}
	if c.Errcode = s.checkContent(c, max); c.Errcode != 0 {
		return nil
	}
	if l := s.robotLimit; l.n > 0 {
		recent := s.robotSends[c.Key][:0]
		for _, t := range s.robotSends[c.Key] {
			if c.Time.Sub(t) < l.per {
				recent = append(recent, t)
			}
		}
		s.robotSends[c.Key] = recent
		if len(recent) >= l.n {
			c.Errcode = CodeRateLimit
			return nil
		}
		s.robotSends[c.Key] = append(recent, c.Time)
	}
	s.deliver(c.Path, c.Key)
	return nil
}

func (s *Server) appSend(c *Call, req *reqBody) answer {
	switch {
	case c.AgentID <= 0:
		c.Errcode = CodeBadAgentID
		return nil
	case len(c.To) > 1000 || len(c.Depts) > 100 || len(c.Tags) > 100:
		s.t.Errorf("pushtest: message/send with %d users, %d departments, %d tags: over WeCom's limits",
			len(c.To), len(c.Depts), len(c.Tags))
		c.Errcode = CodeBadParameter
		return nil
	case len(c.To)+len(c.Depts)+len(c.Tags) == 0:
		c.Errcode = CodeNoValidReceiver
		return nil
	}
	if c.Errcode = s.checkContent(c, 2048); c.Errcode != 0 {
		return nil
	}
	var invUsers, unlicensed, invParties, invTags []string
	var ok []string
	for _, id := range c.To {
		switch l := strings.ToLower(id); {
		case s.invalid["user:"+l]:
			invUsers = append(invUsers, l)
		case s.invalid["unlicensed:"+l]:
			unlicensed = append(unlicensed, l)
		default:
			ok = append(ok, id)
		}
	}
	for _, id := range c.Depts {
		if s.invalid["party:"+strings.ToLower(id)] {
			invParties = append(invParties, id)
		} else {
			ok = append(ok, "party:"+id)
		}
	}
	for _, id := range c.Tags {
		if s.invalid["tag:"+strings.ToLower(id)] {
			invTags = append(invTags, id)
		} else {
			ok = append(ok, "tag:"+id)
		}
	}
	if len(ok) == 0 {
		c.Errcode = CodeNoValidReceiver
		return nil
	}
	if req.EnableDuplicateCheck == 1 {
		interval := time.Duration(req.DuplicateCheckInterval) * time.Second
		if interval <= 0 {
			interval = 1800 * time.Second
		}
		sum := sha256.Sum256(c.Body)
		k := string(sum[:])
		if at, seen := s.dedup[k]; seen && c.Time.Sub(at) < interval {
			c.Duplicate = true
			return answer{"msgid": "dup"}
		}
		s.dedup[k] = c.Time
	}
	s.deliver(c.Path, ok...)
	return answer{
		"invaliduser":    strings.Join(invUsers, "|"),
		"invalidparty":   strings.Join(invParties, "|"),
		"invalidtag":     strings.Join(invTags, "|"),
		"unlicenseduser": strings.Join(unlicensed, "|"),
		"msgid":          "msg-" + strconv.Itoa(len(s.calls)+1),
	}
}

func (s *Server) tagGet(c *Call, req *reqBody) answer {
	ids, ok := s.tags[req.TagID]
	if !ok {
		c.Errcode = CodeBadTagID
		return nil
	}
	start := 0
	if req.NextOpenID != "" {
		i := slices.Index(ids, req.NextOpenID)
		if i < 0 {
			c.Errcode = CodeBadOpenID
			return nil
		}
		start = i + 1
	}
	end := min(start+s.pageSize, len(ids))
	page := ids[start:end]
	next := ""
	if len(page) > 0 {
		next = page[len(page)-1]
	}
	a := answer{"count": len(page), "next_openid": next}
	if len(page) > 0 {
		a["data"] = map[string]any{"openid": page}
	}
	return a
}
