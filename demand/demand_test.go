package demand

import (
	"bytes"
	"encoding/csv"
	"path/filepath"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/yingpu/govbot/clock"
	"github.com/yingpu/govbot/querylog"
)

func at(day string, hour int) time.Time {
	d, _ := clock.ParseDate(day)
	return d.Add(time.Duration(hour) * time.Hour)
}

func fill(t *testing.T) *querylog.Log {
	t.Helper()
	db, err := bolt.Open(filepath.Join(t.TempDir(), "q.db"), 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	l, err := querylog.New(db)
	if err != nil {
		t.Fatal(err)
	}
	hit := func(id string, s float64) []querylog.Hit { return []querylog.Hit{{ID: id, Score: s}} }
	recs := []querylog.Record{
		// Week of 2026-11-23 (Monday).
		{At: at("2026-11-24", 9), SenderHash: "a", Q: "低保标准是多少", Answered: true, Hits: hit("ben-001", 0.9)},
		{At: at("2026-11-24", 10), SenderHash: "b", Q: "低保标准是多少？", Answered: true, Hits: hit("ben-001", 0.9)},
		{At: at("2026-11-25", 10), SenderHash: "a", Q: "狗证在哪办", Answered: false, Hits: hit("eld-001", 0.1)},
		{At: at("2026-11-25", 11), SenderHash: "c", Q: "饭堂几点开门", Answered: true, Hits: []querylog.Hit{{ID: "eld-001", Score: 0.3}, {ID: "eld-002", Score: 0.2}}},
		// Week of 2026-11-30.
		{At: at("2026-11-30", 9), SenderHash: "d", Q: "狗证 在哪办", Answered: false},
		{At: at("2026-11-30", 9), SenderHash: "d", Q: "", Geo: true},       // a bare location
		{At: at("2026-11-30", 10), SenderHash: "e", Q: "失业金", Error: true}, // failed
		{At: at("2026-12-01", 9), SenderHash: "f", Q: "低保标准是多少", Answered: true, Hits: hit("ben-001", 0.8)},
		// Conversation records: a pick among choices is no question; a
		// resident's 不对 on an answer is feedback on that question.
		{At: at("2026-12-01", 10), SenderHash: "g", Q: "2", Turn: "pick", Answered: true, Answer: "eld-002", Confidence: 0.9},
		{At: at("2026-12-01", 11), SenderHash: "g", Q: "饭堂几点开门", Turn: "feedback", Feedback: "wrong", Answer: "eld-002", Confidence: 0.3},
		{At: at("2026-12-01", 12), SenderHash: "h", Q: "养老金", Turn: "feedback", Feedback: "useful", Answer: "ben-001", Confidence: 0.9},
	}
	if err := l.AppendAll(recs); err != nil {
		t.Fatal(err)
	}
	return l
}

var docs = []Doc{
	{ID: "ben-001", Title: "低保标准", Category: "benefits"},
	{ID: "eld-001", Title: "南门长者食堂", Category: "elderly"},
	{ID: "eld-002", Title: "复兴长者食堂", Category: "elderly"},
	{ID: "emp-003", Title: "失业登记", Category: "employment"},
}

func TestBuild(t *testing.T) {
	l := fill(t)
	rep, err := Build(l, at("2026-11-01", 0), time.Time{}, Options{Docs: docs})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Asked != 6 || rep.Answered != 4 {
		t.Errorf("asked %d answered %d, want 6 and 4 (locations and failures are not questions)", rep.Asked, rep.Answered)
	}
	if q := rep.Top[0]; q.Key != "低保标准是多少" || q.Count != 3 || q.Senders != 3 || q.TopTitle != "低保标准" || q.Category != "benefits" {
		t.Errorf("top %+v", q)
	}
	if len(rep.Unanswered) != 1 || rep.Unanswered[0].Count != 2 || rep.Unanswered[0].Senders != 2 || rep.Unanswered[0].Example != "狗证 在哪办" {
		t.Errorf("unanswered %+v", rep.Unanswered)
	}
	if len(rep.LowConfidence) != 1 || rep.LowConfidence[0].Key != "饭堂几点开门" || rep.LowConfidence[0].Confidence != 0.3 {
		t.Errorf("low confidence %+v", rep.LowConfidence)
	}
	if len(rep.Feedback) != 1 || rep.Feedback[0].Feedback != "不对" || rep.Feedback[0].TopID != "eld-002" || rep.Feedback[0].Confidence != 0.3 {
		t.Errorf("feedback %+v", rep.Feedback)
	}
	if len(rep.Weeks) != 2 || rep.Weeks[0].Label != "2026-11-30" || rep.Weeks[0].Asked != 2 || rep.Weeks[0].Unanswered != 1 ||
		rep.Weeks[1].Label != "2026-11-23" || rep.Weeks[1].Asked != 4 {
		t.Errorf("weeks %+v", rep.Weeks)
	}
	cats := map[string]Period{}
	for _, c := range rep.Categories {
		cats[c.Label] = c
	}
	if cats["benefits"].Asked != 3 || cats["elderly"].Asked != 2 || cats["elderly"].Unanswered != 1 || cats[Uncategorized].Asked != 1 {
		t.Errorf("categories %+v", rep.Categories)
	}
	if len(rep.Hits) != 3 || rep.Hits[0].ID != "ben-001" || rep.Hits[0].Top1 != 3 || len(rep.Never) != 1 || rep.Never[0].ID != "emp-003" {
		t.Errorf("hits %+v never %+v", rep.Hits, rep.Never)
	}
	// A period bounds it.
	rep, err = Build(l, at("2026-11-30", 0), at("2026-12-01", 0), Options{Docs: docs})
	if err != nil || rep.Asked != 1 {
		t.Errorf("one day: %+v, %v", rep, err)
	}
}

func TestWriteCSV(t *testing.T) {
	rep, err := Build(fill(t), time.Time{}, time.Time{}, Options{Docs: docs})
	if err != nil {
		t.Fatal(err)
	}
	for _, list := range Lists {
		var b bytes.Buffer
		if err := WriteCSV(&b, rep, list); err != nil {
			t.Fatalf("%s: %v", list, err)
		}
		if !strings.HasPrefix(b.String(), "\ufeff") {
			t.Errorf("%s: no BOM", list)
		}
		rows, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(b.String(), "\ufeff"))).ReadAll()
		if err != nil || len(rows) < 1 || list != "feedback" && len(rows) < 2 {
			t.Errorf("%s: %d rows, %v", list, len(rows), err)
		}
	}
	var b bytes.Buffer
	WriteCSV(&b, rep, "unanswered")
	if !strings.Contains(b.String(), "狗证 在哪办,2,2") {
		t.Errorf("unanswered CSV:\n%s", b.String())
	}
	if err := WriteCSV(&b, rep, "nope"); err == nil {
		t.Error("unknown list: no error")
	}
}

func TestWeekOf(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"2026-11-30", "2026-11-30"}, {"2026-12-06", "2026-11-30"}, {"2026-12-01", "2026-11-30"}, {"2026-11-29", "2026-11-23"},
	} {
		d, _ := clock.ParseDate(c.in)
		if got := WeekOf(d.Add(23 * time.Hour)).Format("2006-01-02"); got != c.want {
			t.Errorf("WeekOf(%s) = %s, want %s", c.in, got, c.want)
		}
	}
}
