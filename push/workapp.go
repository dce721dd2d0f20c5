package push

import (
	"context"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/silenceper/wechat/v2/cache"
	wxmessage "github.com/silenceper/wechat/v2/work/message"
	"github.com/yingpu/govbot/privacy"
)

// DefaultDuplicateCheckInterval is how long WeCom drops a repeat of the
// same app message request (same recipients, same content) when duplicate
// checking is on.
const DefaultDuplicateCheckInterval = 30 * time.Minute

// WorkAppOptions configure a WorkAppClient (from config work.corp_id,
// work.secret, work.agent_id).
type WorkAppOptions struct {
	API
	CorpID  string
	Secret  string
	AgentID string // the app's agentid, an integer
	// Cache holds the access token; nil means a private TokenCache. A
	// shared cache (for example Redis) lets several processes share one
	// token.
	Cache cache.Cache
	// DisableDuplicateCheck turns off WeCom's duplicate check, which is on
	// by default so that a call retried after a lost answer does not
	// deliver twice. DuplicateCheckInterval defaults to 30 minutes and is
	// at most 4 hours.
	DisableDuplicateCheck  bool
	DuplicateCheckInterval time.Duration
}

// WorkAppClient sends WeCom app messages (message/send) and app group chat
// messages (appchat/send). It is safe for concurrent use.
type WorkAppClient struct {
	c        *caller
	token    *tokenSource
	agentID  int
	dupCheck int
	dupSecs  int
}

var _ WorkApp = (*WorkAppClient)(nil)

// NewWorkApp returns a WeCom app sender.
func NewWorkApp(o WorkAppOptions) (*WorkAppClient, error) {
	if o.CorpID == "" || o.Secret == "" {
		return nil, fmt.Errorf("push: work app needs corp_id and secret")
	}
	agentID, err := strconv.Atoi(strings.TrimSpace(o.AgentID))
	if err != nil || agentID <= 0 {
		return nil, fmt.Errorf("push: work agent_id %q is not a positive integer", o.AgentID)
	}
	interval := o.DuplicateCheckInterval
	if interval <= 0 {
		interval = DefaultDuplicateCheckInterval
	}
	if interval > 4*time.Hour {
		return nil, fmt.Errorf("push: duplicate check interval %v is over WeCom's 4h", interval)
	}
	c, err := o.newCaller()
	if err != nil {
		return nil, err
	}
	tokenURL := "https://" + wecomHost + "/cgi-bin/gettoken?corpid=" + url.QueryEscape(o.CorpID) +
		"&corpsecret=" + url.QueryEscape(o.Secret)
	key := "govbot_work_access_token_" + o.CorpID + "_" + strconv.Itoa(agentID)
	w := &WorkAppClient{
		c:       c,
		token:   newTokenSource(c, "gettoken", tokenURL, key, o.Cache),
		agentID: agentID,
		dupSecs: int(interval / time.Second),
	}
	if !o.DisableDuplicateCheck {
		w.dupCheck = 1
	}
	return w, nil
}

// DuplicateCheck is how long WeCom drops a repeat of the same app message
// call (same recipients, same content): the duplicate check interval, or 0
// when the check is off. A call repeated within it after a lost answer or
// a crash does not deliver twice.
func (w *WorkAppClient) DuplicateCheck() time.Duration {
	if w.dupCheck == 0 {
		return 0
	}
	return time.Duration(w.dupSecs) * time.Second
}

type appText struct {
	Content string `json:"content"`
}

type appMessage struct {
	ToUser                 string   `json:"touser,omitempty"`
	ToParty                string   `json:"toparty,omitempty"`
	ToTag                  string   `json:"totag,omitempty"`
	MsgType                string   `json:"msgtype"`
	AgentID                int      `json:"agentid"`
	Text                   *appText `json:"text,omitempty"`
	Markdown               *appText `json:"markdown,omitempty"`
	EnableDuplicateCheck   int      `json:"enable_duplicate_check,omitempty"`
	DuplicateCheckInterval int      `json:"duplicate_check_interval,omitempty"`
}

type chatMessage struct {
	ChatID   string   `json:"chatid"`
	MsgType  string   `json:"msgtype"`
	Text     *appText `json:"text,omitempty"`
	Markdown *appText `json:"markdown,omitempty"`
}

func setContent(msgtype, text string) (t, md *appText) {
	if msgtype == "markdown" {
		return nil, &appText{Content: text}
	}
	return &appText{Content: text}, nil
}

// SendApp sends m to the users, departments and tags (IDs) in one call: at
// most 1000 users, 100 departments and 100 tags, at least one recipient,
// text or markdown of at most 2048 bytes; otherwise it refuses before any
// call. Recipients WeCom refused in a successful answer (invaliduser,
// invalidparty, invalidtag; users without a license, unlicenseduser, are
// counted as invalid users; user IDs are given as sent, although WeCom
// lowercases them) are returned in the result; when every
// recipient is refused WeCom answers errcode 81013, a permanent *Error.
func (w *WorkAppClient) SendApp(ctx context.Context, users, depts, tags []string, m Message) (WorkAppResult, error) {
	const api = "message/send"
	switch {
	case len(users) > MaxAppUsers:
		return WorkAppResult{}, rejectf(ErrTooManyRecipients, "work app: %d users, over the %d a call", len(users), MaxAppUsers)
	case len(depts) > MaxAppDepts:
		return WorkAppResult{}, rejectf(ErrTooManyRecipients, "work app: %d departments, over the %d a call", len(depts), MaxAppDepts)
	case len(tags) > MaxAppTags:
		return WorkAppResult{}, rejectf(ErrTooManyRecipients, "work app: %d tags, over the %d a call", len(tags), MaxAppTags)
	case len(users)+len(depts)+len(tags) == 0:
		return WorkAppResult{}, rejectf(ErrBadInput, "work app: no recipients")
	}
	msg := appMessage{AgentID: w.agentID, EnableDuplicateCheck: w.dupCheck}
	if w.dupCheck == 1 {
		msg.DuplicateCheckInterval = w.dupSecs
	}
	var err error
	if msg.ToUser, err = joinIDs("user", users); err != nil {
		return WorkAppResult{}, err
	}
	if msg.ToParty, err = joinIDs("department", depts); err != nil {
		return WorkAppResult{}, err
	}
	if msg.ToTag, err = joinIDs("tag", tags); err != nil {
		return WorkAppResult{}, err
	}
	var text string
	if msg.MsgType, text, err = content("work app", m, AppTextMaxBytes, AppMarkdownMaxBytes); err != nil {
		return WorkAppResult{}, err
	}
	msg.Text, msg.Markdown = setContent(msg.MsgType, text)

	var res wxmessage.SendResponse
	err = w.token.withToken(ctx, func(tok string) error {
		res = wxmessage.SendResponse{}
		u := "https://" + wecomHost + "/cgi-bin/message/send?access_token=" + url.QueryEscape(tok)
		return w.c.call(ctx, api, u, &msg, &res)
	})
	if err != nil {
		return WorkAppResult{}, err
	}
	return WorkAppResult{
		InvalidUsers: asSent(users, append(splitIDs(res.InvalidUser), splitIDs(res.UnlicensedUser)...)),
		InvalidDepts: splitIDs(res.InvalidParty),
		InvalidTags:  splitIDs(res.InvalidTag),
	}, nil
}

// SendChat sends m to an app group chat (应用群聊) by its chatid; text or
// markdown of at most 2048 bytes.
func (w *WorkAppClient) SendChat(ctx context.Context, chatID string, m Message) error {
	const api = "appchat/send"
	if strings.TrimSpace(chatID) == "" {
		return rejectf(ErrBadInput, "work app chat: chatid is empty")
	}
	msgtype, text, err := content("work app chat", m, AppTextMaxBytes, AppMarkdownMaxBytes)
	if err != nil {
		return err
	}
	msg := chatMessage{ChatID: chatID, MsgType: msgtype}
	msg.Text, msg.Markdown = setContent(msgtype, text)
	return w.token.withToken(ctx, func(tok string) error {
		u := "https://" + wecomHost + "/cgi-bin/appchat/send?access_token=" + url.QueryEscape(tok)
		return w.c.call(ctx, api, u, &msg, nil)
	})
}

// joinIDs joins IDs with '|', refusing empty IDs and IDs containing '|'.
func joinIDs(kind string, ids []string) (string, error) {
	for _, id := range ids {
		if id == "" || strings.ContainsAny(id, "| \t\r\n") {
			return "", rejectf(ErrBadInput, "work app: bad %s ID %s", kind, privacy.Redact(id))
		}
	}
	return strings.Join(ids, "|"), nil
}

// asSent maps the user IDs of an answer, which WeCom lowercases, back to
// the IDs as sent.
func asSent(sent, got []string) []string {
	if len(got) == 0 {
		return nil
	}
	byLower := make(map[string]string, len(sent))
	for _, id := range sent {
		byLower[strings.ToLower(id)] = id
	}
	out := make([]string, len(got))
	for i, id := range got {
		if orig, ok := byLower[strings.ToLower(id)]; ok {
			id = orig
		}
		out[i] = id
	}
	return out
}

// splitIDs splits a '|'-joined list; "" gives nil.
func splitIDs(s string) []string {
	if s == "" {
		return nil
	}
	var out []string
	for _, id := range strings.Split(s, "|") {
		if id != "" {
			out = append(out, id)
		}
	}
	return out
}
