package index

import (
	_ "embed"
	"errors"
	"sort"
	"strings"
	"unicode"
)

// Residents type on phones with pinyin input, so their typos are mostly
// homophones: 失业经 for 失业金, 创业代款 for 创业贷款, 然气 for 燃气. The
// index keeps a field of pinyin syllable pairs, and questions are matched on
// it too. Syllables are folded the way Shanghai speakers blur them (front and
// back nasals, flat and retroflex initials), so 经/金 and 正/征 meet.

// pinyinTable maps each Han character to its folded toneless syllable (the
// first reading of a heteronym of go-pinyin's dictionary). The table is
// generated from go-pinyin into pinyin.tab and embedded: opening it costs
// nothing, and every generation shares the executable's pages. Regenerate
// it (after a go-pinyin upgrade, or a change of foldSyllable) with
//
//	go test ./index -run TestPinyinTableFile -update-pinyin
type pinyinTable struct {
	data   string
	lo, hi rune // the characters looked up directly
	extra  int  // offset of the sorted (rune, id) pairs beyond them
	nExtra int
	names  []string // the distinct syllables
}

//go:embed pinyin.tab
var pinyinTab string

// pinyin.tab: "GVPY0001", then lo, hi, the number of extra pairs and the
// length of the names (uint32 little endian each), (hi-lo) uint16 ids + 1
// (0: no reading), the extra pairs (rune uint32, id + 1 uint32) sorted by
// rune, and the names joined by "\n".
const pinyinMagic = "GVPY0001"

func newPinyinTable() pinyinTable {
	t, err := openPinyinTable(pinyinTab)
	if err != nil {
		panic(err) // checked by the tests: a broken build
	}
	return t
}

func openPinyinTable(data string) (pinyinTable, error) {
	t := pinyinTable{data: data}
	if len(data) < 24 || data[:8] != pinyinMagic {
		return t, errors.New("index: pinyin.tab: not a pinyin table")
	}
	t.lo, t.hi = rune(t.u32(8)), rune(t.u32(12))
	t.nExtra = int(t.u32(16))
	namesLen := int(t.u32(20))
	t.extra = 24 + 2*int(t.hi-t.lo)
	names := t.extra + 8*t.nExtra
	if t.hi < t.lo || names+namesLen != len(data) {
		return t, errors.New("index: pinyin.tab: bad size")
	}
	t.names = strings.Split(data[names:], "\n")
	return t, nil
}

// of returns the syllable id of r.
func (t pinyinTable) of(r rune) (uint16, bool) {
	var id uint32
	if r >= t.lo && r < t.hi {
		i := 24 + 2*int(r-t.lo)
		id = uint32(t.data[i]) | uint32(t.data[i+1])<<8
	} else {
		j := sort.Search(t.nExtra, func(j int) bool { return rune(t.u32(t.extra+8*j)) >= r })
		if j < t.nExtra && rune(t.u32(t.extra+8*j)) == r {
			id = t.u32(t.extra + 8*j + 4)
		}
	}
	if id == 0 || int(id) > len(t.names) {
		return 0, false
	}
	return uint16(id - 1), true
}

func (t pinyinTable) u32(i int) uint32 {
	return uint32(t.data[i]) | uint32(t.data[i+1])<<8 | uint32(t.data[i+2])<<16 | uint32(t.data[i+3])<<24
}

// syllables returns the folded syllable of each Han character of s, with ""
// marking a break (a non-Han character) between runs.
func (t pinyinTable) syllables(s string) []string {
	out := make([]string, 0, len(s)/3)
	for _, r := range s {
		id, ok := t.of(r)
		if !ok || !unicode.Is(unicode.Han, r) {
			if len(out) > 0 && out[len(out)-1] != "" {
				out = append(out, "")
			}
			continue
		}
		out = append(out, t.names[id])
	}
	return out
}

// foldSyllable merges the distinctions that residents' typing blurs.
func foldSyllable(s string) string {
	switch {
	case strings.HasPrefix(s, "zh"):
		s = "z" + s[2:]
	case strings.HasPrefix(s, "ch"):
		s = "c" + s[2:]
	case strings.HasPrefix(s, "sh"):
		s = "s" + s[2:]
	}
	if strings.HasSuffix(s, "ng") && (strings.HasSuffix(s, "ing") || strings.HasSuffix(s, "eng") || strings.HasSuffix(s, "ang")) {
		s = s[:len(s)-1]
	}
	return s
}

// pairs returns the adjacent syllable pairs of s ("sy_ye ye_jin"), the
// terms of the pinyin field.
func (t pinyinTable) pairs(s string) []string {
	syl := t.syllables(s)
	var out []string
	for i := 0; i+1 < len(syl); i++ {
		if syl[i] == "" || syl[i+1] == "" {
			continue
		}
		out = append(out, syl[i]+"_"+syl[i+1])
	}
	return out
}

// key is the folded pinyin of a word, for comparing a question word
// with document text ("" when the word has no Han characters).
func (t pinyinTable) key(s string) string {
	syl := t.syllables(s)
	var b strings.Builder
	for _, p := range syl {
		if p == "" {
			continue
		}
		b.WriteString(p)
		b.WriteByte(' ')
	}
	return b.String()
}

// syllableRun is the longest run of consecutive syllables of word that
// occurs in doc (a pinyinKey with a leading space), and the word's length
// in syllables.
func syllableRun(word []string, doc string) (best, n int) {
	return syllableRunIn(word, doc, nil)
}

// syllableRunIn is syllableRun, skipping the runs that f (doc's filter, or
// nil) tells cannot occur.
func syllableRunIn(word []string, doc string, f *syllableFilter) (best, n int) {
	n = len(word)
	for i := 0; i < n; i++ {
		for j := n; j > i+best; j-- {
			if f != nil && !f.mayHold(word[i:j]) {
				continue
			}
			if strings.Contains(doc, " "+strings.Join(word[i:j], " ")+" ") {
				best = j - i
				break
			}
		}
	}
	return best, n
}

// syllableFilter is a Bloom filter (2048 bits, one hash) of the syllables
// of a pinyin key and of its pairs of adjacent syllables: a run of
// syllables that it does not hold all of (each, and each pair) certainly
// does not occur in the key.
type syllableFilter [32]uint64

func newSyllableFilter(key string) syllableFilter {
	var f syllableFilter
	prev, have := uint32(0), false
	for _, s := range strings.Fields(key) {
		h := syllableHash(s)
		f.set(h)
		if have {
			f.set(pairHash(prev, h))
		}
		prev, have = h, true
	}
	return f
}

func syllableHash(s string) uint32 {
	h := uint32(2166136261)
	for i := 0; i < len(s); i++ {
		h = (h ^ uint32(s[i])) * 16777619
	}
	return h
}

func pairHash(a, b uint32) uint32 { return (a*31 + b) * 2654435761 }

func (f *syllableFilter) set(h uint32) {
	h >>= 21
	f[h>>6] |= 1 << (h & 63)
}

func (f *syllableFilter) has(h uint32) bool {
	h >>= 21
	return f[h>>6]&(1<<(h&63)) != 0
}

// mayHold reports whether the run of syllables may occur.
func (f *syllableFilter) mayHold(run []string) bool {
	prev := uint32(0)
	for i, s := range run {
		h := syllableHash(s)
		if !f.has(h) || i > 0 && !f.has(pairHash(prev, h)) {
			return false
		}
		prev = h
	}
	return true
}
