package bot_test

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/yingpu/govbot/bot"
	"github.com/yingpu/govbot/clock"
	"github.com/yingpu/govbot/index"
)

// convTurn is one turn of a test conversation (testdata/*-conversations.jsonl).
type convTurn struct {
	Q       string     `json:"q"`
	Answers []string   `json:"answers"`
	Must    [][]string `json:"must"`
	Kind    string     `json:"kind"`
	Pick    *int       `json:"pick"`
}

type conversation struct {
	Turns []convTurn `json:"turns"`
}

func loadConversations(t testing.TB, path string) []conversation {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []conversation
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		if strings.TrimSpace(sc.Text()) == "" {
			continue
		}
		var c conversation
		if err := json.Unmarshal(sc.Bytes(), &c); err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		out = append(out, c)
	}
	return out
}

// corpusIndex builds an index of corpus files with the project's lexicon,
// answering as of day.
func corpusIndex(t testing.TB, day time.Time, corpus ...string) *index.Index {
	t.Helper()
	return corpusIndexIn(t, t.TempDir(), day, corpus...)
}

// corpusIndexIn is corpusIndex with its index in dir (opened when there).
func corpusIndexIn(t testing.TB, dir string, day time.Time, corpus ...string) *index.Index {
	t.Helper()
	data := t.TempDir()
	if err := os.MkdirAll(filepath.Join(data, "disclosures"), 0o755); err != nil {
		t.Fatal(err)
	}
	lex, err := filepath.Glob("../data/*.txt")
	if err != nil {
		t.Fatal(err)
	}
	for i, p := range append(lex, corpus...) {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		dst := filepath.Join(data, filepath.Base(p))
		if i >= len(lex) {
			dst = filepath.Join(data, "disclosures", filepath.Base(p))
		}
		if err := os.WriteFile(dst, b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	ix, err := index.OpenOrBuild(context.Background(), index.Options{Dir: dir, DataDir: data, Clock: clock.Fixed(day)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ix.Close() })
	return ix
}

var rePickTurn = regexp.MustCompile(`^(?:第)?([1-9]|[一二两三四五])(?:个|条|项)?$`)

// pickOf is the choice a turn picks (a bare number), or 0; as the
// reference scorer reads it.
func pickOf(t convTurn) int {
	if t.Pick != nil {
		return *t.Pick
	}
	q := strings.TrimRight(strings.TrimSpace(t.Q), "。.!！")
	m := rePickTurn.FindStringSubmatch(q)
	if m == nil {
		return 0
	}
	if n, err := strconv.Atoi(m[1]); err == nil {
		return n
	}
	return map[string]int{"一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5}[m[1]]
}

func foldDash(s string) string {
	var b strings.Builder
	for _, r := range s {
		if r >= 0xFF01 && r <= 0xFF5E {
			r -= 0xFEE0
		}
		switch r {
		case '–', '—', '~', '～', '－':
			r = '-'
		}
		b.WriteRune(r)
	}
	return b.String()
}

func factsHeld(must [][]string, text string) bool {
	text = foldDash(text)
	for _, group := range must {
		ok := false
		for _, alt := range group {
			if strings.Contains(text, foldDash(alt)) {
				ok = true
				break
			}
		}
		if !ok {
			return false
		}
	}
	return true
}

type convScore struct {
	first, firstN, later, laterN, whole, wholeN int
	failures                                    []string
}

// countingLib counts what a dialogue asks of the index.
type countingLib struct {
	bot.Answerer
	mu            sync.Mutex
	asks, analyze int
}

func (c *countingLib) Ask(ctx context.Context, q index.Query) (index.Answer, error) {
	c.mu.Lock()
	c.asks++
	c.mu.Unlock()
	return c.Answerer.Ask(ctx, q)
}

func (c *countingLib) Analyze(text string) index.Analysis {
	c.mu.Lock()
	c.analyze++
	c.mu.Unlock()
	return c.Answerer.Analyze(text)
}

// perMessage reports the index asks and analyses per message.
func (c *countingLib) perMessage(t testing.TB, name string, msgs int) {
	t.Logf("%s: %.2f index asks and %.2f analyses per message (%d messages)", name,
		float64(c.asks)/float64(msgs), float64(c.analyze)/float64(msgs), msgs)
}

func (s convScore) firstRate() float64 { return float64(s.first) / float64(s.firstN) }
func (s convScore) laterRate() float64 { return float64(s.later) / float64(s.laterN) }

// runConversations sends every conversation through one Dialogue, each as
// one resident, and scores the turns as ../shared/tools/convscore.py does.
func runConversations(t testing.TB, d *bot.Dialogue, convs []conversation) convScore {
	t.Helper()
	var s convScore
	for i, c := range convs {
		user := fmt.Sprintf("conv-%d", i)
		var prev bot.Turn
		all := true
		for j, turn := range c.Turns {
			got, err := d.Reply(context.Background(), bot.Input{User: user, Key: fmt.Sprintf("%d-%d", i, j), Text: turn.Q})
			if err != nil {
				t.Fatalf("conversation %d turn %d: %v", i, j, err)
			}
			top := ""
			if len(got.Hits) > 0 {
				top = got.Hits[0].ID
			}
			ok := false
			p := 0
			if j > 0 {
				p = pickOf(turn)
			}
			switch {
			case p > 0:
				ok = got.Answered && len(prev.Choices) >= p && top == prev.Choices[p-1]
			case len(turn.Answers) == 0:
				ok = !got.Answered
			case turn.Kind == "more" && j > 0:
				for k, h := range got.Hits {
					if k < 3 && contains(turn.Answers, h.ID) {
						ok = got.Answered
					}
				}
			default:
				ok = got.Answered && top != "" && contains(turn.Answers, top) && factsHeld(turn.Must, got.Text)
			}
			if j == 0 {
				s.firstN++
				if ok {
					s.first++
				}
			} else {
				s.laterN++
				if ok {
					s.later++
				}
			}
			if !ok {
				s.failures = append(s.failures, fmt.Sprintf("conv %d turn %d %q: kind %s top %s choices %v, want %v %v\n%s",
					i, j, turn.Q, got.Kind, top, got.Choices, turn.Answers, turn.Must, got.Text))
			}
			all = all && ok
			prev = got
		}
		s.wholeN++
		if all {
			s.whole++
		}
	}
	return s
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// conversationFloors are what each corpus's conversations must reach (first
// turn, follow-ups). The goal is first turn ≥ 0.88 and follow-ups ≥ 0.85;
// where a figure is short of it, or above it, the floor is what is measured
// (夏阳 0.925 / 0.934; 盈浦 0.955 / 1.000), rounded down: raise them as it
// improves. Most 夏阳 turns still missed have the right disclosure without
// the fact in its passage, or (first turns) a clarifying question.
var conversationFloors = map[string][2]float64{"夏阳": {0.92, 0.93}, "盈浦": {0.95, 1.00}}

// checkConversations runs a corpus's conversations through the dialogue
// every surface uses, with a real index of the corpus as of 2026-11-26,
// and holds them to the corpus's floors.
func checkConversations(t *testing.T, name, conversations string, disclosures ...string) {
	if testing.Short() {
		t.Skip("builds an index")
	}
	day, _ := clock.ParseDate("2026-11-26")
	ix := corpusIndex(t, day.Add(12*time.Hour), disclosures...)
	lib := &countingLib{Answerer: ix}
	d := bot.NewDialogue(lib, bot.NewRenderer(bot.RenderOptions{Related: 2}), clock.Fixed(day.Add(12*time.Hour)), bot.ConversationOptions{})
	s := runConversations(t, d, loadConversations(t, conversations))
	lib.perMessage(t, name, s.firstN+s.laterN)
	t.Logf("%s conversations: first turn %.3f (%d/%d), follow-ups %.3f (%d/%d), whole %d/%d",
		name, s.firstRate(), s.first, s.firstN, s.laterRate(), s.later, s.laterN, s.whole, s.wholeN)
	if os.Getenv("GOVBOT_CONV_VERBOSE") != "" {
		for _, f := range s.failures {
			t.Log(f)
		}
	}
	floor := conversationFloors[name]
	if s.firstRate() < floor[0] {
		t.Errorf("%s first turn %.3f, want ≥ %.2f", name, s.firstRate(), floor[0])
	}
	if s.laterRate() < floor[1] {
		t.Errorf("%s follow-ups %.3f, want ≥ %.2f", name, s.laterRate(), floor[1])
	}
}

// The 夏阳 conversations (shared with the corpus).
func TestConversationQualityXiayang(t *testing.T) {
	checkConversations(t, "夏阳", "testdata/xiayang-conversations.jsonl", "../index/testdata/xiayang.jsonl")
}

// Conversations about 盈浦's services, written from the services (not
// from its test questions), so that what is tuned on 夏阳 is checked on
// another district.
func TestConversationQualityYingpu(t *testing.T) {
	checkConversations(t, "盈浦", "testdata/yingpu-conversations.jsonl", "../data/disclosures/part1.jsonl", "../data/disclosures/part2.jsonl")
}

// evalQuestion is one question of index/testdata/*-questions.jsonl.
type evalQuestion struct {
	Q       string   `json:"q"`
	Answers []string `json:"answers"`
	Lat     *float64 `json:"lat"`
}

// readQuestions reads every question of the question files, in order.
func readQuestions(t testing.TB, paths ...string) []evalQuestion {
	t.Helper()
	var out []evalQuestion
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		for _, line := range strings.Split(string(b), "\n") {
			if strings.TrimSpace(line) == "" {
				continue
			}
			var q evalQuestion
			if err := json.Unmarshal([]byte(line), &q); err != nil {
				t.Fatalf("%s: %v", p, err)
			}
			out = append(out, q)
		}
	}
	return out
}

// loadQuestions is the answerable questions asked without a location.
func loadQuestions(t testing.TB, paths ...string) []evalQuestion {
	t.Helper()
	var out []evalQuestion
	for _, q := range readQuestions(t, paths...) {
		if q.Lat == nil && len(q.Answers) > 0 {
			out = append(out, q)
		}
	}
	return out
}

// A new matter is answered on its own, the previous one not dragged in:
// pairs of residents' questions about different kinds of matters (their
// answers' id prefixes differ), the second asked right after the first by
// the same resident, get the answer the second gets alone.
func TestConversationNewMattersStandAlone(t *testing.T) {
	if testing.Short() {
		t.Skip("builds indexes")
	}
	day, _ := clock.ParseDate("2026-11-26")
	noon := day.Add(12 * time.Hour)
	for _, c := range []struct {
		name      string
		corpus    []string
		questions []string
	}{
		{"夏阳", []string{"../index/testdata/xiayang.jsonl"}, []string{"../index/testdata/xiayang-questions.jsonl"}},
		{"盈浦", []string{"../data/disclosures/part1.jsonl", "../data/disclosures/part2.jsonl"},
			[]string{"../index/testdata/part1-questions.jsonl", "../index/testdata/part2-questions.jsonl"}},
	} {
		ix := corpusIndex(t, noon, c.corpus...)
		d := bot.NewDialogue(ix, bot.NewRenderer(bot.RenderOptions{Related: 2}), clock.Fixed(noon), bot.ConversationOptions{})
		qs := loadQuestions(t, c.questions...)
		kind := func(id string) string { return id[:strings.LastIndex(id, "-")] }
		pairs, same, followed := 0, 0, 0
		for i := 0; i+7 < len(qs); i++ {
			a, b := qs[i], qs[i+7]
			if kind(a.Answers[0]) == kind(b.Answers[0]) {
				continue
			}
			pairs++
			user := fmt.Sprintf("pair-%d", i)
			d.Reply(context.Background(), bot.Input{User: user, Text: a.Q})
			got, err := d.Reply(context.Background(), bot.Input{User: user, Text: b.Q})
			if err != nil {
				t.Fatal(err)
			}
			alone, err := d.Reply(context.Background(), bot.Input{User: user + "-alone", Text: b.Q})
			if err != nil {
				t.Fatal(err)
			}
			if got.Kind == bot.TurnFollowUp {
				followed++
			}
			if len(got.Hits) > 0 && len(alone.Hits) > 0 && got.Hits[0].ID == alone.Hits[0].ID || len(got.Hits) == 0 && len(alone.Hits) == 0 {
				same++
			} else if os.Getenv("GOVBOT_CONV_VERBOSE") != "" {
				t.Logf("%s: %q then %q: %s %v, alone %v", c.name, a.Q, b.Q, got.Kind, got.Choices, alone.Choices)
			}
		}
		rate := float64(same) / float64(pairs)
		t.Logf("%s: %d pairs of unrelated questions, the second answered as alone in %.3f (read as a follow-up: %d)", c.name, pairs, rate, followed)
		if rate < 0.88 {
			t.Errorf("%s: the second question of an unrelated pair answered as alone in %.3f, want ≥ 0.88", c.name, rate)
		}
	}
}
