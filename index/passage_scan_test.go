package index

import (
	"reflect"
	"strconv"
	"testing"
	"time"

	"github.com/yingpu/govbot/clock"
)

// A line's character filter never hides a word the line holds.
func TestLineFilterKeepsWords(t *testing.T) {
	ix := withoutCache(sampleIndex(t))
	checked := 0
	for _, q := range loadQuestions(t) {
		a := ix.gen.analyze(q.Q, evalDay)
		ans := askOn(t, ix, Query{Text: q.Q, Now: evalDay})
		for _, h := range ans.Hits {
			di, err := ix.gen.info(h.ID)
			if err != nil {
				t.Fatal(err)
			}
			sh := di.shape()
			for _, u := range append(a.units, lineUnits(di, a.units)...) {
				for i, s := range sh.norm {
					if got, want := sh.holds(i, u), unitIn(s, u); got != want {
						t.Fatalf("%s line %d %q, unit %q %q: holds %v, unitIn %v", h.ID, i, s, u.text, u.alts, got, want)
					}
					checked++
				}
			}
		}
	}
	if checked == 0 {
		t.Fatal("nothing checked")
	}
}

// The dates a line names are read once, the same as reading them each time.
func TestNamedDatesAsRead(t *testing.T) {
	ix := withoutCache(sampleIndex(t))
	now := evalDay
	seen := 0
	for _, q := range loadQuestions(t) {
		for _, h := range askOn(t, ix, Query{Text: q.Q, Now: now}).Hits {
			di, _ := ix.gen.info(h.ID)
			sh := di.shape()
			for i, s := range sh.segs {
				var want []time.Time
				year := di.doc.Published.Time().Year()
				if di.doc.Published.IsZero() {
					year = now.In(clock.Shanghai).Year()
				}
				for _, m := range reRowDate.FindAllStringSubmatch(s, -1) {
					y := year
					if m[1] != "" {
						y, _ = strconv.Atoi(m[1])
					}
					mo, _ := strconv.Atoi(m[2])
					d, _ := strconv.Atoi(m[3])
					if mo < 1 || mo > 12 || d < 1 || d > 31 {
						continue
					}
					want = append(want, time.Date(y, time.Month(mo), d, 0, 0, 0, 0, clock.Shanghai))
				}
				if got := sh.rowDates(i, now); !reflect.DeepEqual(got, want) {
					t.Fatalf("%s line %q: %v, want %v", h.ID, s, got, want)
				}
				seen += len(want)
			}
		}
	}
	if seen == 0 {
		t.Fatal("no dated line")
	}
}
