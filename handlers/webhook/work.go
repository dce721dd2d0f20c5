package webhook

import (
	"errors"
	"net/http"
	"strings"

	"github.com/yingpu/govbot/bot"
	"github.com/yingpu/govbot/config"
	"github.com/yingpu/govbot/handlers/webhook/wxcrypto"
)

// WorkOptions configure the WeCom app callback.
type WorkOptions struct {
	// Token, EncodingAESKey and CorpID (the receive id) are all required:
	// WeCom always encrypts.
	Token          string
	EncodingAESKey string
	CorpID         string
	Options
}

// WorkConfig returns the options of config.Work and config.Webhook; the
// caller adds the Handler, Clock, Logger and HashSender.
func WorkConfig(w config.Work, wh config.Webhook) WorkOptions {
	return WorkOptions{
		Token:          w.Token,
		EncodingAESKey: w.EncodingAESKey,
		CorpID:         w.CorpID,
		Options:        Options{}.WithWebhookConfig(wh),
	}
}

type work struct {
	*core
}

// NewWork returns the WeCom app callback handler. Mount it for GET and POST
// on the path set as the app's 接收消息 URL (e.g. /wechat/work).
func NewWork(opts WorkOptions) (http.Handler, error) {
	c, err := newCore(bot.Work, opts.Token, opts.Options)
	if err != nil {
		return nil, err
	}
	if opts.CorpID == "" {
		return nil, errors.New("webhook: WeCom corp id is empty")
	}
	c.cipher, err = wxcrypto.NewCipher(opts.EncodingAESKey, opts.CorpID, c.o.Random)
	if err != nil {
		return nil, err
	}
	return &work{core: c}, nil
}

func (h *work) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if e := h.serve(w, r); e != nil {
		h.render(w, r, e)
	}
}

func (h *work) serve(w http.ResponseWriter, r *http.Request) *httpError {
	if r.Method != http.MethodGet && r.Method != http.MethodPost {
		return errMethod()
	}
	p, e := readParams(r)
	if e != nil {
		return e
	}
	if p.msgSignature == "" {
		return refuse(http.StatusBadRequest, "missing msg_signature", nil)
	}
	if r.Method == http.MethodGet {
		return h.verifyURL(w, p)
	}
	body, e := h.readBody(w, r)
	if e != nil {
		return e
	}
	enc, e := h.openEnvelope(body)
	if e != nil {
		return e
	}
	if e := h.verify(p.msgSignature, h.token, p.timestamp, p.nonce, enc); e != nil {
		return e
	}
	if e := h.checkFresh(p); e != nil {
		return e
	}
	raw, e := h.decrypt(enc)
	if e != nil {
		return e
	}
	m, e := h.decodeMessage(raw)
	if e != nil {
		return e
	}
	h.reply(w, m, h.dispatch(r.Context(), m), true, "")
	return nil
}

// verifyURL answers the console's URL check: msg_signature over the
// encrypted echostr, whose plaintext is written back.
func (h *work) verifyURL(w http.ResponseWriter, p params) *httpError {
	if p.echostr == "" {
		return refuse(http.StatusBadRequest, "missing echostr", nil)
	}
	// Base64 has no spaces: a space is a "+" that was not URL-escaped.
	echostr := strings.ReplaceAll(p.echostr, " ", "+")
	if e := h.verify(p.msgSignature, h.token, p.timestamp, p.nonce, echostr); e != nil {
		return e
	}
	if e := h.checkFresh(p); e != nil {
		return e
	}
	plain, e := h.decrypt(echostr)
	if e != nil {
		return e
	}
	writePlain(w, string(plain))
	return nil
}
