package config

import "time"

// OfficialAccount (公众号) credentials. An empty EncodingAESKey means
// plaintext mode. The webhook is off unless Token is set.
type OfficialAccount struct {
	AppID          string `yaml:"app_id"`
	AppSecret      string `yaml:"app_secret"`
	Token          string `yaml:"token"`
	EncodingAESKey string `yaml:"encoding_aes_key"`
	Path           string `yaml:"path"`
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

// Webhook limits.
type Webhook struct {
	MaxClockSkew time.Duration `yaml:"max_clock_skew"`
	MaxBodyBytes int64         `yaml:"max_body_bytes"`
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
	return Webhook{MaxClockSkew: 5 * time.Minute, MaxBodyBytes: 64 << 10}
}
func defaultQueryLog() QueryLog { return QueryLog{RetentionDays: 180} }

func (c *Config) applyWechatEnv(set func(*string, string)) {
	set(&c.OfficialAccount.AppID, "GOVBOT_OA_APP_ID")
	set(&c.OfficialAccount.AppSecret, "GOVBOT_OA_APP_SECRET")
	set(&c.OfficialAccount.Token, "GOVBOT_OA_TOKEN")
	set(&c.OfficialAccount.EncodingAESKey, "GOVBOT_OA_ENCODING_AES_KEY")
	set(&c.Work.CorpID, "GOVBOT_WORK_CORP_ID")
	set(&c.Work.AgentID, "GOVBOT_WORK_AGENT_ID")
	set(&c.Work.Secret, "GOVBOT_WORK_SECRET")
	set(&c.Work.Token, "GOVBOT_WORK_TOKEN")
	set(&c.Work.EncodingAESKey, "GOVBOT_WORK_ENCODING_AES_KEY")
	set(&c.QueryLog.HashKey, "GOVBOT_QUERY_LOG_HASH_KEY")
}

func (c *Config) validateWechat() []error { return nil }
