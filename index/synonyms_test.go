package index

import (
	"slices"
	"strings"
	"testing"
	"unicode/utf8"
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
		{"公司一直没裁员", "公司裁员", 3, ""},      // a negation inserted says the opposite
		{"房子没烧了", "房子烧了", 3, ""},
		{"不太会带孩子", "不会带孩子", 3, "不太会带孩子"}, // the expression's own negation
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
		slices.SortStableFunc(out, func(a, b synMatch) int {
			return utf8.RuneCountInString(b.member) - utf8.RuneCountInString(a.member)
		})
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

// A situation found with words inside it is taken before a shorter
// expression it holds: 不太会带孩子 is the situation 不会带孩子, not the
// synonym 孩子 alone, which would leave the situation nothing to match.
func TestSituationBeforeTheWordsItHolds(t *testing.T) {
	lx := Lexicon{
		Synonyms:   [][]string{{"婴幼儿", "孩子"}},
		Situations: []Situation{{Says: []string{"不会带孩子"}, Means: []string{"科学育儿"}}},
	}
	s, err := NewSegmenter(lx)
	if err != nil {
		t.Fatal(err)
	}
	got := newSynonyms(s).find("第一次当妈妈不太会带孩子")
	if len(got) == 0 || got[0].member != "不太会带孩子" {
		t.Errorf("find = %+v, want the situation 不太会带孩子 first", got)
	}
}
