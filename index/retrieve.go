package index

// Retrieval: the bleve query that finds candidate disclosures for a
// question, and loading a disclosure by id.

import (
	"context"
	"fmt"
	"slices"
	"sort"

	"github.com/blevesearch/bleve/v2/search/query"
	index "github.com/blevesearch/bleve_index_api"
)

// buildQuery turns the question's terms into a disjunction over the title,
// keywords, body and pinyin fields. On a large index, terms that most
// disclosures hold (补贴, 申请 in the body of a third of them) are left out
// of the search, as in Lucene's common-terms query: they would cost a walk
// over tens of thousands of postings and add almost nothing to BM25. They
// still count when the candidates are judged, which reads the text itself.
func (g *generation) buildQuery(ctx context.Context, a analyzed) []query.Query {
	n := g.meta.Docs
	common := uint64(max(commonTermMinDocs, n/commonTermShare))
	// The clauses and their boosts are made in one allocation each.
	most := 2*len(a.terms) + len(a.py)
	tqs := make([]query.TermQuery, 0, most)
	boosts := make([]query.Boost, 0, most)
	add := func(field, term string, boost float64) {
		boosts = append(boosts, query.Boost(boost))
		tqs = append(tqs, query.TermQuery{Term: term, FieldVal: field, BoostVal: &boosts[len(boosts)-1]})
	}
	type bodyTerm struct {
		term  string
		boost float64
		df    uint64
	}
	body := make([]bodyTerm, 0, len(a.terms))
	for i, t := range a.terms {
		if seenIn(a.terms[:i], t.term) {
			continue
		}
		if g.df.docFreq(ctx, fTitle, t.term) <= common {
			add(fTitle, t.term, boostTitle*t.boost)
		}
		body = append(body, bodyTerm{t.term, t.boost, g.df.docFreq(ctx, fBody, t.term)})
	}
	// Rare body terms always; common ones only when the question has
	// nothing rarer to go on (keep the rarest few).
	sort.SliceStable(body, func(i, j int) bool { return body[i].df < body[j].df })
	for i, b := range body {
		if b.df == 0 {
			continue
		}
		if b.df > common && i >= minBodyTerms {
			break
		}
		add(fBody, b.term, boostBody*b.boost)
	}
	for i, p := range a.py {
		if slices.Contains(a.py[:i], p) {
			continue
		}
		if df := g.df.docFreq(ctx, fPinyin, p); df > 0 && df <= common {
			add(fPinyin, p, boostPinyin)
		}
	}
	qs := make([]query.Query, len(tqs))
	for i := range tqs {
		qs[i] = &tqs[i]
	}
	return qs
}

// seenIn reports whether term is among terms already (a question's terms
// are a few dozen at most: a scan beats a map).
func seenIn(terms []weightedTerm, term string) bool {
	for _, t := range terms {
		if t.term == term {
			return true
		}
	}
	return false
}

// document fetches one disclosure by id.
func (g *generation) document(ctx context.Context, id string) (*docInfo, bool) {
	di, err := g.info(id)
	return di, err == nil
}

// info returns the decoded disclosure id, from the cache or the index's
// stored source.
func (g *generation) info(id string) (*docInfo, error) {
	return g.docs.load(id, func() (string, error) {
		if g.store != nil && !g.added.has(id) {
			src, found, err := g.store.get(id)
			if err != nil {
				return "", err
			}
			if found {
				return string(src), nil
			}
			// Not built into the generation: added to it since (Add).
		}
		doc, err := g.bi.Document(id)
		if err != nil {
			return "", err
		}
		if doc == nil {
			return "", fmt.Errorf("index: no disclosure %q", id)
		}
		src := ""
		doc.VisitFields(func(f index.Field) {
			if f.Name() == fSource {
				src = string(f.Value())
			}
		})
		if src == "" {
			return "", fmt.Errorf("index: disclosure %q has no stored source", id)
		}
		return src, nil
	})
}
