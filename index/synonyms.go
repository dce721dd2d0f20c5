package index

import (
	"slices"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"
)

// synonyms finds the expressions of the lexicon's synonym groups in a
// question. Matching is on the normalized text, not on segmented words, so
// a multi-word expression (老人吃饭的地方) is found whole.
type synonyms struct {
	groups  [][]string
	members []synMember // longest first
	// terms holds each member's index terms, segmented once when the
	// generation opens rather than on every question.
	terms map[string][]string
	// situation[g] says group g is a life situation: its members are the
	// expressions residents use, the group the services that answer it.
	situation map[int]bool
	// byFirst lists, per character, the members (indices into members,
	// ascending) that begin with it: a question can hold only the members
	// whose first character it has, so find looks at those alone.
	byFirst map[rune][]int32
	// blank are the members with no text (held by every text).
	blank []int32
}

type synMember struct {
	text  string
	group int
	// runes: a situation's expression of three or more characters, which
	// also matches with a few characters inside it (开个店 in 开个奶茶店);
	// nil for every other member.
	runes []rune
}

// situationGap is how many characters a situation's expression may have
// inserted into it, within one clause, and still be found.
const situationGap = 3

type synMatch struct {
	member string
	group  int
}

func newSynonyms(s *Segmenter) *synonyms {
	sy := &synonyms{groups: append([][]string(nil), s.Lexicon().Synonyms...), terms: map[string][]string{}}
	for gi, g := range sy.groups {
		for _, m := range g {
			sy.members = append(sy.members, synMember{text: m, group: gi})
			if _, ok := sy.terms[m]; !ok {
				sy.terms[m] = append([]string(nil), s.Terms(m)...)
			}
		}
	}
	sy.situation = map[int]bool{}
	for _, st := range s.Lexicon().Situations {
		gi := len(sy.groups)
		sy.groups = append(sy.groups, st.Means)
		sy.situation[gi] = true
		for _, m := range st.Means {
			if _, ok := sy.terms[m]; !ok {
				sy.terms[m] = append([]string(nil), s.Terms(m)...)
			}
		}
		for _, w := range st.Says {
			m := synMember{text: w, group: gi}
			if utf8.RuneCountInString(w) >= 3 {
				m.runes = []rune(w)
			}
			sy.members = append(sy.members, m)
		}
	}
	sort.SliceStable(sy.members, func(i, j int) bool {
		return utf8.RuneCountInString(sy.members[i].text) > utf8.RuneCountInString(sy.members[j].text)
	})
	sy.byFirst = map[rune][]int32{}
	for i, m := range sy.members {
		if m.text == "" {
			sy.blank = append(sy.blank, int32(i))
			continue
		}
		r, _ := utf8.DecodeRuneInString(m.text)
		sy.byFirst[r] = append(sy.byFirst[r], int32(i))
	}
	return sy
}

// candidates are the members text may hold (those beginning with one of
// its characters), in the order of members.
func (sy *synonyms) candidates(text string) []int32 {
	out := append([]int32(nil), sy.blank...)
	for _, r := range text {
		out = append(out, sy.byFirst[r]...)
	}
	slices.Sort(out)
	return slices.Compact(out) // a character met twice adds its members twice
}

// find returns the expressions present in text, longest first, at most one
// per group.
//
// A situation's expression of three or more characters is also found with
// up to situationGap characters inserted, within one clause: residents
// name the particular (开个奶茶店, 房子被火烧了) where the lexicon has the
// general (开个店). The match is then the span of the question that holds
// it. Exact matches are taken first.
func (sy *synonyms) find(text string) []synMatch {
	var out []synMatch
	taken := map[int]bool{}
	cands := sy.candidates(text)
	for _, i := range cands {
		m := &sy.members[i]
		if taken[m.group] {
			continue
		}
		if strings.Contains(text, m.text) {
			taken[m.group] = true
			out = append(out, synMatch{m.text, m.group})
		}
	}
	var runes []rune
	for _, i := range cands {
		m := &sy.members[i]
		if m.runes == nil || taken[m.group] {
			continue
		}
		if runes == nil {
			runes = []rune(text)
		}
		if span := gappedSpan(runes, m.runes, situationGap); span != "" {
			taken[m.group] = true
			out = append(out, synMatch{span, m.group})
		}
	}
	// Longest first across both kinds: a situation found with words
	// inside it (不太会带孩子) is taken before a shorter expression it
	// holds (孩子), which would otherwise leave it nothing to match.
	sort.SliceStable(out, func(i, j int) bool {
		return utf8.RuneCountInString(out[i].member) > utf8.RuneCountInString(out[j].member)
	})
	return out
}

// gappedSpan finds want's characters in order in text, beginning with its
// first and ending with its last, with at most gap others between them and
// no clause break or negation, and returns the shortest such span ("" when
// none).
func gappedSpan(text, want []rune, gap int) string {
	from, to := 0, -1 // the shortest span found, text[from:to]
	for start, r := range text {
		if r != want[0] {
			continue
		}
		k, extra := 1, 0
		for i := start + 1; i < len(text) && k < len(want) && extra <= gap; i++ {
			switch {
			case text[i] == want[k]:
				k++
				if k == len(want) && (to < 0 || i+1-start < to-from) {
					from, to = start, i+1
				}
			case isClauseBreak(text[i]) || isNegation(text[i]):
				extra = gap + 1
			default:
				extra++
			}
		}
	}
	if to < 0 {
		return ""
	}
	return string(text[from:to])
}

// isNegation: a character that, inserted into a situation, says the
// opposite (公司一直没裁员 is not 公司裁员), so the situation is not found.
func isNegation(r rune) bool {
	return strings.ContainsRune("不没未无别非", r)
}

// isClauseBreak: punctuation or space, which a situation does not span.
func isClauseBreak(r rune) bool {
	return unicode.IsPunct(r) || unicode.IsSpace(r) || r == '～' || r == '~'
}
