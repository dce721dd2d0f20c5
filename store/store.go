// Package store opens govbot's one bbolt database, which holds all durable
// state (subscriptions, the query log, notices). Each package that keeps
// state there owns buckets with its own name prefix.
package store

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	bolt "go.etcd.io/bbolt"
	bolterrors "go.etcd.io/bbolt/errors"
)

// LockTimeout is how long Open waits for another process to release the
// database file lock before giving up.
const LockTimeout = 2 * time.Second

// ErrLocked is returned (wrapped) by Open when another process holds the
// database.
var ErrLocked = errors.New("state is locked by another govbot process")

// Open opens (creating if needed) the bbolt database at path with mode
// 0600, creating the parent directory (0700) first. It fails after
// LockTimeout with ErrLocked if another process has the file open.
func Open(path string) (*bolt.DB, error) {
	return open(path, LockTimeout)
}

func open(path string, timeout time.Duration) (*bolt.DB, error) {
	if path == "" {
		return nil, errors.New("store: empty database path")
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("store: create state directory: %w", err)
	}
	db, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: timeout})
	if err != nil {
		if errors.Is(err, bolterrors.ErrTimeout) {
			return nil, fmt.Errorf("store: %s: %w", path, ErrLocked)
		}
		return nil, fmt.Errorf("store: open %s: %w", path, err)
	}
	return db, nil
}
