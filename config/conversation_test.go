package config

import (
	"strings"
	"testing"
	"time"
)

func TestExampleConversationIsTheDefault(t *testing.T) {
	cfg, err := Load("../config.example.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Conversation != defaultConversation() {
		t.Errorf("config.example.yaml conversation %+v, defaults %+v", cfg.Conversation, defaultConversation())
	}
}

func TestConversationValidation(t *testing.T) {
	for _, tc := range []struct {
		name string
		edit func(*Conversation)
		want string
	}{
		{"defaults", func(*Conversation) {}, ""},
		{"ttl too short", func(c *Conversation) { c.TTL = time.Second }, "conversation.ttl"},
		{"no conversations", func(c *Conversation) { c.MaxConversations = 0 }, "conversation.max_conversations"},
		{"one choice", func(c *Conversation) { c.Choices = 1 }, "conversation.choices"},
		{"never clarify", func(c *Conversation) { c.ClarifyMargin = -1 }, ""},
		{"margin above 1", func(c *Conversation) { c.SwitchMargin = 1.5 }, "conversation.switch_margin"},
		{"negative", func(c *Conversation) { c.ContextMargin = -0.1 }, "conversation.context_margin"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := Default()
			tc.edit(&cfg.Conversation)
			errs := cfg.validateConversation()
			switch {
			case tc.want == "" && len(errs) > 0:
				t.Errorf("unexpected %v", errs)
			case tc.want != "" && (len(errs) != 1 || !strings.Contains(errs[0].Error(), tc.want)):
				t.Errorf("got %v, want one error naming %s", errs, tc.want)
			}
		})
	}
}
