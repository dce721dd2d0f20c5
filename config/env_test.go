package config

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

func envOf(m map[string]string) func(string) (string, bool) {
	return func(k string) (string, bool) { v, ok := m[k]; return v, ok }
}

// TestEnvVars: every scalar and list key has GOVBOT_<SECTION>_<KEY>, the
// names used before the rule still work, and values parse as in the file.
func TestEnvVars(t *testing.T) {
	names := map[string]EnvVar{}
	for _, v := range EnvVars() {
		if !strings.HasPrefix(v.Name, EnvPrefix) || v.Name != EnvPrefix+strings.ToUpper(strings.ReplaceAll(v.Key, ".", "_")) {
			t.Errorf("%s: variable %s does not follow the rule", v.Key, v.Name)
		}
		if _, dup := names[v.Name]; dup {
			t.Errorf("two keys share %s", v.Name)
		}
		names[v.Name] = v
		for _, a := range v.Aliases {
			names[a] = v
		}
	}
	// The variables documented before the rule.
	for _, old := range []string{
		"GOVBOT_DATA_DIR", "GOVBOT_STATE_DIR", "GOVBOT_LISTEN", "GOVBOT_PUBLIC_BASE_URL", "GOVBOT_API_BASE_URL",
		"GOVBOT_OA_APP_ID", "GOVBOT_OA_APP_SECRET", "GOVBOT_OA_TOKEN", "GOVBOT_OA_ENCODING_AES_KEY",
		"GOVBOT_WORK_CORP_ID", "GOVBOT_WORK_AGENT_ID", "GOVBOT_WORK_SECRET", "GOVBOT_WORK_TOKEN", "GOVBOT_WORK_ENCODING_AES_KEY",
		"GOVBOT_QUERY_LOG_HASH_KEY", "GOVBOT_METRICS_TOKEN", "GOVBOT_AUDIT_KEY_FILE",
		"GOVBOT_SEARCH_MIN_SCORE", "GOVBOT_WEBHOOK_MAX_CLOCK_SKEW", "GOVBOT_TRUSTED_PROXIES", "GOVBOT_CONSOLE",
	} {
		if _, ok := names[old]; !ok {
			t.Errorf("%s is not read", old)
		}
	}

	c := Default()
	errs := c.applyEnv(envOf(map[string]string{
		"GOVBOT_SEARCH_MIN_SCORE":       "0.4",
		"GOVBOT_SEARCH_RELATED":         "3",
		"GOVBOT_WEBHOOK_MAX_CLOCK_SKEW": "90s",
		"GOVBOT_CONSOLE":                "false",
		"GOVBOT_TRUSTED_PROXIES":        "10.0.0.1, 10.1.0.0/16",
		"GOVBOT_OA_TOKEN":               "oa-old-name",
		"GOVBOT_WORK_CORP_ID":           "wwenv",
		"GOVBOT_SEARCH_HOTLINE":         "", // empty: unset
	}))
	if len(errs) > 0 {
		t.Fatalf("errors: %v", errs)
	}
	want := Default()
	want.Search.MinScore, want.Search.Related = 0.4, 3
	want.Webhook.MaxClockSkew = 90 * time.Second
	want.Console = false
	want.TrustedProxies = []string{"10.0.0.1", "10.1.0.0/16"}
	want.OfficialAccount.Token = "oa-old-name"
	want.Work.CorpID = "wwenv"
	if !reflect.DeepEqual(c, want) {
		t.Errorf("applied:\n%+v\nwant\n%+v", c, want)
	}

	// The rule's name wins over an alias.
	c = Default()
	c.applyEnv(envOf(map[string]string{"GOVBOT_OFFICIALACCOUNT_TOKEN": "new", "GOVBOT_OA_TOKEN": "old"}))
	if c.OfficialAccount.Token != "new" {
		t.Errorf("token %q, want the rule's variable first", c.OfficialAccount.Token)
	}

	// Every bad value is reported, naming its variable and key.
	c = Default()
	errs = c.applyEnv(envOf(map[string]string{
		"GOVBOT_SEARCH_MIN_SCORE": "high", "GOVBOT_WEBHOOK_MAX_CLOCK_SKEW": "5 minutes", "GOVBOT_CONSOLE": "maybe",
	}))
	joined := ""
	for _, e := range errs {
		joined += e.Error() + "\n"
	}
	for _, w := range []string{
		`GOVBOT_SEARCH_MIN_SCORE (search.min_score): "high" is not a number`,
		`GOVBOT_WEBHOOK_MAX_CLOCK_SKEW (webhook.max_clock_skew): "5 minutes" is not a duration`,
		`GOVBOT_CONSOLE (console): "maybe" is not true or false`,
	} {
		if !strings.Contains(joined, w) {
			t.Errorf("errors lack %q:\n%s", w, joined)
		}
	}
}

// TestEnvVarsCoverExample: every key of config.example.yaml that holds a
// scalar or a list of strings has a variable.
func TestEnvVarsCoverExample(t *testing.T) {
	b, err := os.ReadFile("../config.example.yaml")
	if err != nil {
		t.Fatal(err)
	}
	keys, _ := keyLines(b)
	known := map[string]bool{}
	for _, v := range EnvVars() {
		known[v.Key] = true
	}
	for k := range keys {
		if strings.ContainsAny(k, "[ ") || strings.HasPrefix(k, "officialaccount.template.fixed") {
			continue // inside lists of mappings, or a free-form map
		}
		if !known[k] && !isSection(k) {
			t.Errorf("config.example.yaml key %s has no environment variable", k)
		}
	}
}

// isSection reports whether key names a mapping or a list of mappings of
// Config rather than a value.
func isSection(key string) bool {
	t := reflect.TypeOf(Config{})
	for _, part := range strings.Split(key, ".") {
		found := false
		for i := 0; i < t.NumField(); i++ {
			name, _, _ := strings.Cut(t.Field(i).Tag.Get("yaml"), ",")
			if name == part {
				t, found = t.Field(i).Type, true
				break
			}
		}
		if !found {
			return false
		}
		if t.Kind() == reflect.Slice && t.Elem().Kind() == reflect.Struct {
			return true
		}
		if t.Kind() == reflect.Map {
			return true
		}
	}
	return t.Kind() == reflect.Struct && t != reflect.TypeOf(time.Duration(0))
}

// TestLoadProblems: everything wrong in a file is reported at once, each
// with its key and line, together with what Validate finds.
func TestLoadProblems(t *testing.T) {
	path := filepath.Join(t.TempDir(), "govbot.yaml")
	yaml := `listen: 127.0.0.1:8080
webhook:
  max_clock_skew: 5 minutes
  max_body_bytes: lots
search:
  min_score: high
  colour: red
  related: [1, 2]
  hotline: ""
console: maybe
topics: [一, 二]
data_dir: ` + t.TempDir() + `
`
	if err := os.WriteFile(path, []byte(yaml), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("GOVBOT_SEARCH_GEO_RADIUS_KM", "far")
	_, err := LoadValid(path, nil)
	p, ok := err.(*Problems)
	if !ok {
		t.Fatalf("error %T %v, want *Problems", err, err)
	}
	want := []Problem{
		{3, "webhook.max_clock_skew", `"5 minutes" is not a duration (such as 90s, 5m, 12h)`},
		{4, "webhook.max_body_bytes", `"lots" is not an integer`},
		{6, "search.min_score", `"high" is not a number`},
		{7, "search.colour", `unknown key "colour" (see config.example.yaml)`},
		{8, "search.related", `a list is not an integer`},
		{9, "search.hotline", `search.hotline is empty`},
		{10, "console", `"maybe" is not true or false`},
		{0, "", `GOVBOT_SEARCH_GEO_RADIUS_KM (search.geo_radius_km): "far" is not a number`},
	}
	if !reflect.DeepEqual(p.List, want) {
		t.Errorf("problems:\n%s\nwant:\n%s", p, &Problems{File: path, List: want})
	}
	msg := err.Error()
	if !strings.HasPrefix(msg, "config "+path+": 8 problems:\n  line 3: webhook.max_clock_skew: ") {
		t.Errorf("message:\n%s", msg)
	}

	// Not YAML at all: one error, no partial config.
	if err := os.WriteFile(path, []byte("search: [\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := Load(path); err == nil || !strings.Contains(err.Error(), path) {
		t.Errorf("not YAML: %v", err)
	}
}

// TestProblemsNameListItems: a problem Validate reports of a named list
// item (user "wang") gets that item's line.
func TestProblemsNameListItems(t *testing.T) {
	path := filepath.Join(t.TempDir(), "govbot.yaml")
	yaml := "data_dir: " + t.TempDir() + "\nusers:\n  - name: wang\n    roles: [staff]\n    token: wang-token-0123456789\n  - name: li\n    roles: []\n    token: li-token-0123456789\n"
	if err := os.WriteFile(path, []byte(yaml), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err := LoadValid(path, nil)
	p, ok := err.(*Problems)
	if !ok || len(p.List) != 1 || p.List[0].Line != 6 || !strings.HasPrefix(p.List[0].Msg, `user "li" has no roles`) {
		t.Fatalf("problems %v", err)
	}
}
