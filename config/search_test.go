package config

import (
	"strings"
	"testing"
)

// TestValidateCaches: the index's cache sizes take 0 (none) up to a
// million; anything else is refused by name.
func TestValidateCaches(t *testing.T) {
	cases := []struct {
		name  string
		edit  func(*Search)
		wants string // "" when valid
	}{
		{"defaults", func(*Search) {}, ""},
		{"no answer cache", func(s *Search) { s.AnswerCache = 0 }, ""},
		{"no disclosure cache", func(s *Search) { s.DisclosureCache = 0 }, ""},
		{"largest", func(s *Search) { s.AnswerCache, s.DisclosureCache = maxCache, maxCache }, ""},
		{"negative answers", func(s *Search) { s.AnswerCache = -1 }, "search.answer_cache -1 is outside 0..1000000"},
		{"too many answers", func(s *Search) { s.AnswerCache = maxCache + 1 }, "search.answer_cache 1000001"},
		{"negative disclosures", func(s *Search) { s.DisclosureCache = -5 }, "search.disclosure_cache -5 is outside"},
		{"too many disclosures", func(s *Search) { s.DisclosureCache = 2 * maxCache }, "search.disclosure_cache 2000000"},
	}
	for _, tc := range cases {
		c := Default()
		tc.edit(&c.Search)
		got := ""
		if err := c.Validate(); err != nil {
			got = err.Error()
		}
		if tc.wants == "" && strings.Contains(got, "_cache") || tc.wants != "" && !strings.Contains(got, tc.wants) {
			t.Errorf("%s: errors %q, want %q", tc.name, got, tc.wants)
		}
	}
	if d := Default().Search; d.AnswerCache != DefaultAnswerCache || d.DisclosureCache != DefaultDisclosureCache {
		t.Errorf("defaults %d, %d", d.AnswerCache, d.DisclosureCache)
	}
}
