package audit

import (
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/yingpu/govbot/clock"
	bolt "go.etcd.io/bbolt"
)

var t0 = time.Date(2024, 6, 1, 9, 0, 0, 0, clock.Shanghai)

func newLog(t *testing.T) (*Log, *bolt.DB, *clock.Fake) {
	t.Helper()
	db, err := bolt.Open(filepath.Join(t.TempDir(), "a.db"), 0o600, &bolt.Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	c := clock.NewFake(t0)
	l, err := New(db, c)
	if err != nil {
		t.Fatal(err)
	}
	return l, db, c
}

func TestAppendChainAndList(t *testing.T) {
	l, _, c := newLog(t)
	actors := []string{"wang", "chen", "wang", "", "system"}
	for i, a := range actors {
		c.Set(t0.Add(time.Duration(i) * time.Minute))
		r, err := l.Append(Record{Actor: a, Action: "notice.create", NoticeID: fmt.Sprint(i + 1)})
		if err != nil {
			t.Fatal(err)
		}
		if r.Seq != uint64(i+1) || r.Result != ResultOK || len(r.Hash) != 64 {
			t.Fatalf("record %d: %+v", i, r)
		}
	}
	n, err := l.Verify()
	if err != nil || n != len(actors) {
		t.Fatalf("Verify = %d, %v", n, err)
	}
	all, err := l.List(Filter{})
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != 5 || all[0].Seq != 5 || all[4].Seq != 1 {
		t.Fatalf("List order: %v", all)
	}
	for i := 0; i < 4; i++ {
		if all[i].Prev != all[i+1].Hash {
			t.Errorf("record %d does not link to %d", all[i].Seq, all[i+1].Seq)
		}
	}
	cases := []struct {
		name string
		f    Filter
		seqs []uint64
	}{
		{"actor", Filter{Actor: "wang"}, []uint64{3, 1}},
		{"limit", Filter{Limit: 2}, []uint64{5, 4}},
		{"from", Filter{From: t0.Add(3 * time.Minute)}, []uint64{5, 4}},
		{"to", Filter{To: t0.Add(1 * time.Minute)}, []uint64{2, 1}},
		{"from to", Filter{From: t0.Add(time.Minute), To: t0.Add(3 * time.Minute)}, []uint64{4, 3, 2}},
		{"notice", Filter{NoticeID: "4"}, []uint64{4}},
		{"action none", Filter{Action: "notice.approve"}, nil},
	}
	for _, tc := range cases {
		got, err := l.List(tc.f)
		if err != nil {
			t.Fatal(err)
		}
		var seqs []uint64
		for _, r := range got {
			seqs = append(seqs, r.Seq)
		}
		if fmt.Sprint(seqs) != fmt.Sprint(tc.seqs) {
			t.Errorf("%s: got %v, want %v", tc.name, seqs, tc.seqs)
		}
	}
}

func TestClockBackwardsKeepsOrder(t *testing.T) {
	l, _, c := newLog(t)
	c.Set(t0.Add(time.Hour))
	first, _ := l.Append(Record{Action: "a"})
	c.Set(t0) // the clock steps back
	second, err := l.Append(Record{Action: "b"})
	if err != nil {
		t.Fatal(err)
	}
	if second.At.Before(first.At) {
		t.Errorf("second record at %v before first %v", second.At, first.At)
	}
	if _, err := l.Verify(); err != nil {
		t.Fatal(err)
	}
}

func TestVerifyDetectsTampering(t *testing.T) {
	edits := []struct {
		name  string
		edit  func(b *bolt.Bucket, keys [][]byte, recs []Record) error
		wants string
	}{
		{"changed field", func(b *bolt.Bucket, keys [][]byte, recs []Record) error {
			r := recs[1]
			r.Actor = "mallory"
			return put(b, keys[1], r)
		}, "record 2 was changed"},
		{"removed record", func(b *bolt.Bucket, keys [][]byte, recs []Record) error {
			return b.Delete(keys[1])
		}, "record 2 has seq 3"},
		{"rehashed record", func(b *bolt.Bucket, keys [][]byte, recs []Record) error {
			r := recs[1]
			r.Result = ResultError
			r.Hash, _ = hashOf(r)
			return put(b, keys[1], r)
		}, "record 3 does not link to record 2"},
		{"garbage", func(b *bolt.Bucket, keys [][]byte, recs []Record) error {
			return b.Put(keys[2], []byte("{"))
		}, "record 3 cannot be read"},
	}
	for _, tc := range edits {
		t.Run(tc.name, func(t *testing.T) {
			l, db, c := newLog(t)
			for i := 0; i < 4; i++ {
				c.Set(t0.Add(time.Duration(i) * time.Second))
				if _, err := l.Append(Record{Actor: "wang", Action: "notice.get"}); err != nil {
					t.Fatal(err)
				}
			}
			err := db.Update(func(tx *bolt.Tx) error {
				b := tx.Bucket(bucketLog)
				var keys [][]byte
				var recs []Record
				b.ForEach(func(k, v []byte) error {
					var r Record
					json.Unmarshal(v, &r)
					keys = append(keys, append([]byte(nil), k...))
					recs = append(recs, r)
					return nil
				})
				return tc.edit(b, keys, recs)
			})
			if err != nil {
				t.Fatal(err)
			}
			_, err = l.Verify()
			if !errors.Is(err, ErrTampered) || !strings.Contains(err.Error(), tc.wants) {
				t.Fatalf("Verify = %v, want %q", err, tc.wants)
			}
		})
	}
}

func put(b *bolt.Bucket, k []byte, r Record) error {
	data, err := json.Marshal(r)
	if err != nil {
		return err
	}
	return b.Put(k, data)
}

func TestAppendSanitizes(t *testing.T) {
	l, _, _ := newLog(t)
	if _, err := l.Append(Record{Actor: "x"}); err == nil {
		t.Error("record without action accepted")
	}
	long := strings.Repeat("长", 2000)
	r, err := l.Append(Record{Actor: "bad\xff\xfe", Action: "notice.create", Message: long})
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Message) > maxMessage+len("…") || !strings.HasSuffix(r.Message, "…") {
		t.Errorf("message not clipped: %d bytes", len(r.Message))
	}
	if _, err := l.Verify(); err != nil {
		t.Fatalf("Verify after invalid UTF-8 and long message: %v", err)
	}
	head, ok, err := l.Head()
	if err != nil || !ok || head.Hash != r.Hash {
		t.Errorf("Head = %+v %v %v", head, ok, err)
	}
}

func TestConcurrentAppends(t *testing.T) {
	l, _, _ := newLog(t)
	var wg sync.WaitGroup
	for g := 0; g < 4; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 10; i++ {
				if _, err := l.Append(Record{Actor: "w", Action: "notice.list"}); err != nil {
					t.Error(err)
				}
			}
		}()
	}
	wg.Wait()
	if n, err := l.Verify(); err != nil || n != 40 {
		t.Fatalf("Verify = %d, %v", n, err)
	}
}

func BenchmarkAppend(b *testing.B) {
	db, err := bolt.Open(filepath.Join(b.TempDir(), "a.db"), 0o600, &bolt.Options{NoSync: true})
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	l, _ := New(db, clock.System{})
	for b.Loop() {
		if _, err := l.Append(Record{Actor: "wang", Action: "notice.get", NoticeID: "12", Remote: "127.0.0.1"}); err != nil {
			b.Fatal(err)
		}
	}
}
