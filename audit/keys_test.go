package audit

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"
)

func records(t *testing.T, db *bolt.DB) ([][]byte, []Record) {
	t.Helper()
	var keys [][]byte
	var recs []Record
	db.View(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketLog).ForEach(func(k, v []byte) error {
			var r Record
			json.Unmarshal(v, &r)
			keys, recs = append(keys, append([]byte(nil), k...)), append(recs, r)
			return nil
		})
	})
	return keys, recs
}

func TestLoadKey(t *testing.T) {
	path := filepath.Join(t.TempDir(), "keys", "audit.key")
	k1, created, err := LoadKey(path)
	if err != nil || !created || len(k1) != KeyBytes {
		t.Fatalf("first load: %x %v %v", k1, created, err)
	}
	if fi, _ := os.Stat(path); fi.Mode().Perm() != 0o600 {
		t.Errorf("key file mode %v", fi.Mode().Perm())
	}
	k2, created, err := LoadKey(path)
	if err != nil || created || string(k1) != string(k2) {
		t.Fatalf("second load differs: %v %v", created, err)
	}
	os.WriteFile(path, []byte("not hex\n"), 0o600)
	if _, _, err := LoadKey(path); err == nil {
		t.Error("a garbage key file was accepted")
	}
}

// TestKeyedChainDetectsRechaining: with a key, an edited record that is
// re-hashed and re-chained with SHA-256 (all one can do without the key)
// is reported.
func TestKeyedChainDetectsRechaining(t *testing.T) {
	l, db, c := newLog(t)
	l.key = []byte("0123456789abcdef0123456789abcdef")
	for i := range 4 {
		c.Set(t0.Add(time.Duration(i) * time.Second))
		if _, err := l.Append(Record{Actor: "wang", Action: "notice.approve", NoticeID: "7"}); err != nil {
			t.Fatal(err)
		}
	}
	if n, err := l.Verify(); err != nil || n != 4 {
		t.Fatalf("Verify = %d, %v", n, err)
	}
	// Re-chain from record 2 on with SHA-256 after changing its actor.
	keys, recs := records(t, db)
	db.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketLog)
		prev := recs[0].Hash
		for i := 1; i < len(recs); i++ {
			r := recs[i]
			if i == 1 {
				r.Actor = "mallory"
			}
			r.Prev = prev
			r.Hash, _ = hashOf(r)
			prev = r.Hash
			put(b, keys[i], r)
		}
		return nil
	})
	if _, err := l.Verify(); !errors.Is(err, ErrTampered) || !strings.Contains(err.Error(), "record 2 was changed") {
		t.Errorf("re-chained log: %v", err)
	}
}

func TestRekey(t *testing.T) {
	l, db, c := newLog(t)
	for i := range 3 {
		c.Set(t0.Add(time.Duration(i) * time.Second))
		l.Append(Record{Actor: "li", Action: "notice.create"})
	}
	keyed := &Log{db: db, clock: c, key: []byte("0123456789abcdef0123456789abcdef")}
	if _, err := keyed.Verify(); err == nil {
		t.Fatal("an unkeyed log verifies under a key")
	}
	if n, err := keyed.Rekey(); err != nil || n != 3 {
		t.Fatalf("Rekey = %d, %v", n, err)
	}
	if n, err := keyed.Verify(); err != nil || n != 3 {
		t.Fatalf("after Rekey: %d, %v", n, err)
	}
	keyed.Append(Record{Actor: "li", Action: "notice.submit"})
	if n, err := keyed.Verify(); err != nil || n != 4 {
		t.Fatalf("append after Rekey: %d, %v", n, err)
	}

	// A tampered unkeyed log is not signed (which would hide the edit).
	l2, db2, _ := newLog(t)
	l2.Append(Record{Actor: "li", Action: "a"})
	l2.Append(Record{Actor: "li", Action: "b"})
	keys, recs := records(t, db2)
	db2.Update(func(tx *bolt.Tx) error {
		r := recs[0]
		r.Actor = "mallory"
		return put(tx.Bucket(bucketLog), keys[0], r)
	})
	k2 := &Log{db: db2, clock: c, key: []byte("0123456789abcdef0123456789abcdef")}
	if _, err := k2.Rekey(); !errors.Is(err, ErrTampered) {
		t.Errorf("Rekey of a tampered log: %v", err)
	}
}

func TestPruneRefused(t *testing.T) {
	l, db, c := newLog(t)
	l.key = []byte("0123456789abcdef0123456789abcdef")
	add := func(r Record) {
		c.Set(c.Now().Add(time.Hour))
		if _, err := l.Append(r); err != nil {
			t.Fatal(err)
		}
	}
	add(Record{Action: "api.refused", Result: ResultError, Status: 401, Remote: "203.0.113.9", Request: "GET /api/me", Count: 40})
	add(Record{Actor: "wang", Action: "notice.create", Result: ResultError, Status: 400, Message: "标题为空"})
	add(Record{Action: "api.refused", Result: ResultError, Status: 401, Remote: "203.0.113.9"})
	cut := c.Now().Add(time.Minute)
	add(Record{Action: "api.refused", Result: ResultError, Status: 401, Remote: "198.51.100.1"})

	n, err := l.PruneRefused(cut)
	if err != nil || n != 2 {
		t.Fatalf("PruneRefused = %d, %v; want 2", n, err)
	}
	if n, err := l.Verify(); err != nil || n != 4 {
		t.Fatalf("after pruning: %d, %v", n, err)
	}
	_, recs := records(t, db)
	if !recs[0].Pruned || recs[0].Remote != "" || recs[0].Count != 40 || recs[1].Pruned || recs[1].Message != "标题为空" || recs[3].Pruned {
		t.Errorf("pruned wrong records: %+v", recs)
	}
	// Marking a signed-in user's record pruned (to hide it) is detected.
	keys, recs := records(t, db)
	db.Update(func(tx *bolt.Tx) error {
		r := recs[1]
		r.Pruned, r.Seal, r.Message = true, recs[0].Seal, ""
		return put(tx.Bucket(bucketLog), keys[1], r)
	})
	if _, err := l.Verify(); !errors.Is(err, ErrTampered) {
		t.Errorf("forged pruning: %v", err)
	}
	unkeyed := &Log{db: db, clock: c}
	if _, err := unkeyed.PruneRefused(cut); err == nil {
		t.Error("pruning without a key")
	}
}
