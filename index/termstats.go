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
	df map[fieldTerm]uint64
}

// fieldTerm is a term of a field (a key made without joining the two).
type fieldTerm struct{ field, term string }

const termStatsMax = 1 << 16

func newTermStats(bi bleve.Index) *termStats {
	return &termStats{bi: bi, df: map[fieldTerm]uint64{}}
}

// docFreq returns the number of documents whose field holds term.
func (s *termStats) docFreq(ctx context.Context, field, term string) uint64 {
	key := fieldTerm{field, term}
	s.mu.Lock()
	n, ok := s.df[key]
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
	if len(s.df) >= termStatsMax {
		clear(s.df)
	}
	s.df[key] = n
	s.mu.Unlock()
	return n
}

// reset forgets all counts (after Add changed the generation).
func (s *termStats) reset() {
	s.mu.Lock()
	clear(s.df)
	s.mu.Unlock()
}
