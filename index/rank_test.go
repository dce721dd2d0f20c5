package index

import (
	"math"
	"testing"

	"github.com/yingpu/govbot/content"
)

func TestQuestionIntentAndPay(t *testing.T) {
	for _, c := range []struct {
		q      string
		intent Intent
		pay    bool
	}{
		{"怎么向街道申请政府信息公开", Process, false},
		{"如何在网上办理", Process, false},
		{"居民医保交多少", Amount, true},
		{"停车收费吗", Amount, true},
		{"低保多少钱", Amount, false},
		{"补贴能领多少", Amount, false},
		{"交通补贴多少", Amount, false},
		{"一年要交多少钱", Amount, true},
		{"办事大厅电话多少", Phone, false},
		{"失业金能领多久", Duration, false},
		{"截止到哪天", When, false},
		{"廉租房在几楼办", Where, false},
		{"长者食堂", AnyIntent, false},
	} {
		a := analyzed{intent: questionIntent(c.q)}
		a.pay = a.intent == Amount && rePay.MatchString(c.q)
		if a.intent != c.intent || a.pay != c.pay {
			t.Errorf("%s: intent %q pay %v, want %q %v", c.q, a.intent, a.pay, c.intent, c.pay)
		}
	}
}

func TestTitleKindForWhatIsPaid(t *testing.T) {
	pay := analyzed{intent: Amount, pay: true}
	get := analyzed{intent: Amount}
	fee := "关于做好城乡居民基本医疗保险参保缴费工作的通知"
	benefit := "城乡居民基本医疗保险待遇政策问答"
	if !titleKind(pay, fee) || titleKind(pay, benefit) {
		t.Errorf("交多少: the contribution notice names the kind, the benefits Q&A does not")
	}
	if !titleKind(get, benefit) {
		t.Errorf("多少 (a benefit): 待遇 names the kind")
	}
	if titleKind(analyzed{}, fee) {
		t.Errorf("no intent: no kind")
	}
}

// Candidates alike in every respect are worth a clarifying question; one
// standing out by a signal a resident would see is not.
func TestDecisive(t *testing.T) {
	g := sampleIndex(t).gen
	day := evalDay
	cand := func(id string) *candidate {
		di, err := g.info(id)
		if err != nil {
			t.Fatal(err)
		}
		c := &candidate{info: di, doc: &di.doc, status: di.doc.StatusOn(day), head: 0.5}
		c.supBy = g.supersededBy(t.Context(), id, day)
		return c
	}
	plain := analyzed{intent: AnyIntent}
	amount := analyzed{intent: Amount}
	for _, c := range []struct {
		name       string
		a          analyzed
		best, next string
		tweak      func(b, n *candidate)
		want       bool
	}{
		{"alike", plain, "eld-001", "eld-002", nil, false},
		{"editions of one standard", plain, "ben-002", "ben-001", nil, true},
		{"editions, the other way", plain, "ben-001", "ben-002", nil, true},
		{"phrase in one title", plain, "eld-001", "eld-002", func(b, n *candidate) { b.feat[featPhrase] = 0.67 }, true},
		{"phrase a little longer", plain, "eld-001", "eld-002", func(b, n *candidate) { b.feat[featPhrase], n.feat[featPhrase] = 0.67, 0.5 }, false},
		{"kind asked for", amount, "eld-001", "eld-002", func(b, n *candidate) { n.feat[featTitleKind] = 1 }, true},
		{"kind without an intent", plain, "eld-001", "eld-002", func(b, n *candidate) { n.feat[featTitleKind] = 1 }, false},
		{"more of the question in a title", plain, "eld-001", "eld-002", func(b, n *candidate) { n.head = 0.8 }, true},
		{"one ended", plain, "eld-001", "eld-002", func(b, n *candidate) { n.status = content.Expired }, true},
	} {
		b, n := cand(c.best), cand(c.next)
		if c.tweak != nil {
			c.tweak(b, n)
		}
		if got := g.decisive(c.a, b, n); got != c.want {
			t.Errorf("%s: decisive %v, want %v", c.name, got, c.want)
		}
	}
}

// A question naming a year gets that year's edition with nothing to ask;
// the words a resident wrote, found in a title as written, count for more
// than the same thing found through a synonym.
func TestYearNamedAndExactWords(t *testing.T) {
	ix := sampleIndex(t)
	ans := askOn(t, ix, Query{Text: "2022年的低保标准是多少", Now: evalDay})
	if len(ans.Hits) < 2 || ans.Hits[0].ID != "ben-001" || !ans.Decisive {
		t.Errorf("2022年的低保标准: hits %v decisive %v, want ben-001 first, decisive", hitIDs(ans), ans.Decisive)
	}
	if ix.weights[featExact] == 0 {
		t.Fatalf("data/ranking.txt gives the exact words no weight")
	}
	g := ix.gen
	a := g.analyze("长者食堂", evalDay)
	exact, err := g.info("eld-001") // 盈浦街道南门长者食堂供餐公告
	if err != nil {
		t.Fatal(err)
	}
	_, _, e, _, _ := g.coverage(a, exact, 0, false, nil)
	if e != 1 {
		t.Errorf("长者食堂 in the title as written: exact %v, want 1", e)
	}
	a = g.analyze("老人饭堂", evalDay)
	_, head, e, _, _ := g.coverage(a, exact, 0, false, nil)
	if head != 1 || e != 0 {
		t.Errorf("老人饭堂 (a synonym of 长者食堂): head %v exact %v, want 1 and 0", head, e)
	}
}

// A same-sounding word is a typo only when no candidate holds the word as
// written: 评估价 in one disclosure's body, another's 评估+家 is not it
// (though 评估, a run of its syllables, still counts as a part).
func TestHomophoneOnlyForATypo(t *testing.T) {
	g := sampleIndex(t).gen
	a := g.analyze("暑拖班", evalDay) // a typo of 暑托班
	di, err := g.info("chd-003")   // 2026年盈浦街道爱心暑托班报名通知
	if err != nil {
		t.Fatal(err)
	}
	typo, _, _, _, _ := g.coverage(a, di, 0, false, nil)
	if typo == 0 {
		t.Fatalf("暑拖班 in a disclosure of 暑托班: coverage 0, want the homophone's credit")
	}
	written, _, _, _, _ := g.coverage(a, di, 1, false, nil)
	if written != 0 {
		t.Errorf("暑拖班 held as written by another candidate: coverage %v here, want 0", written)
	}
	if w := asWritten(a, []*candidate{{info: di}}); w != 0 {
		t.Errorf("asWritten: %b, want no unit (暑拖班 is written nowhere)", w)
	}
}

// A title naming years says which year a disclosure is of; only one naming
// none is of the year of its dates.
func TestDocYearMatch(t *testing.T) {
	date := func(s string) content.Date {
		d, err := content.ParseDate(s)
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	y2025 := map[int]bool{2025: true}
	for _, c := range []struct {
		title, published string
		want             int
	}{
		{"关于2025年调整城乡居民最低生活保障标准的公告", "2025-06-20", yearInTitle},
		{"关于2026年调整城乡居民最低生活保障标准的公告", "2025-12-20", yearNone},
		{"城乡居民最低生活保障申请办事指南", "2025-03-01", yearOfDate},
		{"城乡居民最低生活保障申请办事指南", "2024-03-01", yearNone},
	} {
		d := &content.Disclosure{Title: c.title, Published: date(c.published)}
		if got := docYearMatch(d, y2025); got != c.want {
			t.Errorf("%s (%s): %d, want %d", c.title, c.published, got, c.want)
		}
	}
}

// A question asking for places prefers the places of the kind it names
// (located disclosures whose place is so named, lists of places) over a
// policy that names them; 街道, in most titles, names no kind of place.
func TestPlaceFeature(t *testing.T) {
	g := sampleIndex(t).gen
	feature := func(q, id string) float64 {
		t.Helper()
		a := g.analyze(q, evalDay)
		di, err := g.info(id)
		if err != nil {
			t.Fatal(err)
		}
		return placeFeature(a, &di.doc, g.placeUnits(t.Context(), a))
	}
	for _, c := range []struct {
		q, id string
		want  float64
	}{
		{"街道有哪些长者食堂", "eld-001", 1}, // 盈浦街道南门长者食堂: 街道 does not count
		{"附近的老人饭堂", "eld-003", 1},   // 青安社区助餐点, a synonym of 长者食堂
		{"街道有哪些长者食堂", "eld-009", 0}, // 老年助餐补贴政策解读: a policy, no place
		{"长者食堂补贴标准", "eld-001", 1},  // asks for no place: nothing to prefer
		{"避难场所在哪", "emg-013", 1},    // 应急避难场所名录
		{"有哪些补贴", "eld-001", 0},
		{"南门食堂几点开饭", "eld-001", 0.49}, // 盈浦街道南门长者食堂: 南门 and 食堂
		{"南门食堂几点开饭", "eld-002", 0.24}, // 盈浦街道复兴长者食堂: 食堂 only     // a place, but not of what is asked
	} {
		if got := feature(c.q, c.id); math.Abs(got-c.want) > 0.01 {
			t.Errorf("%s / %s: place %.2f, want %.2f", c.q, c.id, got, c.want)
		}
	}
}

// What is not yet in force gives way, but an event ahead (a notice with an
// end date) does not: it is what a resident asking about it wants.
func TestTimeFactorForWhatIsAhead(t *testing.T) {
	ahead := func(expires string) *candidate {
		d := &content.Disclosure{ID: "x", Title: "冬季社区文化活动安排"}
		d.Effective, _ = content.ParseDate("2026-12-01")
		if expires != "" {
			d.Expires, _ = content.ParseDate(expires)
		}
		return &candidate{doc: d, status: content.NotYetEffective}
	}
	if f := timeFactor(ahead("2027-01-31"), analyzed{}, nil); f != 1 {
		t.Errorf("an event ahead: factor %v, want 1", f)
	}
	if f := timeFactor(ahead(""), analyzed{}, nil); f >= 1 {
		t.Errorf("a standard to come: factor %v, want below 1", f)
	}
}

// On either corpus, a question asking where a kind of place is, which
// there are, or when it opens, gets such a place first, not the policy
// that names them all (written from the places a subdistrict runs).
func TestPlaceQuestionsGetPlaces(t *testing.T) {
	qs := []string{"附近有长者食堂吗", "托育点在哪里", "长者食堂几点开门", "老人吃饭的地方在哪里", "有哪些助餐点", "避难所在哪"}
	for name, ix := range map[string]*Index{"盈浦": sampleIndex(t), "夏阳": xiayangIndex(t)} {
		for _, q := range qs {
			ans := askOn(t, ix, Query{Text: q, Now: evalDay})
			if len(ans.Hits) == 0 || ans.Hits[0].Place == nil {
				t.Errorf("%s %s: hits %v, want a place first", name, q, hitIDs(ans))
			}
		}
	}
}
