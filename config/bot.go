package config

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Limits of the resident-facing settings (topics, menu, query_log).
const (
	maxTopicRunes     = 20
	maxMenuKeyBytes   = 128 // WeChat's limit for a menu key
	maxMenuQuestion   = 200 // runes
	maxRetentionDays  = 3650
	minHashKeyBytes   = 16
	reservedTopicWord = "全部"
)

// validateBot checks topics, menu and query_log.
func (c *Config) validateBot() []error {
	var errs []error
	topics := map[string]bool{}
	for i, t := range c.Topics {
		switch {
		case t == "":
			errs = append(errs, fmt.Errorf("topics[%d] is empty", i))
			continue
		case utf8.RuneCountInString(t) > maxTopicRunes:
			errs = append(errs, fmt.Errorf("topics[%d] %q is longer than %d characters", i, t, maxTopicRunes))
		case strings.IndexFunc(t, topicSeparator) >= 0:
			errs = append(errs, fmt.Errorf("topics[%d] %q contains a space or separator (residents type several topics separated by them)", i, t))
		case t == reservedTopicWord || t == "所有" || strings.EqualFold(t, "all"):
			errs = append(errs, fmt.Errorf("topics[%d] %q is reserved (it means every topic)", i, t))
		}
		k := strings.ToLower(t)
		if topics[k] {
			errs = append(errs, fmt.Errorf("topics[%d] %q is listed twice", i, t))
		}
		topics[k] = true
	}
	if len(c.Topics) == 0 {
		for _, t := range c.SubscribableTopics() {
			topics[strings.ToLower(t)] = true
		}
	}
	keys := map[string]bool{}
	for i, m := range c.Menu {
		switch {
		case m.Key == "":
			errs = append(errs, fmt.Errorf("menu[%d].key is empty", i))
		case len(m.Key) > maxMenuKeyBytes:
			errs = append(errs, fmt.Errorf("menu[%d].key is longer than %d bytes", i, maxMenuKeyBytes))
		case keys[m.Key]:
			errs = append(errs, fmt.Errorf("menu[%d].key %q is listed twice", i, m.Key))
		}
		keys[m.Key] = true
		q, t := strings.TrimSpace(m.Question), strings.TrimSpace(m.Topic)
		switch {
		case q == "" && t == "":
			errs = append(errs, fmt.Errorf("menu[%d] (%s) needs a question or a topic", i, m.Key))
		case q != "" && t != "":
			errs = append(errs, fmt.Errorf("menu[%d] (%s) has both a question and a topic; give one", i, m.Key))
		case t != "" && !topics[strings.ToLower(t)]:
			errs = append(errs, fmt.Errorf("menu[%d] (%s) topic %q is not in topics", i, m.Key, m.Topic))
		case utf8.RuneCountInString(q) > maxMenuQuestion:
			errs = append(errs, fmt.Errorf("menu[%d] (%s) question is longer than %d characters", i, m.Key, maxMenuQuestion))
		}
	}
	if d := c.QueryLog.RetentionDays; d < 1 || d > maxRetentionDays {
		errs = append(errs, fmt.Errorf("query_log.retention_days %d is outside 1..%d", d, maxRetentionDays))
	}
	if k := c.QueryLog.HashKey; k != "" && len(k) < minHashKeyBytes {
		errs = append(errs, fmt.Errorf("query_log.hash_key is shorter than %d bytes (leave it empty to have one generated)", minHashKeyBytes))
	}
	return errs
}

func topicSeparator(r rune) bool {
	return unicode.IsSpace(r) || strings.ContainsRune("、，,；;/／:：\"'“”", r)
}
