package index

import (
	"context"
	"math"
	"strings"
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

// A text's character filter never rules out a word the text holds (every
// piece of every text of both corpora, and words from the others), and
// lets few through that it does not hold.
func TestRuneFilterHoldsWhatTheTextHolds(t *testing.T) {
	texts := patternTexts(t)
	var words []string
	for i, s := range texts {
		if i%7 != 0 {
			continue
		}
		rs := []rune(normalize(s))
		for j := 0; j+2 <= len(rs) && j < 40; j += 3 {
			words = append(words, string(rs[j:j+2]), string(rs[j:min(j+4, len(rs))]))
		}
	}
	passed, absent := 0, 0
	for i, s := range texts {
		if i%5 != 0 {
			continue
		}
		s = normalize(s)
		var f runeFilter
		f.addAll(s)
		rs := []rune(s)
		for j := range rs {
			for k := j + 1; k <= len(rs) && k <= j+6; k++ {
				if w := string(rs[j:k]); !f.mayHold(w) {
					t.Fatalf("%q: the filter rules out %q, which it holds", s, w)
				}
			}
		}
		for _, w := range words[i%len(words) : min(i%len(words)+200, len(words))] {
			held := strings.Contains(s, w)
			if f.contains(s, w) != held {
				t.Fatalf("%q: contains(%q) = %v", s, w, !held)
			}
			if !held {
				absent++
				if f.mayHold(w) {
					passed++
				}
			}
		}
	}
	if absent == 0 || float64(passed) > 0.1*float64(absent) {
		t.Errorf("the filter lets %d of %d absent words through", passed, absent)
	}
	t.Logf("%d of %d absent words let through", passed, absent)
}

// The phrase of a question in a title, looked for only where the title's
// characters allow, is the phrase looked for everywhere; and the title
// kept per disclosure is its normalized title.
func TestPhraseScoreFiltered(t *testing.T) {
	ix := withoutCache(sampleIndex(t))
	ctx := context.Background()
	for _, q := range loadQuestions(t) {
		a := ix.analysis(q.Q, evalDay)
		cands, err := ix.gen.rank(ctx, a, Query{Text: q.Q, Now: evalDay}, evalDay, ix.opts.Search.GeoRadiusKm, &ix.weights)
		if err != nil {
			t.Fatal(err)
		}
		qr := questionRunes(q.Q)
		for _, c := range cands {
			title := normalize(c.doc.Title)
			if c.doc.Location != nil {
				title += " " + normalize(c.doc.Location.Name)
			}
			if c.info.title != title {
				t.Fatalf("%s: title kept %q, want %q", c.doc.ID, c.info.title, title)
			}
			if got, want := phraseScoreIn(qr, title, &c.info.headRunes), phraseScore(qr, title); got != want {
				t.Fatalf("%q in %q: %v filtered, %v", q.Q, title, got, want)
			}
		}
	}
}
