package index

import "testing"

// A line's character filter never hides a word the line holds.
func TestLineFilterKeepsWords(t *testing.T) {
	ix := withoutCache(sampleIndex(t))
	checked := 0
	for _, q := range loadQuestions(t) {
		a := ix.gen.analyze(q.Q, evalDay)
		ans := askOn(t, ix, Query{Text: q.Q, Now: evalDay})
		for _, h := range ans.Hits {
			di, err := ix.gen.info(h.ID)
			if err != nil {
				t.Fatal(err)
			}
			sh := di.shape()
			for _, u := range append(a.units, lineUnits(di, a.units)...) {
				for i, s := range sh.norm {
					if got, want := sh.holds(i, u), unitIn(s, u); got != want {
						t.Fatalf("%s line %d %q, unit %q %q: holds %v, unitIn %v", h.ID, i, s, u.text, u.alts, got, want)
					}
					checked++
				}
			}
		}
	}
	if checked == 0 {
		t.Fatal("nothing checked")
	}
}
