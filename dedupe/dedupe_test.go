package dedupe

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/yingpu/govbot/clock"
	bolt "go.etcd.io/bbolt"
)

var t0 = time.Date(2026, 6, 1, 9, 0, 0, 0, clock.Shanghai)

func open(t *testing.T, path string, c clock.Clock, o Options) (*Store, *bolt.DB) {
	t.Helper()
	db, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: time.Second, NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	db.MaxBatchDelay = time.Microsecond // one goroutine: no one to wait for
	o.Clock = c
	s, err := New(db, o)
	if err != nil {
		t.Fatal(err)
	}
	return s, db
}

func mustGet(t *testing.T, s *Store, key string) (string, bool) {
	t.Helper()
	r, ok, err := s.Get(key)
	if err != nil {
		t.Fatal(err)
	}
	return string(r), ok
}

func TestRemembersForTTLAcrossRestart(t *testing.T) {
	path := filepath.Join(t.TempDir(), "govbot.db")
	c := clock.NewFake(t0)
	s, db := open(t, path, c, Options{TTL: 10 * time.Minute})
	if _, ok := mustGet(t, s, "k"); ok {
		t.Fatal("unknown key found")
	}
	if err := s.Put("k", []byte("答复")); err != nil {
		t.Fatal(err)
	}
	db.Close()

	c.Advance(9*time.Minute + 59*time.Second)
	s, db = open(t, path, c, Options{TTL: 10 * time.Minute})
	defer db.Close()
	if r, ok := mustGet(t, s, "k"); !ok || r != "答复" {
		t.Fatalf("after a restart: %q %v, want the reply", r, ok)
	}
	c.Advance(time.Second)
	if _, ok := mustGet(t, s, "k"); ok {
		t.Fatal("remembered past the TTL")
	}
	// The clock stepping back far does not revive or pin it.
	c.Set(t0.Add(-time.Hour))
	if _, ok := mustGet(t, s, "k"); ok {
		t.Fatal("remembered with the clock an hour before it")
	}
}

func TestBoundedByMaxAndExpiry(t *testing.T) {
	c := clock.NewFake(t0)
	s, db := open(t, filepath.Join(t.TempDir(), "govbot.db"), c, Options{TTL: time.Minute, Max: 100})
	defer db.Close()
	for i := range 250 {
		if err := s.Put(fmt.Sprint("m", i), []byte("r")); err != nil {
			t.Fatal(err)
		}
	}
	if n, _ := s.Len(); n != 100 {
		t.Fatalf("%d kept, want Max 100", n)
	}
	if _, ok := mustGet(t, s, "m149"); ok {
		t.Error("an entry past Max is still found")
	}
	if _, ok := mustGet(t, s, "m150"); !ok {
		t.Error("one of the newest 100 was forgotten")
	}
	counts(t, db, 100)

	// Once expired, the next Puts forget them.
	c.Advance(2 * time.Minute)
	for i := range 3 {
		s.Put(fmt.Sprint("later", i), nil)
	}
	if n, _ := s.Len(); n != 3 {
		t.Fatalf("%d kept after expiry, want 3", n)
	}
	counts(t, db, 3)
}

// counts checks that both buckets hold n entries.
func counts(t *testing.T, db *bolt.DB, n int) {
	t.Helper()
	db.View(func(tx *bolt.Tx) error {
		for _, b := range [][]byte{bucketReplies, bucketByTime} {
			if got := tx.Bucket(b).Stats().KeyN; got != n {
				t.Errorf("bucket %s holds %d entries, want %d", b, got, n)
			}
		}
		return nil
	})
}

func TestPutAgainReplaces(t *testing.T) {
	c := clock.NewFake(t0)
	s, db := open(t, filepath.Join(t.TempDir(), "govbot.db"), c, Options{})
	defer db.Close()
	s.Put("k", []byte("a"))
	c.Advance(time.Second)
	s.Put("k", []byte("b"))
	if r, _ := mustGet(t, s, "k"); r != "b" {
		t.Fatalf("reply %q, want b", r)
	}
	if n, _ := s.Len(); n != 1 {
		t.Fatalf("len %d, want 1", n)
	}
	counts(t, db, 1)
}

func TestKeysStoredHashed(t *testing.T) {
	s, db := open(t, filepath.Join(t.TempDir(), "govbot.db"), clock.Fixed(t0), Options{})
	defer db.Close()
	const openid = "oABCDEFGHIJKLMNOPQRSTUVWXYZ01"
	s.Put("oa|gh_1|e|"+openid+"|1700000000|click|k", nil)
	db.View(func(tx *bolt.Tx) error {
		for _, b := range [][]byte{bucketReplies, bucketByTime} {
			tx.Bucket(b).ForEach(func(k, v []byte) error {
				if string(k) == openid || len(k) != hashLen && len(k) != orderLen {
					t.Errorf("bucket %s key %q is not a hash", b, k)
				}
				return nil
			})
		}
		return nil
	})
}

func TestRunQueuesAndFlushesOnStop(t *testing.T) {
	path := filepath.Join(t.TempDir(), "govbot.db")
	c := clock.NewFake(t0)
	s, db := open(t, path, c, Options{})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { s.Run(ctx); close(done) }()
	// Put queues only once Run has started.
	for deadline := time.Now().Add(5 * time.Second); ; {
		s.mu.Lock()
		running := s.running
		s.mu.Unlock()
		if running {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("Run never started")
		}
		time.Sleep(time.Millisecond)
	}
	for i := range 500 {
		if err := s.Put(fmt.Sprint("m", i), []byte(fmt.Sprint("r", i))); err != nil {
			t.Fatal(err)
		}
		if r, ok := mustGet(t, s, fmt.Sprint("m", i)); !ok || r != fmt.Sprint("r", i) {
			t.Fatalf("m%d right after Put: %q %v", i, r, ok)
		}
	}
	cancel()
	<-done
	db.Close()

	s, db = open(t, path, c, Options{})
	defer db.Close()
	if n, _ := s.Len(); n != 500 {
		t.Fatalf("%d recorded after Run stopped, want 500", n)
	}
	if r, ok := mustGet(t, s, "m499"); !ok || r != "r499" {
		t.Fatalf("m499 after a restart: %q %v", r, ok)
	}
}
