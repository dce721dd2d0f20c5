// Package audit keeps govbot's append-only audit log (全程留痕) in bbolt:
// one record for every admin API action, successful or not, and for every
// step the notice scheduler takes on its own.
//
// Records are only ever appended. Each carries the SHA-256 of the record
// before it, so that changing, removing or reordering a record breaks the
// chain, which Verify detects. (Removing the newest records cannot be
// detected from the log alone: keep Head's hash elsewhere to check that.)
package audit

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/yingpu/govbot/clock"
	"github.com/yingpu/govbot/store"
	bolt "go.etcd.io/bbolt"
)

// bucketLog holds the records: key = 8-byte big-endian Unix nanoseconds of
// At, then the 8-byte big-endian Seq; value = the record's JSON.
var bucketLog = []byte("audit/log")

// Results of a record.
const (
	ResultOK    = "ok"
	ResultError = "error"
)

// Record is one audited action.
type Record struct {
	// Seq numbers the records 1, 2, 3, ... without gaps.
	Seq uint64 `json:"seq"`
	// At is when the action was recorded. It never goes backwards: if the
	// clock steps back, a record takes the time of the one before it.
	At time.Time `json:"at"`
	// Actor is the user name; "" for an unauthenticated request, "system"
	// for the scheduler.
	Actor string `json:"actor"`
	// Action, e.g. "notice.approve".
	Action string `json:"action"`
	// NoticeID is the notice acted on, if any.
	NoticeID string `json:"notice_id,omitempty"`
	// Remote is the client address (IP) of an API request.
	Remote string `json:"remote,omitempty"`
	// Request is the method and path of an API request.
	Request string `json:"request,omitempty"`
	// Result is "ok" or "error".
	Result string `json:"result"`
	// Status is the HTTP status answered; Code the API error code.
	Status int `json:"status,omitempty"`
	Code   int `json:"code,omitempty"`
	// Message is the error message, or a note (a rejection reason).
	Message string `json:"message,omitempty"`
	// Count is how many times the action happened, for a record that
	// aggregates repeated refusals (0 means once).
	Count int `json:"count,omitempty"`
	// Prev is the Hash of the previous record ("" for the first); Hash
	// that of this one: the hex HMAC-SHA256 of its JSON (with Hash, Pruned
	// and Seal empty) under the log's key, or its SHA-256 for a log without
	// a key.
	Prev string `json:"prev"`
	Hash string `json:"hash"`
	// Pruned: the details of this record of a refusal by no one signed in
	// were dropped by retention (PruneRefused); Hash is the original's and
	// Seal proves the log's key holder pruned it.
	Pruned bool   `json:"pruned,omitempty"`
	Seal   string `json:"seal,omitempty"`
}

// Log is the audit log. It is safe for concurrent use.
type Log struct {
	db    *bolt.DB
	clock clock.Clock
	key   []byte
}

// Option configures a Log.
type Option func(*Log)

// WithKey signs the chain with HMAC-SHA256 under key (see LoadKey): whoever
// can edit the database but not read the key can neither change a record
// nor re-chain the log undetected. Every process appending to one log must
// use the same key.
func WithKey(key []byte) Option { return func(l *Log) { l.key = key } }

// New returns the log kept in db, creating its bucket.
func New(db *bolt.DB, c clock.Clock, opts ...Option) (*Log, error) {
	if db == nil {
		return nil, errors.New("audit: nil database")
	}
	if c == nil {
		c = clock.System{}
	}
	if err := store.Migrate(db, Schema()); err != nil {
		return nil, fmt.Errorf("audit: %w", err)
	}
	l := &Log{db: db, clock: c}
	for _, o := range opts {
		o(l)
	}
	return l, nil
}

// Keyed reports whether the log is signed with a key.
func (l *Log) Keyed() bool { return len(l.key) > 0 }

// Limits on record fields, so that a hostile request cannot bloat the log.
const (
	maxField   = 256
	maxMessage = 2048
)

// Append records r, filling in Seq, At, Prev and Hash, and returns it as
// stored. Result defaults to "ok".
func (l *Log) Append(r Record) (Record, error) {
	r.Actor = clip(r.Actor, maxField)
	r.Action = clip(r.Action, maxField)
	r.NoticeID = clip(r.NoticeID, maxField)
	r.Remote = clip(r.Remote, maxField)
	r.Request = clip(r.Request, maxField)
	r.Message = clip(r.Message, maxMessage)
	if r.Action == "" {
		return Record{}, errors.New("audit: record without action")
	}
	if r.Result == "" {
		r.Result = ResultOK
	}
	err := l.db.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketLog)
		at := l.clock.Now().UTC().Round(0)
		r.Seq, r.Prev = 1, ""
		if k, v := b.Cursor().Last(); k != nil {
			var last Record
			if err := json.Unmarshal(v, &last); err != nil {
				return fmt.Errorf("last record: %w", err)
			}
			r.Seq, r.Prev = last.Seq+1, last.Hash
			if at.Before(last.At) {
				at = last.At
			}
		}
		r.At = at
		h, err := l.sum(r)
		if err != nil {
			return err
		}
		r.Hash = h
		data, err := json.Marshal(r)
		if err != nil {
			return err
		}
		return b.Put(key(r.At, r.Seq), data)
	})
	if err != nil {
		return Record{}, fmt.Errorf("audit: append: %w", err)
	}
	return r, nil
}

// clip makes s valid UTF-8 (so that it reads back exactly as hashed) and
// cuts it to about n bytes.
func clip(s string, n int) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + "…"
}

func key(at time.Time, seq uint64) []byte {
	k := make([]byte, 16)
	binary.BigEndian.PutUint64(k, uint64(at.UnixNano()))
	binary.BigEndian.PutUint64(k[8:], seq)
	return k
}

// sum is a record's Hash: HMAC-SHA256 under the log's key, or SHA-256 for
// a log without one.
func (l *Log) sum(r Record) (string, error) {
	if len(l.key) == 0 {
		return hashOf(r)
	}
	r.Hash, r.Pruned, r.Seal = "", false, ""
	data, err := json.Marshal(r)
	if err != nil {
		return "", err
	}
	m := hmac.New(sha256.New, l.key)
	m.Write(data)
	return hex.EncodeToString(m.Sum(nil)), nil
}

// hashOf returns the hex SHA-256 of r's JSON with Hash empty (the chain of
// a log without a key, and of logs written before keys).
func hashOf(r Record) (string, error) {
	r.Hash, r.Pruned, r.Seal = "", false, ""
	data, err := json.Marshal(r)
	if err != nil {
		return "", err
	}
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:]), nil
}

// Filter selects records for List.
type Filter struct {
	From, To time.Time // inclusive bounds on At; zero: open
	Actor    string    // exact user name; "" any
	Action   string    // exact action; "" any
	NoticeID string    // exact notice id; "" any
	Limit    int       // at most this many (default DefaultLimit, at most MaxLimit)
}

// Limits of List.
const (
	DefaultLimit = 100
	MaxLimit     = 1000
)

// List returns the records matching f, newest first.
func (l *Log) List(f Filter) ([]Record, error) {
	if f.Limit <= 0 {
		f.Limit = DefaultLimit
	}
	if f.Limit > MaxLimit {
		f.Limit = MaxLimit
	}
	out := []Record{}
	err := l.db.View(func(tx *bolt.Tx) error {
		c := tx.Bucket(bucketLog).Cursor()
		var k, v []byte
		if f.To.IsZero() {
			k, v = c.Last()
		} else {
			// Seek to the first key after To, then step back.
			if k, _ = c.Seek(key(f.To, ^uint64(0))); k == nil {
				k, v = c.Last()
			} else {
				k, v = c.Prev()
			}
		}
		var from []byte
		if !f.From.IsZero() {
			from = key(f.From, 0)
		}
		for ; k != nil && len(out) < f.Limit; k, v = c.Prev() {
			if from != nil && bytes.Compare(k, from) < 0 {
				break
			}
			var r Record
			if err := json.Unmarshal(v, &r); err != nil {
				return fmt.Errorf("record %x: %w", k, err)
			}
			if (f.Actor != "" && r.Actor != f.Actor) || (f.Action != "" && r.Action != f.Action) ||
				(f.NoticeID != "" && r.NoticeID != f.NoticeID) {
				continue
			}
			out = append(out, r)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("audit: list: %w", err)
	}
	return out, nil
}

// Head returns the newest record (ok false when the log is empty). Keeping
// its Seq and Hash outside the server lets Verify's result be checked
// against truncation too.
func (l *Log) Head() (r Record, ok bool, err error) {
	err = l.db.View(func(tx *bolt.Tx) error {
		_, v := tx.Bucket(bucketLog).Cursor().Last()
		if v == nil {
			return nil
		}
		ok = true
		return json.Unmarshal(v, &r)
	})
	if err != nil {
		return Record{}, false, fmt.Errorf("audit: head: %w", err)
	}
	return r, ok, nil
}

// ErrTampered wraps every finding of Verify.
var ErrTampered = errors.New("audit log tampered")

// Verify walks the whole log and checks that the records are numbered 1..n
// without gaps, in time order, each hashing to its Hash and linking to the
// one before. It returns the number of records checked, and an error
// wrapping ErrTampered at the first broken link.
func (l *Log) Verify() (int, error) {
	n := 0
	err := l.db.View(func(tx *bolt.Tx) error {
		var prev Record
		return tx.Bucket(bucketLog).ForEach(func(k, v []byte) error {
			var r Record
			if err := json.Unmarshal(v, &r); err != nil {
				return fmt.Errorf("%w: record %d cannot be read: %v", ErrTampered, n+1, err)
			}
			n++
			switch {
			case r.Seq != uint64(n):
				return fmt.Errorf("%w: record %d has seq %d (a record was removed or inserted)", ErrTampered, n, r.Seq)
			case !bytes.Equal(k, key(r.At, r.Seq)):
				return fmt.Errorf("%w: record %d is stored under another time", ErrTampered, n)
			case n > 1 && r.At.Before(prev.At):
				return fmt.Errorf("%w: record %d is older than record %d", ErrTampered, n, n-1)
			case r.Prev != prev.Hash:
				return fmt.Errorf("%w: record %d does not link to record %d", ErrTampered, n, n-1)
			}
			if r.Pruned {
				if !l.sealOK(r) {
					return fmt.Errorf("%w: record %d is marked pruned without the key's seal", ErrTampered, n)
				}
				prev = r
				return nil
			}
			h, err := l.sum(r)
			if err != nil {
				return err
			}
			if h != r.Hash {
				return fmt.Errorf("%w: record %d was changed (hash mismatch)", ErrTampered, n)
			}
			prev = r
			return nil
		})
	})
	return n, err
}
