package index

import (
	"fmt"
	"hash/fnv"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/registry"
	"github.com/go-ego/gse"
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
	seg  gse.Segmenter
	stop map[string]bool
	lx   Lexicon
	// idf is gse's general-language inverse document frequency: how much a
	// word says in Chinese at large (一个 little, 护照 much).
	idf idfTable
	py  pinyinTable
}

// NewSegmenter loads gse's embedded simplified-Chinese dictionary plus the
// lexicon's words and stopwords.
func NewSegmenter(lx Lexicon) (*Segmenter, error) {
	s := &Segmenter{stop: map[string]bool{}, lx: lx}
	s.seg.SkipLog = true
	if err := s.seg.LoadDictEmbed("zh_s"); err != nil {
		return nil, fmt.Errorf("load segmenter dictionary: %w", err)
	}
	for _, w := range lx.Words {
		if err := s.seg.AddToken(w.Text, float64(w.Freq)); err != nil {
			return nil, fmt.Errorf("add dictionary word %q: %w", w.Text, err)
		}
	}
	// Members of synonym groups are words in their own right.
	for _, g := range lx.Synonyms {
		for _, w := range g {
			if utf8.RuneCountInString(w) <= 6 && !strings.ContainsAny(w, " ") {
				s.seg.AddToken(w, defaultWordFreq)
			}
		}
	}
	for _, w := range lx.Stopwords {
		s.stop[w] = true
	}
	s.idf = parseIDF(gse.ZhIdf)
	s.py = newPinyinTable()
	return s, nil
}

// idfTable maps a word's 64-bit hash to its weight. Keys and values hold
// no pointers, so the garbage collector never scans its 270,000 entries.
type idfTable map[uint64]float32

func wordHash(w string) uint64 {
	h := fnv.New64a()
	h.Write([]byte(w))
	return h.Sum64()
}

// parseIDF reads gse's "word idf" lines.
func parseIDF(text string) idfTable {
	m := make(idfTable, 280000)
	for len(text) > 0 {
		line := text
		if i := strings.IndexByte(text, '\n'); i >= 0 {
			line, text = text[:i], text[i+1:]
		} else {
			text = ""
		}
		sp := strings.IndexByte(line, ' ')
		if sp <= 0 {
			continue
		}
		v, err := strconv.ParseFloat(strings.TrimSpace(line[sp+1:]), 32)
		if err != nil {
			continue
		}
		m[wordHash(line[:sp])] = float32(v)
	}
	return m
}

// unknownIDF is the weight of a word general Chinese does not know: a name,
// a new term, or a typo.
const unknownIDF = 12

// GeneralIDF is how telling a word is in Chinese at large.
func (s *Segmenter) GeneralIDF(w string) float64 {
	if v, ok := s.idf[wordHash(w)]; ok {
		return float64(v)
	}
	return unknownIDF
}

// Terms segments text in search mode (long words and the words inside them:
// 长者食堂 gives 长者, 食堂 and 长者食堂), normalized, without stopwords or
// punctuation. Repeated terms are kept (term frequency matters).
func (s *Segmenter) Terms(text string) []string {
	return s.filter(s.seg.CutSearch(normalize(text), true))
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
	for _, t := range s.seg.Cut(normalize(text), false) {
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
	return strings.Map(func(r rune) rune {
		switch {
		case r == '\u3000':
			return ' '
		case r >= '\uFF01' && r <= '\uFF5E':
			r -= 0xFEE0
		}
		return unicode.ToLower(r)
	}, s)
}

// tokenizer adapts Segmenter to bleve.
type tokenizer struct{ s *Segmenter }

func (t tokenizer) Tokenize(input []byte) analysis.TokenStream {
	text := string(input)
	terms := t.s.Terms(text)
	stream := make(analysis.TokenStream, 0, len(terms))
	norm := normalize(text)
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
		stream = append(stream, &analysis.Token{
			Term:     []byte(term),
			Start:    start,
			End:      end,
			Position: i + 1,
			Type:     analysis.Ideographic,
		})
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
	return map[string]interface{}{
		"type":      tokenizerName,
		"words":     words,
		"stopwords": stop,
		"synonyms":  syn,
		"referrals": ref,
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
	return lx, nil
}
