package store

import (
	"errors"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	bolt "go.etcd.io/bbolt"
)

func openTemp(t *testing.T) *bolt.DB {
	t.Helper()
	db, err := Open(filepath.Join(t.TempDir(), "govbot.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// logStep is a migration that appends its name to the bucket "<family>/log".
func logStep(family, name string) Migration {
	return Migration{Name: name, Up: func(tx *bolt.Tx) error {
		b, err := tx.CreateBucketIfNotExists([]byte(family + "/log"))
		if err != nil {
			return err
		}
		seq, _ := b.NextSequence()
		return b.Put([]byte{byte(seq)}, []byte(name))
	}}
}

func steps(t *testing.T, db *bolt.DB, family string) []string {
	t.Helper()
	var out []string
	db.View(func(tx *bolt.Tx) error {
		if b := tx.Bucket([]byte(family + "/log")); b != nil {
			b.ForEach(func(_, v []byte) error { out = append(out, string(v)); return nil })
		}
		return nil
	})
	return out
}

func TestMigrateRunsEachStepOnceInOrder(t *testing.T) {
	db := openTemp(t)
	a := Family{Name: "a", Migrations: []Migration{logStep("a", "1"), logStep("a", "2")}}
	b := Family{Name: "b", Migrations: []Migration{logStep("b", "1")}}
	if err := Migrate(db, a, b); err != nil {
		t.Fatal(err)
	}
	// A later build appends a step: only it runs.
	a.Migrations = append(a.Migrations, logStep("a", "3"))
	for range 2 {
		if err := Migrate(db, a, b); err != nil {
			t.Fatal(err)
		}
	}
	if got := steps(t, db, "a"); !reflect.DeepEqual(got, []string{"1", "2", "3"}) {
		t.Errorf("family a ran %v", got)
	}
	if got := steps(t, db, "b"); !reflect.DeepEqual(got, []string{"1"}) {
		t.Errorf("family b ran %v", got)
	}
	v, err := Versions(db)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(v, map[string]uint64{"a": 3, "b": 1}) {
		t.Errorf("versions %v", v)
	}
}

func TestMigrateIsOneTransaction(t *testing.T) {
	db := openTemp(t)
	boom := errors.New("boom")
	a := Family{Name: "a", Migrations: []Migration{logStep("a", "1")}}
	b := Family{Name: "b", Migrations: []Migration{logStep("b", "1"), {Name: "fails", Up: func(*bolt.Tx) error { return boom }}}}
	err := Migrate(db, a, b)
	if !errors.Is(err, boom) || !strings.Contains(err.Error(), "migrate b to version 2 (fails)") {
		t.Fatalf("err = %v", err)
	}
	if got := steps(t, db, "a"); got != nil {
		t.Errorf("family a's step committed although b failed: %v", got)
	}
	if v, _ := Versions(db); len(v) != 0 {
		t.Errorf("versions recorded after a failure: %v", v)
	}
}

func TestMigrateRefusesNewerSchema(t *testing.T) {
	db := openTemp(t)
	newer := Family{Name: "a", Migrations: []Migration{logStep("a", "1"), logStep("a", "2")}}
	if err := Migrate(db, newer); err != nil {
		t.Fatal(err)
	}
	older := Family{Name: "a", Migrations: newer.Migrations[:1]}
	err := Migrate(db, older)
	if !errors.Is(err, ErrSchemaTooNew) || !strings.Contains(err.Error(), "a is at schema version 2, this build knows 1") {
		t.Fatalf("err = %v", err)
	}
}

func TestMigrateCurrentWritesNothing(t *testing.T) {
	db := openTemp(t)
	f := Family{Name: "a", Migrations: []Migration{CreateBuckets([]byte("a/x"))}}
	if err := Migrate(db, f); err != nil {
		t.Fatal(err)
	}
	lastTx := func() (id int) {
		db.View(func(tx *bolt.Tx) error {
			id = tx.ID()
			if tx.Bucket([]byte("a/x")) == nil {
				t.Error("bucket a/x missing")
			}
			return nil
		})
		return id
	}
	before := lastTx()
	if err := Migrate(db, f); err != nil {
		t.Fatal(err)
	}
	if after := lastTx(); after != before {
		t.Errorf("a current schema committed a write transaction (tx id %d → %d)", before, after)
	}
}
