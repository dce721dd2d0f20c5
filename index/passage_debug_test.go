package index

import (
	"fmt"
	"os"
	"strings"
	"testing"
)

// TestDebugPassage prints how a passage is chosen: GOVBOT_DEBUG_P="问题=id|…"
// on the 夏阳 corpus (GOVBOT_DEBUG_CORPUS=yingpu: the sample data).
func TestDebugPassage(t *testing.T) {
	spec := os.Getenv("GOVBOT_DEBUG_P")
	if spec == "" {
		t.Skip("set GOVBOT_DEBUG_P")
	}
	ix := debugIndex(t, "xiayang")
	for _, qs := range strings.Split(spec, "|") {
		q, id, _ := strings.Cut(qs, "=")
		a := ix.gen.analyze(q, evalDay)
		di, err := ix.gen.info(id)
		if err != nil {
			t.Fatal(err)
		}
		sh := di.shape()
		var cue *lineCues
		if a.intent != AnyIntent {
			cue = sh.cuesFor(a.intent)
		}
		scores, il, _, _ := sh.lineScores(a, cue)
		p := passage(di, a, passageRunes)
		var b strings.Builder
		fmt.Fprintf(&b, "Q %q intent=%q also=%v doc=%s\n", q, a.intent, a.also, id)
		for _, u := range a.units {
			fmt.Fprintf(&b, "  unit %q w=%.2f\n", u.text, u.weight)
		}
		for i, s := range sh.segs {
			mark := " "
			if p != nil && strings.Contains(p.Text, s) {
				mark = "*"
			}
			fmt.Fprintf(&b, "%s %2d %6.2f il=%v f=%d par=%d r=%d %s\n", mark, i, scores[i], il[i], sh.facts[i], sh.parent[i], sh.runes[i], s)
		}
		t.Log(b.String())
	}
}
