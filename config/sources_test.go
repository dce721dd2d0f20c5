package config

import (
	"reflect"
	"strings"
	"testing"
	"time"
)

// TestExampleSources keeps the sources: section of config.example.yaml
// valid and its documented limits equal to the defaults.
func TestExampleSources(t *testing.T) {
	cfg, err := Load("../config.example.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if errs := cfg.validateSources(); len(errs) != 0 {
		t.Fatalf("example sources: %v", errs)
	}
	if len(cfg.Sources) != 1 {
		t.Fatalf("sources: %+v", cfg.Sources)
	}
	s := cfg.Sources[0]
	if !reflect.DeepEqual(s, s.WithDefaults()) {
		t.Errorf("the example's limits differ from the defaults:\n%+v\n%+v", s, s.WithDefaults())
	}
	if !s.Synced() || s.Selectors.Item == "" || len(s.Categories) != 2 {
		t.Errorf("example source not read as expected: %+v", s)
	}
}

func TestValidateSources(t *testing.T) {
	ok := func() Source {
		return Source{Name: "site", ListPages: []string{"https://a.example.cn/list.html"}, Selectors: SourceSelectors{Item: "li"}}
	}
	neg := -1
	tests := []struct {
		name   string
		edit   func(*Source)
		substr string
	}{
		{"ok", func(*Source) {}, ""},
		{"bad name", func(s *Source) { s.Name = "Site A" }, "name"},
		{"relative list page", func(s *Source) { s.ListPages = []string{"/list.html"} }, "absolute"},
		{"no item selector", func(s *Source) { s.Selectors.Item = "" }, "selectors.item"},
		{"bad selector", func(s *Source) { s.Selectors.Body = "div[" }, "selectors.body"},
		{"rule without category", func(s *Source) { s.Categories = []CategoryRule{{URL: "x"}} }, "no category"},
		{"rule with both", func(s *Source) { s.Categories = []CategoryRule{{URL: "x", Column: "y", Category: "c"}} }, "one of them"},
		{"bad rule regexp", func(s *Source) { s.Categories = []CategoryRule{{URL: "(", Category: "c"}} }, "categories[0].url"},
		{"bad schedule", func(s *Source) { s.Schedule = "daily 25:00" }, "schedule"},
		{"too often", func(s *Source) { s.Schedule = "1m" }, "at least 10m"},
		{"schedule without site", func(s *Source) { s.ListPages = nil; s.Schedule = "6h" }, "needs list_pages"},
		{"impolite rate", func(s *Source) { s.Rate = time.Millisecond }, "rate"},
		{"negative retries", func(s *Source) { s.Retries = &neg }, "retries"},
		{"bad url_prefix", func(s *Source) { s.URLPrefix = "saved/" }, "url_prefix"},
	}
	for _, tc := range tests {
		s := ok()
		tc.edit(&s)
		c := Config{Sources: []Source{s}}
		errs := c.validateSources()
		var msg []string
		for _, e := range errs {
			msg = append(msg, e.Error())
		}
		joined := strings.Join(msg, "; ")
		if tc.substr == "" && len(errs) != 0 || tc.substr != "" && !strings.Contains(joined, tc.substr) {
			t.Errorf("%s: errors %q, want one containing %q", tc.name, joined, tc.substr)
		}
	}
	c := Config{Sources: []Source{ok(), ok()}}
	if errs := c.validateSources(); len(errs) != 1 || !strings.Contains(errs[0].Error(), "twice") {
		t.Errorf("duplicate names: %v", errs)
	}
}

func TestSchedule(t *testing.T) {
	sh := time.FixedZone("CST", 8*3600)
	now := time.Date(2024, 3, 6, 3, 0, 0, 0, sh)
	sc, err := ParseSchedule("daily 02:30")
	if err != nil {
		t.Fatal(err)
	}
	if got := sc.Next(now, sh); !got.Equal(time.Date(2024, 3, 7, 2, 30, 0, 0, sh)) {
		t.Errorf("daily next = %v", got)
	}
	if got := sc.Next(now.Add(-time.Hour), sh); !got.Equal(time.Date(2024, 3, 6, 2, 30, 0, 0, sh)) {
		t.Errorf("daily next (before) = %v", got)
	}
	sc, _ = ParseSchedule("6h")
	if got := sc.Next(now, sh); !got.Equal(now.Add(6 * time.Hour)) {
		t.Errorf("interval next = %v", got)
	}
	if sc, _ := ParseSchedule(""); !sc.Next(now, sh).IsZero() {
		t.Error("empty schedule is due")
	}
}
