package index

// Retrieval: the bleve query that finds candidate disclosures for a
// question, and loading a disclosure by id.

import (
	"context"
	"fmt"
	"math"
	"slices"
	"sort"

	"github.com/blevesearch/bleve/v2/mapping"
	"github.com/blevesearch/bleve/v2/search"
	"github.com/blevesearch/bleve/v2/search/query"
	"github.com/blevesearch/bleve/v2/search/scorer"
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
	tqs := make([]absentOr, 0, most)
	boosts := make([]query.Boost, 0, most)
	add := func(field, term string, boost float64, absent bool) {
		boosts = append(boosts, query.Boost(boost))
		tqs = append(tqs, absentOr{TermQuery: query.TermQuery{Term: term, FieldVal: field, BoostVal: &boosts[len(boosts)-1]}, absent: absent})
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
		if df := g.df.docFreq(ctx, fTitle, t.term); df <= common {
			// A term no title holds still weighs in BM25's query
			// normalization (and its coordination): kept, but not
			// looked up in the index again.
			add(fTitle, t.term, boostTitle*t.boost, df == 0)
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
		add(fBody, b.term, boostBody*b.boost, false)
	}
	for i, p := range a.py {
		if slices.Contains(a.py[:i], p) {
			continue
		}
		if df := g.df.docFreq(ctx, fPinyin, p); df > 0 && df <= common {
			add(fPinyin, p, boostPinyin, false)
		}
	}
	qs := make([]query.Query, len(tqs))
	for i := range tqs {
		if tqs[i].absent {
			qs[i] = &tqs[i]
		} else {
			qs[i] = &tqs[i].TermQuery
		}
	}
	return qs
}

// absentOr is a term query; when absent, for a term that no disclosure
// holds in its field. bleve's own term query would look the term up in
// every segment's dictionary to find no postings; this one knows there
// are none, and gives the searcher bleve would: one that matches nothing
// and weighs what bleve's weighs (its boost and its idf at a document
// frequency of 0), so every score is what it would be. It reads the
// statistics as bleve v2's term searcher does; TestAbsentTermsScoreAsBleves
// holds every score to bleve's own, so an upgrade that changes them fails
// there.
type absentOr struct {
	query.TermQuery
	absent bool
}

func (q *absentOr) Searcher(ctx context.Context, r index.IndexReader, m mapping.IndexMapping, options search.SearcherOptions) (search.Searcher, error) {
	if !q.absent || ctx == nil || ctx.Value(search.FieldTermSynonymMapKey) != nil {
		return q.TermQuery.Searcher(ctx, r, m, options)
	}
	if err := search.RecordTermSearcher(ctx); err != nil {
		return nil, err
	}
	field := q.FieldVal
	if field == "" {
		field = m.DefaultSearchField()
	}
	// The statistics bleve's term searcher scores with (its
	// newTermSearcherFromReader).
	var docs uint64
	var avgLen float64
	model := ""
	if cb, ok := ctx.Value(search.GetScoringModelCallbackKey).(search.GetScoringModelCallbackFn); ok {
		model = cb()
	}
	var err error
	if model == index.BM25Scoring {
		docs, avgLen, err = bm25Stats(ctx, field, r)
	} else {
		docs, err = r.DocCount()
	}
	if err != nil {
		return nil, err
	}
	sc := scorer.NewTermQueryScorer([]byte(q.Term), field, q.BoostVal.Value(), docs, 0, avgLen, options)
	return absentSearcher{weight: sc.Weight()}, nil
}

// bm25Stats are the document count and average field length BM25 scores
// with (as bleve's searcher package reads them).
func bm25Stats(ctx context.Context, field string, r index.IndexReader) (uint64, float64, error) {
	var docs uint64
	var card int
	if st, ok := ctx.Value(search.BM25StatsKey).(*search.BM25Stats); ok {
		docs = uint64(st.DocCount)
		if card, ok = st.FieldCardinality[field]; !ok {
			return 0, 0, fmt.Errorf("field stat for bm25 not present %s", field)
		}
	} else {
		n, err := r.DocCount()
		if err != nil {
			return 0, 0, err
		}
		docs = n
		if br, ok := r.(index.BM25Reader); ok {
			if card, err = br.FieldCardinality(field); err != nil {
				return 0, 0, err
			}
		}
	}
	if docs == 0 && card == 0 {
		return 0, 0, nil
	}
	return docs, math.Ceil(float64(card) / float64(docs)), nil
}

// absentSearcher matches nothing and weighs weight in the normalization
// of the query it is part of.
type absentSearcher struct{ weight float64 }

func (s absentSearcher) Next(*search.SearchContext) (*search.DocumentMatch, error) { return nil, nil }
func (s absentSearcher) Advance(*search.SearchContext, index.IndexInternalID) (*search.DocumentMatch, error) {
	return nil, nil
}
func (s absentSearcher) Close() error               { return nil }
func (s absentSearcher) Weight() float64            { return s.weight }
func (s absentSearcher) SetQueryNorm(float64)       {}
func (s absentSearcher) Count() uint64              { return 0 }
func (s absentSearcher) Min() int                   { return 0 }
func (s absentSearcher) Size() int                  { return 8 }
func (s absentSearcher) DocumentMatchPoolSize() int { return 0 }

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
