package config

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/yingpu/govbot/channel"
	"go.yaml.in/yaml/v3"
)

func TestValidateNotices(t *testing.T) {
	ok := func() Config {
		c := Default()
		c.Audiences = []Audience{
			{Name: "防汛", Followers: true, WorkRobots: []string{"robot-key-1"}, WorkChats: []string{"chat1"}, WorkTags: []string{"3"}},
			{Name: "楼组长", WorkUsers: []string{"zhangsan", "li.si"}, WorkDepts: []string{"2"}, OATags: []int{101}},
		}
		c.Users = []User{
			{Name: "wang", Roles: []string{RoleStaff}, Token: "0123456789abcdef"},
			{Name: "chen.li", Roles: []string{RoleReviewer, RoleAdmin}, Token: "fedcba9876543210"},
		}
		c.TrustedProxies = []string{"127.0.0.1", "10.0.0.0/8", "::1"}
		return c
	}
	if c := ok(); len(c.validateNotices()) != 0 {
		t.Fatalf("valid config rejected: %v", c.validateNotices())
	}
	cases := []struct {
		name  string
		edit  func(*Config)
		wants string
	}{
		{"empty audience name", func(c *Config) { c.Audiences[0].Name = "" }, "audiences[0].name is empty"},
		{"duplicate audience", func(c *Config) { c.Audiences[1].Name = "防汛" }, `"防汛" is listed twice`},
		{"no targets", func(c *Config) { c.Audiences = append(c.Audiences, Audience{Name: "空"}) }, `audience "空" has no targets`},
		{"empty robot key", func(c *Config) { c.Audiences[0].WorkRobots = []string{""} }, "work_robots[0] is empty"},
		{"empty chat", func(c *Config) { c.Audiences[0].WorkChats = []string{"  "} }, "work_chats[0] is empty"},
		{"bad uncertain policy", func(c *Config) { c.Delivery.UncertainNormal = "maybe" }, `delivery.uncertain_normal "maybe": want resend or hold`},
		{"dup user id", func(c *Config) { c.Audiences[1].WorkUsers = []string{"a", "a"} }, `work_users[1] (…ca978112) is listed twice`},
		{"non-numeric dept", func(c *Config) { c.Audiences[1].WorkDepts = []string{"x"} }, "not a numeric id"},
		{"bad oa tag", func(c *Config) { c.Audiences[1].OATags = []int{0} }, "not a positive tag id"},
		{"followers name with space", func(c *Config) { c.Audiences[0].Name = "防汛 预警" }, "separator"},
		{"followers not in topics", func(c *Config) { c.Topics = []string{"停水"} }, "not in topics"},
		{"user bad name", func(c *Config) { c.Users[0].Name = "王 五" }, `users[0].name "王 五"`},
		{"user dup name", func(c *Config) { c.Users[1].Name = "wang" }, `user "wang" is listed twice`},
		{"user no roles", func(c *Config) { c.Users[0].Roles = nil }, "has no roles"},
		{"user unknown role", func(c *Config) { c.Users[0].Roles = []string{"boss"} }, `unknown role "boss"`},
		{"user no token", func(c *Config) { c.Users[0].Token = "" }, "GOVBOT_TOKEN_WANG"},
		{"short token", func(c *Config) { c.Users[0].Token = "short" }, "shorter than 16"},
		{"token with space", func(c *Config) { c.Users[0].Token = "0123456789 abcdef" }, "without spaces"},
		{"same token", func(c *Config) { c.Users[1].Token = c.Users[0].Token }, "have the same token"},
		{"env collision", func(c *Config) {
			c.Users = append(c.Users, User{Name: "chen-li", Roles: []string{RoleStaff}, Token: "xxxxxxxxxxxxxxxxxx"})
		}, "share the token variable GOVBOT_TOKEN_CHEN_LI"},
		{"bad proxy", func(c *Config) { c.TrustedProxies = []string{"proxy.local"} }, `trusted_proxies[0] "proxy.local"`},
		{"bad api base", func(c *Config) { c.APIBaseURL = "ftp://x" }, "api_base_url"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := ok()
			tc.edit(&c)
			err := c.Validate()
			if err == nil || !strings.Contains(err.Error(), tc.wants) {
				t.Fatalf("got %v, want an error containing %q", err, tc.wants)
			}
		})
	}
}

func TestSubscribableTopics(t *testing.T) {
	c := Default()
	c.Audiences = []Audience{
		{Name: "防汛", Followers: true},
		{Name: "楼组长", WorkUsers: []string{"a"}},
		{Name: "停水", Followers: true},
	}
	if got := c.SubscribableTopics(); !slices.Equal(got, []string{"防汛", "停水"}) {
		t.Errorf("derived topics %v", got)
	}
	c.Topics = []string{"停水", "防汛", "天气"}
	if got := c.SubscribableTopics(); !slices.Equal(got, c.Topics) {
		t.Errorf("explicit topics %v", got)
	}
}

func TestUserTokenFromEnv(t *testing.T) {
	if got := TokenEnv("li.ming-2"); got != "GOVBOT_TOKEN_LI_MING_2" {
		t.Errorf("TokenEnv = %s", got)
	}
	path := filepath.Join(t.TempDir(), "c.yaml")
	yaml := "users:\n  - name: li.ming\n    roles: [staff]\n  - name: wang\n    roles: [admin]\n    token: from-file-0123456789\n"
	if err := os.WriteFile(path, []byte(yaml), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("GOVBOT_TOKEN_LI_MING", "from-env-0123456789")
	c, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if c.Users[0].Token != "from-env-0123456789" || c.Users[1].Token != "from-file-0123456789" {
		t.Errorf("tokens %q %q", c.Users[0].Token, c.Users[1].Token)
	}
	if err := c.Validate(); err != nil {
		t.Errorf("validate: %v", err)
	}
}

// TestAudienceFieldsOfEveryChannel: every audience field in the channel
// registry is read from YAML and returned by Audience.IDs, so a channel
// added to the registry is wired into the configuration too.
func TestAudienceFieldsOfEveryChannel(t *testing.T) {
	for _, f := range channel.Fields() {
		var a Audience
		if err := yaml.Unmarshal([]byte("name: x\n"+f.Kind.Field+": [\"7\"]\n"), &a); err != nil {
			t.Fatal(err)
		}
		if got := a.IDs(f.Kind.Field); len(got) != 1 || got[0] != "7" {
			t.Errorf("audience field %s (%s/%s): IDs = %v", f.Kind.Field, f.Channel.Name, f.Kind.Name, got)
		}
	}
}
