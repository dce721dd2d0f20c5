package index

import (
	"slices"
	"strings"
	"testing"
)

func TestGappedSpan(t *testing.T) {
	for _, c := range []struct {
		text, expr string
		gap        int
		want       string
	}{
		{"想开个奶茶店", "开个店", 3, "开个奶茶店"},
		{"想开个奶茶店", "开个店", 1, ""},        // two inserted, one allowed
		{"开个会，去店里", "开个店", 3, ""},       // not across a clause
		{"开个店", "开个店", 0, "开个店"},        // exact
		{"店开个", "开个店", 3, ""},           // order counts
		{"开个开个小店", "开个店", 3, "开个小店"},    // the shortest span
		{"房子被火烧了", "房子烧了", 3, "房子被火烧了"}, // two inserted
		{"房子好像是被大火烧了", "房子烧了", 3, ""},   // five inserted
	} {
		if got := gappedSpan([]rune(c.text), []rune(c.expr), c.gap); got != c.want {
			t.Errorf("gappedSpan(%q, %q, %d) = %q, want %q", c.text, c.expr, c.gap, got, c.want)
		}
	}
}

// A situation named in particular (开个奶茶店) is found as the general
// expression of the lexicon (开个店) is, and answered the same.
func TestSituationWithWordsInside(t *testing.T) {
	ix := sampleIndex(t)
	now := day(t, "2026-11-26")
	general := askOn(t, ix, Query{Text: "想开个店", Now: now})
	particular := askOn(t, ix, Query{Text: "想开个奶茶店", Now: now})
	if len(general.Hits) == 0 || len(particular.Hits) == 0 || particular.Hits[0].ID != general.Hits[0].ID {
		t.Errorf("开个奶茶店 → %v, want first %v as for 开个店", hitIDs(particular), hitIDs(general))
	}
}

// find looks only at the members whose first character the text holds:
// it finds what looking at every member finds, on the questions, titles
// and lines of both corpora (normalized, as questions are).
func TestSynonymsFindAsEveryMember(t *testing.T) {
	sy := sampleIndex(t).gen.syn
	every := func(text string) []synMatch {
		var out []synMatch
		taken := map[int]bool{}
		for _, m := range sy.members {
			if !taken[m.group] && strings.Contains(text, m.text) {
				taken[m.group] = true
				out = append(out, synMatch{m.text, m.group})
			}
		}
		runes := []rune(text)
		for _, m := range sy.members {
			if m.runes == nil || taken[m.group] {
				continue
			}
			if span := gappedSpan(runes, m.runes, situationGap); span != "" {
				taken[m.group] = true
				out = append(out, synMatch{span, m.group})
			}
		}
		return out
	}
	texts := patternTexts(t)
	found := 0
	for _, s := range texts {
		s = normalize(s)
		got, want := sy.find(s), every(s)
		if !slices.Equal(got, want) {
			t.Fatalf("find(%q) = %v, every member: %v", s, got, want)
		}
		found += len(got)
	}
	if found == 0 {
		t.Fatal("no text holds a synonym")
	}
	t.Logf("%d texts, %d expressions found", len(texts), found)
}
