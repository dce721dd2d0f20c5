// Package querylog records, in bbolt, what residents ask and whether govbot
// could answer (需求驱动: the questions nothing answers show which
// disclosures are missing). A resident appears only as a keyed hash of
// their openid; records older than the retention are pruned.
package querylog

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"sort"
	"strings"
	"time"
	"unicode"

	"github.com/yingpu/govbot/store"
	bolt "go.etcd.io/bbolt"

	"github.com/yingpu/govbot/privacy"
)

// Bucket names. Every bucket of this package starts with "querylog/".
var (
	bucketRecords = []byte("querylog/records") // nanos(8) seq(8) → JSON Record
	bucketMeta    = []byte("querylog/meta")
)

// Hit is one ranked disclosure of an answer.
type Hit struct {
	ID    string  `json:"id"`
	Score float64 `json:"score"`
}

// Record is one question.
type Record struct {
	At time.Time `json:"at"`
	// SenderHash is the keyed hash of the sender (see Hasher), never the
	// openid itself.
	SenderHash string `json:"sender_hash"`
	Platform   string `json:"platform"`
	// Kind is how the question came: text, voice, location or click.
	Kind string `json:"kind,omitempty"`
	// Q is the question text; empty for a bare shared location.
	Q string `json:"q"`
	// Geo is true when a shared location was passed along (the location
	// itself is not kept).
	Geo      bool  `json:"geo,omitempty"`
	Answered bool  `json:"answered"`
	Hits     []Hit `json:"hits"`
	// Error is true when answering failed (the resident got an apology);
	// such records are not counted as unanswered demand.
	Error bool `json:"error,omitempty"`
	// Turn is how the message was understood in its conversation: answer
	// (a question on its own), followup, clarify, pick, correction, more,
	// full, decline or feedback; "" in records from before conversations.
	Turn string `json:"turn,omitempty"`
	// Answer is the disclosure the reply showed ("" when none) and
	// Confidence how sure govbot was of it (0..1).
	Answer     string  `json:"answer,omitempty"`
	Confidence float64 `json:"confidence,omitempty"`
	// Feedback is what the resident said of the answer (Turn feedback):
	// useful, not_useful or wrong. Q, Answer and Confidence are then those
	// of the answer it is about.
	Feedback string `json:"feedback,omitempty"`
}

// Log is the query log. It is safe for concurrent use.
type Log struct {
	db *bolt.DB
}

// New returns a Log over db, creating its buckets.
func New(db *bolt.DB) (*Log, error) {
	if db == nil {
		return nil, errors.New("querylog: nil database")
	}
	if err := store.Migrate(db, Schema()); err != nil {
		return nil, fmt.Errorf("querylog: %w", err)
	}
	return &Log{db: db}, nil
}

// Schema is the query log's bucket family: its migrations, in order.
func Schema() store.Family {
	return store.Family{Name: "querylog", Migrations: []store.Migration{
		store.CreateBuckets(bucketRecords, bucketMeta),
	}}
}

// Bounds of the key space: UnixNano is only defined between these.
var (
	minKeyTime = time.Unix(0, 0)
	maxKeyTime = time.Unix(0, math.MaxInt64)
)

// nanos is t as key nanoseconds, clamped to the representable range (a
// zero time is the beginning).
func nanos(t time.Time) uint64 {
	switch {
	case t.Before(minKeyTime):
		return 0
	case t.After(maxKeyTime):
		return math.MaxInt64
	}
	return uint64(t.UnixNano())
}

func timeKey(t time.Time, seq uint64) []byte {
	k := make([]byte, 16)
	binary.BigEndian.PutUint64(k, nanos(t))
	binary.BigEndian.PutUint64(k[8:], seq)
	return k
}

// Append stores r. Records are ordered by r.At, then by arrival.
func (l *Log) Append(r Record) error {
	return l.AppendAll([]Record{r})
}

// AppendAll stores records in one transaction (one disk sync), in order.
func (l *Log) AppendAll(rs []Record) error {
	vals := make([][]byte, len(rs))
	for i := range rs {
		r := rs[i]
		if r.At.IsZero() {
			return errors.New("querylog: record without time")
		}
		if r.Hits == nil {
			r.Hits = []Hit{}
		}
		// Residents sometimes type their ID or mobile number into a
		// question; the log keeps the question, never the number.
		r.Q = privacy.Mask(r.Q)
		v, err := json.Marshal(r)
		if err != nil {
			return fmt.Errorf("querylog: %w", err)
		}
		vals[i] = v
	}
	if len(rs) == 0 {
		return nil
	}
	err := l.db.Batch(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketRecords)
		for i, v := range vals {
			seq, err := b.NextSequence()
			if err != nil {
				return err
			}
			if err := b.Put(timeKey(rs[i].At, seq), v); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("querylog: append: %w", err)
	}
	return nil
}

// pruneBatch bounds the keys deleted in one transaction.
const pruneBatch = 5000

// Prune deletes the records before the given time and returns how many.
func (l *Log) Prune(before time.Time) (int, error) {
	bound := timeKey(before, 0)
	total := 0
	for {
		n := 0
		err := l.db.Update(func(tx *bolt.Tx) error {
			b := tx.Bucket(bucketRecords)
			var keys [][]byte
			c := b.Cursor()
			for k, _ := c.First(); k != nil && bytes.Compare(k, bound) < 0 && len(keys) < pruneBatch; k, _ = c.Next() {
				keys = append(keys, append([]byte(nil), k...))
			}
			for _, k := range keys {
				if err := b.Delete(k); err != nil {
					return err
				}
			}
			n = len(keys)
			return nil
		})
		total += n
		if err != nil {
			return total, fmt.Errorf("querylog: prune: %w", err)
		}
		if n < pruneBatch {
			return total, nil
		}
	}
}

// each calls fn on the records with from <= At < to, oldest first, or
// newest first when reverse; fn returns false to stop. A zero to means no
// upper bound.
func (l *Log) each(from, to time.Time, reverse bool, fn func(Record) bool) error {
	lo := timeKey(from, 0)
	var hi []byte
	if !to.IsZero() {
		hi = timeKey(to, 0)
	}
	inside := func(k []byte) bool {
		return k != nil && bytes.Compare(k, lo) >= 0 && (hi == nil || bytes.Compare(k, hi) < 0)
	}
	return l.db.View(func(tx *bolt.Tx) error {
		c := tx.Bucket(bucketRecords).Cursor()
		var k, v []byte
		switch {
		case !reverse:
			k, v = c.Seek(lo)
		case hi == nil:
			k, v = c.Last()
		default:
			if k, _ = c.Seek(hi); k == nil {
				k, v = c.Last()
			} else {
				k, v = c.Prev()
			}
		}
		for ; inside(k); k, v = step(c, reverse) {
			var r Record
			if err := json.Unmarshal(v, &r); err != nil {
				return fmt.Errorf("record %x: %w", k, err)
			}
			if !fn(r) {
				return nil
			}
		}
		return nil
	})
}

func step(c *bolt.Cursor, reverse bool) ([]byte, []byte) {
	if reverse {
		return c.Prev()
	}
	return c.Next()
}

// MaxList caps what List returns.
const MaxList = 1000

// List returns the records with from <= At < to, newest first, at most
// limit of them (limit <= 0 or above MaxList means MaxList). A zero to means
// "until now and beyond".
func (l *Log) List(from, to time.Time, limit int) ([]Record, error) {
	if limit <= 0 || limit > MaxList {
		limit = MaxList
	}
	if !to.IsZero() && !from.Before(to) {
		return nil, fmt.Errorf("querylog: empty period %s .. %s", from.Format(time.RFC3339), to.Format(time.RFC3339))
	}
	out := []Record{}
	err := l.each(from, to, true, func(r Record) bool {
		out = append(out, r)
		return len(out) < limit
	})
	if err != nil {
		return nil, fmt.Errorf("querylog: list: %w", err)
	}
	return out, nil
}

// Demand is one question nothing answered, aggregated over its asks.
type Demand struct {
	// Key is the normalized question (see Normalize).
	Key string `json:"key"`
	// Example is the latest wording as asked.
	Example string `json:"example"`
	// Count is how many times it was asked; Senders by how many residents.
	Count   int       `json:"count"`
	Senders int       `json:"senders"`
	First   time.Time `json:"first"`
	Last    time.Time `json:"last"`
}

// Unanswered aggregates the declined questions with from <= At < to (a zero
// to means no upper bound) by normalized text, most asked first (ties: most
// residents, then latest, then key). Bare locations and failed answers are
// not counted.
func (l *Log) Unanswered(from, to time.Time) ([]Demand, error) {
	if !to.IsZero() && !from.Before(to) {
		return nil, fmt.Errorf("querylog: empty period %s .. %s", from.Format(time.RFC3339), to.Format(time.RFC3339))
	}
	byKey := map[string]*Demand{}
	senders := map[string]map[string]bool{}
	err := l.each(from, to, false, func(r Record) bool {
		if r.Answered || r.Error || !isQuestion(r) {
			return true
		}
		key := Normalize(r.Q)
		if key == "" {
			return true
		}
		d := byKey[key]
		if d == nil {
			d = &Demand{Key: key, First: r.At}
			byKey[key] = d
			senders[key] = map[string]bool{}
		}
		d.Count++
		d.Example = r.Q
		d.Last = r.At
		if r.SenderHash != "" {
			senders[key][r.SenderHash] = true
		}
		return true
	})
	if err != nil {
		return nil, fmt.Errorf("querylog: unanswered: %w", err)
	}
	out := make([]Demand, 0, len(byKey))
	for k, d := range byKey {
		d.Senders = len(senders[k])
		out = append(out, *d)
	}
	sort.Slice(out, func(i, j int) bool {
		a, b := out[i], out[j]
		return MoreAsked(a.Count, a.Senders, a.Last, a.Key, b.Count, b.Senders, b.Last, b.Key)
	})
	return out, nil
}

// MoreAsked orders aggregated questions for admins: asked more often first,
// then by more residents, then asked more recently, then by key (so the
// order is stable). The unanswered list and the console's 需求 page share it.
func MoreAsked(aCount, aSenders int, aLast time.Time, aKey string, bCount, bSenders int, bLast time.Time, bKey string) bool {
	if aCount != bCount {
		return aCount > bCount
	}
	if aSenders != bSenders {
		return aSenders > bSenders
	}
	if !aLast.Equal(bLast) {
		return aLast.After(bLast)
	}
	return aKey < bKey
}

// isQuestion tells whether a record is a question a resident asked (not
// feedback, a pick among numbered choices, 全文 or 还有别的吗).
func isQuestion(r Record) bool {
	if r.Feedback != "" {
		return false
	}
	switch r.Turn {
	case "pick", "full", "more", "feedback":
		return false
	}
	return true
}

// Doubted returns the answers residents said were wrong or of no use, with
// from <= At < to (a zero to means no upper bound): the most confident
// first (a confident wrong answer is the one to fix first), then the
// latest. At most MaxList.
func (l *Log) Doubted(from, to time.Time) ([]Record, error) {
	if !to.IsZero() && !from.Before(to) {
		return nil, fmt.Errorf("querylog: empty period %s .. %s", from.Format(time.RFC3339), to.Format(time.RFC3339))
	}
	out := []Record{}
	err := l.each(from, to, true, func(r Record) bool {
		if r.Feedback == FeedbackNotUseful || r.Feedback == FeedbackWrong {
			out = append(out, r)
		}
		return len(out) < MaxList
	})
	if err != nil {
		return nil, fmt.Errorf("querylog: doubted: %w", err)
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Confidence > out[j].Confidence })
	return out, nil
}

// Feedback values (Record.Feedback).
const (
	FeedbackUseful    = "useful"
	FeedbackNotUseful = "not_useful"
	FeedbackWrong     = "wrong"
)

// Normalize reduces a question to what distinguishes it: full-width forms
// become half-width, letters lower case, and spaces, punctuation and
// symbols go ("长者食堂在哪里？" and "长者食堂 在哪里" are one question).
func Normalize(q string) string {
	var b strings.Builder
	for _, r := range q {
		switch {
		case r == 0x3000:
			continue
		case r >= 0xFF01 && r <= 0xFF5E:
			r -= 0xFEE0
		}
		if unicode.IsSpace(r) || unicode.IsPunct(r) || unicode.IsSymbol(r) || unicode.IsControl(r) {
			continue
		}
		b.WriteRune(unicode.ToLower(r))
	}
	return b.String()
}
