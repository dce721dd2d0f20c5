package config

import (
	"strings"
	"testing"
)

// TestExampleConfig keeps config.example.yaml in step with Config: every key
// in it is known, and with the user tokens supplied by the environment (as
// the file says) it validates.
func TestExampleConfig(t *testing.T) {
	cfg, err := Load("../config.example.yaml")
	if err != nil {
		t.Fatalf("config.example.yaml: %v", err)
	}
	err = cfg.Validate()
	if err == nil || !strings.Contains(err.Error(), "GOVBOT_TOKEN_WANGFANG") {
		t.Fatalf("without tokens the example should ask for GOVBOT_TOKEN_WANGFANG, got %v", err)
	}
	t.Setenv("GOVBOT_TOKEN_WANGFANG", "wangfang-token-0123456789")
	t.Setenv("GOVBOT_TOKEN_LIHUA", "lihua-token-0123456789")
	t.Setenv("GOVBOT_TOKEN_ADMIN", "admin-token-0123456789")
	cfg, err = Load("../config.example.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if err := cfg.Validate(); err != nil {
		t.Fatalf("config.example.yaml with tokens: %v", err)
	}
	d := Default()
	if cfg.Search != d.Search || cfg.Webhook != d.Webhook || cfg.Delivery != d.Delivery {
		t.Errorf("the example's search/webhook/delivery values differ from the defaults it documents:\n%+v\n%+v", cfg.Search, d.Search)
	}
	if len(cfg.Audiences) == 0 || len(cfg.Users) != 3 || cfg.OfficialAccount.Path != "/wechat/oa" {
		t.Errorf("example not read as expected: %+v", cfg)
	}
}
