package index

import (
	"sort"
	"strings"
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
}

type synMember struct {
	text  string
	group int
}

type synMatch struct {
	member string
	group  int
}

func newSynonyms(s *Segmenter) *synonyms {
	sy := &synonyms{groups: append([][]string(nil), s.Lexicon().Synonyms...), terms: map[string][]string{}}
	for gi, g := range sy.groups {
		for _, m := range g {
			sy.members = append(sy.members, synMember{m, gi})
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
			sy.members = append(sy.members, synMember{w, gi})
		}
	}
	sort.SliceStable(sy.members, func(i, j int) bool {
		return utf8.RuneCountInString(sy.members[i].text) > utf8.RuneCountInString(sy.members[j].text)
	})
	return sy
}

// find returns the expressions present in text, longest first, at most one
// per group.
func (sy *synonyms) find(text string) []synMatch {
	var out []synMatch
	taken := map[int]bool{}
	for _, m := range sy.members {
		if taken[m.group] {
			continue
		}
		if strings.Contains(text, m.text) {
			taken[m.group] = true
			out = append(out, synMatch{m.text, m.group})
		}
	}
	return out
}
