package index

import (
	"context"
	"sync"

	"github.com/blevesearch/bleve/v2"
)

// termStats tells how many disclosures of a generation hold a term in a
// field, from bleve's own postings, cached: a generation changes only by Add.
type termStats struct {
	bi bleve.Index
	mu sync.Mutex
	df map[string]map[string]uint64 // by field, then term
	n  int                          // counts kept
}

const termStatsMax = 1 << 16

func newTermStats(bi bleve.Index) *termStats {
	return &termStats{bi: bi, df: map[string]map[string]uint64{}}
}

// docFreq returns the number of documents whose field holds term.
func (s *termStats) docFreq(ctx context.Context, field, term string) uint64 {
	s.mu.Lock()
	n, ok := s.df[field][term]
	s.mu.Unlock()
	if ok {
		return n
	}
	adv, err := s.bi.Advanced()
	if err != nil {
		return 0
	}
	r, err := adv.Reader()
	if err != nil {
		return 0
	}
	defer r.Close()
	tfr, err := r.TermFieldReader(ctx, []byte(term), field, false, false, false)
	if err != nil {
		return 0
	}
	n = tfr.Count()
	tfr.Close()
	s.mu.Lock()
	if s.n >= termStatsMax {
		clear(s.df)
		s.n = 0
	}
	m := s.df[field]
	if m == nil {
		m = map[string]uint64{}
		s.df[field] = m
	}
	if _, ok := m[term]; !ok {
		s.n++
	}
	m[term] = n
	s.mu.Unlock()
	return n
}

// reset forgets all counts (after Add changed the generation).
func (s *termStats) reset() {
	s.mu.Lock()
	clear(s.df)
	s.n = 0
	s.mu.Unlock()
}
