package index

import (
	"regexp"
	"regexp/syntax"
	"strings"
	"unicode/utf8"
)

// pattern is a regular expression that, when it only lists words (the cue
// lists: 电话|号码|联系方式…, 礼拜[一二三四五六天日]), matches by looking
// up each character of the text among the words' first characters instead
// of running the regexp engine, which backtracks through every alternative
// at every character. The matches are the regexp's: the words are tried in
// the order the regexp prefers them (leftmost, then the first alternative).
// Any other expression is matched by the regexp.
//
// An expression whose first alternatives list words and whose last ones do
// not (…|有没有份|(能|可以)(申请|领)[^？?，。]{0,12}[吗伐]) is matched by the
// list, then by a regexp of the rest; it is searched and replaced by the
// whole regexp, when it matches at all.
//
// An expression matched by the regexp is first checked for the characters
// any match needs (one of 0-9 or ０-９ for [0-9０-９]+(人|户|个…); one of
// 如, 以, 特, 现 for (如下|以下)[：:。]?$|特此公告|现予公示|…): a text
// with none of them is not run through the engine.
type pattern struct {
	re   *regexp.Regexp
	list *wordList      // nil: not a finite list of words
	rest *regexp.Regexp // the alternatives after the list's, if any
	// need: for an expression that is no list, sets of characters
	// (ranges: lo, hi pairs) of each of which every match holds one (a
	// digit, and one of 人, 户, 个… for [0-9０-９]+(人|户|个…)); nil when
	// none is known.
	need [][]rune
}

// mustPattern compiles expr (regexp syntax).
func mustPattern(expr string) *pattern {
	p := &pattern{re: regexp.MustCompile(expr)}
	p.list, p.rest = newWordList(expr)
	if p.list == nil {
		if re, err := syntax.Parse(expr, syntax.Perl); err == nil {
			p.need = requiredAll(re.Simplify())
		}
	}
	return p
}

// maxNeed bounds the ranges of characters a pattern checks a text for.
const maxNeed = 24

// required returns characters (ranges: lo, hi pairs) of which every match
// of re holds one; ok is false when there is no such set of at most
// maxNeed ranges (re may match the empty string, or any character).
func required(re *syntax.Regexp) (need []rune, ok bool) {
	switch re.Op {
	case syntax.OpLiteral:
		if re.Flags&syntax.FoldCase != 0 || len(re.Rune) == 0 {
			return nil, false
		}
		return []rune{re.Rune[0], re.Rune[0]}, true
	case syntax.OpCharClass:
		if len(re.Rune) == 0 || len(re.Rune) > 2*maxNeed {
			return nil, false
		}
		return re.Rune, true
	case syntax.OpCapture, syntax.OpPlus:
		return required(re.Sub[0])
	case syntax.OpRepeat:
		if re.Min < 1 {
			return nil, false
		}
		return required(re.Sub[0])
	case syntax.OpConcat:
		// Every part is in every match: the part needing fewest.
		for _, sub := range re.Sub {
			if r, ok := required(sub); ok && (need == nil || len(r) < len(need)) {
				need = r
			}
		}
		return need, need != nil
	case syntax.OpAlternate:
		// A match is one alternative's: what any of them needs.
		for _, sub := range re.Sub {
			r, ok := required(sub)
			if !ok || len(need)+len(r) > 2*maxNeed {
				return nil, false
			}
			need = append(need, r...)
		}
		return need, true
	}
	return nil, false
}

// maxNeedSets bounds the sets of characters a pattern checks a text for.
const maxNeedSets = 4

// requiredAll returns sets of characters (see required) of each of which
// every match of re holds one: those of every part of a sequence, every
// character of a literal; at most maxNeedSets, none when nothing is known.
func requiredAll(re *syntax.Regexp) [][]rune {
	var sets [][]rune
	switch re.Op {
	case syntax.OpLiteral:
		if re.Flags&syntax.FoldCase != 0 {
			return nil
		}
		for _, r := range re.Rune {
			sets = append(sets, []rune{r, r})
		}
	case syntax.OpCapture, syntax.OpPlus:
		sets = requiredAll(re.Sub[0])
	case syntax.OpRepeat:
		if re.Min >= 1 {
			sets = requiredAll(re.Sub[0])
		}
	case syntax.OpConcat:
		for _, sub := range re.Sub {
			sets = append(sets, requiredAll(sub)...)
		}
	default:
		if need, ok := required(re); ok {
			sets = [][]rune{need}
		}
	}
	return sets[:min(len(sets), maxNeedSets)]
}

// mayMatch reports whether s holds a character of each set every match
// needs (true when the pattern knows of none).
func (p *pattern) mayMatch(s string) bool {
	if len(p.need) == 0 {
		return true
	}
	all := uint8(1)<<len(p.need) - 1
	var hit uint8
	for _, r := range s {
		for k, set := range p.need {
			if hit&(1<<k) != 0 {
				continue
			}
			for i := 0; i < len(set); i += 2 {
				if set[i] <= r && r <= set[i+1] {
					hit |= 1 << k
					break
				}
			}
		}
		if hit == all {
			return true
		}
	}
	return false
}

func (p *pattern) String() string { return p.re.String() }

// MatchString reports whether s holds a match.
func (p *pattern) MatchString(s string) bool {
	if p.list == nil {
		return p.mayMatch(s) && p.re.MatchString(s)
	}
	if _, _, ok := p.list.next(s, 0); ok {
		return true
	}
	return p.rest != nil && p.rest.MatchString(s)
}

// FindAllString returns the successive matches in s (at most n; all when n
// is negative), nil when there is none, as regexp.FindAllString.
func (p *pattern) FindAllString(s string, n int) []string {
	if p.list == nil || p.rest != nil {
		if p.list == nil && !p.mayMatch(s) || p.rest != nil && !p.MatchString(s) {
			return nil
		}
		return p.re.FindAllString(s, n)
	}
	var out []string
	for from := 0; n < 0 || len(out) < n; {
		i, w, ok := p.list.next(s, from)
		if !ok {
			break
		}
		out = append(out, w)
		from = i + len(w)
	}
	return out
}

// ReplaceAllString replaces every match in src with repl, as
// regexp.ReplaceAllString (a repl with $ expands by the regexp).
func (p *pattern) ReplaceAllString(src, repl string) string {
	if p.list == nil || p.rest != nil || strings.Contains(repl, "$") {
		if p.list == nil && !p.mayMatch(src) || p.list != nil && !p.MatchString(src) {
			return src
		}
		return p.re.ReplaceAllString(src, repl)
	}
	var b strings.Builder
	last := 0
	for from := 0; ; {
		i, w, ok := p.list.next(src, from)
		if !ok {
			break
		}
		if last == 0 {
			b.Grow(len(src))
		}
		b.WriteString(src[last:i])
		b.WriteString(repl)
		last = i + len(w)
		from = last
	}
	if last == 0 {
		return src // no match (a match ends past 0: no word is empty)
	}
	b.WriteString(src[last:])
	return b.String()
}

// wordList is a finite list of words in the order a regexp prefers them,
// indexed by first character.
type wordList struct {
	anchored bool      // ^: only at the start of the text
	first    [4]uint64 // which first characters occur (hashed), to skip most lookups
	byFirst  map[rune][]string
}

// maxWords bounds the expansion of an expression into words.
const maxWords = 1024

// newWordList returns the words expr matches, or nil when it matches
// anything else (a repetition, a wide class, an empty string…). When only
// its last alternatives are no words, rest matches them.
func newWordList(expr string) (*wordList, *regexp.Regexp) {
	re, err := syntax.Parse(expr, syntax.Perl)
	if err != nil {
		return nil, nil
	}
	re = re.Simplify()
	l := &wordList{byFirst: map[rune][]string{}}
	if re.Op == syntax.OpConcat && len(re.Sub) > 1 && re.Sub[0].Op == syntax.OpBeginText {
		l.anchored = true
		re = &syntax.Regexp{Op: syntax.OpConcat, Sub: re.Sub[1:]}
	}
	words, ok := expand(re)
	var rest *regexp.Regexp
	if !ok && !l.anchored && re.Op == syntax.OpAlternate {
		// The words of the first alternatives, the rest by regexp.
		words = nil
		for i, sub := range re.Sub {
			w, ok := expand(sub)
			if !ok || len(words)+len(w) > maxWords {
				if i == 0 {
					return nil, nil
				}
				tail := &syntax.Regexp{Op: syntax.OpAlternate, Sub: re.Sub[i:]}
				if len(re.Sub[i:]) == 1 {
					tail = re.Sub[i]
				}
				if rest, err = regexp.Compile(tail.String()); err != nil {
					return nil, nil
				}
				break
			}
			words = append(words, w...)
		}
		ok = rest != nil
	}
	if !ok || len(words) == 0 {
		return nil, nil
	}
	for _, w := range words {
		r, _ := utf8.DecodeRuneInString(w)
		if w == "" || !utf8.ValidString(w) || strings.ContainsRune(w, utf8.RuneError) {
			return nil, nil
		}
		l.byFirst[r] = append(l.byFirst[r], w)
		h := firstBit(r)
		l.first[h>>6] |= 1 << (h & 63)
	}
	return l, rest
}

func firstBit(r rune) uint32 { return uint32(r) * 2654435761 >> 24 }

// next finds the leftmost match at or after byte from: its start and word.
func (l *wordList) next(s string, from int) (int, string, bool) {
	if l.anchored && from > 0 {
		return 0, "", false
	}
	for i := from; i < len(s); {
		r, size := rune(s[i]), 1
		if r >= utf8.RuneSelf {
			r, size = utf8.DecodeRuneInString(s[i:])
		}
		if h := firstBit(r); l.first[h>>6]&(1<<(h&63)) != 0 {
			for _, w := range l.byFirst[r] {
				if strings.HasPrefix(s[i:], w) {
					return i, w, true
				}
			}
		}
		if l.anchored {
			break
		}
		i += size
	}
	return 0, "", false
}

// expand lists the strings re matches, in the order a backtracking
// matcher tries them; ok is false when they are not a short finite list.
func expand(re *syntax.Regexp) ([]string, bool) {
	switch re.Op {
	case syntax.OpLiteral:
		if re.Flags&syntax.FoldCase != 0 {
			return nil, false
		}
		return []string{string(re.Rune)}, true
	case syntax.OpCharClass:
		var out []string
		for i := 0; i+1 < len(re.Rune); i += 2 {
			for r := re.Rune[i]; r <= re.Rune[i+1]; r++ {
				if len(out) == 64 {
					return nil, false
				}
				out = append(out, string(r))
			}
		}
		return out, len(out) > 0
	case syntax.OpEmptyMatch:
		return []string{""}, true
	case syntax.OpCapture:
		return expand(re.Sub[0])
	case syntax.OpQuest:
		sub, ok := expand(re.Sub[0])
		if !ok {
			return nil, false
		}
		if re.Flags&syntax.NonGreedy != 0 {
			return append([]string{""}, sub...), true
		}
		return append(sub, ""), true
	case syntax.OpAlternate:
		var out []string
		for _, s := range re.Sub {
			sub, ok := expand(s)
			if !ok || len(out)+len(sub) > maxWords {
				return nil, false
			}
			out = append(out, sub...)
		}
		return out, true
	case syntax.OpConcat:
		out := []string{""}
		for _, s := range re.Sub {
			sub, ok := expand(s)
			if !ok || len(out)*len(sub) > maxWords {
				return nil, false
			}
			next := make([]string, 0, len(out)*len(sub))
			for _, a := range out {
				for _, b := range sub {
					next = append(next, a+b)
				}
			}
			out = next
		}
		return out, true
	}
	return nil, false
}
