package index

import (
	"bufio"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/go-ego/gse"
)

// gseSegmenter is the analysis as it was done on gse itself: its embedded
// dictionary loaded and the lexicon added to it, then CutSearch with the HMM
// for index terms and Cut without it for question words.
type gseSegmenter struct {
	seg gse.Segmenter
	idf map[string]float32
}

func newGseSegmenter(t *testing.T, lx Lexicon) *gseSegmenter {
	t.Helper()
	g := &gseSegmenter{idf: map[string]float32{}}
	g.seg.SkipLog = true
	if err := g.seg.LoadDictEmbed("zh_s"); err != nil {
		t.Fatal(err)
	}
	for _, w := range lx.Words {
		g.seg.AddToken(w.Text, float64(w.Freq))
	}
	for _, gr := range lx.Synonyms {
		for _, w := range gr {
			if utf8.RuneCountInString(w) <= 6 && !strings.ContainsAny(w, " ") {
				g.seg.AddToken(w, defaultWordFreq)
			}
		}
	}
	for _, line := range strings.Split(gse.ZhIdf, "\n") {
		sp := strings.IndexByte(line, ' ')
		if sp <= 0 {
			continue
		}
		if v, err := strconv.ParseFloat(strings.TrimSpace(line[sp+1:]), 32); err == nil {
			g.idf[line[:sp]] = float32(v)
		}
	}
	return g
}

// analysisTexts is every text analysis sees in the sample: the
// disclosures' titles, keywords, bodies and places, and the residents'
// questions, plus edge cases.
func analysisTexts(t testing.TB) []string {
	t.Helper()
	texts := []string{
		"", " ", "a", "Ａ１２３ＢＣ", "iPhone15", "3.5万元", "2026年11月26日", "95.5%",
		"http://www.example.gov.cn/a?b=1", "低保", "暑拖班", "\xff\xfe低保\x80", "😀长者食堂😀",
		"ＡＢＣ长者食堂ABC123。。！？", "ABC办理夏阳街道办事处长者食堂暑托班", "abc办", "长者食堂长者食堂长者食堂", strings.Repeat("的", 200),
	}
	files, _ := filepath.Glob("../data/disclosures/*.jsonl")
	qfiles, _ := filepath.Glob("testdata/*-questions.jsonl")
	if len(files) == 0 || len(qfiles) == 0 {
		t.Fatal("no sample disclosures or questions")
	}
	for _, f := range append(files, qfiles...) {
		fh, err := os.Open(f)
		if err != nil {
			t.Fatal(err)
		}
		sc := bufio.NewScanner(fh)
		sc.Buffer(nil, 1<<22)
		for sc.Scan() {
			var rec map[string]any
			if json.Unmarshal(sc.Bytes(), &rec) != nil {
				continue
			}
			var walk func(v any)
			walk = func(v any) {
				switch v := v.(type) {
				case string:
					texts = append(texts, v)
				case []any:
					for _, x := range v {
						walk(x)
					}
				case map[string]any:
					for _, x := range v {
						walk(x)
					}
				}
			}
			walk(rec)
		}
		fh.Close()
	}
	return texts
}

// TestSegmenterMatchesGse: the compact dictionary and the segmentation on
// it give exactly the terms, words and weights gse gave, so building an
// index and analysing a question are unchanged.
func TestSegmenterMatchesGse(t *testing.T) {
	if testing.Short() {
		t.Skip("loads gse's dictionary")
	}
	lx, err := LoadLexicon("../data")
	if err != nil {
		t.Fatal(err)
	}
	// A word the lexicon adds that gse's dictionary lacks, and one it has.
	lx.Words = append(lx.Words, Word{Text: "暑托班", Freq: 30000}, Word{Text: "食堂", Freq: 1},
		Word{Text: "ABC办", Freq: 100}, Word{Text: "夏阳街道办", Freq: 3}, Word{Text: "长者食堂", Freq: 20000})
	g := newGseSegmenter(t, lx)
	s, err := NewSegmenter(lx)
	if err != nil {
		t.Fatal(err)
	}
	// A build's segmenter, with its table of single characters.
	prepared, err := NewSegmenter(lx)
	if err != nil {
		t.Fatal(err)
	}
	prepared.seg.PrepareChars()
	texts := analysisTexts(t)
	words := 0
	for _, text := range texts {
		n := normalize(text)
		want := g.seg.CutSearch(n, true)
		if got := s.seg.CutSearch(n); !slices.Equal(got, want) {
			t.Errorf("CutSearch(%q)\n got %q\nwant %q", n, got, want)
		}
		if got := prepared.seg.CutSearch(n); !slices.Equal(got, want) {
			t.Errorf("prepared CutSearch(%q)\n got %q\nwant %q", n, got, want)
		}
		want = g.seg.Cut(n, false)
		got := s.seg.Cut(n)
		if !slices.Equal(got, want) {
			t.Errorf("Cut(%q)\n got %q\nwant %q", n, got, want)
		}
		for _, w := range got {
			words++
			gv, gok := g.idf[w]
			v, ok := s.seg.IDF(w)
			if gv != v || gok != ok {
				t.Errorf("IDF(%q) = %v, %v; gse %v, %v", w, v, ok, gv, gok)
			}
		}
	}
	for w, want := range g.idf {
		if v, ok := s.seg.IDF(w); !ok || v != want {
			t.Fatalf("IDF(%q) = %v, %v; want %v", w, v, ok, want)
		}
	}
	t.Logf("%d texts, %d words compared", len(texts), words)
}

// BenchmarkTokenize analyses the sample's texts as a build does (with the
// lexicon's words; "prepared": with the table of single characters a build
// makes).
func BenchmarkTokenize(b *testing.B) {
	lx, err := LoadLexicon("../data")
	if err != nil {
		b.Fatal(err)
	}
	texts := analysisTexts(b)
	n := 0
	for _, t := range texts {
		n += len(t)
	}
	for _, prepared := range []bool{false, true} {
		name := "plain"
		if prepared {
			name = "prepared"
		}
		b.Run(name, func(b *testing.B) {
			s, err := NewSegmenter(lx)
			if err != nil {
				b.Fatal(err)
			}
			if prepared {
				s.seg.PrepareChars()
			}
			tok := tokenizer{s}
			b.SetBytes(int64(n))
			for b.Loop() {
				for _, t := range texts {
					tok.Tokenize([]byte(t))
				}
			}
		})
	}
}
