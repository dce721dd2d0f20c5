package index

import (
	"strconv"
	"strings"
	"sync"
)

// lineFilter is a Bloom filter of the characters of one line (256 bits,
// one hash): a word with a character it lacks is not in the line.
type lineFilter [4]uint64

func lineBit(r rune) uint32 { return uint32(r) * 2654435761 >> 24 }

func newLineFilter(s string) lineFilter {
	var f lineFilter
	for _, r := range s {
		h := lineBit(r)
		f[h>>6] |= 1 << (h & 63)
	}
	return f
}

func (f *lineFilter) mayHold(w string) bool {
	for _, r := range w {
		h := lineBit(r)
		if f[h>>6]&(1<<(h&63)) == 0 {
			return false
		}
	}
	return true
}

// lineScan is, for a shape, which characters each normalized line holds,
// made on first need.
type lineScan struct {
	once    sync.Once
	filters []lineFilter
}

// holds reports whether normalized line i of sh holds question unit u (as
// unitIn(sh.norm[i], u)).
func (sh *shape) holds(i int, u unit) bool {
	sc := &sh.scan
	sc.once.Do(func() {
		sc.filters = make([]lineFilter, len(sh.norm))
		for j, s := range sh.norm {
			sc.filters[j] = newLineFilter(s)
		}
	})
	f, s := &sc.filters[i], sh.norm[i]
	if f.mayHold(u.text) && strings.Contains(s, u.text) {
		return true
	}
	for _, alt := range u.alts {
		if f.mayHold(alt) && strings.Contains(s, alt) {
			return true
		}
	}
	return false
}

// inBody reports whether the disclosure's body may hold unit u anywhere: a
// line holds no more than the body does.
func (sh *shape) inBody(u unit) bool {
	return containsAny(&sh.doc.bodyRunes, sh.doc.body, u.text, u.alts)
}

// rowDate is a date a line names (reRowDate), its year when it names one.
type rowDate struct {
	yearNamed        bool
	year, month, day int
}

// rowDateScan is, for a shape, the dates each line names, read once.
type rowDateScan struct {
	once  sync.Once
	dates [][]rowDate
}

// namedDates are the valid dates line i of sh names, in order.
func (sh *shape) namedDates(i int) []rowDate {
	sc := &sh.dates
	sc.once.Do(func() {
		sc.dates = make([][]rowDate, len(sh.segs))
		for j, s := range sh.segs {
			if !strings.Contains(s, "月") {
				continue // reRowDate needs 月
			}
			for _, m := range reRowDate.FindAllStringSubmatch(s, -1) {
				var rd rowDate
				if m[1] != "" {
					rd.yearNamed = true
					rd.year, _ = strconv.Atoi(m[1])
				}
				rd.month, _ = strconv.Atoi(m[2])
				rd.day, _ = strconv.Atoi(m[3])
				if rd.month < 1 || rd.month > 12 || rd.day < 1 || rd.day > 31 {
					continue
				}
				sc.dates[j] = append(sc.dates[j], rd)
			}
		}
	})
	return sc.dates[i]
}
