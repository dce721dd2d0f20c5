package convstore

import (
	"errors"
	"path/filepath"
	"testing"
	"time"

	"github.com/yingpu/govbot/bot"
	"github.com/yingpu/govbot/store"
	bolt "go.etcd.io/bbolt"
)

func openDB(t *testing.T) *bolt.DB {
	t.Helper()
	db, err := bolt.Open(filepath.Join(t.TempDir(), "govbot.db"), 0o600, &bolt.Options{Timeout: time.Second, NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if err := store.Migrate(db, Schema()); err != nil {
		t.Fatal(err)
	}
	return db
}

func TestSaveThenTake(t *testing.T) {
	db := openDB(t)
	at := time.Date(2026, 11, 26, 10, 0, 0, 123, time.UTC)
	snaps := []bot.ConversationSnapshot{
		{Key: "h1", At: at, State: []byte(`{"Topic":"低保"}`)},
		{Key: "h2", At: at.Add(time.Minute), State: []byte(`{}`)},
	}
	if err := Save(db, snaps); err != nil {
		t.Fatal(err)
	}
	// A second save replaces the first.
	if err := Save(db, snaps[:1]); err != nil {
		t.Fatal(err)
	}
	got, err := Take(db)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[0].Key != "h1" || !got[0].At.Equal(at) || string(got[0].State) != `{"Topic":"低保"}` {
		t.Fatalf("took %+v", got)
	}
	// Taking empties: a crash after the start brings nothing back.
	if again, err := Take(db); err != nil || len(again) != 0 {
		t.Errorf("second take: %v %v", again, err)
	}
}

func TestTakeSkipsACorruptRecord(t *testing.T) {
	db := openDB(t)
	if err := Save(db, []bot.ConversationSnapshot{{Key: "ok", At: time.Unix(1e9, 0), State: []byte(`{}`)}}); err != nil {
		t.Fatal(err)
	}
	if err := db.Update(func(tx *bolt.Tx) error { return tx.Bucket(bucketStates).Put([]byte("bad"), []byte{1, 2}) }); err != nil {
		t.Fatal(err)
	}
	got, err := Take(db)
	if !errors.Is(err, ErrCorrupt) || len(got) != 1 || got[0].Key != "ok" {
		t.Errorf("took %+v, %v", got, err)
	}
}

func TestTakeBeforeAnySave(t *testing.T) {
	db := openDB(t)
	if got, err := Take(db); err != nil || len(got) != 0 {
		t.Errorf("took %+v, %v", got, err)
	}
}
