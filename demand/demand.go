// Package demand reads the query log for what residents need (需求驱动):
// the questions asked most and those nothing answered, by week and by
// category, with counts; the questions answered with low confidence; the
// answers residents marked as no help; and how often each disclosure is
// the answer, so the ones nobody ever reaches show. Residents appear only
// as the log's keyed hashes, counted, never listed.
package demand

import (
	"encoding/csv"
	"fmt"
	"io"
	"sort"
	"strconv"
	"time"

	"github.com/yingpu/govbot/clock"
	"github.com/yingpu/govbot/querylog"
)

// Log is the query log (*querylog.Log).
type Log interface {
	Each(from, to time.Time, fn func(querylog.Record) bool) error
}

// Doc is a published disclosure, for naming hits and counting them.
type Doc struct {
	ID       string `json:"id"`
	Title    string `json:"title"`
	Category string `json:"category"`
}

// Options tune a report.
type Options struct {
	// Docs are the published disclosures (hit counts list each, also
	// those never reached).
	Docs []Doc
	// LowConfidence: an answered question whose best disclosure's
	// confidence is below this is listed as low-confidence (default 0.45).
	LowConfidence float64
	// Top bounds each list of questions (default 50).
	Top int
}

// Marks residents give an answer, as the query log records them.
const (
	FeedbackNotUseful = "not_useful" // 没用
	FeedbackWrong     = "wrong"      // 不对
)

// FeedbackName is the Chinese of a resident's mark.
func FeedbackName(f string) string {
	switch f {
	case FeedbackNotUseful:
		return "没用"
	case FeedbackWrong:
		return "不对"
	case "useful":
		return "有用"
	}
	return f
}

// isQuestion tells whether a record is a question a resident asked, not
// their feedback on an answer, a pick among numbered choices, 全文 or 还有别的吗.
func isQuestion(r querylog.Record) bool {
	if r.Feedback != "" {
		return false
	}
	switch r.Turn {
	case "pick", "full", "more", "feedback":
		return false
	}
	return true
}

// answerOf is the disclosure an answered record's reply showed and its
// confidence: as recorded, or (older records) the best hit.
func answerOf(r querylog.Record) (string, float64) {
	if r.Answer != "" {
		return r.Answer, r.Confidence
	}
	if len(r.Hits) > 0 {
		return r.Hits[0].ID, r.Hits[0].Score
	}
	return "", 0
}

// Uncategorized is the category of questions with no disclosure in sight.
const Uncategorized = "未分类"

// Question is one question (normalized) aggregated over its asks.
type Question struct {
	Key     string    `json:"key"`
	Example string    `json:"example"` // the latest wording
	Count   int       `json:"count"`
	Senders int       `json:"senders"`
	Last    time.Time `json:"last"`
	// Answered counts the asks that were answered.
	Answered int `json:"answered"`
	// TopID is the best disclosure of the latest ask (also when declined:
	// the one that came closest), with its confidence (0..1).
	TopID      string  `json:"top_id,omitempty"`
	TopTitle   string  `json:"top_title,omitempty"`
	Confidence float64 `json:"confidence"`
	Category   string  `json:"category"`
	// Feedback is the latest mark (没用 or 不对) for the feedback list.
	Feedback string `json:"feedback,omitempty"`
}

// Period is one week (or one category) of questions.
type Period struct {
	Label      string     `json:"label"` // week: 2026-11-23 (its Monday); category: its name
	Asked      int        `json:"asked"`
	Unanswered int        `json:"unanswered"`
	Top        []Question `json:"top"`
	TopMissed  []Question `json:"top_unanswered"`
}

// DocHits is how often a disclosure was the answer (Top1) or among the
// ranked disclosures at all (Listed).
type DocHits struct {
	Doc
	Top1   int `json:"top1"`
	Listed int `json:"listed"`
}

// Report is what residents needed in a period.
type Report struct {
	From          time.Time  `json:"from"`
	To            time.Time  `json:"to"`
	Asked         int        `json:"asked"`
	Answered      int        `json:"answered"`
	Top           []Question `json:"top"`
	Unanswered    []Question `json:"unanswered"`
	LowConfidence []Question `json:"low_confidence"`
	Feedback      []Question `json:"feedback"`
	Weeks         []Period   `json:"weeks"`
	Categories    []Period   `json:"categories"`
	Hits          []DocHits  `json:"hits"`  // most reached first
	Never         []DocHits  `json:"never"` // published, never listed
}

type agg struct {
	q       Question
	senders map[string]bool
}

type group struct {
	asked, missed int
	all           map[string]*agg
	missedQ       map[string]*agg
}

func newGroup() *group { return &group{all: map[string]*agg{}, missedQ: map[string]*agg{}} }

func (g *group) add(key string, r querylog.Record, docs map[string]Doc) {
	g.asked++
	addTo(g.all, key, r, docs)
	if !r.Answered {
		g.missed++
		addTo(g.missedQ, key, r, docs)
	}
}

func addTo(m map[string]*agg, key string, r querylog.Record, docs map[string]Doc) *agg {
	a := m[key]
	if a == nil {
		a = &agg{q: Question{Key: key}, senders: map[string]bool{}}
		m[key] = a
	}
	a.q.Count++
	if r.Answered {
		a.q.Answered++
	}
	a.q.Example = r.Q
	a.q.Last = r.At
	a.q.TopID, a.q.Confidence = answerOf(r)
	a.q.TopTitle = docs[a.q.TopID].Title
	a.q.Category = categoryOf(r, docs)
	if r.SenderHash != "" {
		a.senders[r.SenderHash] = true
	}
	return a
}

func categoryOf(r querylog.Record, docs map[string]Doc) string {
	if id, _ := answerOf(r); id != "" {
		if d, ok := docs[id]; ok && d.Category != "" {
			return d.Category
		}
	}
	return Uncategorized
}

func ranked(m map[string]*agg, top int) []Question {
	out := make([]Question, 0, len(m))
	for _, a := range m {
		q := a.q
		q.Senders = len(a.senders)
		out = append(out, q)
	}
	sort.Slice(out, func(i, j int) bool {
		a, b := out[i], out[j]
		return querylog.MoreAsked(a.Count, a.Senders, a.Last, a.Key, b.Count, b.Senders, b.Last, b.Key)
	})
	if top > 0 && len(out) > top {
		out = out[:top]
	}
	return out
}

// WeekOf is the Monday (Asia/Shanghai) of t's week.
func WeekOf(t time.Time) time.Time {
	d := clock.DateOf(t)
	off := (int(d.Weekday()) + 6) % 7
	return d.AddDate(0, 0, -off)
}

// Build reads the log from from to to (zero to: no bound) and reports.
// Bare shared locations and failed answers are not questions.
func Build(log Log, from, to time.Time, opts Options) (*Report, error) {
	if opts.LowConfidence <= 0 {
		opts.LowConfidence = 0.45
	}
	if opts.Top <= 0 {
		opts.Top = 50
	}
	docs := map[string]Doc{}
	for _, d := range opts.Docs {
		docs[d.ID] = d
	}
	all := newGroup()
	weeks := map[string]*group{}
	cats := map[string]*group{}
	low := map[string]*agg{}
	fb := map[string]*agg{}
	top1 := map[string]int{}
	listed := map[string]int{}
	rep := &Report{From: from, To: to}
	err := log.Each(from, to, func(r querylog.Record) bool {
		if r.Error {
			return true
		}
		key := querylog.Normalize(r.Q)
		if key == "" {
			return true
		}
		if r.Feedback == FeedbackNotUseful || r.Feedback == FeedbackWrong {
			addTo(fb, key, r, docs).q.Feedback = FeedbackName(r.Feedback)
		}
		if !isQuestion(r) {
			return true
		}
		rep.Asked++
		if r.Answered {
			rep.Answered++
		}
		all.add(key, r, docs)
		wk := WeekOf(r.At).Format("2006-01-02")
		if weeks[wk] == nil {
			weeks[wk] = newGroup()
		}
		weeks[wk].add(key, r, docs)
		cat := categoryOf(r, docs)
		if cats[cat] == nil {
			cats[cat] = newGroup()
		}
		cats[cat].add(key, r, docs)
		if id, conf := answerOf(r); r.Answered && id != "" {
			top1[id]++
			if conf < opts.LowConfidence {
				addTo(low, key, r, docs)
			}
		}
		for _, h := range r.Hits {
			listed[h.ID]++
		}
		return true
	})
	if err != nil {
		return nil, err
	}
	rep.Top = ranked(all.all, opts.Top)
	rep.Unanswered = ranked(all.missedQ, opts.Top)
	rep.LowConfidence = ranked(low, opts.Top)
	sort.SliceStable(rep.LowConfidence, func(i, j int) bool {
		return rep.LowConfidence[i].Confidence < rep.LowConfidence[j].Confidence
	})
	rep.Feedback = ranked(fb, opts.Top)
	period := func(label string, g *group) Period {
		const perPeriod = 10
		return Period{Label: label, Asked: g.asked, Unanswered: g.missed,
			Top: ranked(g.all, perPeriod), TopMissed: ranked(g.missedQ, perPeriod)}
	}
	for label, g := range weeks {
		rep.Weeks = append(rep.Weeks, period(label, g))
	}
	sort.Slice(rep.Weeks, func(i, j int) bool { return rep.Weeks[i].Label > rep.Weeks[j].Label })
	for label, g := range cats {
		rep.Categories = append(rep.Categories, period(label, g))
	}
	sort.Slice(rep.Categories, func(i, j int) bool {
		a, b := rep.Categories[i], rep.Categories[j]
		if a.Asked != b.Asked {
			return a.Asked > b.Asked
		}
		return a.Label < b.Label
	})
	rep.Hits, rep.Never = []DocHits{}, []DocHits{}
	for _, d := range opts.Docs {
		h := DocHits{Doc: d, Top1: top1[d.ID], Listed: listed[d.ID]}
		if h.Listed == 0 {
			rep.Never = append(rep.Never, h)
		} else {
			rep.Hits = append(rep.Hits, h)
		}
	}
	sort.SliceStable(rep.Hits, func(i, j int) bool {
		a, b := rep.Hits[i], rep.Hits[j]
		if a.Top1 != b.Top1 {
			return a.Top1 > b.Top1
		}
		return a.Listed > b.Listed
	})
	return rep, nil
}

// Lists that WriteCSV can write.
var Lists = []string{"top", "unanswered", "low_confidence", "feedback", "weeks", "categories", "hits"}

// WriteCSV writes one list of the report as CSV (UTF-8 with a byte order
// mark, so that spreadsheet programs read the Chinese right).
func WriteCSV(w io.Writer, rep *Report, list string) error {
	if _, err := io.WriteString(w, "\ufeff"); err != nil {
		return err
	}
	cw := csv.NewWriter(w)
	qHeader := []string{"问题", "次数", "居民数", "已答次数", "最近一次", "最相关公开信息编号", "标题", "置信度", "类别", "反馈"}
	qRow := func(q Question) []string {
		return []string{q.Example, strconv.Itoa(q.Count), strconv.Itoa(q.Senders), strconv.Itoa(q.Answered),
			q.Last.In(clock.Shanghai).Format("2006-01-02 15:04"), q.TopID, q.TopTitle,
			strconv.FormatFloat(q.Confidence, 'f', 2, 64), q.Category, q.Feedback}
	}
	writeQs := func(qs []Question) {
		cw.Write(qHeader)
		for _, q := range qs {
			cw.Write(qRow(q))
		}
	}
	writePeriods := func(first string, ps []Period) {
		cw.Write([]string{first, "提问次数", "未答次数", "类型", "问题", "次数", "居民数"})
		for _, p := range ps {
			cw.Write([]string{p.Label, strconv.Itoa(p.Asked), strconv.Itoa(p.Unanswered), "", "", "", ""})
			for _, q := range p.Top {
				cw.Write([]string{p.Label, "", "", "热门", q.Example, strconv.Itoa(q.Count), strconv.Itoa(q.Senders)})
			}
			for _, q := range p.TopMissed {
				cw.Write([]string{p.Label, "", "", "未答", q.Example, strconv.Itoa(q.Count), strconv.Itoa(q.Senders)})
			}
		}
	}
	switch list {
	case "top":
		writeQs(rep.Top)
	case "unanswered":
		writeQs(rep.Unanswered)
	case "low_confidence":
		writeQs(rep.LowConfidence)
	case "feedback":
		writeQs(rep.Feedback)
	case "weeks":
		writePeriods("周（周一）", rep.Weeks)
	case "categories":
		writePeriods("类别", rep.Categories)
	case "hits":
		cw.Write([]string{"编号", "标题", "类别", "作为答案次数", "出现在候选中次数"})
		for _, h := range append(append([]DocHits(nil), rep.Hits...), rep.Never...) {
			cw.Write([]string{h.ID, h.Title, h.Category, strconv.Itoa(h.Top1), strconv.Itoa(h.Listed)})
		}
	default:
		return fmt.Errorf("demand: no list %q (want one of %v)", list, Lists)
	}
	cw.Flush()
	return cw.Error()
}
