package index

import (
	"strings"
	"unicode"

	"github.com/mozillazg/go-pinyin"
)

// Residents type on phones with pinyin input, so their typos are mostly
// homophones: 失业经 for 失业金, 创业代款 for 创业贷款, 然气 for 燃气. The
// index keeps a field of pinyin syllable pairs, and questions are matched on
// it too. Syllables are folded the way Shanghai speakers blur them (front and
// back nasals, flat and retroflex initials), so 经/金 and 正/征 meet.

// pinyinTable maps each Han character to its folded toneless syllable (the
// first reading of a heteronym). It is built once per Segmenter. The map
// holds indexes into a few hundred distinct syllables, so it has no pointers
// for the garbage collector to scan.
type pinyinTable struct {
	of    map[rune]uint16
	names []string // the distinct syllables
}

var toneless = strings.NewReplacer(
	"ā", "a", "á", "a", "ǎ", "a", "à", "a",
	"ē", "e", "é", "e", "ě", "e", "è", "e", "ê", "e", "ế", "e", "ề", "e",
	"ī", "i", "í", "i", "ǐ", "i", "ì", "i",
	"ō", "o", "ó", "o", "ǒ", "o", "ò", "o",
	"ū", "u", "ú", "u", "ǔ", "u", "ù", "u",
	"ǖ", "v", "ǘ", "v", "ǚ", "v", "ǜ", "v", "ü", "v",
	"ń", "n", "ň", "n", "ǹ", "n", "ḿ", "m",
)

func newPinyinTable() pinyinTable {
	t := pinyinTable{of: make(map[rune]uint16, len(pinyin.PinyinDict))}
	ids := map[string]uint16{}
	for code, readings := range pinyin.PinyinDict {
		first, _, _ := strings.Cut(readings, ",")
		if first == "" {
			continue
		}
		syl := foldSyllable(toneless.Replace(first))
		id, ok := ids[syl]
		if !ok {
			id = uint16(len(t.names))
			ids[syl] = id
			t.names = append(t.names, syl)
		}
		t.of[rune(code)] = id
	}
	return t
}

// syllables returns the folded syllable of each Han character of s, with ""
// marking a break (a non-Han character) between runs.
func (t pinyinTable) syllables(s string) []string {
	out := make([]string, 0, len(s)/3)
	for _, r := range s {
		id, ok := t.of[r]
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
	n = len(word)
	for i := 0; i < n; i++ {
		for j := n; j > i+best; j-- {
			if strings.Contains(doc, " "+strings.Join(word[i:j], " ")+" ") {
				best = j - i
				break
			}
		}
	}
	return best, n
}
