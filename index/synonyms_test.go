package index

import "testing"

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
