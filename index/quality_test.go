package index_test

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/yingpu/govbot/bot"
	"github.com/yingpu/govbot/clock"
	"github.com/yingpu/govbot/config"
	"github.com/yingpu/govbot/index"
)

// The answer quality test: each dev corpus (盈浦: the sample data; 夏阳:
// testdata/xiayang.jsonl) is indexed on its own and asked its residents'
// questions as of 2026-11-26, through the same path as `govbot ask
// --json` (the conversation, each question on its own), and the figures
// are those of the reference scorers (score.py, factscore.py) on that
// output.

// qualityDay is the day the questions' right answers hold for.
var qualityDay = time.Date(2026, 11, 26, 12, 0, 0, 0, clock.Shanghai)

// qualityQuestion is one line of a questions file.
type qualityQuestion struct {
	Q       string     `json:"q"`
	Answers []string   `json:"answers"`
	Kind    string     `json:"kind"`
	Must    [][]string `json:"must"`
	MustNot []string   `json:"must_not"`
	Lat     *float64   `json:"lat"`
	Lon     *float64   `json:"lon"`
}

// corpus is one subdistrict's disclosures and questions.
type corpus struct {
	name      string
	docs      string   // disclosures file, or "" for the sample data
	questions []string // question files
	area      config.Area
	// reportOnly: the figures are printed, not held to a floor.
	reportOnly bool
}

var corpora = []corpus{
	{name: "盈浦", questions: []string{"testdata/part1-questions.jsonl", "testdata/part2-questions.jsonl"},
		area: config.Default().Area},
	{name: "夏阳", docs: "testdata/xiayang.jsonl", questions: []string{"testdata/xiayang-questions.jsonl"},
		area: config.Area{Name: "夏阳街道", District: "青浦区", City: "上海",
			Nearby: []string{"盈浦街道", "香花桥街道", "赵巷镇", "徐泾镇", "华新镇", "重固镇", "白鹤镇", "朱家角镇", "练塘镇", "金泽镇"}}},
	// 盈浦 probe: residents' questions in everyday words (life situations,
	// Shanghainese) about services the 盈浦 disclosures publish, written
	// before the lexicon's entries for them; reported, not asserted.
	{name: "盈浦 probe", questions: []string{"testdata/probe-questions.jsonl"},
		area: config.Default().Area, reportOnly: true},
}

// qualityTarget is what each corpus must reach.
type qualityTarget struct {
	top1, recall3, answered, declined, factsRight float64
	medianChars                                   float64 // at most
}

// targets are the goals: top-1 ≥ 0.90, recall@3 ≥ 0.97, answerable
// answered ≥ 0.95, no-answer declined ≥ 0.90, facts held in ≥ 0.95 of the
// replies with the right disclosure first, median reply ≤ 400 characters.
var goal = qualityTarget{top1: 0.90, recall3: 0.97, answered: 0.95, declined: 0.90, factsRight: 0.95, medianChars: 400}

// floors are what the test asserts where a goal is not reached yet: the
// figure measured on 2026-12-01, so that nothing gets worse; each is below
// the goal above (top-1 0.90, recall@3 0.97, declined 0.90, facts held
// 0.95) where it says less. See BENCHMARKS.md.
var floors = map[string]qualityTarget{
	"盈浦": {top1: 0.912, recall3: 0.979, answered: 0.993, declined: 1, factsRight: 1, medianChars: 400},
	"夏阳": {top1: 0.913, recall3: 0.976, answered: 0.963, declined: 1, factsRight: 0.969, medianChars: 400},
}

// qualityFigures are one corpus's figures.
type qualityFigures struct {
	n, answerable, none, withFacts int
	top1, recall3, mrr             float64
	answered, declined             float64
	rightDoc, factsAll, factsRight float64
	// factsHalf are factsRight on the questions of odd and of even
	// lines: rules are chosen on one half and checked on the other.
	factsHalf                         [2]float64
	medianChars, medianAll, overLimit float64
	misses                            []string
}

// corpusIndex builds c's index for the test.
func corpusIndex(t testing.TB, c corpus) *index.Index {
	t.Helper()
	data := "../data"
	if c.docs != "" {
		data = index.CorpusDataDir(t, c.docs)
	}
	ix, err := index.OpenOrBuild(context.Background(), index.Options{Dir: t.TempDir(), DataDir: data, Area: c.area})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ix.Close() })
	return ix
}

func loadQualityQuestions(t testing.TB, files []string) []qualityQuestion {
	t.Helper()
	var qs []qualityQuestion
	for _, f := range files {
		fh, err := os.Open(f)
		if err != nil {
			t.Fatal(err)
		}
		sc := bufio.NewScanner(fh)
		sc.Buffer(make([]byte, 64<<10), 1<<20)
		for sc.Scan() {
			if strings.TrimSpace(sc.Text()) == "" {
				continue
			}
			var q qualityQuestion
			if err := json.Unmarshal(sc.Bytes(), &q); err != nil {
				t.Fatalf("%s: %v", f, err)
			}
			qs = append(qs, q)
		}
		fh.Close()
	}
	return qs
}

// foldFact folds full-width ASCII to ASCII and dash variants to '-', as
// factscore.py does, so that a reply is not failed for punctuation alone.
func foldFact(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch {
		case r >= 0xFF01 && r <= 0xFF5E:
			r -= 0xFEE0
		case strings.ContainsRune("\u2013\u2014\u2015\u2212\uff5e~", r):
			r = '-'
		}
		b.WriteRune(r)
	}
	return b.String()
}

// holdsFacts: every must group has an alternative in the reply, and no
// must_not string is in it.
func holdsFacts(text string, q qualityQuestion) bool {
	t := foldFact(text)
	for _, g := range q.Must {
		ok := false
		for _, alt := range g {
			if strings.Contains(t, foldFact(alt)) {
				ok = true
				break
			}
		}
		if !ok {
			return false
		}
	}
	for _, s := range q.MustNot {
		if strings.Contains(t, foldFact(s)) {
			return false
		}
	}
	return true
}

func median(xs []float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	s := append([]float64(nil), xs...)
	sort.Float64s(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

// measure asks every question of c and computes the figures.
func measure(t testing.TB, c corpus) qualityFigures {
	ix := corpusIndex(t, c)
	cfg := config.Default()
	cfg.Area = c.area
	// As `govbot ask` answers: through the conversation, each question a
	// conversation of its own.
	talk := bot.NewDialogue(ix, bot.NewRenderer(bot.RenderOptionsFor(cfg)), clock.Fixed(qualityDay), bot.ConversationOptionsFor(cfg))
	limit := cfg.Search.MaxReplyBytes
	var f qualityFigures
	var top1, rec3, answered, declined, right, facts, factsRight int
	var rightHalf, factsHalf [2]int
	// GOVBOT_QUALITY_REPLIES=dir writes every reply to dir/<corpus>.txt,
	// to read them and compare two versions.
	var replies *os.File
	if dir := os.Getenv("GOVBOT_QUALITY_REPLIES"); dir != "" {
		fh, err := os.Create(filepath.Join(dir, c.name+".txt"))
		if err != nil {
			t.Fatal(err)
		}
		defer fh.Close()
		replies = fh
	}
	var lens, lensAll []float64
	for n, q := range loadQualityQuestions(t, c.questions) {
		in := bot.Input{User: fmt.Sprintf("q-%d", n), Text: q.Q}
		if q.Lat != nil && q.Lon != nil {
			in.Geo = &index.Point{Lat: *q.Lat, Lon: *q.Lon}
		}
		turn, err := talk.Reply(context.Background(), in)
		if err != nil {
			t.Fatalf("%s: %q: %v", c.name, q.Q, err)
		}
		ans := struct {
			Answered   bool
			Confidence float64
			Hits       []index.Hit
			Decline    string
		}{turn.Answered, turn.Confidence, turn.Hits, turn.Kind}
		if ans.Confidence < 0 || ans.Confidence > 1 {
			t.Errorf("%q: confidence %v outside 0..1", q.Q, ans.Confidence)
		}
		text := turn.Text
		if replies != nil {
			fmt.Fprintf(replies, "### %d %s\n%s\n\n", n+1, q.Q, text)
		}
		if len(text) > limit || !utf8.ValidString(text) {
			t.Errorf("%q: reply of %d bytes over %d (or not UTF-8)", q.Q, len(text), limit)
			f.overLimit++
		}
		lensAll = append(lensAll, float64(utf8.RuneCountInString(text)))
		f.n++
		var ids []string
		for _, h := range ans.Hits {
			ids = append(ids, h.ID)
			if h.Score < 0 || h.Score > 1 || h.Coverage < 0 || h.Coverage > 1 {
				t.Errorf("%q: hit %s score %v coverage %v outside 0..1", q.Q, h.ID, h.Score, h.Coverage)
			}
		}
		if len(q.Answers) == 0 {
			f.none++
			if !ans.Answered {
				declined++
			} else {
				f.misses = append(f.misses, fmt.Sprintf("NOT DECLINED [%s] %q -> %v conf=%.2f", q.Kind, q.Q, first(ids, 3), ans.Confidence))
			}
			continue
		}
		f.answerable++
		if ans.Answered {
			answered++
		}
		rightIDs := map[string]bool{}
		for _, a := range q.Answers {
			rightIDs[a] = true
		}
		for r, id := range first(ids, 10) {
			if rightIDs[id] {
				if r == 0 && ans.Answered {
					top1++
				}
				if r < 3 {
					rec3++
				}
				f.mrr += 1 / float64(r+1)
				break
			}
		}
		isRight := ans.Answered && len(ids) > 0 && rightIDs[ids[0]]
		if !isRight {
			f.misses = append(f.misses, fmt.Sprintf("MISS [%s] %q want %v got %v answered=%v conf=%.2f decline=%s", q.Kind, q.Q, q.Answers, first(ids, 3), ans.Answered, ans.Confidence, ans.Decline))
		}
		if len(q.Must) == 0 {
			continue
		}
		f.withFacts++
		lens = append(lens, float64(utf8.RuneCountInString(text)))
		held := ans.Answered && holdsFacts(text, q)
		half := n % 2 // the question's line (n+1) is even (1) or odd (0)
		if isRight {
			right++
			rightHalf[half]++
		}
		if held {
			facts++
		}
		if isRight && held {
			factsRight++
			factsHalf[half]++
		}
		if isRight && !held {
			f.misses = append(f.misses, fmt.Sprintf("FACT [%s] line %d %q must %v:\n%s", q.Kind, n+1, q.Q, q.Must, text))
		}
	}
	div := func(a, b int) float64 {
		if b == 0 {
			return 1
		}
		return float64(a) / float64(b)
	}
	f.top1, f.recall3, f.mrr = div(top1, f.answerable), div(rec3, f.answerable), f.mrr/math.Max(1, float64(f.answerable))
	f.answered, f.declined = div(answered, f.answerable), div(declined, f.none)
	f.rightDoc, f.factsAll, f.factsRight = div(right, f.withFacts), div(facts, f.withFacts), div(factsRight, right)
	f.factsHalf = [2]float64{div(factsHalf[0], rightHalf[0]), div(factsHalf[1], rightHalf[1])}
	f.medianChars, f.medianAll = median(lens), median(lensAll)
	return f
}

func first(s []string, n int) []string {
	if len(s) > n {
		return s[:n]
	}
	return s
}

// TestAnswerQuality holds each corpus to its floor (the goals, or where a
// goal is not reached yet, the figure measured; see floors).
func TestAnswerQuality(t *testing.T) {
	for _, c := range corpora {
		t.Run(c.name, func(t *testing.T) {
			f := measure(t, c)
			if os.Getenv("GOVBOT_QUALITY_MISSES") != "" {
				for _, m := range f.misses {
					t.Log(m)
				}
			}
			line := fmt.Sprintf("answer quality %s: n=%d top1=%.3f recall@3=%.3f MRR=%.3f answered=%.3f declined=%.3f (of %d) facts|right=%.3f (odd lines %.3f, even %.3f) facts=%.3f (of %d) median=%.0f chars (all %.0f)",
				c.name, f.n, f.top1, f.recall3, f.mrr, f.answered, f.declined, f.none, f.factsRight, f.factsHalf[0], f.factsHalf[1], f.factsAll, f.withFacts, f.medianChars, f.medianAll)
			t.Log(line)
			fmt.Println(line)
			if c.reportOnly {
				return
			}
			fl := floors[c.name]
			check := func(what string, got, floor, want float64) {
				if got < floor-1e-9 {
					t.Errorf("%s %s = %.3f, below its floor %.3f (goal %.2f)", c.name, what, got, floor, want)
				}
			}
			check("top-1", f.top1, fl.top1, goal.top1)
			check("recall@3", f.recall3, fl.recall3, goal.recall3)
			check("answered", f.answered, fl.answered, goal.answered)
			check("declined", f.declined, fl.declined, goal.declined)
			if f.withFacts > 0 {
				check("facts held (right disclosure first)", f.factsRight, fl.factsRight, goal.factsRight)
			}
			if f.medianAll > fl.medianChars {
				t.Errorf("%s median reply %.0f characters, over %.0f", c.name, f.medianAll, fl.medianChars)
			}
		})
	}
}
