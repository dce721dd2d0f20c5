package config

import (
	"encoding/base64"
	"fmt"
	"strings"
	"time"
)

// OfficialAccount (公众号) credentials. An empty EncodingAESKey means
// plaintext mode. The webhook is off unless Token is set.
type OfficialAccount struct {
	AppID          string `yaml:"app_id"`
	AppSecret      string `yaml:"app_secret"`
	Token          string `yaml:"token"`
	EncodingAESKey string `yaml:"encoding_aes_key"`
	Path           string `yaml:"path"`
	// Template is the template message used for notices to followers who
	// have not written within 48 hours (optional).
	Template OATemplate `yaml:"template"`
}

// OATemplate maps a notice onto an Official Account template message.
type OATemplate struct {
	// ID is the template_id; empty: no template messages.
	ID string `yaml:"id"`
	// TitleField, BodyField and TimeField name the template's data keys
	// that receive the notice title, body and send time.
	TitleField string `yaml:"title_field"`
	BodyField  string `yaml:"body_field"`
	TimeField  string `yaml:"time_field"`
	// URL opened when the follower taps the message (optional).
	URL string `yaml:"url"`
	// Fixed are constant data fields (e.g. the issuing office).
	Fixed map[string]string `yaml:"fixed"`
	// MaxFieldRunes cuts longer values ("thing" fields take 20); 0: no cut.
	MaxFieldRunes int `yaml:"max_field_runes"`
}

// Work (企业微信) app credentials. The callback is off unless Token and
// EncodingAESKey are set.
type Work struct {
	CorpID         string `yaml:"corp_id"`
	AgentID        string `yaml:"agent_id"`
	Secret         string `yaml:"secret"`
	Token          string `yaml:"token"`
	EncodingAESKey string `yaml:"encoding_aes_key"`
	Path           string `yaml:"path"`
}

// Defaults of the webhook section.
const (
	DefaultMaxClockSkew = 5 * time.Minute
	DefaultDedupeMax    = 20000
)

// Webhook limits, shared by the Official Account and WeCom callbacks.
type Webhook struct {
	// MaxClockSkew: a signed request whose timestamp is further than this
	// from now, in either direction, is refused (403).
	MaxClockSkew time.Duration `yaml:"max_clock_skew"`
	// MaxBodyBytes: a larger request body is refused (413).
	MaxBodyBytes int64 `yaml:"max_body_bytes"`
	// DedupeMax bounds the messages remembered (with their replies, in the
	// database) so that one delivered again within twice MaxClockSkew is
	// answered as the first time and not acted on twice; past it the
	// oldest are forgotten first.
	DedupeMax int `yaml:"dedupe_max"`
}

// WebhookEnabled reports whether the Official Account webhook is served:
// when a token is set.
func (o OfficialAccount) WebhookEnabled() bool { return o.Token != "" }

// SafeMode reports whether messages are encrypted (安全模式 / 兼容模式):
// when an EncodingAESKey is set.
func (o OfficialAccount) SafeMode() bool { return o.EncodingAESKey != "" }

// CallbackEnabled reports whether the WeCom app callback is served: when
// the token, the EncodingAESKey and the corp id are all set (WeCom always
// encrypts).
func (w Work) CallbackEnabled() bool {
	return w.Token != "" && w.EncodingAESKey != "" && w.CorpID != ""
}

// QueryLog settings (需求驱动: what residents ask).
type QueryLog struct {
	RetentionDays int    `yaml:"retention_days"`
	HashKey       string `yaml:"hash_key"`
}

// MenuItem maps an Official Account menu CLICK key to a question or topic.
type MenuItem struct {
	Key      string `yaml:"key"`
	Question string `yaml:"question"`
	Topic    string `yaml:"topic"`
}

func defaultOfficialAccount() OfficialAccount { return OfficialAccount{Path: "/wechat/oa"} }
func defaultWork() Work                       { return Work{Path: "/wechat/work"} }
func defaultWebhook() Webhook {
	return Webhook{MaxClockSkew: DefaultMaxClockSkew, MaxBodyBytes: 64 << 10, DedupeMax: DefaultDedupeMax}
}
func defaultQueryLog() QueryLog { return QueryLog{RetentionDays: 180} }

func (c *Config) validateWechat() []error {
	var errs []error
	add := func(format string, a ...any) { errs = append(errs, fmt.Errorf(format, a...)) }

	oa := c.OfficialAccount
	if oa.Token != "" && !validToken(oa.Token, 3) {
		add("officialaccount.token must be 3 to 32 letters or digits")
	}
	if oa.EncodingAESKey != "" {
		if err := checkAESKey(oa.EncodingAESKey); err != nil {
			add("officialaccount.encoding_aes_key %v", err)
		}
		if oa.Token == "" {
			add("officialaccount.encoding_aes_key is set but officialaccount.token is empty")
		}
		if oa.AppID == "" {
			add("officialaccount.app_id is required when officialaccount.encoding_aes_key is set (it is the receive id of encrypted messages)")
		}
	}
	if oa.WebhookEnabled() && !strings.HasPrefix(oa.Path, "/") {
		add("officialaccount.path %q must start with /", oa.Path)
	}

	w := c.Work
	if w.Token != "" {
		if !validToken(w.Token, 1) {
			add("work.token must be 1 to 32 letters or digits")
		}
		if w.CorpID == "" {
			add("work.corp_id is required when work.token is set")
		}
		if w.EncodingAESKey == "" {
			add("work.encoding_aes_key is required when work.token is set (WeCom callbacks are always encrypted)")
		}
	}
	if w.EncodingAESKey != "" {
		if err := checkAESKey(w.EncodingAESKey); err != nil {
			add("work.encoding_aes_key %v", err)
		}
		if w.Token == "" {
			add("work.encoding_aes_key is set but work.token is empty")
		}
	}
	if w.CallbackEnabled() && !strings.HasPrefix(w.Path, "/") {
		add("work.path %q must start with /", w.Path)
	}
	if oa.WebhookEnabled() && w.CallbackEnabled() && oa.Path == w.Path {
		add("officialaccount.path and work.path are both %q", oa.Path)
	}

	wh := c.Webhook
	if wh.MaxClockSkew < 30*time.Second || wh.MaxClockSkew > time.Hour {
		add("webhook.max_clock_skew %v is outside 30s..1h", wh.MaxClockSkew)
	}
	if wh.DedupeMax < 1000 || wh.DedupeMax > 1_000_000 {
		add("webhook.dedupe_max %d is outside 1000..1000000", wh.DedupeMax)
	}
	if wh.MaxBodyBytes < 4<<10 || wh.MaxBodyBytes > 1<<20 {
		add("webhook.max_body_bytes %d is outside 4096..1048576", wh.MaxBodyBytes)
	}
	return errs
}

// validToken: WeChat requires the callback token to be letters or digits,
// at most 32 characters (at least 3 for the Official Account).
func validToken(s string, minLen int) bool {
	if len(s) < minLen || len(s) > 32 {
		return false
	}
	for _, r := range s {
		if !('a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9') {
			return false
		}
	}
	return true
}

// checkAESKey: an EncodingAESKey is 43 characters of base64 that decode
// (with a trailing "=") to a 32-byte AES-256 key.
func checkAESKey(s string) error {
	if len(s) != 43 {
		return fmt.Errorf("must be 43 characters, got %d", len(s))
	}
	key, err := base64.StdEncoding.DecodeString(s + "=")
	if err != nil || len(key) != 32 {
		return fmt.Errorf("is not 43 characters of base64")
	}
	return nil
}
