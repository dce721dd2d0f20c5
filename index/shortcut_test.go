package index

import (
	"context"
	"math"
	"testing"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/search/query"
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

// A title term no title holds is searched without looking it up: every
// question's hits and their scores are bleve's own to the last bit, on
// both corpora.
func TestAbsentTermsScoreAsBleves(t *testing.T) {
	ctx := context.Background()
	for _, ix := range []*Index{sampleIndex(t), xiayangIndex(t)} {
		absent := 0
		for _, q := range loadQuestions(t) {
			a := ix.analysis(q.Q, evalDay)
			qs := ix.gen.buildQuery(ctx, a)
			plain := make([]query.Query, len(qs))
			for i, c := range qs {
				plain[i] = c
				if ab, ok := c.(*absentOr); ok {
					if !ab.absent {
						t.Fatalf("%q: a term query held %q as absent without being so", q.Q, ab.Term)
					}
					absent++
					plain[i] = &ab.TermQuery
				}
			}
			if len(qs) == 0 {
				continue
			}
			search := func(qs []query.Query) *bleve.SearchResult {
				res, err := ix.gen.bi.SearchInContext(ctx, bleve.NewSearchRequestOptions(bleve.NewDisjunctionQuery(qs...), candidates, 0, false))
				if err != nil {
					t.Fatal(err)
				}
				return res
			}
			got, want := search(qs), search(plain)
			if got.Total != want.Total || len(got.Hits) != len(want.Hits) {
				t.Fatalf("%q: %d hits of %d, bleve's own %d of %d", q.Q, len(got.Hits), got.Total, len(want.Hits), want.Total)
			}
			for i := range got.Hits {
				if g, w := got.Hits[i], want.Hits[i]; g.ID != w.ID || math.Float64bits(g.Score) != math.Float64bits(w.Score) {
					t.Fatalf("%q: hit %d is %s %v, bleve's own %s %v", q.Q, i, g.ID, g.Score, w.ID, w.Score)
				}
			}
		}
		if absent == 0 {
			t.Fatal("no question has a title term no title holds")
		}
	}
}
