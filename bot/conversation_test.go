package bot

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/yingpu/govbot/clock"
	"github.com/yingpu/govbot/index"
)

func TestParseUtterance(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want utterance
	}{
		{"2", utterance{kind: uPick, pick: 2}},
		{" ２ ", utterance{kind: uPick, pick: 2}},
		{"第二个", utterance{kind: uPick, pick: 2}},
		{"第3条", utterance{kind: uPick, pick: 3}},
		{"看第一个吧", utterance{kind: uPick, pick: 1}},
		{"12345", utterance{kind: uQuestion}},
		{"谢谢", utterance{kind: uCourtesy, courtesy: courtesyThanks}},
		{"好的，谢谢！", utterance{kind: uCourtesy, courtesy: courtesyOK}},
		{"您好", utterance{kind: uCourtesy, courtesy: courtesyHello}},
		{"拜拜", utterance{kind: uCourtesy, courtesy: courtesyBye}},
		{"没有了，谢谢", utterance{kind: uCourtesy, courtesy: courtesyOK}},
		{"有用", utterance{kind: uFeedback, feedback: FeedbackUseful}},
		{"很有用，谢谢", utterance{kind: uFeedback, feedback: FeedbackUseful}},
		{"没用", utterance{kind: uFeedback, feedback: FeedbackNotUseful}},
		{"不对", utterance{kind: uFeedback, feedback: FeedbackWrong}},
		{"有用吗", utterance{kind: uQuestion}},
		{"全文", utterance{kind: uFull}},
		{"查看全文", utterance{kind: uFull}},
		{"还有别的吗", utterance{kind: uMore}},
		{"其他的呢？", utterance{kind: uMore}},
		{"还有别的托育点吗", utterance{kind: uMore, rest: "托育点"}},
		{"不是这个，我问的是低保一个月多少钱", utterance{kind: uCorrection, rest: "低保一个月多少钱"}},
		{"我问的是医疗救助", utterance{kind: uCorrection, rest: "医疗救助"}},
		{"不是这个", utterance{kind: uCorrection}},
		{"不是本地户口能申请吗", utterance{kind: uQuestion}},
		{"我想问低保怎么申请", utterance{kind: uQuestion}},
		{"那要带什么材料", utterance{kind: uQuestion, deictic: true}},
		{"那边有床睡吗", utterance{kind: uQuestion, deictic: true, place: true}},
		{"那里几点开门", utterance{kind: uQuestion, deictic: true, place: true}},
		{"这里说的补贴怎么领", utterance{kind: uQuestion, deictic: true}},
		{"听说明年奖励要提高，是真的吗", utterance{kind: uQuestion, rumour: true}},
		{"听说低保标准提高了，是真的吗", utterance{kind: uQuestion}},
		{"明年还有补贴吗", utterance{kind: uQuestion}},
		{"按小时算呢", utterance{kind: uQuestion, elliptic: true}},
		{"低保标准是多少", utterance{kind: uQuestion}},
	} {
		if got := parseUtterance(tc.in); got != tc.want {
			t.Errorf("parseUtterance(%q) = %+v, want %+v", tc.in, got, tc.want)
		}
	}
}

// libDoc is one disclosure of fakeLibrary: it matches a question by the
// words it names (all of which name a matter).
type libDoc struct {
	id, title string
	words     []string
	body      []string // lines
	// bodyWords are matched in the body only (they name no matter of the
	// disclosure, but a question may name them).
	bodyWords []string
	// kinds are the intents its title says it answers (a guide: process,
	// materials).
	kinds    []index.Intent
	place    *index.Place
	category string
	// best is the line its passages give as the one that answers
	// (index.Passage.Best).
	best string
}

// fakeLibrary ranks its disclosures by how many of their words a question
// holds (the order of docs breaks ties). It records every query.
type fakeLibrary struct {
	mu      sync.Mutex
	docs    []libDoc
	queries []index.Query
	// scores overrides the ranking scores of the hits (by id), to make
	// candidates close.
	scores map[string]float64
	// minCoverage: below it, a question is declined (low_score).
	minCoverage float64
	// decisive: the answers say the best hit stands out from the
	// runner-up (index.Answer.Decisive).
	decisive bool
}

func (f *fakeLibrary) doc(id string) (libDoc, bool) {
	for _, d := range f.docs {
		if d.id == id {
			return d, true
		}
	}
	return libDoc{}, false
}

// fakeIntent is what a question asks for, as far as the fake knows.
func fakeIntent(q string) index.Intent {
	switch {
	case strings.Contains(q, "材料"):
		return index.Materials
	case strings.Contains(q, "申请") || strings.Contains(q, "怎么办"):
		return index.Process
	case strings.Contains(q, "多少") || strings.Contains(q, "提高"):
		return index.Amount
	}
	return index.AnyIntent
}

func (f *fakeLibrary) hit(d libDoc, q string, score float64) index.Hit {
	h := index.Hit{ID: d.id, Title: d.title, Department: "测试办", URL: "https://gk.example/" + d.id, Score: score,
		Status: index.Current, Place: d.place, Category: d.category, Factors: map[string]float64{"title_kind": 0, "kind": 0}}
	n := 0
	for _, w := range d.words {
		if strings.Contains(q, w) {
			n++
			h.Matched = append(h.Matched, index.Match{Term: w, Where: index.InTitle})
		}
	}
	for _, w := range d.bodyWords {
		if strings.Contains(q, w) {
			n++
			h.Matched = append(h.Matched, index.Match{Term: w, Where: index.InBody})
		}
	}
	if len(d.words) > 0 {
		h.Coverage = float64(n) / float64(len(d.words)+len(d.bodyWords))
	}
	if in := fakeIntent(q); in != index.AnyIntent && slices.Contains(d.kinds, in) {
		h.Factors["title_kind"], h.Factors["kind"] = 1, 1
	}
	line := d.body[0]
	for _, l := range d.body {
		for _, w := range []string{"材料", "电话", "地址"} {
			if strings.Contains(q, w) && strings.Contains(l, w) {
				line = l
			}
		}
	}
	h.Passage = &index.Passage{Text: line, Whole: len(d.body) == 1, Best: d.best}
	return h
}

func (f *fakeLibrary) Ask(ctx context.Context, q index.Query) (index.Answer, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.queries = append(f.queries, q)
	var hits []index.Hit
	if len(q.Only) > 0 {
		for i, id := range q.Only {
			if d, ok := f.doc(id); ok {
				hits = append(hits, f.hit(d, q.Text, 1-0.1*float64(i)))
			}
		}
		return index.Answer{Answered: len(hits) > 0, Hits: hits, Confidence: 1, Intent: fakeIntent(q.Text)}, nil
	}
	for _, d := range f.docs {
		excluded := false
		for _, x := range q.Exclude {
			excluded = excluded || x == d.id
		}
		h := f.hit(d, q.Text, 0)
		if excluded || h.Coverage == 0 {
			continue
		}
		h.Score = h.Coverage * 0.9
		if s, ok := f.scores[d.id]; ok {
			h.Score = s
		}
		hits = append(hits, h)
	}
	sort.SliceStable(hits, func(i, j int) bool { return hits[i].Score > hits[j].Score })
	a := index.Answer{Hits: hits, Intent: fakeIntent(q.Text), Decisive: f.decisive}
	if len(hits) > 0 {
		a.Answered, a.Confidence = true, hits[0].Coverage
		for i := 1; i < len(hits); i++ {
			hits[i].Related = true
		}
		if a.Confidence < f.minCoverage {
			a.Answered, a.Decline = false, index.DeclineLowScore
		}
	}
	return a, nil
}

func (f *fakeLibrary) Full(ctx context.Context, id string, now time.Time) (index.Hit, error) {
	d, ok := f.doc(id)
	if !ok {
		return index.Hit{}, index.ErrNoDisclosure
	}
	h := f.hit(d, "", 1)
	h.Passage = &index.Passage{Text: strings.Join(d.body, "\n"), Whole: true}
	return h, nil
}

// Analyze: the words of the disclosures are the matters; anything else
// only asks.
func (f *fakeLibrary) Analyze(text string) index.Analysis {
	var a index.Analysis
	a.Intent = fakeIntent(text)
	for _, d := range f.docs {
		for _, w := range append(append([]string(nil), d.words...), d.bodyWords...) {
			if strings.Contains(text, w) && !contains(a.Topic, w) {
				a.Topic = append(a.Topic, w)
			}
		}
	}
	return a
}

func (f *fakeLibrary) last() index.Query {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.queries[len(f.queries)-1]
}

func (f *fakeLibrary) all() []index.Query {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]index.Query(nil), f.queries...)
}

func testLibrary() *fakeLibrary {
	long := make([]string, 60)
	for i := range long {
		long[i] = fmt.Sprintf("第%d条：%s", i+1, strings.Repeat("内容", 20))
	}
	return &fakeLibrary{docs: []libDoc{
		{id: "std", title: "低保标准公告", words: []string{"低保", "标准"}, body: []string{"低保标准每月1600元。"}},
		{id: "guide", title: "低保申请指南", words: []string{"低保", "申请"}, body: []string{"申请条件：本市户籍。", "所需材料：户口簿、身份证。", "办理地址：盛阳路1099号。", "咨询电话：021-59280000。"}},
		{id: "canteen-a", title: "澄湖长者食堂", words: []string{"长者食堂", "澄湖"}, body: []string{"地址：澄湖路218号。", "电话：021-111。"}, best: "地址：澄湖路218号。"},
		{id: "canteen-b", title: "桂荷长者食堂", words: []string{"长者食堂", "桂荷"}, body: []string{"地址：桂荷路77号。", "早餐7:00—8:30。"}, best: "1. 地址：桂荷路77号；"},
		{id: "canteen-c", title: "柳溪助餐点", words: []string{"长者食堂", "柳溪"}, body: []string{"地址：柳溪路356弄。"}},
		{id: "medical", title: "医疗救助指南", words: []string{"医疗救助", "看病"}, body: []string{"自负部分救助80%。"}},
		{id: "long", title: "街道年度报告", words: []string{"年度报告"}, body: long},
	}}
}

func testDialogue(lib *fakeLibrary, clk *clock.Fake, o ConversationOptions) *Dialogue {
	return NewDialogue(lib, NewRenderer(RenderOptions{Related: 2}), clk, o)
}

// say sends the messages of one resident in order, each with a new key.
func say(t *testing.T, d *Dialogue, user string, msgs ...string) []Turn {
	t.Helper()
	var out []Turn
	for _, m := range msgs {
		tr, err := d.Reply(context.Background(), Input{User: user, Key: fmt.Sprintf("%s-%d-%s", user, len(out), m), Text: m})
		if err != nil {
			t.Fatalf("%q: %v", m, err)
		}
		out = append(out, tr)
	}
	return out
}

func top(tr Turn) string {
	if len(tr.Hits) == 0 {
		return ""
	}
	return tr.Hits[0].ID
}

func TestDialoguePicksTheNumberedChoice(t *testing.T) {
	lib := testLibrary()
	d := testDialogue(lib, clock.NewFake(time.Unix(1e9, 0)), ConversationOptions{ClarifyMargin: -1})
	turns := say(t, d, "u", "长者食堂在哪里", "2", "3", "那里电话多少", "7")
	first := turns[0]
	if first.Kind != TurnAnswer || len(first.Choices) != 3 || first.Choices[0] != top(first) {
		t.Fatalf("first reply: kind %s choices %v hits %s", first.Kind, first.Choices, top(first))
	}
	for i, c := range first.Choices[1:] {
		assertContains(t, first.Text, fmt.Sprintf("%d. %s", i+2, titleOf(lib, c)))
	}
	if p := turns[1]; p.Kind != TurnPick || top(p) != first.Choices[1] || !p.Answered {
		t.Errorf("2 picked %s (%s), want %s", top(p), p.Kind, first.Choices[1])
	}
	// The other choices stay numbered as they were.
	assertContains(t, turns[1].Text, "1. "+titleOf(lib, first.Choices[0]))
	assertContains(t, turns[1].Text, "3. "+titleOf(lib, first.Choices[2]))
	if p := turns[2]; top(p) != first.Choices[2] {
		t.Errorf("then 3 picked %s, want %s", top(p), first.Choices[2])
	}
	// A follow-up asks the disclosure picked last.
	if f := turns[3]; f.Kind != TurnFollowUp || top(f) != first.Choices[2] {
		t.Errorf("follow-up after a pick: %s %s, want %s", f.Kind, top(f), first.Choices[2])
	}
	if h := turns[4]; h.Kind != TurnHint || h.Answered {
		t.Errorf("7 of 1 choice: %+v", h)
	} else {
		// It says there is no 7th and numbers again what can be picked.
		assertContains(t, h.Text, "没有第7条")
		for i, c := range h.Choices {
			assertContains(t, h.Text, fmt.Sprintf("%d. %s", i+1, titleOf(lib, c)))
		}
	}
	if h := say(t, d, "other", "2")[0]; h.Kind != TurnHint || h.Answered || h.Text != noChoicesText {
		t.Errorf("a number with nothing to pick from: %+v", h)
	}
}

func titleOf(lib *fakeLibrary, id string) string {
	d, _ := lib.doc(id)
	return d.title
}

func TestDialogueFollowUpOnTheSameMatter(t *testing.T) {
	lib := testLibrary()
	d := testDialogue(lib, clock.NewFake(time.Unix(1e9, 0)), ConversationOptions{})
	turns := say(t, d, "u", "低保申请", "那要带什么材料", "电话多少")
	if top(turns[0]) != "guide" {
		t.Fatalf("first: %s", top(turns[0]))
	}
	for _, f := range turns[1:] {
		if f.Kind != TurnFollowUp || top(f) != "guide" {
			t.Errorf("follow-up: %s %s, want guide", f.Kind, top(f))
		}
	}
	assertContains(t, turns[1].Text, "户口簿")
	assertContains(t, turns[2].Text, "021-59280000")
	// The matter went along with the follow-up, and the passage was asked
	// for with the follow-up's own words.
	var withMatter, own bool
	for _, q := range lib.all() {
		withMatter = withMatter || q.Text == "低保 申请 电话多少"
		own = own || (q.Text == "电话多少" && len(q.Only) == 1 && q.Only[0] == "guide")
	}
	if !withMatter || !own {
		t.Errorf("queries %+v", lib.all())
	}
}

func TestDialogueNewTopicStandsAlone(t *testing.T) {
	lib := testLibrary()
	d := testDialogue(lib, clock.NewFake(time.Unix(1e9, 0)), ConversationOptions{})
	turns := say(t, d, "u", "低保标准", "医疗救助看病")
	if turns[1].Kind != TurnAnswer || top(turns[1]) != "medical" {
		t.Errorf("new topic: %s %s", turns[1].Kind, top(turns[1]))
	}
	// Its own follow-up carries its own matter only.
	say(t, d, "u", "电话多少")
	for _, q := range lib.all() {
		if strings.Contains(q.Text, "电话") && strings.Contains(q.Text, "低保") {
			t.Errorf("old matter dragged in: %q", q.Text)
		}
	}
}

func TestDialogueCorrectionNeverRepeatsTheRefused(t *testing.T) {
	lib := testLibrary()
	d := testDialogue(lib, clock.NewFake(time.Unix(1e9, 0)), ConversationOptions{})
	turns := say(t, d, "u", "低保标准", "不是这个，我问的是低保申请")
	if c := turns[1]; c.Kind != TurnCorrection || top(c) != "guide" {
		t.Errorf("correction: %s %s", c.Kind, top(c))
	}
	if q := lib.last(); !contains(q.Exclude, "std") {
		t.Errorf("refused disclosure not excluded: %+v", q)
	}
	// 不是这个 alone offers the other candidates, numbered.
	turns = say(t, d, "v", "长者食堂澄湖", "不是这个", "1")
	if c := turns[1]; c.Kind != TurnClarify || contains(c.Choices, "canteen-a") || len(c.Choices) == 0 {
		t.Errorf("不是这个: %s %v", c.Kind, c.Choices)
	}
	assertContains(t, turns[1].Text, clarifyHead)
	if p := turns[2]; top(p) != turns[1].Choices[0] {
		t.Errorf("1 after 不是这个 picked %s, want %s", top(p), turns[1].Choices[0])
	}
}

func TestDialogueCorrectionOffersWhatNothingAnswersForSure(t *testing.T) {
	lib := testLibrary()
	lib.minCoverage = 0.6
	d := testDialogue(lib, clock.NewFake(time.Unix(1e9, 0)), ConversationOptions{ClarifyMargin: -1})
	turns := say(t, d, "u", "长者食堂澄湖", "不是这个，我问的是长者食堂", "1")
	c := turns[1]
	if c.Kind != TurnClarify || !c.Answered || len(c.Choices) == 0 || contains(c.Choices, "canteen-a") {
		t.Fatalf("declined correction: %s %v", c.Kind, c.Choices)
	}
	assertContains(t, c.Text, clarifyHead, pickHint)
	if p := turns[2]; p.Kind != TurnPick || top(p) != c.Choices[0] {
		t.Errorf("1: %s %s", p.Kind, top(p))
	}
}

func TestDialogueMoreShowsTheNextDisclosures(t *testing.T) {
	lib := testLibrary()
	d := testDialogue(lib, clock.NewFake(time.Unix(1e9, 0)), ConversationOptions{Choices: 2, ClarifyMargin: -1})
	lib.docs = append(lib.docs, libDoc{id: "canteen-d", title: "夏阳湖长者食堂", words: []string{"长者食堂"}, body: []string{"地址：澄湖路1号。"}})
	turns := say(t, d, "u", "长者食堂澄湖", "还有别的吗", "还有别的吗", "还有别的吗")
	seen := map[string]bool{}
	for _, id := range turns[0].Choices {
		seen[id] = true
	}
	m := turns[1]
	if m.Kind != TurnMore || !m.Answered || seen[top(m)] {
		t.Fatalf("more: %s %s, already shown %v", m.Kind, top(m), turns[0].Choices)
	}
	for _, id := range turns[1].Choices {
		seen[id] = true
	}
	if len(seen) != 4 {
		t.Errorf("after two 还有别的吗, shown %v", seen)
	}
	if last := turns[3]; last.Answered || last.Text != noMoreText {
		t.Errorf("nothing more: %+v", last)
	}
}

func TestDialogueMoreAsksWhatTheMatterAsked(t *testing.T) {
	lib := testLibrary()
	d := testDialogue(lib, clock.NewFake(time.Unix(1e9, 0)), ConversationOptions{ClarifyMargin: -1})
	say(t, d, "u", "低保申请电话")
	m := say(t, d, "u", "还有别的吗")[0]
	q := lib.last()
	// The matter's words, asked as the first question asked (电话), never
	// what was shown (the answer and its numbered related title).
	if !strings.Contains(q.Text, "低保") || !strings.Contains(q.Text, "电话") || !contains(q.Exclude, "guide") || !contains(q.Exclude, "std") {
		t.Errorf("more asked %+v", q)
	}
	if m.Kind != TurnMore || m.Answered || m.Text != noMoreText {
		t.Errorf("nothing more on the matter: %+v", m)
	}
}

func TestDialogueFullTextPages(t *testing.T) {
	lib := testLibrary()
	d := testDialogue(lib, clock.NewFake(time.Unix(1e9, 0)), ConversationOptions{})
	turns := say(t, d, "u", "年度报告", "全文", "全文")
	p1, p2 := turns[1], turns[2]
	if p1.Kind != TurnFull || !strings.Contains(p1.Text, "第1条") || !strings.Contains(p1.Text, fullMoreHint) {
		t.Fatalf("first page:\n%s", p1.Text)
	}
	if strings.Contains(p2.Text, "第1条：") || !strings.Contains(p2.Text, "（续）") {
		t.Errorf("second page does not go on:\n%s", p2.Text)
	}
	for _, p := range []Turn{p1, p2} {
		if len(p.Text) > 2048 {
			t.Errorf("page of %d bytes", len(p.Text))
		}
		assertContains(t, p.Text, "https://gk.example/long")
	}
	if h := say(t, d, "new", "全文")[0]; h.Kind != TurnHint || h.Text != noFullText {
		t.Errorf("全文 with nothing shown: %+v", h)
	}
}

func TestDialogueCourtesyKeepsTheConversation(t *testing.T) {
	lib := testLibrary()
	d := testDialogue(lib, clock.NewFake(time.Unix(1e9, 0)), ConversationOptions{})
	turns := say(t, d, "u", "你好", "低保申请", "谢谢", "电话多少")
	for _, c := range []Turn{turns[0], turns[2]} {
		if c.Kind != TurnCourtesy || c.Answered || len(c.Hits) != 0 || strings.Contains(c.Text, "【") {
			t.Errorf("courtesy: %+v", c)
		}
	}
	if f := turns[3]; f.Kind != TurnFollowUp || top(f) != "guide" {
		t.Errorf("follow-up after thanks: %s %s", f.Kind, top(f))
	}
}

func TestDialogueFeedback(t *testing.T) {
	lib := testLibrary()
	d := testDialogue(lib, clock.NewFake(time.Unix(1e9, 0)), ConversationOptions{})
	turns := say(t, d, "u", "长者食堂澄湖", "有用", "不对", "1")
	good, bad := turns[1], turns[2]
	if good.Kind != TurnFeedback || good.Feedback != FeedbackUseful || good.Answer != "canteen-a" || good.Question != "长者食堂澄湖" || good.Confidence != turns[0].Confidence {
		t.Errorf("有用: %+v", good)
	}
	if bad.Feedback != FeedbackWrong || bad.Answer != "canteen-a" || len(bad.Choices) == 0 || contains(bad.Choices, "canteen-a") {
		t.Errorf("不对: %+v", bad)
	}
	assertContains(t, bad.Text, pickHint)
	if p := turns[3]; top(p) != bad.Choices[0] {
		t.Errorf("1 after 不对 picked %s, want %s", top(p), bad.Choices[0])
	}
	if f := say(t, d, "new", "有用")[0]; f.Kind != TurnCourtesy || f.Feedback != "" {
		t.Errorf("feedback with no answer: %+v", f)
	}
}

func TestDialogueAsksWhenCandidatesAreClose(t *testing.T) {
	lib := testLibrary()
	lib.scores = map[string]float64{"canteen-a": 0.6, "canteen-b": 0.59, "canteen-c": 0.3}
	d := testDialogue(lib, clock.NewFake(time.Unix(1e9, 0)), ConversationOptions{ClarifyMargin: 0.02})
	tr := say(t, d, "u", "长者食堂")[0]
	if tr.Kind != TurnClarify || !tr.Answered || len(tr.Choices) != 3 || tr.Choices[0] != "canteen-a" {
		t.Fatalf("close candidates: %s %v", tr.Kind, tr.Choices)
	}
	// Each choice with the line that answers under its title (shortened,
	// without its list number); one without such a line, its title alone.
	assertContains(t, tr.Text, "您想了解的是：\n1. 澄湖长者食堂\n   地址：澄湖路218号。\n2. 桂荷长者食堂\n   地址：桂荷路77号\n3. 柳溪助餐点\n回复数字查看")
	if p := say(t, d, "u", "第二个")[0]; top(p) != "canteen-b" {
		t.Errorf("第二个 picked %s", top(p))
	}
	// Never asking, it answers the best.
	d = testDialogue(lib, clock.NewFake(time.Unix(1e9, 0)), ConversationOptions{ClarifyMargin: -1})
	if tr := say(t, d, "u", "长者食堂")[0]; tr.Kind != TurnAnswer || tr.Answer != "canteen-a" {
		t.Errorf("clarify off: %s %s", tr.Kind, tr.Answer)
	}
	// Close scores, but the best stands out (a phrase of the question in
	// its title, the kind asked for, the edition in force): it answers the
	// best and numbers the others below it.
	lib.decisive = true
	d = testDialogue(lib, clock.NewFake(time.Unix(1e9, 0)), ConversationOptions{ClarifyMargin: 0.02})
	if tr := say(t, d, "u", "长者食堂")[0]; tr.Kind != TurnAnswer || tr.Answer != "canteen-a" || len(tr.Choices) < 2 || tr.Choices[1] != "canteen-b" {
		t.Errorf("decisive best: %s %s %v", tr.Kind, tr.Answer, tr.Choices)
	}
	lib.decisive = false
	// Middling confidence asks too, when configured.
	lib.scores = nil
	d = testDialogue(lib, clock.NewFake(time.Unix(1e9, 0)), ConversationOptions{ClarifyBelow: 0.6})
	if tr := say(t, d, "u", "长者食堂")[0]; tr.Kind != TurnClarify {
		t.Errorf("confidence 0.5 below 0.6: %s", tr.Kind)
	}
}

func TestDialogueRetryGetsTheSameReply(t *testing.T) {
	lib := testLibrary()
	d := testDialogue(lib, clock.NewFake(time.Unix(1e9, 0)), ConversationOptions{})
	ctx := context.Background()
	d.Reply(ctx, Input{User: "u", Key: "m1", Text: "年度报告"})
	a, _ := d.Reply(ctx, Input{User: "u", Key: "m2", Text: "全文"})
	b, _ := d.Reply(ctx, Input{User: "u", Key: "m2", Text: "全文"})
	if a.Text != b.Text {
		t.Errorf("retry got another reply")
	}
	// The retry did not advance the pages: the next 全文 is page 2.
	c, _ := d.Reply(ctx, Input{User: "u", Key: "m3", Text: "全文"})
	if !strings.Contains(c.Text, "（续）") || strings.Contains(c.Text, "第1条：") {
		t.Errorf("after a retry, the next page:\n%s", c.Text)
	}
}

func TestDialogueForgets(t *testing.T) {
	lib := testLibrary()
	clk := clock.NewFake(time.Unix(1e9, 0))
	d := testDialogue(lib, clk, ConversationOptions{TTL: 10 * time.Minute, MaxConversations: 2})
	say(t, d, "a", "长者食堂澄湖")
	clk.Advance(9 * time.Minute)
	if p := say(t, d, "a", "2")[0]; p.Kind != TurnPick {
		t.Errorf("within the TTL: %s", p.Kind)
	}
	clk.Advance(11 * time.Minute)
	if p := say(t, d, "a", "2")[0]; p.Kind != TurnHint {
		t.Errorf("past the TTL: %s", p.Kind)
	}
	// Bounded: a third resident pushes out the longest idle.
	say(t, d, "a", "长者食堂澄湖")
	say(t, d, "b", "长者食堂澄湖")
	say(t, d, "c", "长者食堂澄湖")
	if p := say(t, d, "a", "2")[0]; p.Kind != TurnHint {
		t.Errorf("the oldest of 3 conversations with room for 2 kept: %s", p.Kind)
	}
	if p := say(t, d, "c", "2")[0]; p.Kind != TurnPick {
		t.Errorf("the newest forgotten: %s", p.Kind)
	}
	say(t, d, "c", "长者食堂澄湖")
	d.Forget("c")
	if p := say(t, d, "c", "2")[0]; p.Kind != TurnHint {
		t.Errorf("after Forget: %s", p.Kind)
	}
}

func TestDialogueConcurrentResidents(t *testing.T) {
	lib := testLibrary()
	d := testDialogue(lib, clock.NewFake(time.Unix(1e9, 0)), ConversationOptions{ClarifyMargin: -1, MaxConversations: 8})
	var wg sync.WaitGroup
	for i := range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			user := fmt.Sprintf("u%d", i%4) // four residents, several messages at once each
			for j, m := range []string{"低保申请", "电话多少", "2", "全文", "谢谢"} {
				if _, err := d.Reply(context.Background(), Input{User: user, Key: fmt.Sprintf("%d-%d", i, j), Text: m}); err != nil {
					t.Error(err)
				}
			}
		}()
	}
	wg.Wait()
	if n := d.store.(*memConversations).c.len(); n > 8 {
		t.Errorf("%d conversations kept, at most 8", n)
	}
}

func TestDialogueFollowUpMovesToTheKindThatAnswers(t *testing.T) {
	docs := func() []libDoc {
		return []libDoc{
			{id: "std", title: "失业金标准调整通知", words: []string{"失业金", "标准"}, kinds: []index.Intent{index.Amount},
				body: []string{"失业金每月2260元。", "已在领取的不需要本人到窗口申请。"}},
			{id: "guide", title: "失业金申领办事指南", words: []string{"失业金", "申领"}, kinds: []index.Intent{index.Process, index.Materials},
				body: []string{"申领材料：退工单、身份证。"}},
		}
	}
	for _, c := range []struct {
		name        string
		guideScore  float64
		want        string
		wantPassage string
	}{
		// Read with the matter, the guide ranks below the standard shown,
		// but within switch_margin: the guide answers 怎么申请.
		{"close", 0.7, "guide", "退工单"},
		// Far below: the standard shown stays.
		{"far", 0.5, "std", ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			lib := &fakeLibrary{docs: docs(), scores: map[string]float64{"std": 0.8, "guide": c.guideScore}}
			d := testDialogue(lib, clock.NewFake(time.Unix(1e9, 0)), ConversationOptions{})
			turns := say(t, d, "u", "失业金标准", "怎么申请")
			if top(turns[0]) != "std" {
				t.Fatalf("first: %s", top(turns[0]))
			}
			if f := turns[1]; f.Kind != TurnFollowUp || top(f) != c.want {
				t.Errorf("怎么申请 after the standard: %s %s, want %s", f.Kind, top(f), c.want)
			}
			if c.wantPassage != "" {
				assertContains(t, turns[1].Text, c.wantPassage)
			}
		})
	}
}

func TestDialoguePointsAtThePlaceNamed(t *testing.T) {
	lib := &fakeLibrary{docs: []libDoc{
		{id: "cold", title: "寒潮预警及防寒提示", words: []string{"寒潮", "避寒"},
			body: []string{"体育中心避难点（丰泽路866号）开放避寒，提供热水。"}},
		{id: "shelter", title: "体育中心避难点启用说明", words: []string{"避难点", "避寒"},
			place: &index.Place{Name: "体育中心避难点", Address: "青浦区丰泽路866号"}, body: []string{"主馆可摆放折叠床600张。"}},
	}}
	d := testDialogue(lib, clock.NewFake(time.Unix(1e9, 0)), ConversationOptions{ClarifyMargin: -1})
	turns := say(t, d, "u", "寒潮避寒", "那边有床睡吗")
	if top(turns[0]) != "cold" {
		t.Fatalf("first: %s", top(turns[0]))
	}
	if f := turns[1]; f.Kind != TurnFollowUp || top(f) != "shelter" {
		t.Errorf("那边 after a notice naming a place: %s %s, want the place", f.Kind, top(f))
	}
	assertContains(t, turns[1].Text, "折叠床")
	// Without pointing at a place, the notice shown stays.
	if f := say(t, d, "v", "寒潮避寒", "有热水吗")[1]; top(f) != "cold" {
		t.Errorf("a follow-up not pointing at the place: %s, want the notice", top(f))
	}
}

func TestDialogueRumourAboutTheMatter(t *testing.T) {
	lib := &fakeLibrary{docs: []libDoc{
		{id: "lift", title: "加装电梯办事指南", words: []string{"加装电梯"}, bodyWords: []string{"奖励"},
			body: []string{"每台补贴28万元，街道另给予每台2万元一次性奖励。"}},
		{id: "std", title: "低保标准公告", words: []string{"低保", "标准"}, kinds: []index.Intent{index.Amount},
			body: []string{"低保标准每月1600元。"}},
	}}
	d := testDialogue(lib, clock.NewFake(time.Unix(1e9, 0)), ConversationOptions{})
	turns := say(t, d, "u", "加装电梯", "听说明年奖励要提高，是真的吗", "奖励多少")
	if r := turns[1]; r.Kind != TurnDecline || r.Answered || !strings.Contains(r.Text, "以街道正式发布的为准") {
		t.Errorf("rumour about the matter: %s answered %v %q", r.Kind, r.Answered, r.Text)
	}
	// The matter stays: a follow-up after it still works.
	if f := turns[2]; f.Kind != TurnFollowUp || top(f) != "lift" {
		t.Errorf("after the rumour: %s %s", f.Kind, top(f))
	}
	// A rumour naming another matter is a question of its own.
	if r := say(t, d, "v", "加装电梯", "听说明年低保标准要涨，是真的吗")[1]; !r.Answered || top(r) != "std" {
		t.Errorf("rumour on another matter: %s %s", r.Kind, top(r))
	}
	// After the standard, a rumour that it goes up gets the standard in
	// force: it is the kind that answers how much.
	if r := say(t, d, "w", "低保标准", "听说明年标准要提高，是真的吗")[1]; !r.Answered || top(r) != "std" {
		t.Errorf("rumour about the standard shown: %s %s", r.Kind, top(r))
	}
}

func TestDialogueMatterDecidesBetweenCloseCandidates(t *testing.T) {
	lib := &fakeLibrary{docs: []libDoc{
		{id: "wind", title: "大风预警", words: []string{"大风", "预警"}, body: []string{"平均风力7级。"}},
		{id: "cold", title: "寒潮预警及防寒提示", words: []string{"寒潮", "预警", "避寒"}, body: []string{"避难点开放避寒。"}},
		{id: "shelter", title: "室内避难点启用说明", words: []string{"避难点", "避寒", "室内"}, body: []string{"折叠床600张。"}},
	}}
	d := testDialogue(lib, clock.NewFake(time.Unix(1e9, 0)), ConversationOptions{})
	// On its own the question is a tie (a clarifying question)…
	if a := say(t, d, "alone", "有地方避寒吗")[0]; a.Kind != TurnClarify {
		t.Fatalf("alone: %s %v", a.Kind, a.Choices)
	}
	// …after a warning, the warning's matter tells which is meant.
	turns := say(t, d, "u", "大风预警", "有地方避寒吗")
	if f := turns[1]; f.Kind != TurnFollowUp || top(f) != "cold" {
		t.Errorf("after a warning: %s %s %v, want cold", f.Kind, top(f), f.Choices)
	}
}

func TestDialogueAsksAboutWhatTheReplySaid(t *testing.T) {
	lib := &fakeLibrary{docs: []libDoc{
		{id: "wind", title: "大风预警", words: []string{"大风", "预警"}, body: []string{"阳湖公园暂停游船和水上项目。"}},
		{id: "park", title: "阳湖公园夜间经营方案", words: []string{"阳湖", "公园"}, body: []string{"夜间经营到22:00。"}},
	}}
	d := testDialogue(lib, clock.NewFake(time.Unix(1e9, 0)), ConversationOptions{})
	turns := say(t, d, "u", "大风预警", "阳湖公园还能坐船吗")
	if f := turns[1]; f.Kind != TurnFollowUp || top(f) != "wind" {
		t.Errorf("asking about what the warning said: %s %s, want the warning", f.Kind, top(f))
	}
	// Asked with nothing before it, the park's own disclosure answers.
	if a := say(t, d, "v", "阳湖公园还能坐船吗")[0]; top(a) != "park" {
		t.Errorf("alone: %s", top(a))
	}
}

func TestDialogueConversationsSurviveARestart(t *testing.T) {
	lib := testLibrary()
	clk := clock.NewFake(time.Unix(1e9, 0))
	o := ConversationOptions{ClarifyMargin: -1, TTL: 30 * time.Minute}
	hash := func(user string) string { return "h-" + strings.ToUpper(user) }
	before := testDialogue(lib, clk, o)
	first := say(t, before, "alice", "长者食堂在哪里")[0]
	say(t, before, "bob", "低保申请")
	clk.Advance(20 * time.Minute)
	say(t, before, "carol", "低保申请")
	snaps := before.Snapshot(clk.Now(), hash)
	if len(snaps) != 3 {
		t.Fatalf("%d snapshots, want 3", len(snaps))
	}
	for _, s := range snaps {
		if strings.Contains(s.Key, "alice") || strings.Contains(string(s.State), "alice") {
			t.Errorf("a snapshot names the follower: %+v", s)
		}
	}
	// Restarted 15 minutes later: alice's and bob's conversations (35
	// minutes idle) have expired, carol's (15) is taken back.
	clk.Advance(15 * time.Minute)
	after := testDialogue(lib, clk, o)
	if n := after.Restore(snaps, clk.Now(), hash); n != 1 {
		t.Errorf("restored %d, want 1", n)
	}
	if f := say(t, after, "carol", "电话多少")[0]; f.Kind != TurnFollowUp || top(f) != "guide" {
		t.Errorf("a follow-up after the restart: %s %s", f.Kind, top(f))
	}
	if p := say(t, after, "bob", "2")[0]; p.Kind != TurnHint {
		t.Errorf("an expired conversation came back: %s", p.Kind)
	}
	// Within the TTL, a numbered choice survives too.
	clk2 := clock.NewFake(time.Unix(1e9, 0).Add(5 * time.Minute))
	after2 := testDialogue(lib, clk2, o)
	after2.Restore(before.Snapshot(time.Unix(1e9, 0), hash), clk2.Now(), hash)
	if p := say(t, after2, "alice", "2")[0]; p.Kind != TurnPick || top(p) != first.Choices[1] {
		t.Errorf("2 after the restart: %s %s, want %s", p.Kind, top(p), first.Choices[1])
	}
	// Unfollowing forgets a restored conversation as well.
	after2.Forget("bob")
	if p := say(t, after2, "bob", "电话多少")[0]; p.Kind == TurnFollowUp {
		t.Errorf("a forgotten conversation followed up")
	}
	// What was restored and not yet taken back is saved again.
	after3 := testDialogue(lib, clk, o)
	after3.Restore(snaps, clk.Now(), hash)
	if n := len(after3.Snapshot(clk.Now(), hash)); n != 1 {
		t.Errorf("saved again %d, want 1", n)
	}
	// A snapshot that cannot be read is skipped.
	if n := after3.Restore([]ConversationSnapshot{{Key: "h-X", At: clk.Now(), State: []byte("{")}}, clk.Now(), hash); n != 0 {
		t.Errorf("restored a corrupt snapshot")
	}
}

func TestDialogueFollowUpMovesToTheDisclosureOnTheMatterThatAnswers(t *testing.T) {
	library := func(faqCategory string) *fakeLibrary {
		return &fakeLibrary{docs: []libDoc{
			{id: "scheme", title: "西湾村征收补偿方案", words: []string{"征收", "西湾"}, bodyWords: []string{"评估价"},
				category: "resources", body: []string{"按评估价给予货币补偿。"}},
			{id: "care", title: "长护险照护指南", words: []string{"长护险", "照护"}, bodyWords: []string{"评估价", "满意"},
				category: "elderly", body: []string{"对评估结论不满意的可申请复核。"}},
			{id: "faq", title: "征收补偿常见问答", words: []string{"征收", "问答"}, bodyWords: []string{"评估价", "满意"},
				category: faqCategory, body: []string{"对评估价不满意的，可在10日内申请复核。"}},
		}}
	}
	d := testDialogue(library("resources"), clock.NewFake(time.Unix(1e9, 0)), ConversationOptions{})
	turns := say(t, d, "u", "西湾征收", "评估价不满意怎么办")
	if top(turns[0]) != "scheme" {
		t.Fatalf("first: %s", top(turns[0]))
	}
	// On its own the message is best answered by a disclosure that only
	// mentions its words; the one on the matter (filed with the scheme)
	// that holds more of them than the scheme shown answers it.
	if f := turns[1]; f.Kind != TurnFollowUp || top(f) != "faq" {
		t.Errorf("after the scheme: %s %s, want faq", f.Kind, top(f))
	}
	assertContains(t, turns[1].Text, "10日内")
	// Filed elsewhere, a word of the matter in its title is not enough.
	d = testDialogue(library("participation"), clock.NewFake(time.Unix(1e9, 0)), ConversationOptions{})
	if f := say(t, d, "u", "西湾征收", "评估价不满意怎么办")[1]; top(f) == "faq" {
		t.Errorf("moved to a disclosure of another category: %s %s", f.Kind, top(f))
	}
}

func TestDialogueSameAskedOfTheOneNamed(t *testing.T) {
	lib := testLibrary()
	d := testDialogue(lib, clock.NewFake(time.Unix(1e9, 0)), ConversationOptions{ClarifyMargin: -1})
	turns := say(t, d, "u", "澄湖长者食堂在哪", "那桂荷的呢", "电话多少")
	if top(turns[0]) != "canteen-a" {
		t.Fatalf("first: %s", top(turns[0]))
	}
	// 那桂荷的呢: the same asked of the canteen it names, which the one
	// shown does not mention.
	if f := turns[1]; f.Kind != TurnFollowUp || top(f) != "canteen-b" {
		t.Errorf("那桂荷的呢: %s %s, want canteen-b", f.Kind, top(f))
	}
	if f := turns[2]; top(f) != "canteen-b" {
		t.Errorf("then 电话多少: %s, want canteen-b", top(f))
	}
}

// A new question whose best answer stands out is decided from its answer
// on its own: the index is not asked it read with the matter, and the
// reply is the one a dialogue asking everything first gives.
func TestDialogueNewQuestionAsksNothingWithTheMatter(t *testing.T) {
	for _, all := range []bool{false, true} {
		lib := testLibrary()
		d := testDialogue(lib, clock.NewFake(time.Unix(1e9, 0)), ConversationOptions{})
		d.askAll = all
		turns := say(t, d, "u", "低保标准", "医疗救助看病")
		if turns[1].Kind != TurnAnswer || top(turns[1]) != "medical" {
			t.Errorf("askAll %v: new topic: %s %s", all, turns[1].Kind, top(turns[1]))
		}
		wide := 0
		for _, q := range lib.all() {
			if q.Text != "低保标准" && q.Text != "医疗救助看病" {
				wide++
			}
		}
		if all != (wide > 0) {
			t.Errorf("askAll %v: %d asks with the matter: %+v", all, wide, lib.all())
		}
	}
}
