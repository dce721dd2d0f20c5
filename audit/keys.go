package audit

import (
	"bytes"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	bolt "go.etcd.io/bbolt"
)

// KeyBytes is the size of an audit key.
const KeyBytes = 32

// LoadKey reads the audit key from path (64 hex digits), or, when the file
// does not exist, makes a random one and writes it there (mode 0600, its
// directory 0700); created reports that.
func LoadKey(path string) (key []byte, created bool, err error) {
	b, err := os.ReadFile(path)
	if err == nil {
		key, err = hex.DecodeString(strings.TrimSpace(string(b)))
		if err != nil || len(key) < 16 {
			return nil, false, fmt.Errorf("audit: key file %s does not hold a hex key of at least 16 bytes", path)
		}
		return key, false, nil
	}
	if !errors.Is(err, os.ErrNotExist) {
		return nil, false, fmt.Errorf("audit: key: %w", err)
	}
	key = make([]byte, KeyBytes)
	if _, err := rand.Read(key); err != nil {
		return nil, false, err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, false, fmt.Errorf("audit: key: %w", err)
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return nil, false, fmt.Errorf("audit: key: %w", err)
	}
	if _, err := f.WriteString(hex.EncodeToString(key) + "\n"); err != nil {
		f.Close()
		return nil, false, fmt.Errorf("audit: key: %w", err)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return nil, false, fmt.Errorf("audit: key: %w", err)
	}
	return key, true, f.Close()
}

// Rekey signs an unkeyed log with the log's key: it verifies the whole
// chain as SHA-256 (as written before keys), then rewrites every record's
// Prev and Hash as HMAC, in one transaction. A chain that does not verify is
// left as it is and reported (wrapping ErrTampered). Run it once, when the
// key is first made; it returns the number of records signed.
func (l *Log) Rekey() (int, error) {
	if len(l.key) == 0 {
		return 0, errors.New("audit: rekey without a key")
	}
	plain := &Log{db: l.db, clock: l.clock}
	n, err := plain.Verify()
	if err != nil {
		return 0, fmt.Errorf("audit: the log written before its key does not verify, so it is not signed: %w", err)
	}
	if n == 0 {
		return 0, nil
	}
	err = l.db.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketLog)
		// Collect first: a bucket changed under a cursor may move it.
		var keys, vals [][]byte
		prev := ""
		err := b.ForEach(func(k, v []byte) error {
			var r Record
			if err := json.Unmarshal(v, &r); err != nil {
				return err
			}
			r.Prev = prev
			h, err := l.sum(r)
			if err != nil {
				return err
			}
			r.Hash = h
			data, err := json.Marshal(r)
			if err != nil {
				return err
			}
			keys, vals = append(keys, append([]byte(nil), k...)), append(vals, data)
			prev = h
			return nil
		})
		if err != nil {
			return err
		}
		for i := range keys {
			if err := b.Put(keys[i], vals[i]); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("audit: rekey: %w", err)
	}
	return n, nil
}

func (l *Log) seal(r Record) string {
	m := hmac.New(sha256.New, l.key)
	fmt.Fprintf(m, "pruned|%d|%s|%s|%s", r.Seq, r.At.UTC().Format(time.RFC3339Nano), r.Action, r.Hash)
	return hex.EncodeToString(m.Sum(nil))
}

// sealOK: a pruned record is one of a refusal by no one signed in, sealed
// with the key.
func (l *Log) sealOK(r Record) bool {
	return len(l.key) > 0 && r.Actor == "" && hmac.Equal([]byte(r.Seal), []byte(l.seal(r)))
}

// PruneRefused drops the details (address, request, message) of the
// records older than before of refusals by no one signed in (Actor empty,
// Result error), keeping each record's place, action, time, status, count
// and hash, so the chain still verifies. Records with an actor are never
// touched. It needs the key; it returns the number of records pruned.
func (l *Log) PruneRefused(before time.Time) (int, error) {
	if len(l.key) == 0 {
		return 0, errors.New("audit: pruning needs a key")
	}
	n := 0
	err := l.db.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketLog)
		c := b.Cursor()
		end := key(before, 0)
		var keys, vals [][]byte
		for k, v := c.First(); k != nil && bytes.Compare(k, end) < 0; k, v = c.Next() {
			var r Record
			if err := json.Unmarshal(v, &r); err != nil {
				return err
			}
			if r.Actor != "" || r.Result != ResultError || r.Pruned {
				continue
			}
			t := Record{Seq: r.Seq, At: r.At, Action: r.Action, Result: r.Result, Status: r.Status, Count: r.Count,
				Prev: r.Prev, Hash: r.Hash, Pruned: true}
			t.Seal = l.seal(t)
			data, err := json.Marshal(t)
			if err != nil {
				return err
			}
			keys, vals = append(keys, append([]byte(nil), k...)), append(vals, data)
		}
		for i := range keys {
			if err := b.Put(keys[i], vals[i]); err != nil {
				return err
			}
		}
		n = len(keys)
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("audit: prune: %w", err)
	}
	return n, nil
}
