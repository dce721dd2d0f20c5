package push

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"unicode/utf8"

	"github.com/silenceper/wechat/v2/cache"
	"github.com/silenceper/wechat/v2/credential"
	"github.com/silenceper/wechat/v2/officialaccount/message"
	"github.com/silenceper/wechat/v2/officialaccount/user"

	"github.com/yingpu/govbot/clock"
)

// OfficialAccountOptions configure an OfficialAccountClient (from config
// officialaccount.app_id and officialaccount.app_secret).
type OfficialAccountOptions struct {
	API
	AppID     string
	AppSecret string
	// Cache holds the access token; nil means a private TokenCache. Note
	// that every fetch of an Official Account token retires the previous
	// one after five minutes: processes using the same account must share
	// a cache (or this client's TokenHandle).
	Cache cache.Cache
	// Template is the template message used by SendTemplate; its zero
	// value means none.
	Template Template
}

// Template maps a notice onto a template message (模板消息) approved for
// the account. Field names are the keys of the template's data, as shown in
// the template's detail page: "first"/"keyword1"/"remark" in classic
// templates, "thing1"/"time2" in the newer ones.
type Template struct {
	// ID is the template_id; "" means no template messages.
	ID string
	// TitleField receives Message.Title; "" puts the title before the body
	// in BodyField.
	TitleField string
	// BodyField receives Message.Body (required with ID).
	BodyField string
	// TimeField, when set, receives the send time as "2006-01-02 15:04"
	// (Asia/Shanghai).
	TimeField string
	// Fixed are constant fields, for example {"remark": "盈浦街道办事处"}.
	Fixed map[string]string
	// URL, when set, is opened when the follower taps the message.
	URL string
	// MaxFieldRunes, when positive, cuts longer values to that many
	// characters ending in "…" (the newer templates' "thing" fields take
	// 20 characters).
	MaxFieldRunes int
}

func (t Template) validate() error {
	if t.ID == "" {
		return nil
	}
	if t.BodyField == "" {
		return fmt.Errorf("push: template %s needs a body field", t.ID)
	}
	seen := map[string]bool{}
	for _, f := range []string{t.TitleField, t.BodyField, t.TimeField} {
		if f == "" {
			continue
		}
		if seen[f] || t.Fixed[f] != "" {
			return fmt.Errorf("push: template %s field %q is used twice", t.ID, f)
		}
		seen[f] = true
	}
	return nil
}

// OfficialAccountClient sends Official Account customer-service and
// template messages and lists followers by tag. It is safe for concurrent
// use.
type OfficialAccountClient struct {
	c     *caller
	token *tokenSource
	tpl   Template
}

var _ OfficialAccount = (*OfficialAccountClient)(nil)

// NewOfficialAccount returns an Official Account sender.
func NewOfficialAccount(o OfficialAccountOptions) (*OfficialAccountClient, error) {
	if o.AppID == "" || o.AppSecret == "" {
		return nil, fmt.Errorf("push: official account needs app_id and app_secret")
	}
	if err := o.Template.validate(); err != nil {
		return nil, err
	}
	c, err := o.newCaller()
	if err != nil {
		return nil, err
	}
	tokenURL := "https://" + wechatHost + "/cgi-bin/token?grant_type=client_credential&appid=" +
		url.QueryEscape(o.AppID) + "&secret=" + url.QueryEscape(o.AppSecret)
	return &OfficialAccountClient{
		c:     c,
		token: newTokenSource(c, "token", tokenURL, "govbot_oa_access_token_"+o.AppID, o.Cache),
		tpl:   o.Template,
	}, nil
}

// TokenHandle returns the client's access-token source (silenceper's
// interface), so that other code calling the account's API shares its
// token instead of fetching one that retires this one.
func (a *OfficialAccountClient) TokenHandle() credential.AccessTokenContextHandle { return a.token }

// SendCustom sends m as a customer-service text message (客服消息): the
// title, an empty line, the body. WeChat delivers it only to a follower who
// messaged the account within 48 hours (errcode 45015 otherwise) and allows
// a few such messages per follower message (45047): both permanent.
func (a *OfficialAccountClient) SendCustom(ctx context.Context, openID string, m Message) error {
	const api = "message/custom/send"
	if strings.TrimSpace(openID) == "" {
		return rejectf(ErrBadInput, "official account: openid is empty")
	}
	text := TextContent(m)
	if text == "" {
		return rejectf(ErrBadInput, "official account: message is empty")
	}
	msg := message.NewCustomerTextMessage(openID, text)
	return a.token.withToken(ctx, func(tok string) error {
		u := "https://" + wechatHost + "/cgi-bin/message/custom/send?access_token=" + url.QueryEscape(tok)
		return a.c.call(ctx, api, u, msg, nil)
	})
}

// HasTemplate reports whether a template message is configured.
func (a *OfficialAccountClient) HasTemplate() bool { return a.tpl.ID != "" }

// SendTemplate sends m as the configured template message; m.Key, when
// set, is sent as client_msg_id so that WeChat drops a repeat.
func (a *OfficialAccountClient) SendTemplate(ctx context.Context, openID string, m Message) error {
	const api = "message/template/send"
	if a.tpl.ID == "" {
		return &Error{Msg: "official account: no template message configured", cause: ErrNoTemplate}
	}
	if strings.TrimSpace(openID) == "" {
		return rejectf(ErrBadInput, "official account: openid is empty")
	}
	msg := a.templateMessage(openID, m)
	if msg.Data[a.tpl.BodyField].Value == "" && (a.tpl.TitleField == "" || msg.Data[a.tpl.TitleField].Value == "") {
		return rejectf(ErrBadInput, "official account: message is empty")
	}
	return a.token.withToken(ctx, func(tok string) error {
		u := "https://" + wechatHost + "/cgi-bin/message/template/send?access_token=" + url.QueryEscape(tok)
		return a.c.call(ctx, api, u, msg, nil)
	})
}

func (a *OfficialAccountClient) templateMessage(openID string, m Message) *message.TemplateMessage {
	t := a.tpl
	data := make(map[string]*message.TemplateDataItem, len(t.Fixed)+3)
	set := func(field, v string) {
		if t.MaxFieldRunes > 0 && utf8.RuneCountInString(v) > t.MaxFieldRunes {
			v = string([]rune(v)[:t.MaxFieldRunes-1]) + "…"
		}
		data[field] = &message.TemplateDataItem{Value: v}
	}
	for f, v := range t.Fixed {
		set(f, v)
	}
	if t.TitleField != "" {
		set(t.TitleField, strings.TrimSpace(m.Title))
		set(t.BodyField, strings.TrimSpace(m.Body))
	} else {
		set(t.BodyField, TextContent(m))
	}
	if t.TimeField != "" {
		set(t.TimeField, a.c.clock.Now().In(clock.Shanghai).Format("2006-01-02 15:04"))
	}
	return &message.TemplateMessage{
		ToUser:      openID,
		TemplateID:  t.ID,
		URL:         t.URL,
		Data:        data,
		ClientMsgID: m.Key,
	}
}

// maxTagPages bounds TagFollowers' paging (10,000 openids a page).
const maxTagPages = 10000

// TagFollowers lists the openids of the followers with a user tag
// (user/tag/get), following next_openid until the last page.
func (a *OfficialAccountClient) TagFollowers(ctx context.Context, tagID int) ([]string, error) {
	const api = "user/tag/get"
	type request struct {
		TagID      int    `json:"tagid"`
		NextOpenID string `json:"next_openid"`
	}
	var all []string
	req := request{TagID: tagID}
	for range maxTagPages {
		var page user.TagOpenIDList
		err := a.token.withToken(ctx, func(tok string) error {
			page = user.TagOpenIDList{}
			u := "https://" + wechatHost + "/cgi-bin/user/tag/get?access_token=" + url.QueryEscape(tok)
			return a.c.call(ctx, api, u, &req, &page)
		})
		if err != nil {
			return nil, err
		}
		all = append(all, page.Data.OpenIDs...)
		if page.NextOpenID == "" || len(page.Data.OpenIDs) == 0 || page.NextOpenID == req.NextOpenID {
			return all, nil
		}
		req.NextOpenID = page.NextOpenID
	}
	return nil, &Error{Msg: fmt.Sprintf("%s: tag %d has over %d pages", api, tagID, maxTagPages)}
}
