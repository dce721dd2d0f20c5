package index

import (
	"bufio"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// patternTexts are questions, titles and body lines of both dev corpora,
// their suffixes, and a few odd strings.
func patternTexts(t *testing.T) []string {
	t.Helper()
	var texts []string
	files, _ := filepath.Glob("testdata/*.jsonl")
	more, _ := filepath.Glob("../data/disclosures/*.jsonl")
	for _, f := range append(files, more...) {
		fh, err := os.Open(f)
		if err != nil {
			t.Fatal(err)
		}
		sc := bufio.NewScanner(fh)
		sc.Buffer(make([]byte, 1<<20), 1<<20)
		for sc.Scan() {
			var v struct{ Q, Title, Body string }
			if json.Unmarshal(sc.Bytes(), &v) != nil {
				continue
			}
			texts = append(texts, v.Q, v.Title)
			for i, line := range strings.Split(v.Body, "\n") {
				if i%4 == 0 {
					texts = append(texts, line)
				}
			}
		}
		fh.Close()
	}
	// Every suffix of the questions and titles (an anchored word list
	// must not match past the start).
	n := len(texts)
	for k, s := range texts[:n] {
		for i := range s {
			if i > 0 && k%23 == 0 {
				texts = append(texts, s[i:])
			}
		}
	}
	return append(texts, "", "我", "\xff我的申请到哪一步了", "到哪\xe4\xb8", "礼拜天开吗", "周末开门吗", "结果出来没", "结果出来了没")
}

// allPatterns are the package's word-list expressions.
func allPatterns() []*pattern {
	var ps []*pattern
	for _, p := range intentPatterns {
		ps = append(ps, p.re)
	}
	for _, m := range []map[Intent]*pattern{kindCues, intentWords, intentHeads} {
		for _, p := range m {
			ps = append(ps, p)
		}
	}
	for _, c := range alsoCues {
		ps = append(ps, c.re)
	}
	for _, c := range plainCues {
		ps = append(ps, c.re)
	}
	return append(ps, reFiller, reFirstPerson, reCaseState, reWarning, reStreetAfter, reYear4)
}

func TestPatternMatchesAsRegexp(t *testing.T) {
	texts := patternTexts(t)
	extra := []string{
		`(a|ab)(c|bcd)`, `^(东|西)?(路|街)`, `结果出来了?没`, `x??y`, `[0-9０-９]`, `\d{1,2}[:：]\d{2}`,
		`(^|[^0-9])(\d{2})年`, `a*`, `(?i)abc`, `那么|那个|那`, `(19|20)\d{2}`, `.`, `a|`,
		`能否|(能|可以)(申请|领)[^？?，。]{0,12}[吗伐]`, `要|(能|可以)申请.{0,3}吗|吗`, `a*|b`, `b|a*`, `^a|b`,
		`\d+号`, `(?i)号a`, `[^号]号`, `号{0,2}室`, `(号|室)+`, `x{2,}`, `^$`, `\b`, `号?`, `[0-9０-９]{1,3}(天|周)|当场`,
	}
	ps := allPatterns()
	for _, e := range extra {
		ps = append(ps, mustPattern(e))
	}
	// The line cues: word lists, or matched by the regexp engine after a
	// check for the characters every match needs.
	guarded := append([]*pattern{reDuration, rePreamble}, factKinds...)
	for _, p := range intentValues {
		guarded = append(guarded, p)
	}
	for _, p := range guarded {
		if p.list == nil && p.need == nil {
			t.Errorf("%s: neither a word list nor the characters its matches need", p)
		}
	}
	ps = append(ps, guarded...)
	lists := 0
	for _, p := range ps {
		re := regexp.MustCompile(p.String())
		if p.list != nil {
			lists++
		}
		for _, s := range texts {
			if got, want := p.MatchString(s), re.MatchString(s); got != want {
				t.Fatalf("%s.MatchString(%q) = %v, regexp %v", p, s, got, want)
			}
			if got, want := p.FindAllString(s, -1), re.FindAllString(s, -1); !slices.Equal(got, want) || (got == nil) != (want == nil) {
				t.Fatalf("%s.FindAllString(%q) = %q, regexp %q", p, s, got, want)
			}
			if got, want := p.FindAllString(s, 1), re.FindAllString(s, 1); !slices.Equal(got, want) {
				t.Fatalf("%s.FindAllString(%q, 1) = %q, regexp %q", p, s, got, want)
			}
			for _, repl := range []string{" ", "", "<$0>"} {
				if got, want := p.ReplaceAllString(s, repl), re.ReplaceAllString(s, repl); got != want {
					t.Fatalf("%s.ReplaceAllString(%q, %q) = %q, regexp %q", p, s, repl, got, want)
				}
			}
		}
	}
	// The cue lists must take the fast path (else they are regexps again).
	for _, p := range allPatterns() {
		if p.list == nil {
			t.Errorf("%s is matched by the regexp engine", p)
		}
	}
	t.Logf("%d patterns (%d word lists) agree with regexp on %d texts", len(ps), lists, len(texts))
}

func BenchmarkPatternIntent(b *testing.B) {
	q := "请问盈浦街道的低保标准现在是每月多少钱，要带什么材料"
	b.Run("pattern", func(b *testing.B) {
		for range b.N {
			for _, p := range intentPatterns {
				p.re.MatchString(q)
			}
		}
	})
	b.Run("regexp", func(b *testing.B) {
		res := make([]*regexp.Regexp, len(intentPatterns))
		for i, p := range intentPatterns {
			res[i] = regexp.MustCompile(p.re.String())
		}
		b.ResetTimer()
		for range b.N {
			for _, re := range res {
				re.MatchString(q)
			}
		}
	})
}
