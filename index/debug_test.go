package index

import (
	"context"
	"os"
	"strings"
	"testing"
)

// TestDebugQuestion prints how a question is ranked: GOVBOT_DEBUG_Q="问题"
// (GOVBOT_DEBUG_CORPUS=xiayang: on the 夏阳 corpus).
func TestDebugQuestion(t *testing.T) {
	q := os.Getenv("GOVBOT_DEBUG_Q")
	if q == "" {
		t.Skip("set GOVBOT_DEBUG_Q")
	}
	ix := debugIndex(t, "yingpu")
	for _, q := range strings.Split(q, "|") {
		a := ix.gen.analyze(q, evalDay)
		cands, err := ix.gen.rank(context.Background(), a, Query{Text: q, Explain: true}, evalDay, 10, &ix.weights)
		if err != nil {
			t.Fatal(err)
		}
		for _, u := range a.units {
			t.Logf("unit %q alts=%v w=%.2f", u.text, u.alts, u.weight)
		}
		for i, c := range cands {
			if i >= 6 {
				break
			}
			t.Logf("%s rank=%.3f %v sup=%s st=%d %s %v", c.doc.ID, c.rank, c.factors(), c.supBy, c.status, c.doc.Title, c.matched)
		}
	}
}

// debugIndex is the index of the corpus GOVBOT_DEBUG_CORPUS names (yingpu:
// the sample data, xiayang: the 夏阳 corpus), by default dflt's.
func debugIndex(t *testing.T, dflt string) *Index {
	t.Helper()
	corpus := os.Getenv("GOVBOT_DEBUG_CORPUS")
	if corpus == "" {
		corpus = dflt
	}
	if corpus == "xiayang" {
		return xiayangIndex(t)
	}
	return sampleIndex(t)
}
