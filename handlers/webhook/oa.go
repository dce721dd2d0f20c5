package webhook

import (
	"errors"
	"net/http"

	"github.com/yingpu/govbot/bot"
	"github.com/yingpu/govbot/config"
	"github.com/yingpu/govbot/handlers/webhook/wxcrypto"
)

// OfficialAccountOptions configure the Official Account webhook.
type OfficialAccountOptions struct {
	// Token is the webhook token of the account. Required.
	Token string
	// EncodingAESKey enables compatible / safe mode; empty means plaintext
	// only. When set, plaintext POSTs are refused (403): the plaintext
	// signature does not cover the body.
	EncodingAESKey string
	// AppID is the receive id of encrypted messages; required with
	// EncodingAESKey.
	AppID string
	Options
}

// OfficialAccountConfig returns the options of config.OfficialAccount and
// config.Webhook; the caller adds the Handler, Clock, Logger and HashSender.
func OfficialAccountConfig(oa config.OfficialAccount, wh config.Webhook) OfficialAccountOptions {
	return OfficialAccountOptions{
		Token:          oa.Token,
		EncodingAESKey: oa.EncodingAESKey,
		AppID:          oa.AppID,
		Options:        Options{}.WithWebhookConfig(wh),
	}
}

type officialAccount struct {
	*core
}

// NewOfficialAccount returns the Official Account webhook handler. Mount it
// for GET and POST on the path configured in the account's console (e.g.
// /wechat/oa).
func NewOfficialAccount(opts OfficialAccountOptions) (http.Handler, error) {
	c, err := newCore(bot.OfficialAccount, opts.Token, opts.Options)
	if err != nil {
		return nil, err
	}
	if opts.EncodingAESKey != "" {
		if opts.AppID == "" {
			return nil, errors.New("webhook: official account app id is required with an encoding_aes_key")
		}
		c.cipher, err = wxcrypto.NewCipher(opts.EncodingAESKey, opts.AppID, c.o.Random)
		if err != nil {
			return nil, err
		}
	}
	return &officialAccount{core: c}, nil
}

func (h *officialAccount) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if e := h.serve(w, r); e != nil {
		h.render(w, r, e)
	}
}

func (h *officialAccount) serve(w http.ResponseWriter, r *http.Request) *httpError {
	if r.Method != http.MethodGet && r.Method != http.MethodPost {
		return errMethod()
	}
	p, e := readParams(r)
	if e != nil {
		return e
	}
	if r.Method == http.MethodGet {
		return h.verifyURL(w, p)
	}
	switch p.encryptType {
	case "", "raw":
		return h.plaintext(w, r, p)
	case "aes":
		return h.encrypted(w, r, p)
	default:
		return refuse(http.StatusBadRequest, "unsupported encrypt_type", nil)
	}
}

// verifyURL answers the console's server check: the plaintext signature
// over (token, timestamp, nonce), echoing echostr. WeChat sends it this way
// in every mode.
func (h *officialAccount) verifyURL(w http.ResponseWriter, p params) *httpError {
	if p.signature == "" || p.echostr == "" {
		return refuse(http.StatusBadRequest, "missing signature or echostr", nil)
	}
	if e := h.verify(p.signature, h.token, p.timestamp, p.nonce); e != nil {
		return e
	}
	if e := h.checkFresh(p); e != nil {
		return e
	}
	writePlain(w, p.echostr)
	return nil
}

func (h *officialAccount) plaintext(w http.ResponseWriter, r *http.Request, p params) *httpError {
	if p.signature == "" {
		return refuse(http.StatusBadRequest, "missing signature", nil)
	}
	if e := h.verify(p.signature, h.token, p.timestamp, p.nonce); e != nil {
		return e
	}
	if h.cipher != nil {
		// The plaintext signature does not cover the body: with a key
		// configured, accept only messages whose msg_signature does.
		return refuse(http.StatusForbidden, "encrypted messages required", nil)
	}
	if e := h.checkFresh(p); e != nil {
		return e
	}
	body, e := h.readBody(w, r)
	if e != nil {
		return e
	}
	m, e := h.decodeMessage(body)
	if e != nil {
		return e
	}
	h.reply(w, m, h.dispatch(r.Context(), m), false, "success")
	return nil
}

// encrypted handles safe and compatible mode (encrypt_type=aes): the
// msg_signature covers the Encrypt element; the plaintext fields that
// compatible mode adds are ignored in favour of the decrypted message.
func (h *officialAccount) encrypted(w http.ResponseWriter, r *http.Request, p params) *httpError {
	if p.msgSignature == "" {
		return refuse(http.StatusBadRequest, "missing msg_signature", nil)
	}
	if p.signature != "" {
		if e := h.verify(p.signature, h.token, p.timestamp, p.nonce); e != nil {
			return e
		}
	}
	if h.cipher == nil {
		h.o.Logger.Error("encrypted message received but officialaccount.encoding_aes_key is not configured")
		return refuse(http.StatusBadRequest, "encryption not configured", nil)
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
	h.reply(w, m, h.dispatch(r.Context(), m), true, "success")
	return nil
}
