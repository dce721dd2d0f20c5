package index

// Retrieval: the bleve query that finds candidate disclosures for a
// question, and loading a disclosure by id.

import (
	"context"
	"fmt"
	"sort"

	"github.com/blevesearch/bleve/v2"
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
	var qs []query.Query
	add := func(field, term string, boost float64) {
		tq := bleve.NewTermQuery(term)
		tq.SetField(field)
		tq.SetBoost(boost)
		qs = append(qs, tq)
	}
	type bodyTerm struct {
		term  string
		boost float64
		df    uint64
	}
	var body []bodyTerm
	dup := map[string]bool{}
	for _, t := range a.terms {
		if dup[t.term] {
			continue
		}
		dup[t.term] = true
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
	for _, p := range a.py {
		if dup["py:"+p] {
			continue
		}
		dup["py:"+p] = true
		if df := g.df.docFreq(ctx, fPinyin, p); df > 0 && df <= common {
			add(fPinyin, p, boostPinyin)
		}
	}
	return qs
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
