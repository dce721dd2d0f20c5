package segment

import (
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/go-ego/gse/hmm"
)

// randomTexts mixes common characters, rare ones, letters, digits and
// punctuation, so that dictionary words, runs the dictionary cannot join
// (cut by the HMM) and numbers all occur.
func randomTexts(n int) []string {
	const alphabet = "的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可主发年动同工也能下过子说产种面而方后多定行学法所民得经十三之进着等部度家电力里如水化高自二理起小物现实加量都两体制机当使点从业本去把性好应开它合还因由其些然前外天政四日那社义事平形相全表间样与关各重新线内数正心反你明看原又么利比或但质气第向道命此变条只没结解问意建月公无系军很情者最立代想已通并提直题党程展五果料象员革位入常文总次品式活设及管特件长求老头基资边流路级少图山统接知较将组见计别她手角期根论运农指几九区强放决西被干做必战先回则任取据处队南给色光门即保治北造百规热领七海口东导器压志世金增争济阶油思术极交受联什认六共权收证改清己美再采转更单风切打白教速花带安场身车例真务具万每目至达走积示议声报斗完类八离华名确才科张信马节话米整空元况今集温传土许步群广石记需段研界拉林律叫且究观越织装影算低持音众书布复容儿须际商非验连断深难近矿千周委素技备半办青省列习响约支般史感劳便团往酸历市克何除消构府称太准精值号率族维划选标写存候毛亲快效斯院查江型眼王按格养易置派层片始却专状育厂京识适属圆包火住调满县局照参红细引听该铁价严龙飞低保长者食堂暑托班拖补贴申请办理社区街道盈浦夏阳"
	chars := []rune(alphabet)
	extra := []string{"ABC", "abc", "2026", "3.5", "12.34.56", "a1.2b", "3.", ".5", "x.y", "①", "Ⅻ", "ß", "，", "。", " ", "iPhone", "％", "-", "x1", "㐀", "龘"}
	r := rand.New(rand.NewPCG(7, 11))
	out := make([]string, n)
	for i := range out {
		var b strings.Builder
		for k := r.IntN(40); k >= 0; k-- {
			if r.IntN(8) == 0 {
				b.WriteString(extra[r.IntN(len(extra))])
			} else {
				b.WriteRune(chars[r.IntN(len(chars))])
			}
		}
		out[i] = b.String()
	}
	return out
}

// TestMatchesGse compares every mode of cutting with gse's own on random
// texts. (Words added to the dictionary are compared with gse in the index
// package, with the lexicon.)
func TestMatchesGse(t *testing.T) {
	if testing.Short() {
		t.Skip("loads gse's dictionary")
	}
	g := pristineGse(t)
	s := New(Zh(), nil)
	prepared := New(Zh(), nil)
	prepared.PrepareChars()
	for _, text := range randomTexts(2000) {
		if got, want := prepared.CutSearch(text), g.CutSearch(text, true); !slices.Equal(got, want) {
			t.Errorf("prepared CutSearch(%q)\n got %q\nwant %q", text, got, want)
		}
		if got, want := s.Cut(text), g.Cut(text, false); !slices.Equal(got, want) {
			t.Errorf("Cut(%q)\n got %q\nwant %q", text, got, want)
		}
		if got, want := s.CutSearch(text), g.CutSearch(text, true); !slices.Equal(got, want) {
			t.Errorf("CutSearch(%q)\n got %q\nwant %q", text, got, want)
		}
		lower := strings.ToLower(text)
		if got, want := s.hmmCut(lower), hmm.Cut(lower); !slices.Equal(got, want) {
			t.Errorf("hmm(%q)\n got %q\nwant %q", lower, got, want)
		}
	}
}

// TestPreparedChars: the table of single characters changes no cut, with
// words added (single characters among them, and characters beyond the
// table) or without.
func TestPreparedChars(t *testing.T) {
	words := []Word{{"暑托班", 20000}, {"龘", 5}, {"㐀㐀", 7}, {"夏", 3}, {"x", 1}, {"①号", 9}}
	for _, w := range [][]Word{nil, words} {
		plain, prepared := New(Zh(), w), New(Zh(), w)
		prepared.PrepareChars()
		prepared.PrepareChars() // twice is once
		texts := append(randomTexts(3000), "暑托班报名", "龘龘㐀㐀夏天", "x光检查①号楼", "\xff\xfe无效字节", "")
		for _, text := range texts {
			if got, want := prepared.CutSearch(text), plain.CutSearch(text); !slices.Equal(got, want) {
				t.Errorf("CutSearch(%q)\n got %q\nwant %q", text, got, want)
			}
			if got, want := prepared.Cut(text), plain.Cut(text); !slices.Equal(got, want) {
				t.Errorf("Cut(%q)\n got %q\nwant %q", text, got, want)
			}
		}
	}
}

func TestCut(t *testing.T) {
	s := New(Zh(), []Word{{"暑托班", 20000}})
	tests := []struct {
		text        string
		cut, search []string
	}{
		{text: "长者食堂在哪里", cut: []string{"长者", "食堂", "在", "哪里"}, search: []string{"长者", "食堂", "在", "哪里"}},
		{text: "暑托班报名", cut: []string{"暑托班", "报名"}, search: []string{"暑托班", "报名"}},
		{text: "iPhone15", cut: []string{"iphone15"}, search: []string{"iphone15"}},
		{text: "", cut: []string{}, search: []string{}},
	}
	for _, tt := range tests {
		if got := s.Cut(tt.text); !slices.Equal(got, tt.cut) {
			t.Errorf("Cut(%q) = %q, want %q", tt.text, got, tt.cut)
		}
		if got := s.CutSearch(tt.text); !slices.Equal(got, tt.search) {
			t.Errorf("CutSearch(%q) = %q, want %q", tt.text, got, tt.search)
		}
	}
	if v, ok := s.IDF("护照"); !ok || v < 5 {
		t.Errorf("IDF(护照) = %v, %v: want a telling word", v, ok)
	}
	if a, _ := s.IDF("一个"); a >= 5 {
		t.Errorf("IDF(一个) = %v: want a common word", a)
	}
	if _, ok := s.IDF("暑拖班"); ok {
		t.Error("IDF(暑拖班): a typo has no general weight")
	}
}

func TestOpenRejectsBadFiles(t *testing.T) {
	for _, data := range []string{"", "GVSEG001", zhS[:len(zhS)-1], "XXXXXXXX" + zhS[8:]} {
		if _, err := Open(data); err == nil {
			t.Errorf("Open(%d bytes): no error", len(data))
		}
	}
}

func BenchmarkCutSearch(b *testing.B) {
	text := strings.Repeat("青浦区盈浦街道长者食堂为辖区内60周岁以上老年人提供助餐服务，每餐补贴3元。申请人持身份证到社区事务受理服务中心办理。", 10)
	for _, prepared := range []bool{false, true} {
		name := "plain"
		if prepared {
			name = "prepared"
		}
		b.Run(name, func(b *testing.B) {
			s := New(Zh(), nil)
			if prepared {
				s.PrepareChars()
			}
			b.SetBytes(int64(len(text)))
			for b.Loop() {
				s.CutSearch(text)
			}
		})
	}
}

// BenchmarkPrepareChars is what a build pays once for the table.
func BenchmarkPrepareChars(b *testing.B) {
	for b.Loop() {
		New(Zh(), nil).PrepareChars()
	}
}

func BenchmarkGseCutSearch(b *testing.B) {
	g := pristineGse(b)
	text := strings.Repeat("青浦区盈浦街道长者食堂为辖区内60周岁以上老年人提供助餐服务，每餐补贴3元。申请人持身份证到社区事务受理服务中心办理。", 10)
	b.SetBytes(int64(len(text)))
	for b.Loop() {
		g.CutSearch(text, true)
	}
}
