package config

import (
	"strings"
	"testing"
)

func TestValidateBot(t *testing.T) {
	ok := func() Config {
		c := Default()
		c.Topics = []string{"防汛", "停水", "Covid"}
		c.Menu = []MenuItem{{Key: "ASK_CANTEEN", Question: "长者食堂在哪里"}, {Key: "SUB_FLOOD", Topic: "防汛"}}
		return c
	}
	if errs := func() []error { c := ok(); return c.validateBot() }(); len(errs) != 0 {
		t.Fatalf("valid config rejected: %v", errs)
	}
	cases := []struct {
		name  string
		edit  func(*Config)
		wants string
	}{
		{"empty topic", func(c *Config) { c.Topics = append(c.Topics, "") }, "topics[3] is empty"},
		{"duplicate topic", func(c *Config) { c.Topics = append(c.Topics, "covid") }, "listed twice"},
		{"topic with space", func(c *Config) { c.Topics = append(c.Topics, "防汛 预警") }, "separator"},
		{"topic with 、", func(c *Config) { c.Topics = append(c.Topics, "防汛、停水") }, "separator"},
		{"reserved topic", func(c *Config) { c.Topics = append(c.Topics, "全部") }, "reserved"},
		{"long topic", func(c *Config) { c.Topics = append(c.Topics, strings.Repeat("长", 21)) }, "longer than 20"},
		{"menu no key", func(c *Config) { c.Menu = append(c.Menu, MenuItem{Question: "x"}) }, "menu[2].key is empty"},
		{"menu dup key", func(c *Config) { c.Menu = append(c.Menu, MenuItem{Key: "SUB_FLOOD", Topic: "停水"}) }, "listed twice"},
		{"menu neither", func(c *Config) { c.Menu = append(c.Menu, MenuItem{Key: "X"}) }, "needs a question or a topic"},
		{"menu both", func(c *Config) { c.Menu = append(c.Menu, MenuItem{Key: "X", Question: "q", Topic: "防汛"}) }, "both"},
		{"menu unknown topic", func(c *Config) { c.Menu = append(c.Menu, MenuItem{Key: "X", Topic: "天气"}) }, `"天气" is not in topics`},
		{"retention zero", func(c *Config) { c.QueryLog.RetentionDays = 0 }, "retention_days 0"},
		{"short hash key", func(c *Config) { c.QueryLog.HashKey = "short" }, "hash_key is shorter"},
	}
	for _, tc := range cases {
		c := ok()
		tc.edit(&c)
		err := c.Validate()
		if err == nil || !strings.Contains(err.Error(), tc.wants) {
			t.Errorf("%s: Validate() = %v, want an error containing %q", tc.name, err, tc.wants)
		}
	}
}
