// Package webhook serves the callbacks WeChat calls: the Official Account
// (公众号) message webhook in plaintext, compatible and safe mode, and the
// WeCom (企业微信) app callback. It verifies the signatures and the
// timestamp, bounds the body, decrypts, decodes the XML into a bot.Message,
// calls the bot.Handler and writes the passive reply (encrypted where the
// request was) exactly as WeChat expects. Nothing reaches the bot.Handler
// before all of that has passed.
//
// See docs/webhooks.md for the protocol, the status code of each refused
// request and the configuration.
package webhook

import (
	"context"
	"crypto/rand"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/silenceper/wechat/v2/officialaccount/message"

	"github.com/yingpu/govbot/bot"
	"github.com/yingpu/govbot/clock"
	"github.com/yingpu/govbot/config"
	"github.com/yingpu/govbot/handlers/webhook/wxcrypto"
)

// Defaults of Options.
const (
	DefaultMaxClockSkew   = config.DefaultMaxClockSkew
	DefaultMaxBodyBytes   = 64 << 10
	DefaultHandlerTimeout = 4 * time.Second
	// MaxReplyBytes is WeChat's limit on a passive text reply.
	MaxReplyBytes = 2048
)

// Options are shared by both webhooks.
type Options struct {
	// Handler answers the decoded messages. Required.
	Handler bot.Handler
	// Clock judges the request timestamps and stamps replies; nil means
	// the system clock.
	Clock clock.Clock
	// Logger receives refused requests (warn) and per-message traces
	// (debug); never message content. nil discards.
	Logger *slog.Logger
	// HashSender, when set, turns a sender id (openid / userid) into a
	// keyed hash that may be logged; when nil the sender is not logged.
	HashSender func(id string) string
	// Random supplies the random prefix of encrypted replies and their
	// nonces; nil means crypto/rand. It must be safe for concurrent use.
	Random io.Reader
	// MaxClockSkew: signed requests further than this from now are
	// refused (403). 0 means DefaultMaxClockSkew.
	MaxClockSkew time.Duration
	// MaxBodyBytes: larger bodies are refused (413). 0 means
	// DefaultMaxBodyBytes.
	MaxBodyBytes int64
	// HandlerTimeout bounds the context given to Handler (WeChat waits 5 s
	// for the reply). 0 means DefaultHandlerTimeout.
	HandlerTimeout time.Duration
	// MaxReplyBytes cuts replies on a UTF-8 boundary; 0 or more than
	// MaxReplyBytes means MaxReplyBytes.
	MaxReplyBytes int
}

// WithWebhookConfig returns o with the limits of config.Webhook.
func (o Options) WithWebhookConfig(wh config.Webhook) Options {
	o.MaxClockSkew = wh.MaxClockSkew
	o.MaxBodyBytes = wh.MaxBodyBytes
	return o
}

// httpError is a refused request: the status, a short message safe to show
// to anyone, and the detail for the debug log.
type httpError struct {
	status int
	msg    string
	err    error
}

func refuse(status int, msg string, err error) *httpError {
	return &httpError{status: status, msg: msg, err: err}
}

func errMethod() *httpError {
	return refuse(http.StatusMethodNotAllowed, "method not allowed", nil)
}

// core is what both webhooks share: limits, clock, logging, dispatch to the
// bot and the reply encoding.
type core struct {
	platform bot.Platform
	token    string
	cipher   *wxcrypto.Cipher // nil: plaintext only (Official Account)
	o        Options
}

func newCore(p bot.Platform, token string, o Options) (*core, error) {
	if o.Handler == nil {
		return nil, errors.New("webhook: no bot.Handler")
	}
	if token == "" {
		return nil, errors.New("webhook: token is empty")
	}
	if o.Clock == nil {
		o.Clock = clock.System{}
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.Random == nil {
		o.Random = rand.Reader
	}
	if o.MaxClockSkew <= 0 {
		o.MaxClockSkew = DefaultMaxClockSkew
	}
	if o.MaxBodyBytes <= 0 {
		o.MaxBodyBytes = DefaultMaxBodyBytes
	}
	if o.HandlerTimeout <= 0 {
		o.HandlerTimeout = DefaultHandlerTimeout
	}
	if o.MaxReplyBytes <= 0 || o.MaxReplyBytes > MaxReplyBytes {
		o.MaxReplyBytes = MaxReplyBytes
	}
	o.Logger = o.Logger.With("platform", string(p))
	return &core{platform: p, token: token, o: o}, nil
}

// render writes a refused request: the one place error responses are made.
func (c *core) render(w http.ResponseWriter, r *http.Request, e *httpError) {
	if e.status == http.StatusMethodNotAllowed {
		w.Header().Set("Allow", "GET, POST")
	}
	lvl := slog.LevelWarn
	if e.status == http.StatusMethodNotAllowed {
		lvl = slog.LevelDebug
	}
	c.o.Logger.Log(r.Context(), lvl, "webhook request refused",
		"method", r.Method, "status", e.status, "reason", e.msg)
	if e.err != nil {
		c.o.Logger.Debug("webhook request refused: detail", "reason", e.msg, "err", e.err)
	}
	http.Error(w, e.msg, e.status)
}

// params are the query parameters WeChat signs.
type params struct {
	signature    string
	msgSignature string
	timestamp    string
	nonce        string
	echostr      string
	encryptType  string
	ts           int64
}

func readParams(r *http.Request) (params, *httpError) {
	q := r.URL.Query()
	p := params{
		signature:    q.Get("signature"),
		msgSignature: q.Get("msg_signature"),
		timestamp:    q.Get("timestamp"),
		nonce:        q.Get("nonce"),
		echostr:      q.Get("echostr"),
		encryptType:  q.Get("encrypt_type"),
	}
	if p.timestamp == "" || p.nonce == "" {
		return p, refuse(http.StatusBadRequest, "missing timestamp or nonce", nil)
	}
	ts, err := strconv.ParseInt(p.timestamp, 10, 64)
	if err != nil || ts < 0 {
		return p, refuse(http.StatusBadRequest, "bad timestamp", err)
	}
	p.ts = ts
	return p, nil
}

// checkFresh refuses a timestamp further than MaxClockSkew from now in
// either direction. Only called after the signature has verified.
func (c *core) checkFresh(p params) *httpError {
	d := c.o.Clock.Now().Sub(time.Unix(p.ts, 0))
	if d > c.o.MaxClockSkew || d < -c.o.MaxClockSkew {
		return refuse(http.StatusForbidden, "timestamp outside the allowed window",
			fmt.Errorf("request timestamp is %v from now", d.Round(time.Second)))
	}
	return nil
}

func (c *core) verify(sig string, parts ...string) *httpError {
	if !wxcrypto.VerifySignature(sig, parts...) {
		return refuse(http.StatusForbidden, "bad signature", nil)
	}
	return nil
}

func (c *core) readBody(w http.ResponseWriter, r *http.Request) ([]byte, *httpError) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, c.o.MaxBodyBytes))
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return nil, refuse(http.StatusRequestEntityTooLarge, "request body too large", err)
		}
		return nil, refuse(http.StatusBadRequest, "unreadable request body", err)
	}
	return body, nil
}

// envelope is the outer XML of an encrypted message (safe and compatible
// mode, WeCom). silenceper's type ignores the plaintext fields that
// compatible mode also carries.
func (c *core) openEnvelope(body []byte) (string, *httpError) {
	var env message.EncryptedXMLMsg
	if err := xml.Unmarshal(body, &env); err != nil {
		return "", refuse(http.StatusBadRequest, "malformed XML", err)
	}
	if env.EncryptedMsg == "" {
		return "", refuse(http.StatusBadRequest, "missing Encrypt", nil)
	}
	return env.EncryptedMsg, nil
}

func (c *core) decrypt(enc string) ([]byte, *httpError) {
	pt, err := c.cipher.Decrypt(enc)
	if err != nil {
		return nil, refuse(http.StatusBadRequest, "bad encrypted payload", err)
	}
	return pt, nil
}

// inbound is the XML of a message or event (both platforms).
type inbound struct {
	XMLName      xml.Name `xml:"xml"`
	ToUserName   string   `xml:"ToUserName"`
	FromUserName string   `xml:"FromUserName"`
	CreateTime   int64    `xml:"CreateTime"`
	MsgType      string   `xml:"MsgType"`
	MsgID        string   `xml:"MsgId"`
	Content      string   `xml:"Content"`
	Recognition  string   `xml:"Recognition"`
	LocationX    float64  `xml:"Location_X"`
	LocationY    float64  `xml:"Location_Y"`
	Label        string   `xml:"Label"`
	Event        string   `xml:"Event"`
	EventKey     string   `xml:"EventKey"`
	Latitude     float64  `xml:"Latitude"`
	Longitude    float64  `xml:"Longitude"`
	AgentID      string   `xml:"AgentID"`
}

// canonicalEvent spells the common event names as the Official Account
// does, whatever their case (WeCom sends "click" and "view" in lower case);
// other events are returned as sent.
func canonicalEvent(e string) string {
	switch strings.ToLower(e) {
	case "subscribe":
		return "subscribe"
	case "unsubscribe":
		return "unsubscribe"
	case "scan":
		return "SCAN"
	case "click":
		return "CLICK"
	case "view":
		return "VIEW"
	case "location":
		return "LOCATION"
	}
	return e
}

func (c *core) decodeMessage(raw []byte) (bot.Message, *httpError) {
	var in inbound
	if err := xml.Unmarshal(raw, &in); err != nil {
		return bot.Message{}, refuse(http.StatusBadRequest, "malformed XML", err)
	}
	m := bot.Message{
		Platform: c.platform,
		ToUser:   strings.TrimSpace(in.ToUserName),
		FromUser: strings.TrimSpace(in.FromUserName),
		MsgID:    strings.TrimSpace(in.MsgID),
		MsgType:  strings.TrimSpace(in.MsgType),
		AgentID:  strings.TrimSpace(in.AgentID),
	}
	if m.ToUser == "" || m.FromUser == "" || m.MsgType == "" {
		return m, refuse(http.StatusBadRequest, "incomplete message", nil)
	}
	if in.CreateTime > 0 {
		m.CreateTime = time.Unix(in.CreateTime, 0).In(clock.Shanghai)
	}
	switch m.MsgType {
	case "text":
		m.Content = in.Content
	case "voice":
		m.Recognition = strings.TrimSpace(in.Recognition)
	case "location":
		m.Lat, m.Lon, m.Label = in.LocationX, in.LocationY, strings.TrimSpace(in.Label)
	case "event":
		m.Event = canonicalEvent(strings.TrimSpace(in.Event))
		m.EventKey = strings.TrimSpace(in.EventKey)
		if m.Event == "LOCATION" {
			m.Lat, m.Lon = in.Latitude, in.Longitude
		}
	}
	return m, nil
}

// dispatch calls the bot and returns the text to reply, "" for none. A bot
// error or panic is logged and answered with nothing, so that WeChat does
// not retry a message the bot cannot handle.
func (c *core) dispatch(ctx context.Context, m bot.Message) (text string) {
	start := time.Now()
	log := c.o.Logger.With("msg_type", m.MsgType)
	if m.Event != "" {
		log = log.With("event", m.Event)
	}
	if c.o.HashSender != nil {
		log = log.With("sender", c.o.HashSender(m.FromUser))
	}
	defer func() {
		if p := recover(); p != nil {
			log.Error("bot handler panicked", "panic", fmt.Sprint(p))
			text = ""
		}
	}()
	ctx, cancel := context.WithTimeout(ctx, c.o.HandlerTimeout)
	defer cancel()
	reply, err := c.o.Handler.Handle(ctx, m)
	if err != nil {
		log.Warn("bot handler failed", "err", err)
		return ""
	}
	text = clampReply(reply.Text, c.o.MaxReplyBytes)
	log.Debug("webhook message handled", "reply_bytes", len(text), "elapsed", time.Since(start))
	return text
}

// clampReply drops characters XML cannot carry and cuts s to at most max
// bytes on a UTF-8 boundary.
func clampReply(s string, max int) string {
	s = strings.Map(func(r rune) rune {
		if r == utf8.RuneError || !xmlChar(r) {
			return -1
		}
		return r
	}, s)
	if len(s) <= max {
		return s
	}
	n := max
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

// xmlChar reports whether r is allowed in an XML 1.0 document.
func xmlChar(r rune) bool {
	return r == 0x09 || r == 0x0A || r == 0x0D ||
		r >= 0x20 && r <= 0xD7FF ||
		r >= 0xE000 && r <= 0xFFFD ||
		r >= 0x10000 && r <= 0x10FFFF
}

// textReply is the passive text reply XML: to the sender, from the account.
func (c *core) textReply(m bot.Message, text string) ([]byte, error) {
	t := message.NewText(text)
	t.SetToUserName(message.CDATA(m.FromUser))
	t.SetFromUserName(message.CDATA(m.ToUser))
	t.SetCreateTime(c.o.Clock.Now().Unix())
	t.SetMsgType(message.MsgTypeText)
	return xml.Marshal(t)
}

// encryptReply wraps an inner reply in the encrypted envelope with a fresh
// timestamp, nonce and msg_signature.
func (c *core) encryptReply(inner []byte) ([]byte, error) {
	enc, err := c.cipher.Encrypt(inner)
	if err != nil {
		return nil, err
	}
	nonce, err := c.nonce()
	if err != nil {
		return nil, err
	}
	ts := c.o.Clock.Now().Unix()
	return xml.Marshal(message.ResponseEncryptedXMLMsg{
		EncryptedMsg: enc,
		MsgSignature: wxcrypto.Signature(c.token, strconv.FormatInt(ts, 10), nonce, enc),
		Timestamp:    ts,
		Nonce:        nonce,
	})
}

// nonce returns 10 random decimal digits.
func (c *core) nonce() (string, error) {
	var b [10]byte
	if _, err := io.ReadFull(c.o.Random, b[:]); err != nil {
		return "", fmt.Errorf("webhook: nonce: %w", err)
	}
	for i := range b {
		b[i] = '0' + b[i]%10
	}
	return string(b[:]), nil
}

// reply writes the answer to m: the passive text reply (encrypted when
// encrypt), or empty when there is nothing to say.
func (c *core) reply(w http.ResponseWriter, m bot.Message, text string, encrypt bool, empty string) {
	if text == "" {
		writeEmpty(w, empty)
		return
	}
	out, err := c.textReply(m, text)
	if err == nil && encrypt {
		out, err = c.encryptReply(out)
	}
	if err != nil {
		c.o.Logger.Error("webhook reply encoding failed", "err", err)
		writeEmpty(w, empty)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "application/xml; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	_, _ = w.Write(out)
}

func writeEmpty(w http.ResponseWriter, body string) {
	h := w.Header()
	h.Set("Content-Type", "text/plain; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusOK)
	_, _ = io.WriteString(w, body)
}

func writePlain(w http.ResponseWriter, body string) {
	h := w.Header()
	h.Set("Content-Type", "text/plain; charset=utf-8")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Cache-Control", "no-store")
	_, _ = io.WriteString(w, body)
}
