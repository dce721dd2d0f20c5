package index

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/registry"

	"github.com/yingpu/govbot/segment"
)

// tokenizerName is the bleve tokenizer that segments Chinese with gse in
// search mode; analyzerName is the analyzer built on it.
const (
	tokenizerName = "govbot_gse"
	analyzerName  = "govbot_zh"
)

func init() {
	// bleve resolves analysis components by name from its registry; an index
	// mapping then stores only the names and the configuration (here: the
	// lexicon), so the same analyzer is rebuilt whenever the index opens.
	registry.RegisterTokenizer(tokenizerName, newTokenizer)
	registry.RegisterAnalyzer(analyzerName, newAnalyzer)
}

// Segmenter segments Chinese text into words and drops stopwords. It is safe
// for concurrent use once built.
type Segmenter struct {
	seg  *segment.Segmenter
	stop map[string]bool
	lx   Lexicon
	py   pinyinTable
}

// NewSegmenter returns a segmenter on gse's simplified-Chinese dictionary
// (compact and embedded: nothing is loaded) plus the lexicon's words and
// stopwords.
func NewSegmenter(lx Lexicon) (*Segmenter, error) {
	s := &Segmenter{stop: map[string]bool{}, lx: lx}
	words := make([]segment.Word, 0, len(lx.Words))
	for _, w := range lx.Words {
		words = append(words, segment.Word{Text: w.Text, Freq: float64(w.Freq)})
	}
	// Members of synonym groups are words in their own right.
	for _, g := range lx.Synonyms {
		for _, w := range g {
			if utf8.RuneCountInString(w) <= 6 && !strings.ContainsAny(w, " ") {
				words = append(words, segment.Word{Text: w, Freq: defaultWordFreq})
			}
		}
	}
	s.seg = segment.New(segment.Zh(), words)
	for _, w := range lx.Stopwords {
		s.stop[w] = true
	}
	s.py = newPinyinTable()
	return s, nil
}

// unknownIDF is the weight of a word general Chinese does not know: a name,
// a new term, or a typo.
const unknownIDF = 12

// GeneralIDF is how telling a word is in Chinese at large.
func (s *Segmenter) GeneralIDF(w string) float64 {
	if v, ok := s.seg.IDF(w); ok {
		return float64(v)
	}
	return unknownIDF
}

// Terms segments text in search mode (long words and the words inside them:
// 长者食堂 gives 长者, 食堂 and 长者食堂), normalized, without stopwords or
// punctuation. Repeated terms are kept (term frequency matters).
func (s *Segmenter) Terms(text string) []string {
	return s.filter(s.seg.CutSearch(normalize(text)))
}

// Words segments text in accurate mode (no overlapping sub-words), without
// stopwords or punctuation: the units a question is judged by. Characters
// the dictionary cannot join (a typo such as 暑拖班, a local name) are kept
// together as one fragment, split at stopwords, rather than guessed into
// words.
func (s *Segmenter) Words(text string) []string {
	var out, run []string
	flush := func() {
		if len(run) > 0 {
			out = append(out, strings.Join(run, ""))
			run = run[:0]
		}
	}
	for _, t := range s.seg.Cut(normalize(text)) {
		t = strings.TrimSpace(t)
		if utf8.RuneCountInString(t) == 1 && isHan(t) {
			if s.stop[t] {
				flush()
			} else {
				run = append(run, t)
			}
			continue
		}
		flush()
		if t == "" || s.stop[t] || !hasWordRune(t) {
			continue
		}
		out = append(out, t)
	}
	flush()
	return out
}

func isHan(t string) bool {
	r, _ := utf8.DecodeRuneInString(t)
	return unicode.Is(unicode.Han, r)
}

// Lexicon returns the lexicon the segmenter was built with.
func (s *Segmenter) Lexicon() Lexicon { return s.lx }

// IsStop reports whether w is a stopword.
func (s *Segmenter) IsStop(w string) bool { return s.stop[w] }

func (s *Segmenter) filter(words []string) []string {
	out := words[:0]
	for _, w := range words {
		w = strings.TrimSpace(w)
		if w == "" || s.stop[w] || !hasWordRune(w) {
			continue
		}
		out = append(out, w)
	}
	return out
}

func hasWordRune(w string) bool {
	for _, r := range w {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			return true
		}
	}
	return false
}

// normalize folds full-width ASCII to half-width and upper to lower case, so
// "ＡＢＣ１２" and "abc12" are the same term.
func normalize(s string) string {
	if normalized(s) {
		return s
	}
	return strings.Map(normalizeRune, s)
}

func normalizeRune(r rune) rune {
	switch {
	case r < utf8.RuneSelf:
		if 'A' <= r && r <= 'Z' {
			r += 'a' - 'A'
		}
		return r
	case r > caselessFrom && r < caselessTo:
		return r
	case r == '\u3000':
		return ' '
	case r >= '\uFF01' && r <= '\uFF5E':
		r -= 0xFEE0
	}
	return unicode.ToLower(r)
}

// normalized reports whether normalize leaves s as it is, without looking
// up the case tables for Chinese characters (which have no case).
func normalized(s string) bool {
	for _, r := range s {
		switch {
		case r < utf8.RuneSelf:
			if 'A' <= r && r <= 'Z' {
				return false
			}
		case r > caselessFrom && r < caselessTo:
		case r == '\u3000', r == utf8.RuneError, r >= '\uFF01' && r <= '\uFF5E', unicode.ToLower(r) != r:
			return false
		}
	}
	return true
}

// From caselessFrom to caselessTo (CJK punctuation, kana, CJK ideographs,
// Yi) no character has a lower case.
const caselessFrom, caselessTo = '\u3000', '\uA640'

// tokenizer adapts Segmenter to bleve.
type tokenizer struct{ s *Segmenter }

func (t tokenizer) Tokenize(input []byte) analysis.TokenStream {
	norm := normalize(string(input))
	terms := t.s.filter(t.s.seg.CutSearch(norm))
	// One allocation for the tokens and one for their terms' bytes.
	stream := make(analysis.TokenStream, 0, len(terms))
	toks := make([]analysis.Token, len(terms))
	n := 0
	for _, term := range terms {
		n += len(term)
	}
	buf := make([]byte, 0, n)
	pos := 0
	for i, term := range terms {
		start := strings.Index(norm[pos:], term)
		end := 0
		if start >= 0 {
			start += pos
			end = start + len(term)
			// Sub-words of a long word overlap it: only advance past
			// whole words so later sub-words are still found.
			pos = start
		} else {
			start, end = pos, pos
		}
		b := len(buf)
		buf = append(buf, term...)
		toks[i] = analysis.Token{
			Term:     buf[b:len(buf):len(buf)],
			Start:    start,
			End:      end,
			Position: i + 1,
			Type:     analysis.Ideographic,
		}
		stream = append(stream, &toks[i])
	}
	return stream
}

// newTokenizer builds the gse tokenizer from the lexicon stored in the
// index mapping's configuration.
func newTokenizer(config map[string]interface{}, _ *registry.Cache) (analysis.Tokenizer, error) {
	lx, err := lexiconFromConfig(config)
	if err != nil {
		return nil, err
	}
	s, err := NewSegmenter(lx)
	if err != nil {
		return nil, err
	}
	return tokenizer{s}, nil
}

type analyzer struct{ t tokenizer }

func (a analyzer) Analyze(input []byte) analysis.TokenStream { return a.t.Tokenize(input) }

func newAnalyzer(config map[string]interface{}, cache *registry.Cache) (analysis.Analyzer, error) {
	name, _ := config["tokenizer"].(string)
	if name == "" {
		return nil, fmt.Errorf("%s: no tokenizer configured", analyzerName)
	}
	t, err := cache.TokenizerNamed(name)
	if err != nil {
		return nil, err
	}
	gt, ok := t.(tokenizer)
	if !ok {
		return nil, fmt.Errorf("%s: tokenizer %q is not a %s tokenizer", analyzerName, name, tokenizerName)
	}
	return analyzer{gt}, nil
}

// segmenterOf returns the Segmenter behind a bleve analyzer built here.
func segmenterOf(a analysis.Analyzer) (*Segmenter, bool) {
	an, ok := a.(analyzer)
	if !ok {
		return nil, false
	}
	return an.t.s, true
}

func lexiconToConfig(lx Lexicon) map[string]interface{} {
	words := make([]interface{}, 0, len(lx.Words))
	for _, w := range lx.Words {
		words = append(words, fmt.Sprintf("%s %d", w.Text, w.Freq))
	}
	stop := make([]interface{}, 0, len(lx.Stopwords))
	for _, w := range lx.Stopwords {
		stop = append(stop, w)
	}
	syn := make([]interface{}, 0, len(lx.Synonyms))
	for _, g := range lx.Synonyms {
		syn = append(syn, strings.Join(g, ","))
	}
	ref := make([]interface{}, 0, len(lx.Referrals))
	for _, r := range lx.Referrals {
		ref = append(ref, r.Agency+"\t"+strings.Join(r.Words, ","))
	}
	sit := make([]interface{}, 0, len(lx.Situations))
	for _, st := range lx.Situations {
		sit = append(sit, strings.Join(st.Says, ",")+"\t"+strings.Join(st.Means, ","))
	}
	out := make([]interface{}, 0, len(lx.Outside))
	for _, o := range lx.Outside {
		out = append(out, o.Kind+"\t"+strings.Join(o.Words, ","))
	}
	return map[string]interface{}{
		"type":       tokenizerName,
		"words":      words,
		"stopwords":  stop,
		"synonyms":   syn,
		"referrals":  ref,
		"situations": sit,
		"outside":    out,
	}
}

func lexiconFromConfig(config map[string]interface{}) (Lexicon, error) {
	var lx Lexicon
	strs := func(key string) ([]string, error) {
		raw, ok := config[key]
		if !ok || raw == nil {
			return nil, nil
		}
		list, ok := raw.([]interface{})
		if !ok {
			return nil, fmt.Errorf("%s: %s must be a list", tokenizerName, key)
		}
		out := make([]string, 0, len(list))
		for _, v := range list {
			s, ok := v.(string)
			if !ok {
				return nil, fmt.Errorf("%s: %s must hold strings", tokenizerName, key)
			}
			out = append(out, s)
		}
		return out, nil
	}
	words, err := strs("words")
	if err != nil {
		return lx, err
	}
	for _, w := range words {
		var text string
		var freq int
		if _, err := fmt.Sscanf(w, "%s %d", &text, &freq); err != nil {
			return lx, fmt.Errorf("%s: bad word entry %q", tokenizerName, w)
		}
		lx.Words = append(lx.Words, Word{Text: text, Freq: freq})
	}
	if lx.Stopwords, err = strs("stopwords"); err != nil {
		return lx, err
	}
	groups, err := strs("synonyms")
	if err != nil {
		return lx, err
	}
	for _, g := range groups {
		lx.Synonyms = append(lx.Synonyms, strings.Split(g, ","))
	}
	refs, err := strs("referrals")
	if err != nil {
		return lx, err
	}
	for _, r := range refs {
		agency, words, ok := strings.Cut(r, "\t")
		if !ok {
			return lx, fmt.Errorf("%s: bad referral entry %q", tokenizerName, r)
		}
		lx.Referrals = append(lx.Referrals, Referral{Agency: agency, Words: strings.Split(words, ",")})
	}
	sits, err := strs("situations")
	if err != nil {
		return lx, err
	}
	for _, st := range sits {
		says, means, ok := strings.Cut(st, "\t")
		if !ok {
			return lx, fmt.Errorf("%s: bad situation entry %q", tokenizerName, st)
		}
		lx.Situations = append(lx.Situations, Situation{Says: strings.Split(says, ","), Means: strings.Split(means, ",")})
	}
	outs, err := strs("outside")
	if err != nil {
		return lx, err
	}
	for _, o := range outs {
		kind, words, ok := strings.Cut(o, "\t")
		if !ok {
			return lx, fmt.Errorf("%s: bad outside entry %q", tokenizerName, o)
		}
		lx.Outside = append(lx.Outside, Outside{Kind: kind, Words: strings.Split(words, ",")})
	}
	return lx, nil
}
