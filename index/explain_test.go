package index

import "testing"

func skippedReason(a Answer, id string) string {
	for _, s := range a.Skipped {
		if s.ID == id {
			return s.Reason
		}
	}
	return ""
}

// TestExplain: with Explain, each hit says which terms it matched and
// where, and its ranking factors; the answer lists what was left out and
// why (a draft, a disclosure blocked by the privacy check, a superseded
// edition); without Explain, none of it.
func TestExplain(t *testing.T) {
	ix := sampleIndex(t)
	ans := askOn(t, ix, Query{Text: "低保标准", Now: evalDay, Explain: true})
	if len(ans.Hits) == 0 || ans.Hits[0].ID != "ben-002" {
		t.Fatalf("hits %v", hitIDs(ans))
	}
	top := ans.Hits[0]
	if len(top.Matched) == 0 || top.Factors["coverage"] <= 0 || top.Factors["time"] != 1 {
		t.Errorf("top hit explanation: matched %+v factors %v", top.Matched, top.Factors)
	}
	for _, m := range top.Matched {
		switch m.Where {
		case InTitle, InKeywords, InBody, BySynonym, ByHomophone, BySituation, ByPart:
		default:
			t.Errorf("match %+v: unknown where", m)
		}
	}
	if r := skippedReason(ans, "ben-001"); r != "superseded" {
		t.Errorf("ben-001 (the 2022 edition) skipped as %q, want superseded: %+v", r, ans.Skipped)
	}
	for _, h := range ans.Hits {
		if h.Score < 0 || h.Score > 1 || h.Coverage < 0 || h.Coverage > 1 {
			t.Errorf("hit %s: score %v coverage %v outside 0..1", h.ID, h.Score, h.Coverage)
		}
	}
	if plain := askOn(t, ix, Query{Text: "低保标准", Now: evalDay}); plain.Skipped != nil || plain.Hits[0].Matched != nil || plain.Hits[0].Factors != nil {
		t.Errorf("explanation without Explain: %+v", plain.Hits[0])
	}

	for _, c := range []struct{ q, id, reason string }{
		{"2024年春季招聘会安排", "emp-021", "draft"},
		{"2023年第二季度临时救助对象公示", "ben-020", "privacy"},
	} {
		ans := askOn(t, ix, Query{Text: c.q, Now: evalDay, Explain: true})
		if r := skippedReason(ans, c.id); r != c.reason {
			t.Errorf("%s: %s skipped as %q, want %q: %+v", c.q, c.id, r, c.reason, ans.Skipped)
		}
		if rankOf(ans, c.id) != 0 {
			t.Errorf("%s: withheld %s is a hit", c.q, c.id)
		}
	}
	ans = askOn(t, ix, Query{Text: "护照到期了怎么换", Now: evalDay, Explain: true})
	for _, s := range ans.Skipped {
		if s.Reason != "referral" && s.Reason != "superseded" && s.Reason != "expired" {
			t.Errorf("passport question: %s skipped as %q, want referral", s.ID, s.Reason)
		}
	}
}
