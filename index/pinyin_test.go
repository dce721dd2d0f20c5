package index

import (
	"context"
	"reflect"
	"strings"
	"testing"
)

func TestFoldSyllable(t *testing.T) {
	for in, want := range map[string]string{
		// Retroflex initials fold to flat ones.
		"zhi": "zi", "chi": "ci", "shi": "si",
		"zhuang": "zuan", "chong": "cong", "shou": "sou",
		// Back nasals -ing/-eng/-ang fold to front ones.
		"jing": "jin", "zheng": "zen", "sheng": "sen", "fang": "fan", "ying": "yin",
		// What is already folded stays.
		"zi": "zi", "jin": "jin", "zen": "zen", "fan": "fan", "ye": "ye",
		// -ong has no front counterpart and is kept.
		"hong": "hong", "yong": "yong",
		"": "", "a": "a", "er": "er",
	} {
		if got := foldSyllable(in); got != want {
			t.Errorf("foldSyllable(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestPinyinTableHomophones(t *testing.T) {
	py := newPinyinTable()
	// The typos residents make on pinyin keyboards meet the right word.
	for _, pair := range [][2]string{
		{"失业经", "失业金"},
		{"创业代款", "创业贷款"},
		{"正", "征"},
		{"暑拖班", "暑托班"},
	} {
		if a, b := py.key(pair[0]), py.key(pair[1]); a == "" || a != b {
			t.Errorf("key(%s) = %q, key(%s) = %q: want equal and non-empty", pair[0], a, pair[1], b)
		}
	}
	if a, b := py.key("失业金"), py.key("低保"); a == b {
		t.Errorf("different words share the key %q", a)
	}
	if got, want := py.pairs("失业金"), []string{"si_ye", "ye_jin"}; !reflect.DeepEqual(got, want) {
		t.Errorf("pairs(失业金) = %v, want %v", got, want)
	}
	// A non-Han character breaks the run: no pair spans it.
	if got, want := py.pairs("失业A金"), []string{"si_ye"}; !reflect.DeepEqual(got, want) {
		t.Errorf("pairs(失业A金) = %v, want %v", got, want)
	}
	if got := py.key("abc 123"); got != "" {
		t.Errorf("key of text without Han characters = %q, want empty", got)
	}
	if got := py.syllables("低保，标准"); !reflect.DeepEqual(got, []string{"di", "bao", "", "biao", "zun"}) {
		t.Errorf("syllables(低保，标准) = %q", got)
	}
}

func TestSyllableRun(t *testing.T) {
	doc := " si ye bao xian jin sen qin "
	for _, c := range []struct {
		word     []string
		run, len int
	}{
		{[]string{"si", "ye", "jin"}, 2, 3},           // 失业 found, 失业金 not in a row
		{[]string{"bao", "xian", "jin"}, 3, 3},        // whole
		{[]string{"xian", "jin", "sen", "qin"}, 4, 4}, // across words
		{[]string{"di", "bao"}, 1, 2},                 // only 保
		{[]string{"zi", "zu"}, 0, 2},
		{[]string{"ye"}, 1, 1},
	} {
		run, n := syllableRun(c.word, doc)
		if run != c.run || n != c.len {
			t.Errorf("syllableRun(%v) = %d, %d; want %d, %d", c.word, run, n, c.run, c.len)
		}
	}
	// Syllables match whole, not as a prefix of a longer one.
	if run, _ := syllableRun([]string{"ba"}, doc); run != 0 {
		t.Errorf("syllableRun(ba) = %d, want 0 (bao is another syllable)", run)
	}
}

// A homophone typo still finds the right guide.
func TestHomophoneTypoFindsGuide(t *testing.T) {
	ix := sampleIndex(t)
	for _, q := range []string{"失业经", "失业经怎么领"} {
		ans, err := ix.Ask(context.Background(), Query{Text: q, Now: evalDay})
		if err != nil {
			t.Fatal(err)
		}
		if !ans.Answered {
			t.Errorf("%s: declined (%s)", q, ans.Decline)
		}
		if r := rankOf(ans, "emp-004"); r < 1 || r > 3 {
			t.Errorf("%s: emp-004 (失业保险金申领办事指南) at rank %d, want top 3; hits %v", q, r, hitIDs(ans))
		}
	}
}

// The syllable filter only skips runs that do not occur.
func TestSyllableFilterKeepsRuns(t *testing.T) {
	py := newPinyinTable()
	docs := []string{" si ye bao xian jin sen qin ", " " + py.key("失业保险金申领办事指南：持身份证到社区事务受理服务中心办理") + " "}
	words := [][]string{{"si", "ye", "jin"}, {"bao", "xian", "jin"}, {"xian", "jin", "sen", "qin"}, {"di", "bao"}, {"zi", "zu"}, {"ye"}, {"ba"}}
	for _, w := range []string{"失业经", "身分证", "受里", "社区", "事务受理", "办事直南", "低保"} {
		words = append(words, strings.Fields(py.key(w)))
	}
	for _, doc := range docs {
		f := newSyllableFilter(doc)
		for _, w := range words {
			r1, n1 := syllableRun(w, doc)
			r2, n2 := syllableRunIn(w, doc, &f)
			if r1 != r2 || n1 != n2 {
				t.Errorf("%q in %q: filtered %d/%d, plain %d/%d", w, doc, r2, n2, r1, n1)
			}
		}
	}
}
