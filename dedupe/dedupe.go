// Package dedupe remembers, in bbolt, the messages govbot has handled and
// the replies it gave, so that a message WeChat or WeCom delivers again (a
// retry after a slow answer, or a captured request replayed while its
// signature is still accepted) is answered with the first reply and not
// acted on twice, also after a restart.
//
// A message is remembered for TTL (default twice the webhooks' accepted
// clock skew: a signed request with timestamp ts is accepted while our
// clock is within skew of ts, so from its first arrival for at most twice
// the skew), and at most Max messages are kept: past that the oldest are
// forgotten first. Keys are stored hashed (they hold openids), so the
// bucket names no one. Memory use does not grow with the number of
// messages kept; disk use is bounded by Max times the largest reply.
package dedupe

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/yingpu/govbot/clock"
	"github.com/yingpu/govbot/config"
	"github.com/yingpu/govbot/store"
	bolt "go.etcd.io/bbolt"
)

// Buckets, all under the "dedupe/" prefix.
var (
	// bucketReplies: sha256(key)[:16] → order key + the reply.
	bucketReplies = []byte("dedupe/replies")
	// bucketByTime: order key, handled-at (8-byte big-endian Unix ns) and
	// a sequence (8 bytes) → sha256(key)[:16]; oldest first, for expiry
	// and the Max bound.
	bucketByTime = []byte("dedupe/by_time")
	// bucketMeta: "count" → number of messages kept (8 bytes).
	bucketMeta = []byte("dedupe/meta")
	metaCount  = []byte("count")
)

// Defaults of Options.
const (
	DefaultTTL = 2 * config.DefaultMaxClockSkew
	DefaultMax = config.DefaultDedupeMax
	// pruneBatch bounds the expired entries one Put deletes, so that a
	// write never stalls on a large backlog; the rest go with later Puts.
	pruneBatch = 256
	// maxPending bounds the Puts queued for Run; past it Put writes
	// itself (the disk is far behind).
	maxPending = 4096
)

const (
	hashLen  = 16
	orderLen = 16
)

// Schema is the dedupe bucket family: its migrations, in order.
func Schema() store.Family {
	return store.Family{Name: "dedupe", Migrations: []store.Migration{
		store.CreateBuckets(bucketReplies, bucketByTime, bucketMeta),
	}}
}

// Options configure a Store. Zero values take the defaults named.
type Options struct {
	// TTL is how long a handled message is remembered (default
	// DefaultTTL; serve passes twice webhook.max_clock_skew).
	TTL time.Duration
	// Max bounds the messages remembered (default DefaultMax).
	Max int
	// Clock tells the time (default clock.System).
	Clock  clock.Clock
	Logger *slog.Logger
}

// Store remembers handled messages. It is safe for concurrent use.
type Store struct {
	db  *bolt.DB
	ttl time.Duration
	max uint64
	clk clock.Clock
	log *slog.Logger

	mu      sync.Mutex
	running bool
	pending map[[hashLen]byte]item // queued by Put, not yet committed
	order   [][hashLen]byte        // pending in Put order
	wake    chan struct{}          // capacity 1
	gen     uint64                 // Puts so far
}

// New returns a Store over db, migrating its buckets.
func New(db *bolt.DB, o Options) (*Store, error) {
	if db == nil {
		return nil, errors.New("dedupe: nil database")
	}
	switch {
	case o.TTL < 0:
		return nil, fmt.Errorf("dedupe: negative TTL %v", o.TTL)
	case o.TTL == 0:
		o.TTL = DefaultTTL
	}
	switch {
	case o.Max < 0:
		return nil, fmt.Errorf("dedupe: negative max %d", o.Max)
	case o.Max == 0:
		o.Max = DefaultMax
	}
	if o.Clock == nil {
		o.Clock = clock.System{}
	}
	if err := store.Migrate(db, Schema()); err != nil {
		return nil, fmt.Errorf("dedupe: %w", err)
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	return &Store{db: db, ttl: o.TTL, max: uint64(o.Max), clk: o.Clock, log: o.Logger,
		pending: map[[hashLen]byte]item{}, wake: make(chan struct{}, 1)}, nil
}

func hashKey(key string) []byte {
	h := sha256.Sum256([]byte(key))
	return h[:hashLen]
}

// Get returns the reply recorded for key if it was handled within TTL.
func (s *Store) Get(key string) ([]byte, bool, error) {
	now := s.clk.Now()
	h := hashKey(key)
	s.mu.Lock()
	it, ok := s.pending[[hashLen]byte(h)]
	s.mu.Unlock()
	if ok {
		if s.expired(it.at, now) {
			return nil, false, nil
		}
		return append([]byte(nil), it.reply...), true, nil
	}
	var reply []byte
	found := false
	err := s.db.View(func(tx *bolt.Tx) error {
		v := tx.Bucket(bucketReplies).Get(h)
		if len(v) < orderLen || s.expired(at(v), now) {
			return nil
		}
		reply, found = append([]byte(nil), v[orderLen:]...), true
		return nil
	})
	if err != nil {
		return nil, false, fmt.Errorf("dedupe: %w", err)
	}
	return reply, found, nil
}

// expired reports whether a message handled at at is forgotten at now. A
// time in the future by more than TTL (the clock stepped back) counts as
// expired too, so that a bad clock cannot pin an entry.
func (s *Store) expired(at, now time.Time) bool {
	return now.Sub(at) >= s.ttl || at.Sub(now) > s.ttl
}

// Put records that key was handled now, with its reply. While Run runs,
// the write is queued (Get sees it at once) and committed with others off
// the caller's path, so a reply never waits for a disk sync; otherwise, or
// with maxPending writes already queued, Put writes before it returns.
func (s *Store) Put(key string, reply []byte) error {
	it := item{hash: [hashLen]byte(hashKey(key)), at: s.clk.Now(), reply: append([]byte(nil), reply...)}
	s.mu.Lock()
	s.gen++
	it.gen = s.gen
	if s.running && len(s.pending) < maxPending {
		s.pending[it.hash] = it
		s.order = append(s.order, it.hash)
		s.mu.Unlock()
		select {
		case s.wake <- struct{}{}:
		default:
		}
		return nil
	}
	s.mu.Unlock()
	return s.write([]item{it})
}

// Run commits queued Puts until ctx is done, then commits what is left and
// returns. One Run at a time.
func (s *Store) Run(ctx context.Context) {
	s.mu.Lock()
	s.running = true
	s.mu.Unlock()
	for {
		select {
		case <-ctx.Done():
		case <-s.wake:
		}
		s.mu.Lock()
		// Once stopping, Put writes itself: this round takes the last.
		stopping := ctx.Err() != nil
		if stopping {
			s.running = false
		}
		// Items stay pending (seen by Get) until committed.
		items := make([]item, 0, len(s.order))
		taken := make(map[[hashLen]byte]bool, len(s.order))
		for _, h := range s.order {
			if it, ok := s.pending[h]; ok && !taken[h] {
				taken[h] = true
				items = append(items, it)
			}
		}
		s.order = s.order[:0]
		s.mu.Unlock()
		if len(items) == 0 {
			if stopping {
				return
			}
			continue
		}
		err := s.write(items)
		if err != nil {
			s.log.Error("dedupe: cannot record handled messages; a retry of them may be answered again", "count", len(items), "err", err)
		}
		s.mu.Lock()
		for _, it := range items {
			if p, ok := s.pending[it.hash]; ok && p.gen == it.gen {
				delete(s.pending, it.hash)
			}
		}
		s.mu.Unlock()
		if stopping {
			return
		}
	}
}

// item is one handled message to write.
type item struct {
	hash  [hashLen]byte
	at    time.Time
	reply []byte
	gen   uint64 // Put order, to tell a later Put of the same key
}

// write records items in one transaction and forgets, oldest first, what
// has expired (at most pruneBatch) and whatever is past Max.
func (s *Store) write(items []item) error {
	now := s.clk.Now()
	err := s.db.Update(func(tx *bolt.Tx) error {
		replies, byTime, meta := tx.Bucket(bucketReplies), tx.Bucket(bucketByTime), tx.Bucket(bucketMeta)
		count := uint64(0)
		if v := meta.Get(metaCount); len(v) == 8 {
			count = binary.BigEndian.Uint64(v)
		}
		for _, it := range items {
			h := it.hash[:]
			if old := replies.Get(h); len(old) >= orderLen {
				if err := byTime.Delete(old[:orderLen]); err != nil {
					return err
				}
				count = max(count, 1) - 1
			}
			seq, err := byTime.NextSequence()
			if err != nil {
				return err
			}
			order := binary.BigEndian.AppendUint64(binary.BigEndian.AppendUint64(make([]byte, 0, orderLen+len(it.reply)), uint64(it.at.UnixNano())), seq)
			if err := byTime.Put(order[:orderLen:orderLen], h); err != nil {
				return err
			}
			if err := replies.Put(h, append(order, it.reply...)); err != nil {
				return err
			}
			count++
		}
		c := byTime.Cursor()
		pruned := 0
		for k, v := c.First(); k != nil; k, v = c.First() {
			if count <= s.max && (pruned >= pruneBatch || len(k) != orderLen || !s.expired(at(k), now)) {
				break
			}
			if r := replies.Get(v); len(r) >= orderLen && string(r[:orderLen]) == string(k) {
				if err := replies.Delete(v); err != nil {
					return err
				}
			}
			if err := c.Delete(); err != nil {
				return err
			}
			count = max(count, 1) - 1
			pruned++
		}
		return meta.Put(metaCount, binary.BigEndian.AppendUint64(nil, count))
	})
	if err != nil {
		return fmt.Errorf("dedupe: %w", err)
	}
	return nil
}

// at reads the handled-at time at the start of an order key or a reply.
func at(b []byte) time.Time { return time.Unix(0, int64(binary.BigEndian.Uint64(b))) }

// Len returns the number of messages remembered (expired ones included
// until a Put forgets them).
func (s *Store) Len() (int, error) {
	n := 0
	err := s.db.View(func(tx *bolt.Tx) error {
		if v := tx.Bucket(bucketMeta).Get(metaCount); len(v) == 8 {
			n = int(binary.BigEndian.Uint64(v))
		}
		return nil
	})
	return n, err
}
