// Package wechattest plays WeChat against the webhooks of handlers/webhook:
// it builds requests signed and encrypted exactly as the Official Account
// platform and WeCom send them, and decodes (verifying and decrypting) the
// passive replies as they would. For tests and benchmarks.
//
//	oa := wechattest.NewOA(token, aesKey, appID)
//	req := oa.SignedTextRequest("o-user", "办事指南", now)
//	rec := httptest.NewRecorder()
//	handler.ServeHTTP(rec, req)
//	text, err := oa.DecodeReply(rec.Result())
package wechattest

import (
	"crypto/rand"
	"encoding/binary"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/yingpu/govbot/handlers/webhook/wxcrypto"
)

// Mode is the Official Account message encryption mode.
type Mode int

const (
	// Plaintext (明文模式): signature only, plaintext body.
	Plaintext Mode = iota
	// Compatible (兼容模式): plaintext fields and Encrypt in one body,
	// encrypt_type=aes.
	Compatible
	// Safe (安全模式): Encrypt only, encrypt_type=aes.
	Safe
)

// Reply is a decoded passive reply.
type Reply struct {
	ToUserName   string
	FromUserName string
	CreateTime   int64
	MsgType      string
	Content      string
}

// account is what both platforms share.
type account struct {
	token  string
	cipher *wxcrypto.Cipher
	msgID  atomic.Int64
	// Path is the request path (the handler does not look at it).
	Path string
	// BaseURL, when set (e.g. an httptest.Server URL), makes the requests
	// client requests to BaseURL+Path that http.Client can send; otherwise
	// they are server requests for Handler.ServeHTTP.
	BaseURL string
}

func (a *account) init(token, aesKey, receiveID, path string) {
	a.token, a.Path = token, path
	a.msgID.Store(7000000000000000000)
	if aesKey != "" {
		c, err := wxcrypto.NewCipher(aesKey, receiveID, nil)
		if err != nil {
			panic("wechattest: " + err.Error())
		}
		a.cipher = c
	}
}

func (a *account) nextMsgID() int64 { return a.msgID.Add(1) }

// Nonce returns a random 9-digit nonce, like WeChat's.
func Nonce() string {
	var b [8]byte
	_, _ = rand.Read(b[:])
	return strconv.FormatUint(100000000+binary.BigEndian.Uint64(b[:])%900000000, 10)
}

func (a *account) request(method string, q url.Values, body string) *http.Request {
	target := a.Path + "?" + q.Encode()
	var rd io.Reader
	if method == http.MethodPost {
		rd = strings.NewReader(body)
	}
	var r *http.Request
	if a.BaseURL != "" {
		var err error
		r, err = http.NewRequest(method, strings.TrimRight(a.BaseURL, "/")+target, rd)
		if err != nil {
			panic("wechattest: " + err.Error())
		}
	} else {
		r = httptest.NewRequest(method, target, rd)
	}
	if method == http.MethodPost {
		r.Header.Set("Content-Type", "text/xml")
	}
	r.Header.Set("User-Agent", "Mozilla/4.0")
	return r
}

// encryptEnvelope encrypts inner and returns the Encrypt value.
func (a *account) encrypt(inner string) string {
	enc, err := a.cipher.Encrypt([]byte(inner))
	if err != nil {
		panic("wechattest: " + err.Error())
	}
	return enc
}

// Encrypt encrypts a message with the account's key and receive id.
func (a *account) Encrypt(inner string) string { return a.encrypt(inner) }

// Signature signs parts with the account's token.
func (a *account) Signature(parts ...string) string {
	return wxcrypto.Signature(append([]string{a.token}, parts...)...)
}

func unix(ts time.Time) string { return strconv.FormatInt(ts.Unix(), 10) }

// MessageXML builds a message as WeChat does: the common fields, then extra
// name/value pairs (in CDATA). msgID 0 leaves MsgId out (events).
func MessageXML(to, from, msgType string, ts time.Time, msgID int64, extra ...string) string {
	var b strings.Builder
	b.WriteString("<xml>")
	cdata(&b, "ToUserName", to)
	cdata(&b, "FromUserName", from)
	fmt.Fprintf(&b, "<CreateTime>%d</CreateTime>", ts.Unix())
	cdata(&b, "MsgType", msgType)
	for i := 0; i+1 < len(extra); i += 2 {
		cdata(&b, extra[i], extra[i+1])
	}
	if msgID != 0 {
		fmt.Fprintf(&b, "<MsgId>%d</MsgId>", msgID)
	}
	b.WriteString("</xml>")
	return b.String()
}

func cdata(b *strings.Builder, name, value string) {
	b.WriteString("<" + name + "><![CDATA[")
	b.WriteString(strings.ReplaceAll(value, "]]>", "]]]]><![CDATA[>"))
	b.WriteString("]]></" + name + ">")
}

// envelope is the encrypted outer XML, and the encrypted reply.
type envelope struct {
	XMLName      xml.Name `xml:"xml"`
	ToUserName   string   `xml:"ToUserName"`
	AgentID      string   `xml:"AgentID"`
	Encrypt      string   `xml:"Encrypt"`
	MsgSignature string   `xml:"MsgSignature"`
	TimeStamp    string   `xml:"TimeStamp"`
	Nonce        string   `xml:"Nonce"`
}

// decodeReply reads a webhook response as WeChat does. encrypted demands
// the encrypted envelope, whose msg_signature must verify.
func (a *account) decodeReply(resp *http.Response, encrypted bool) (Reply, error) {
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return Reply{}, err
	}
	if resp.StatusCode != http.StatusOK {
		return Reply{}, fmt.Errorf("wechattest: status %d: %s", resp.StatusCode, strings.TrimSpace(string(body)))
	}
	s := strings.TrimSpace(string(body))
	if s == "" || s == "success" {
		return Reply{}, nil
	}
	inner := body
	if encrypted {
		var env envelope
		if err := xml.Unmarshal(body, &env); err != nil {
			return Reply{}, fmt.Errorf("wechattest: reply envelope: %w", err)
		}
		if env.Encrypt == "" {
			return Reply{}, errors.New("wechattest: reply is not encrypted")
		}
		if !wxcrypto.VerifySignature(env.MsgSignature, a.token, env.TimeStamp, env.Nonce, env.Encrypt) {
			return Reply{}, errors.New("wechattest: reply msg_signature does not verify")
		}
		if env.TimeStamp == "" || env.Nonce == "" {
			return Reply{}, errors.New("wechattest: reply without TimeStamp or Nonce")
		}
		inner, err = a.cipher.Decrypt(env.Encrypt)
		if err != nil {
			return Reply{}, fmt.Errorf("wechattest: reply: %w", err)
		}
	}
	var r Reply
	if err := xml.Unmarshal(inner, &r); err != nil {
		return Reply{}, fmt.Errorf("wechattest: reply XML: %w", err)
	}
	if r.MsgType != "text" {
		return r, fmt.Errorf("wechattest: reply MsgType %q", r.MsgType)
	}
	return r, nil
}

// OA plays the Official Account platform.
type OA struct {
	account
	// AppID is the receive id of encrypted messages.
	AppID string
	// Account is the ToUserName of messages (the gh_ id).
	Account string
	// Mode is the encryption mode.
	Mode Mode
}

// NewOA returns an Official Account in safe mode when aesKey is set, else
// in plaintext mode. It panics on an invalid aesKey.
func NewOA(token, aesKey, appID string) *OA {
	o := &OA{AppID: appID, Account: "gh_0123456789ab"}
	o.init(token, aesKey, appID, "/wechat/oa")
	if aesKey != "" {
		o.Mode = Safe
	}
	return o
}

// VerifyURLRequest is the console's server check (GET with signature,
// timestamp, nonce, echostr), the same in every mode.
func (o *OA) VerifyURLRequest(echostr string, ts time.Time) *http.Request {
	t, n := unix(ts), Nonce()
	q := url.Values{"signature": {o.Signature(t, n)}, "timestamp": {t}, "nonce": {n}, "echostr": {echostr}}
	return o.request(http.MethodGet, q, "")
}

// SignedTextRequest is a text message from the follower openid from.
func (o *OA) SignedTextRequest(from, text string, ts time.Time) *http.Request {
	return o.MessageRequest(from, "text", ts, "Content", text)
}

// MessageRequest is a message of msgType with extra name/value fields; an
// "event" has no MsgId.
func (o *OA) MessageRequest(from, msgType string, ts time.Time, extra ...string) *http.Request {
	var id int64
	if msgType != "event" {
		id = o.nextMsgID()
	}
	return o.SignedRequest(MessageXML(o.Account, from, msgType, ts, id, extra...), ts)
}

// SignedRequest posts inner (a message's XML) in o.Mode, signed with a
// fresh nonce and timestamp ts.
func (o *OA) SignedRequest(inner string, ts time.Time) *http.Request {
	q, body := o.Sign(inner, ts, Nonce())
	return o.request(http.MethodPost, q, body)
}

// Sign returns the query and body WeChat sends for inner in o.Mode.
func (o *OA) Sign(inner string, ts time.Time, nonce string) (url.Values, string) {
	t := unix(ts)
	q := url.Values{
		"signature": {o.Signature(t, nonce)},
		"timestamp": {t},
		"nonce":     {nonce},
		"openid":    {openID(inner)},
	}
	if o.Mode == Plaintext {
		return q, inner
	}
	enc := o.encrypt(inner)
	q.Set("encrypt_type", "aes")
	q.Set("msg_signature", o.Signature(t, nonce, enc))
	var body string
	if o.Mode == Compatible {
		// The plaintext fields, then Encrypt, in one document.
		body = strings.TrimSuffix(inner, "</xml>") + "<Encrypt><![CDATA[" + enc + "]]></Encrypt></xml>"
	} else {
		var b strings.Builder
		b.WriteString("<xml>")
		cdata(&b, "ToUserName", o.Account)
		cdata(&b, "Encrypt", enc)
		b.WriteString("</xml>")
		body = b.String()
	}
	return q, body
}

// PostRequest builds a POST with the given query and body, for requests
// tampered with after Sign.
func (o *OA) PostRequest(q url.Values, body string) *http.Request {
	return o.request(http.MethodPost, q, body)
}

// Request builds a request of any method with the given query and body.
func (o *OA) Request(method string, q url.Values, body string) *http.Request {
	return o.request(method, q, body)
}

// openID extracts FromUserName for the openid query parameter WeChat adds.
func openID(inner string) string {
	var m struct {
		From string `xml:"FromUserName"`
	}
	_ = xml.Unmarshal([]byte(inner), &m)
	return m.From
}

// DecodeReply returns the text of the webhook's passive reply, "" for
// "success" or an empty body. In compatible and safe mode the reply must be
// encrypted and its msg_signature must verify.
func (o *OA) DecodeReply(resp *http.Response) (string, error) {
	r, err := o.DecodeReplyMessage(resp)
	return r.Content, err
}

// DecodeReplyMessage is DecodeReply with the reply's addressing.
func (o *OA) DecodeReplyMessage(resp *http.Response) (Reply, error) {
	return o.decodeReply(resp, o.Mode != Plaintext)
}

// Work plays WeCom calling an app's callback.
type Work struct {
	account
	// CorpID is the receive id and the ToUserName of messages.
	CorpID string
	// AgentID is the app's id in messages.
	AgentID string
}

// NewWork returns a WeCom corp; it panics on an invalid aesKey.
func NewWork(token, aesKey, corpID string) *Work {
	if aesKey == "" {
		panic("wechattest: WeCom needs an EncodingAESKey")
	}
	w := &Work{CorpID: corpID, AgentID: "1000002"}
	w.init(token, aesKey, corpID, "/wechat/work")
	return w
}

// VerifyURLRequest is the console's URL check: echostr encrypted, signed
// with msg_signature; the handler must answer echoPlain.
func (w *Work) VerifyURLRequest(echoPlain string, ts time.Time) *http.Request {
	t, n := unix(ts), Nonce()
	enc := w.encrypt(echoPlain)
	q := url.Values{"msg_signature": {w.Signature(t, n, enc)}, "timestamp": {t}, "nonce": {n}, "echostr": {enc}}
	return w.request(http.MethodGet, q, "")
}

// SignedTextRequest is a text message from the member userid from.
func (w *Work) SignedTextRequest(from, text string, ts time.Time) *http.Request {
	return w.MessageRequest(from, "text", ts, "Content", text)
}

// MessageRequest is a message of msgType with extra name/value fields and
// the AgentID; an "event" has no MsgId.
func (w *Work) MessageRequest(from, msgType string, ts time.Time, extra ...string) *http.Request {
	var id int64
	if msgType != "event" {
		id = w.nextMsgID()
	}
	extra = append(extra, "AgentID", w.AgentID)
	return w.SignedRequest(MessageXML(w.CorpID, from, msgType, ts, id, extra...), ts)
}

// SignedRequest posts inner encrypted and signed with timestamp ts.
func (w *Work) SignedRequest(inner string, ts time.Time) *http.Request {
	q, body := w.Sign(inner, ts, Nonce())
	return w.request(http.MethodPost, q, body)
}

// Sign returns the query and body WeCom sends for inner.
func (w *Work) Sign(inner string, ts time.Time, nonce string) (url.Values, string) {
	return w.SignEncrypted(w.encrypt(inner), ts, nonce)
}

// SignEncrypted returns the query and body for an already encrypted
// payload (e.g. a published sample, or a corrupt one).
func (w *Work) SignEncrypted(enc string, ts time.Time, nonce string) (url.Values, string) {
	t := unix(ts)
	q := url.Values{"msg_signature": {w.Signature(t, nonce, enc)}, "timestamp": {t}, "nonce": {nonce}}
	var b strings.Builder
	b.WriteString("<xml>")
	cdata(&b, "ToUserName", w.CorpID)
	cdata(&b, "AgentID", w.AgentID)
	cdata(&b, "Encrypt", enc)
	b.WriteString("</xml>")
	return q, b.String()
}

// Request builds a request of any method with the given query and body.
func (w *Work) Request(method string, q url.Values, body string) *http.Request {
	return w.request(method, q, body)
}

// DecodeReply returns the text of the callback's encrypted passive reply,
// "" for an empty body.
func (w *Work) DecodeReply(resp *http.Response) (string, error) {
	r, err := w.DecodeReplyMessage(resp)
	return r.Content, err
}

// DecodeReplyMessage is DecodeReply with the reply's addressing.
func (w *Work) DecodeReplyMessage(resp *http.Response) (Reply, error) {
	return w.decodeReply(resp, true)
}
