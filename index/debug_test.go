package index

import (
	"context"
	"os"
	"strings"
	"testing"
)

// TestDebugQuestion prints how a question is ranked: GOVBOT_DEBUG_Q="问题".
func TestDebugQuestion(t *testing.T) {
	q := os.Getenv("GOVBOT_DEBUG_Q")
	if q == "" {
		t.Skip("set GOVBOT_DEBUG_Q")
	}
	ix := sampleIndex(t)
	for _, q := range strings.Split(q, "|") {
		cands, a, err := ix.gen.rank(context.Background(), q, nil, evalDay, 10)
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
			t.Logf("%s rank=%.3f bm25=%.3f cov=%.3f sup=%s st=%d %s", c.doc.ID, c.rank, c.bm25, c.coverage, c.supBy, c.status, c.doc.Title)
		}
	}
}
