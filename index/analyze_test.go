package index

import (
	"reflect"
	"strings"
	"testing"
	"unicode"
)

func TestAnalyzeTellsIntentAndTopic(t *testing.T) {
	ix := sampleIndex(t)
	for _, c := range []struct {
		q      string
		intent Intent
		topic  bool // has topic words of its own
	}{
		{"那要带什么材料", Materials, false},
		{"电话多少", Phone, false},
		{"在哪里办", Where, false},
		{"几点开门", Hours, false},
		{"找谁办", Where, false},
		{"向谁申请", Where, true},
		{"低保标准是多少", Amount, true},
		{"长者食堂在哪里", Where, true},
		{"失业保险金怎么申请", Process, true},
		{"就业见习", AnyIntent, true},
	} {
		a := ix.Analyze(c.q)
		if a.Intent != c.intent || (len(a.Topic) > 0) != c.topic {
			t.Errorf("Analyze(%q) = %+v, want intent %q, topic words %v", c.q, a, c.intent, c.topic)
		}
	}
	if got := ix.Analyze("长者食堂在哪里").Topic; !reflect.DeepEqual(got, []string{"长者食堂"}) && len(got) == 0 {
		t.Errorf("topic of 长者食堂在哪里: %v", got)
	}
}

func TestNormalizedFastPath(t *testing.T) {
	for r := rune(0); r <= 0x10FFFF; r++ {
		if r > caselessFrom && r < caselessTo && unicode.ToLower(r) != r {
			t.Fatalf("%U has a lower case", r)
		}
	}
	for r := rune(0); r <= 0x10FFFF; r++ {
		want := unicode.ToLower(r)
		switch {
		case r == '\u3000':
			want = ' '
		case r >= '\uFF01' && r <= '\uFF5E':
			want = unicode.ToLower(r - 0xFEE0)
		}
		if got := normalizeRune(r); got != want {
			t.Fatalf("normalizeRune(%U) = %U, want %U", r, got, want)
		}
	}
	for _, s := range []string{"", "abc", "ABC", "低保标准", "ＡＢＣ１２", "a\u3000b", "Ωmega", "ωmega", "\xff低保", "低保Ｘ", "低保X"} {
		want := strings.Map(func(r rune) rune {
			switch {
			case r == '\u3000':
				return ' '
			case r >= '\uFF01' && r <= '\uFF5E':
				r -= 0xFEE0
			}
			return unicode.ToLower(r)
		}, s)
		if got := normalize(s); got != want {
			t.Errorf("normalize(%q) = %q, want %q", s, got, want)
		}
	}
}

func TestPhraseScoreAsSubstrings(t *testing.T) {
	plain := func(question []rune, title string) float64 {
		best := 0
		for i := range question {
			for j := i + best + 1; j <= len(question); j++ {
				if !strings.Contains(title, string(question[i:j])) {
					break
				}
				best = j - i
			}
		}
		if best < 3 {
			return 0
		}
		return min(1, float64(best)/phraseRunes)
	}
	for _, c := range []struct{ q, title string }{
		{"就业服务站在哪", "就业服务站点一览"}, {"低保标准多少", "2026年低保标准调整"}, {"abc低保x", "abc低保xyz"},
		{"", "标题"}, {"a\xffb低保标准", "低保标准"}, {string([]rune{0xD800, '低', '保', '标'}), "\uFFFD低保标"},
	} {
		q := questionRunes(c.q)
		if got, want := phraseScore(q, c.title), plain(q, c.title); got != want {
			t.Errorf("phraseScore(%q, %q) = %v, want %v", c.q, c.title, got, want)
		}
	}
}
