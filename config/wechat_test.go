package config

import (
	"strings"
	"testing"
	"time"
)

const testAESKey = "jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C"

func TestWechatDefaultsValid(t *testing.T) {
	c := Default()
	if errs := c.validateWechat(); len(errs) != 0 {
		t.Fatalf("defaults invalid: %v", errs)
	}
	if c.OfficialAccount.WebhookEnabled() || c.Work.CallbackEnabled() {
		t.Fatal("webhooks enabled without credentials")
	}
}

func TestWechatEnabled(t *testing.T) {
	oa := OfficialAccount{Token: "tok"}
	if !oa.WebhookEnabled() || oa.SafeMode() {
		t.Fatal("token only: webhook on in plaintext mode")
	}
	oa.EncodingAESKey = testAESKey
	if !oa.SafeMode() {
		t.Fatal("aes key set: safe mode")
	}
	w := Work{Token: "tok", EncodingAESKey: testAESKey}
	if w.CallbackEnabled() {
		t.Fatal("WeCom callback on without corp_id")
	}
	w.CorpID = "ww1"
	if !w.CallbackEnabled() {
		t.Fatal("WeCom callback off with token, key and corp_id")
	}
}

func TestValidateWechat(t *testing.T) {
	cases := []struct {
		name string
		edit func(*Config)
		want string // substring of the error; "" means valid
	}{
		{"oa plaintext", func(c *Config) { c.OfficialAccount.Token = "abc123" }, ""},
		{"oa safe", func(c *Config) {
			c.OfficialAccount = OfficialAccount{Token: "abc", EncodingAESKey: testAESKey, AppID: "wx1", Path: "/wechat/oa"}
		}, ""},
		{"oa short token", func(c *Config) { c.OfficialAccount.Token = "ab" }, "officialaccount.token"},
		{"oa token symbols", func(c *Config) { c.OfficialAccount.Token = "abc-def" }, "officialaccount.token"},
		{"oa key length", func(c *Config) {
			c.OfficialAccount = OfficialAccount{Token: "abc", EncodingAESKey: testAESKey[:42], AppID: "wx1", Path: "/o"}
		}, "must be 43"},
		{"oa key not base64", func(c *Config) {
			c.OfficialAccount = OfficialAccount{Token: "abc", EncodingAESKey: strings.Repeat("!", 43), AppID: "wx1", Path: "/o"}
		}, "base64"},
		{"oa key without app id", func(c *Config) {
			c.OfficialAccount = OfficialAccount{Token: "abc", EncodingAESKey: testAESKey, Path: "/o"}
		}, "officialaccount.app_id"},
		{"oa key without token", func(c *Config) {
			c.OfficialAccount = OfficialAccount{EncodingAESKey: testAESKey, AppID: "wx1", Path: "/o"}
		}, "officialaccount.token is empty"},
		{"oa path", func(c *Config) { c.OfficialAccount.Token = "abc"; c.OfficialAccount.Path = "oa" }, "must start with /"},
		{"work ok", func(c *Config) { c.Work = Work{Token: "t", EncodingAESKey: testAESKey, CorpID: "ww1", Path: "/w"} }, ""},
		{"work no corp", func(c *Config) { c.Work = Work{Token: "t", EncodingAESKey: testAESKey, Path: "/w"} }, "work.corp_id"},
		{"work no key", func(c *Config) { c.Work = Work{Token: "t", CorpID: "ww1", Path: "/w"} }, "work.encoding_aes_key is required"},
		{"work bad key", func(c *Config) { c.Work = Work{Token: "t", EncodingAESKey: "short", CorpID: "ww1", Path: "/w"} }, "must be 43"},
		{"same paths", func(c *Config) {
			c.OfficialAccount.Token = "abc"
			c.Work = Work{Token: "t", EncodingAESKey: testAESKey, CorpID: "ww1", Path: c.OfficialAccount.Path}
		}, "both"},
		{"skew zero", func(c *Config) { c.Webhook.MaxClockSkew = 0 }, "webhook.max_clock_skew"},
		{"skew huge", func(c *Config) { c.Webhook.MaxClockSkew = 2 * time.Hour }, "webhook.max_clock_skew"},
		{"body tiny", func(c *Config) { c.Webhook.MaxBodyBytes = 100 }, "webhook.max_body_bytes"},
		{"dedupe tiny", func(c *Config) { c.Webhook.DedupeMax = 10 }, "webhook.dedupe_max"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := Default()
			tc.edit(&c)
			errs := c.validateWechat()
			var all []string
			for _, e := range errs {
				all = append(all, e.Error())
			}
			joined := strings.Join(all, "; ")
			if tc.want == "" {
				if len(errs) != 0 {
					t.Fatalf("unexpected errors: %s", joined)
				}
				return
			}
			if !strings.Contains(joined, tc.want) {
				t.Fatalf("errors %q do not mention %q", joined, tc.want)
			}
		})
	}
}

func TestWechatEnv(t *testing.T) {
	env := map[string]string{"GOVBOT_OA_TOKEN": "envtok", "GOVBOT_WORK_CORP_ID": "wwenv"}
	c := Default()
	if errs := c.applyEnv(func(k string) (string, bool) { v, ok := env[k]; return v, ok }); len(errs) > 0 {
		t.Fatal(errs)
	}
	if c.OfficialAccount.Token != "envtok" || c.Work.CorpID != "wwenv" {
		t.Fatalf("env not applied: %+v %+v", c.OfficialAccount, c.Work)
	}
}
