package store

import (
	"encoding/binary"
	"errors"
	"fmt"

	bolt "go.etcd.io/bbolt"
)

// bucketSchema holds the schema version of each bucket family: family name
// → version (8-byte big-endian), the number of its migrations applied.
var bucketSchema = []byte("store/schema")

// ErrSchemaTooNew is returned (wrapped) by Migrate when the database was
// written by a newer govbot: it holds a family at a version past this
// build's last migration, and this build must not touch it.
var ErrSchemaTooNew = errors.New("state was written by a newer govbot")

// Migration is one step of a family's schema. Up runs inside the migration
// transaction; it must not commit, and an error rolls every family back.
type Migration struct {
	// Name says what the step does, for errors and logs.
	Name string
	Up   func(tx *bolt.Tx) error
}

// Family is the schema of the buckets one package owns (all named with
// its prefix): an ordered list of migrations. Version n of the family is
// the state after its first n migrations; the first migration creates the
// buckets, and a database written before versions existed is at version 0,
// so every migration must accept data already in the shape it produces.
// Migrations are appended, never edited or reordered, once released.
type Family struct {
	Name       string
	Migrations []Migration
}

// Version is the family's current version: the number of its migrations.
func (f Family) Version() uint64 { return uint64(len(f.Migrations)) }

// Migrate brings every family to its current version in one write
// transaction: either all migrations due commit, or none does. A family
// already current costs one read; when all are current, Migrate writes
// nothing. It returns ErrSchemaTooNew if the database holds a family at a
// version this build does not know.
func Migrate(db *bolt.DB, families ...Family) error {
	due := false
	err := db.View(func(tx *bolt.Tx) error {
		for _, f := range families {
			v := version(tx, f.Name)
			if v > f.Version() {
				return tooNew(f, v)
			}
			if v < f.Version() {
				due = true
			}
		}
		return nil
	})
	if err != nil || !due {
		return err
	}
	return db.Update(func(tx *bolt.Tx) error {
		b, err := tx.CreateBucketIfNotExists(bucketSchema)
		if err != nil {
			return fmt.Errorf("store: create %s: %w", bucketSchema, err)
		}
		for _, f := range families {
			v := version(tx, f.Name)
			if v > f.Version() {
				return tooNew(f, v)
			}
			for i := v; i < f.Version(); i++ {
				m := f.Migrations[i]
				if err := m.Up(tx); err != nil {
					return fmt.Errorf("store: migrate %s to version %d (%s): %w", f.Name, i+1, m.Name, err)
				}
			}
			if err := b.Put([]byte(f.Name), binary.BigEndian.AppendUint64(nil, f.Version())); err != nil {
				return fmt.Errorf("store: record %s version: %w", f.Name, err)
			}
		}
		return nil
	})
}

// Versions returns the recorded version of every family in the database
// (none for a database written before versions existed).
func Versions(db *bolt.DB) (map[string]uint64, error) {
	out := map[string]uint64{}
	err := db.View(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketSchema)
		if b == nil {
			return nil
		}
		return b.ForEach(func(k, v []byte) error {
			if len(v) != 8 {
				return fmt.Errorf("store: version of %s: %d bytes, want 8", k, len(v))
			}
			out[string(k)] = binary.BigEndian.Uint64(v)
			return nil
		})
	})
	return out, err
}

func version(tx *bolt.Tx, family string) uint64 {
	b := tx.Bucket(bucketSchema)
	if b == nil {
		return 0
	}
	v := b.Get([]byte(family))
	if len(v) != 8 {
		return 0
	}
	return binary.BigEndian.Uint64(v)
}

func tooNew(f Family, v uint64) error {
	return fmt.Errorf("store: %s is at schema version %d, this build knows %d: %w", f.Name, v, f.Version(), ErrSchemaTooNew)
}

// CreateBuckets is a migration that creates the named buckets (a family's
// first migration, usually).
func CreateBuckets(names ...[]byte) Migration {
	return Migration{
		Name: "create buckets",
		Up: func(tx *bolt.Tx) error {
			for _, n := range names {
				if _, err := tx.CreateBucketIfNotExists(n); err != nil {
					return fmt.Errorf("create bucket %s: %w", n, err)
				}
			}
			return nil
		},
	}
}
