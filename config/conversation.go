package config

import (
	"fmt"
	"time"
)

// Conversation tunes how govbot follows a conversation with a resident:
// what it remembers, when it asks which matter is meant, and how it tells a
// follow-up from a new question. Zero values take the defaults of
// defaultConversation.
type Conversation struct {
	// TTL is how long a conversation is remembered after its last message.
	TTL time.Duration `yaml:"ttl"`
	// MaxConversations bounds the conversations kept in memory; when full,
	// the one idle longest is forgotten.
	MaxConversations int `yaml:"max_conversations"`
	// Choices is how many disclosures a clarifying question offers (2..9).
	Choices int `yaml:"choices"`
	// ClarifyMargin: when the runner-up ranks within this of the best
	// (scores 0..1), govbot asks which is meant instead of guessing;
	// negative: never.
	ClarifyMargin float64 `yaml:"clarify_margin"`
	// ClarifyBelow: an answer with a confidence below this is offered as a
	// choice among the candidates; 0: never.
	ClarifyBelow float64 `yaml:"clarify_below"`
	// FollowMargin: a question naming a matter of its own still follows
	// up when the disclosure last shown ranks within this of the best.
	FollowMargin float64 `yaml:"follow_margin"`
	// ContextMargin: such a question also follows up when, read with the
	// matter under discussion, another disclosure answers it with a
	// confidence at most this much below its own.
	ContextMargin float64 `yaml:"context_margin"`
	// SwitchMargin: a follow-up moves from the disclosure last shown to
	// another on the same matter that ranks this much higher for it.
	SwitchMargin float64 `yaml:"switch_margin"`
}

func defaultConversation() Conversation {
	return Conversation{
		TTL:              30 * time.Minute,
		MaxConversations: 10000,
		Choices:          3,
		ClarifyMargin:    0.01,
		FollowMargin:     0.1,
		ContextMargin:    0.05,
		SwitchMargin:     0.15,
	}
}

func (c *Config) validateConversation() []error {
	var errs []error
	v := c.Conversation
	if v.TTL < time.Minute || v.TTL > 24*time.Hour {
		errs = append(errs, fmt.Errorf("conversation.ttl %v is outside 1m..24h", v.TTL))
	}
	if v.MaxConversations < 1 {
		errs = append(errs, fmt.Errorf("conversation.max_conversations %d must be positive", v.MaxConversations))
	}
	if v.Choices < 2 || v.Choices > 9 {
		errs = append(errs, fmt.Errorf("conversation.choices %d is outside 2..9", v.Choices))
	}
	for _, f := range []struct {
		name string
		v    float64
		min  float64
	}{
		{"clarify_margin", v.ClarifyMargin, -1}, {"clarify_below", v.ClarifyBelow, 0},
		{"follow_margin", v.FollowMargin, 0}, {"context_margin", v.ContextMargin, 0}, {"switch_margin", v.SwitchMargin, 0},
	} {
		if f.v < f.min || f.v > 1 {
			errs = append(errs, fmt.Errorf("conversation.%s %v is outside %g..1", f.name, f.v, f.min))
		}
	}
	return errs
}
