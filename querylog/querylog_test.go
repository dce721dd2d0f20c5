package querylog

import (
	"encoding/json"
	"math"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/yingpu/govbot/store"
)

func openDB(t *testing.T, path string) *bolt.DB {
	t.Helper()
	db, err := store.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	return db
}

func newLog(t *testing.T) *Log {
	t.Helper()
	db := openDB(t, filepath.Join(t.TempDir(), "govbot.db"))
	t.Cleanup(func() { db.Close() })
	l, err := New(db)
	if err != nil {
		t.Fatal(err)
	}
	return l
}

var t0 = time.Date(2024, 6, 1, 9, 0, 0, 0, time.UTC)

func rec(min int, q string, answered bool) Record {
	return Record{At: t0.Add(time.Duration(min) * time.Minute), SenderHash: "h1", Platform: "oa", Kind: "text", Q: q, Answered: answered}
}

func questions(rs []Record) []string {
	var out []string
	for _, r := range rs {
		out = append(out, r.Q)
	}
	return out
}

func TestAppendListOrderAndWindow(t *testing.T) {
	l := newLog(t)
	// Appended out of order; two at the same instant keep arrival order.
	for _, r := range []Record{rec(2, "c", true), rec(0, "a", true), rec(1, "b1", false), rec(1, "b2", true), rec(3, "d", true)} {
		if err := l.Append(r); err != nil {
			t.Fatal(err)
		}
	}
	all, err := l.List(time.Time{}, time.Time{}, 0)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := questions(all), []string{"d", "c", "b2", "b1", "a"}; !reflect.DeepEqual(got, want) {
		t.Errorf("List all = %v, want %v", got, want)
	}
	win, err := l.List(t0.Add(time.Minute), t0.Add(3*time.Minute), 0)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := questions(win), []string{"c", "b2", "b1"}; !reflect.DeepEqual(got, want) {
		t.Errorf("List [1m,3m) = %v, want %v", got, want)
	}
	lim, err := l.List(time.Time{}, time.Time{}, 2)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := questions(lim), []string{"d", "c"}; !reflect.DeepEqual(got, want) {
		t.Errorf("List limit 2 = %v, want %v", got, want)
	}
	after, err := l.List(t0.Add(time.Hour), time.Time{}, 0)
	if err != nil || len(after) != 0 {
		t.Errorf("List after all = %v, %v", after, err)
	}
	if _, err := l.List(t0.Add(time.Hour), t0, 0); err == nil {
		t.Error("List with from after to must fail")
	}
}

func TestRecordJSONShape(t *testing.T) {
	l := newLog(t)
	r := Record{At: t0, SenderHash: "abc", Platform: "oa", Kind: "voice", Q: "长者食堂在哪里", Answered: true,
		Hits: []Hit{{ID: "care-001", Score: 0.9}}}
	if err := l.Append(r); err != nil {
		t.Fatal(err)
	}
	var raw []byte
	l.db.View(func(tx *bolt.Tx) error {
		_, v := tx.Bucket(bucketRecords).Cursor().First()
		raw = append(raw, v...)
		return nil
	})
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"at", "sender_hash", "platform", "q", "answered", "hits"} {
		if _, ok := m[k]; !ok {
			t.Errorf("stored record lacks %q: %s", k, raw)
		}
	}
	if !strings.Contains(string(raw), `"hits":[{"id":"care-001","score":0.9}]`) {
		t.Errorf("hits stored as %s", raw)
	}
	got, _ := l.List(time.Time{}, time.Time{}, 0)
	if len(got) != 1 || !got[0].At.Equal(t0) || got[0].Hits[0] != r.Hits[0] || got[0].Q != r.Q {
		t.Errorf("round trip = %+v", got)
	}
	if err := l.Append(Record{Q: "x"}); err == nil {
		t.Error("record without time accepted")
	}
}

func TestPrune(t *testing.T) {
	l := newLog(t)
	for i := range 10 {
		l.Append(rec(i, "q", true))
	}
	n, err := l.Prune(t0.Add(4 * time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	if n != 4 {
		t.Errorf("Prune removed %d, want 4", n)
	}
	rest, _ := l.List(time.Time{}, time.Time{}, 0)
	if len(rest) != 6 || !rest[len(rest)-1].At.Equal(t0.Add(4*time.Minute)) {
		t.Errorf("after prune: %d records, oldest %v", len(rest), rest[len(rest)-1].At)
	}
	if n, _ := l.Prune(t0); n != 0 {
		t.Errorf("second prune removed %d", n)
	}
}

func TestPruneManyBatches(t *testing.T) {
	l := newLog(t)
	err := l.db.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketRecords)
		v, _ := json.Marshal(rec(0, "q", true))
		for i := range pruneBatch*2 + 7 {
			if err := b.Put(timeKey(t0, uint64(i)), v); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	l.Append(rec(10, "keep", true))
	n, err := l.Prune(t0.Add(time.Minute))
	if err != nil || n != pruneBatch*2+7 {
		t.Fatalf("Prune = %d, %v", n, err)
	}
	rest, _ := l.List(time.Time{}, time.Time{}, 0)
	if got := questions(rest); !reflect.DeepEqual(got, []string{"keep"}) {
		t.Errorf("after prune: %v", got)
	}
}

func TestUnanswered(t *testing.T) {
	l := newLog(t)
	add := func(min int, sender, q string, answered, failed bool) {
		r := rec(min, q, answered)
		r.SenderHash = sender
		r.Error = failed
		if err := l.Append(r); err != nil {
			t.Fatal(err)
		}
	}
	add(0, "h1", "电动车充电桩在哪里？", false, false)
	add(1, "h2", "电动车充电桩 在哪里", false, false)
	add(2, "h2", "电动车充电桩在哪里", false, false)
	add(3, "h3", "垃圾分类时间", false, false)
	add(4, "h3", "垃圾分类时间", true, false) // answered: not demand
	add(5, "h4", "", false, false)      // bare location
	add(6, "h4", "宠物登记", false, true)   // failure, not demand
	add(7, "h5", "ＷｉＦｉ密码", false, false)
	add(60, "h1", "垃圾分类时间", false, false) // outside the window below

	got, err := l.Unanswered(t0, t0.Add(30*time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	want := []Demand{
		{Key: "电动车充电桩在哪里", Example: "电动车充电桩在哪里", Count: 3, Senders: 2, First: t0, Last: t0.Add(2 * time.Minute)},
		{Key: "wifi密码", Example: "ＷｉＦｉ密码", Count: 1, Senders: 1, First: t0.Add(7 * time.Minute), Last: t0.Add(7 * time.Minute)},
		{Key: "垃圾分类时间", Example: "垃圾分类时间", Count: 1, Senders: 1, First: t0.Add(3 * time.Minute), Last: t0.Add(3 * time.Minute)},
	}
	if len(got) != len(want) {
		t.Fatalf("Unanswered = %+v", got)
	}
	for i := range want {
		g, w := got[i], want[i]
		if g.Key != w.Key || g.Example != w.Example || g.Count != w.Count || g.Senders != w.Senders || !g.First.Equal(w.First) || !g.Last.Equal(w.Last) {
			t.Errorf("Unanswered[%d] = %+v, want %+v", i, g, w)
		}
	}
	all, _ := l.Unanswered(time.Time{}, time.Time{})
	if all[0].Key != "电动车充电桩在哪里" || all[1].Key != "垃圾分类时间" || all[1].Count != 2 {
		t.Errorf("Unanswered unbounded = %+v", all)
	}
}

func TestNormalize(t *testing.T) {
	for in, want := range map[string]string{
		"长者食堂在哪里？":    "长者食堂在哪里",
		"　长者食堂 在哪里 ?": "长者食堂在哪里",
		"ＡＢＣ１２３！":     "abc123",
		"“防汛”预警。":     "防汛预警",
		"？？":          "",
	} {
		if got := Normalize(in); got != want {
			t.Errorf("Normalize(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestHashKeyPersistsAndHasher(t *testing.T) {
	path := filepath.Join(t.TempDir(), "govbot.db")
	db := openDB(t, path)
	k1, err := HashKey(db, "")
	if err != nil {
		t.Fatal(err)
	}
	if len(k1) != hashKeyBytes {
		t.Fatalf("generated key has %d bytes", len(k1))
	}
	db.Close()
	db = openDB(t, path)
	defer db.Close()
	k2, err := HashKey(db, "")
	if err != nil {
		t.Fatal(err)
	}
	if string(k1) != string(k2) {
		t.Error("generated key changed across reopen")
	}
	kc, _ := HashKey(db, "configured-secret-key")
	if string(kc) != "configured-secret-key" {
		t.Errorf("configured key ignored: %q", kc)
	}

	h1, _ := NewHasher(k1)
	h2, _ := NewHasher(kc)
	a := h1.Hash("oOpenid123")
	if a != h1.Hash("oOpenid123") {
		t.Error("hash is not stable")
	}
	if len(a) != 64 || strings.Contains(a, "oOpenid123") {
		t.Errorf("hash %q", a)
	}
	if a == h2.Hash("oOpenid123") {
		t.Error("different keys give the same hash")
	}
	if a == h1.Hash("oOpenid124") {
		t.Error("different ids give the same hash")
	}
	if _, err := NewHasher(nil); err == nil {
		t.Error("empty key accepted")
	}
}

func TestConcurrentAppend(t *testing.T) {
	l := newLog(t)
	var wg sync.WaitGroup
	for i := range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := l.Append(rec(i%3, "q", false)); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	all, _ := l.List(time.Time{}, time.Time{}, 0)
	if len(all) != 16 {
		t.Errorf("%d records, want 16", len(all))
	}
}

func BenchmarkAppend(b *testing.B) {
	db, err := store.Open(filepath.Join(b.TempDir(), "govbot.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	l, _ := New(db)
	r := rec(0, "长者食堂在哪里", true)
	r.Hits = []Hit{{"a", 0.9}, {"b", 0.5}, {"c", 0.4}}
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		r.At = t0.Add(time.Duration(i))
		if err := l.Append(r); err != nil {
			b.Fatal(err)
		}
	}
}

func TestKeyTimeBounds(t *testing.T) {
	if nanos(time.Time{}) != 0 || nanos(time.Date(1600, 1, 1, 0, 0, 0, 0, time.UTC)) != 0 {
		t.Error("times before 1970 must map to 0")
	}
	if nanos(time.Date(3000, 1, 1, 0, 0, 0, 0, time.UTC)) != math.MaxInt64 {
		t.Error("times after 2262 must map to the maximum")
	}
	l := newLog(t)
	l.Append(rec(0, "q", true))
	got, err := l.List(time.Time{}, time.Date(3000, 1, 1, 0, 0, 0, 0, time.UTC), 0)
	if err != nil || len(got) != 1 {
		t.Errorf("List over all time = %v, %v", got, err)
	}
}

func BenchmarkAppendParallel(b *testing.B) {
	db, err := store.Open(filepath.Join(b.TempDir(), "govbot.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	l, _ := New(db)
	b.SetParallelism(16)
	b.RunParallel(func(pb *testing.PB) {
		r := rec(0, "长者食堂在哪里", true)
		r.Hits = []Hit{{"a", 0.9}, {"b", 0.5}, {"c", 0.4}}
		for pb.Next() {
			if err := l.Append(r); err != nil {
				b.Error(err)
				return
			}
		}
	})
}

func TestAppendMasksPersonalNumbers(t *testing.T) {
	l := newLog(t)
	if err := l.Append(rec(0, "我手机13812345678，身份证310101199001011234丢了怎么补", false)); err != nil {
		t.Fatal(err)
	}
	rs, err := l.List(time.Time{}, time.Time{}, 0)
	if err != nil || len(rs) != 1 {
		t.Fatalf("List: %v %v", rs, err)
	}
	q := rs[0].Q
	if strings.Contains(q, "13812345678") || strings.Contains(q, "310101199001011234") {
		t.Fatalf("stored question keeps a personal number: %q", q)
	}
	if !strings.Contains(q, "138****5678") || !strings.Contains(q, "丢了怎么补") {
		t.Fatalf("stored question lost its words: %q", q)
	}
}
