package index

import (
	"context"
	"testing"
)

// The passage coverage read from the lines a passage was cut from is the
// coverage read from its text, for every candidate of every question.
func TestPassageCoverageFromLines(t *testing.T) {
	ix := withoutCache(sampleIndex(t))
	ctx := context.Background()
	fromLines := 0
	for _, q := range loadQuestions(t) {
		a := ix.analysis(q.Q, evalDay)
		cands, err := ix.gen.rank(ctx, a, Query{Text: q.Q, Now: evalDay}, evalDay, ix.opts.Search.GeoRadiusKm, &ix.weights)
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range cands {
			p, held := sectionPassage(c.info, a, passageRunes)
			if held != nil {
				fromLines++
			}
			if got, want := passageCoverage(a, p, held), passageCoverage(a, p, nil); got != want {
				t.Fatalf("%q, %s: passage coverage %v from its lines, %v from its text", q.Q, c.doc.ID, got, want)
			}
		}
	}
	if fromLines == 0 {
		t.Fatal("no passage was read from its lines")
	}
}
