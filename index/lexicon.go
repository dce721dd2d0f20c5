package index

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Lexicon is the admin-editable language data that shapes analysis: words
// the segmenter must know (dict.txt), words that carry no meaning in a
// question (stopwords.txt) and groups of words residents use for the same
// thing (synonyms.txt). A built index keeps a copy of the lexicon it was
// built with, so questions are analysed exactly as the documents were.
type Lexicon struct {
	// Words are added to the segmenter's dictionary, each with a frequency.
	Words []Word `json:"words"`
	// Stopwords are dropped from questions and documents.
	Stopwords []string `json:"stopwords"`
	// Synonyms are groups of interchangeable expressions. The first member
	// is the canonical (official) term.
	Synonyms [][]string `json:"synonyms"`
	// Referrals name the agencies that handle matters outside the
	// disclosures (护照 → 出入境管理部门), so govbot can say where to go.
	Referrals []Referral `json:"referrals"`
	// Situations map life situations residents describe (中风, 孩子没人带)
	// to the services that answer them (situations.txt).
	Situations []Situation `json:"situations"`
	// Outside lists what the disclosures do not speak of: other areas,
	// weather forecasts, private businesses (outside.txt).
	Outside []Outside `json:"outside"`
}

// Situation is a life situation: the expressions residents use for it and
// the services that answer it.
type Situation struct {
	Says  []string `json:"says"`
	Means []string `json:"means"`
}

// Outside is a kind of matter the disclosures do not speak of, and its
// words.
type Outside struct {
	Kind  string   `json:"kind"` // area, weather, business or other
	Words []string `json:"words"`
}

// outsideKinds are the kinds outside.txt may name.
var outsideKinds = map[string]bool{"area": true, "weather": true, "business": true, "other": true}

// Referral is one agency and the words of the matters it handles.
type Referral struct {
	Agency string   `json:"agency"`
	Words  []string `json:"words"`
}

// Word is a user dictionary entry.
type Word struct {
	Text string `json:"text"`
	Freq int    `json:"freq"`
}

// Lexicon file names inside a data directory.
const (
	DictFile       = "dict.txt"
	StopwordsFile  = "stopwords.txt"
	SynonymsFile   = "synonyms.txt"
	ReferralsFile  = "referrals.txt"
	SituationsFile = "situations.txt"
	OutsideFile    = "outside.txt"
)

// defaultWordFreq makes a user word win over the segmenter's own splits.
const defaultWordFreq = 20000

// LoadLexicon reads dict.txt, stopwords.txt and synonyms.txt from dir. A
// missing file is an empty list; a malformed line is an error naming file
// and line.
func LoadLexicon(dir string) (Lexicon, error) {
	var lx Lexicon
	var errs []error
	err := readLines(filepath.Join(dir, DictFile), func(n int, line string) {
		f := strings.Fields(line)
		w := Word{Text: normalize(f[0]), Freq: defaultWordFreq}
		if len(f) > 1 {
			v, err := strconv.Atoi(f[1])
			if err != nil || v <= 0 {
				errs = append(errs, fmt.Errorf("%s:%d: frequency %q is not a positive whole number", DictFile, n, f[1]))
				return
			}
			w.Freq = v
		}
		lx.Words = append(lx.Words, w)
	})
	if err != nil {
		return lx, err
	}
	err = readLines(filepath.Join(dir, StopwordsFile), func(n int, line string) {
		for _, w := range strings.Fields(line) {
			lx.Stopwords = append(lx.Stopwords, normalize(w))
		}
	})
	if err != nil {
		return lx, err
	}
	err = readLines(filepath.Join(dir, SynonymsFile), func(n int, line string) {
		var group []string
		for _, w := range strings.FieldsFunc(line, func(r rune) bool { return r == ',' || r == '，' || r == '、' || r == '/' }) {
			if w = normalize(strings.TrimSpace(w)); w != "" {
				group = append(group, w)
			}
		}
		if len(group) < 2 {
			errs = append(errs, fmt.Errorf("%s:%d: a synonym group needs at least two expressions separated by commas", SynonymsFile, n))
			return
		}
		lx.Synonyms = append(lx.Synonyms, group)
	})
	if err != nil {
		return lx, err
	}
	err = readLines(filepath.Join(dir, ReferralsFile), func(n int, line string) {
		agency, words, ok := strings.Cut(line, ": ")
		if !ok {
			agency, words, ok = strings.Cut(line, "：")
		}
		var r Referral
		r.Agency = strings.TrimSpace(agency)
		for _, w := range strings.FieldsFunc(words, func(r rune) bool { return r == ',' || r == '，' || r == '、' }) {
			if w = normalize(strings.TrimSpace(w)); w != "" {
				r.Words = append(r.Words, w)
			}
		}
		if !ok || r.Agency == "" || len(r.Words) == 0 {
			errs = append(errs, fmt.Errorf("%s:%d: want \"agency: word, word, ...\"", ReferralsFile, n))
			return
		}
		lx.Referrals = append(lx.Referrals, r)
	})
	if err != nil {
		return lx, err
	}
	splitList := func(s string) []string {
		var out []string
		for _, w := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == '，' || r == '、' }) {
			if w = normalize(strings.TrimSpace(w)); w != "" {
				out = append(out, w)
			}
		}
		return out
	}
	err = readLines(filepath.Join(dir, SituationsFile), func(n int, line string) {
		says, means, ok := strings.Cut(line, ":")
		if !ok {
			says, means, ok = strings.Cut(line, "：")
		}
		st := Situation{Says: splitList(says), Means: splitList(means)}
		if !ok || len(st.Says) == 0 || len(st.Means) == 0 {
			errs = append(errs, fmt.Errorf("%s:%d: want \"expression, expression, ...: service, service, ...\"", SituationsFile, n))
			return
		}
		for _, w := range st.Says {
			if utf8.RuneCountInString(w) < 2 {
				errs = append(errs, fmt.Errorf("%s:%d: %q is too short to tell a situation (it would match almost every question)", SituationsFile, n, w))
				return
			}
		}
		lx.Situations = append(lx.Situations, st)
	})
	if err != nil {
		return lx, err
	}
	err = readLines(filepath.Join(dir, OutsideFile), func(n int, line string) {
		kind, words, ok := strings.Cut(line, ":")
		if !ok {
			kind, words, ok = strings.Cut(line, "：")
		}
		o := Outside{Kind: strings.TrimSpace(kind), Words: splitList(words)}
		if !ok || !outsideKinds[o.Kind] || len(o.Words) == 0 {
			errs = append(errs, fmt.Errorf("%s:%d: want \"area|weather|business|other: word, word, ...\"", OutsideFile, n))
			return
		}
		lx.Outside = append(lx.Outside, o)
	})
	if err != nil {
		return lx, err
	}
	return lx, errors.Join(errs...)
}

// readLines calls fn for each non-blank line that is not a # comment.
func readLines(path string, fn func(n int, line string)) error {
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	n := 0
	for sc.Scan() {
		n++
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		fn(n, line)
	}
	return sc.Err()
}
