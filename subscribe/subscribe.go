// Package subscribe keeps, in bbolt, which Official Account followers
// subscribed to which notice topics, and when each follower last messaged
// the account (WeChat allows customer-service messages only within 48 hours
// of a follower's last interaction).
//
// Openids are stored in clear because notices are sent to them; nothing
// else about a person is kept.
package subscribe

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/yingpu/govbot/store"
	bolt "go.etcd.io/bbolt"
)

// Bucket names. Every bucket of this package starts with "subscribe/".
var (
	bucketByUser  = []byte("subscribe/by_user")  // openid \x00 topic → ""
	bucketByTopic = []byte("subscribe/by_topic") // topic \x00 openid → ""
	bucketSeen    = []byte("subscribe/seen")     // openid → nanos(8) platform
)

const sep = 0

// Limits on keys, so that nothing odd can enter the database.
const (
	maxIDBytes    = 128
	maxTopicBytes = 64
)

// Store is the subscription store. It is safe for concurrent use.
type Store struct {
	db *bolt.DB
}

// New returns a Store over db, creating its buckets.
func New(db *bolt.DB) (*Store, error) {
	if db == nil {
		return nil, errors.New("subscribe: nil database")
	}
	if err := store.Migrate(db, Schema()); err != nil {
		return nil, fmt.Errorf("subscribe: %w", err)
	}
	return &Store{db: db}, nil
}

// Schema is the subscriptions' bucket family: its migrations, in order.
func Schema() store.Family {
	return store.Family{Name: "subscribe", Migrations: []store.Migration{
		store.CreateBuckets(bucketByUser, bucketByTopic, bucketSeen),
	}}
}

func checkID(openid string) error {
	switch {
	case openid == "":
		return errors.New("subscribe: empty openid")
	case len(openid) > maxIDBytes:
		return fmt.Errorf("subscribe: openid longer than %d bytes", maxIDBytes)
	case strings.IndexByte(openid, sep) >= 0:
		return errors.New("subscribe: openid contains a NUL byte")
	}
	return nil
}

func checkTopic(topic string) error {
	switch {
	case topic == "":
		return errors.New("subscribe: empty topic")
	case len(topic) > maxTopicBytes:
		return fmt.Errorf("subscribe: topic longer than %d bytes", maxTopicBytes)
	case strings.IndexByte(topic, sep) >= 0:
		return errors.New("subscribe: topic contains a NUL byte")
	}
	return nil
}

func pair(a, b string) []byte {
	k := make([]byte, 0, len(a)+1+len(b))
	k = append(k, a...)
	k = append(k, sep)
	return append(k, b...)
}

func prefix(a string) []byte { return append([]byte(a), sep) }

// Subscribe subscribes openid to topic. added is false when it already was.
func (s *Store) Subscribe(openid, topic string) (added bool, err error) {
	if err := checkID(openid); err != nil {
		return false, err
	}
	if err := checkTopic(topic); err != nil {
		return false, err
	}
	err = s.db.Update(func(tx *bolt.Tx) error {
		bu, bt := tx.Bucket(bucketByUser), tx.Bucket(bucketByTopic)
		k := pair(openid, topic)
		if bu.Get(k) != nil {
			return nil
		}
		added = true
		if err := bu.Put(k, []byte{}); err != nil {
			return err
		}
		return bt.Put(pair(topic, openid), []byte{})
	})
	if err != nil {
		return false, fmt.Errorf("subscribe: %w", err)
	}
	return added, nil
}

// Unsubscribe ends openid's subscription to topic. removed is false when
// there was none.
func (s *Store) Unsubscribe(openid, topic string) (removed bool, err error) {
	if err := checkID(openid); err != nil {
		return false, err
	}
	if err := checkTopic(topic); err != nil {
		return false, err
	}
	err = s.db.Update(func(tx *bolt.Tx) error {
		bu, bt := tx.Bucket(bucketByUser), tx.Bucket(bucketByTopic)
		k := pair(openid, topic)
		if bu.Get(k) == nil {
			return nil
		}
		removed = true
		if err := bu.Delete(k); err != nil {
			return err
		}
		return bt.Delete(pair(topic, openid))
	})
	if err != nil {
		return false, fmt.Errorf("unsubscribe: %w", err)
	}
	return removed, nil
}

// UnsubscribeAll ends every subscription of openid and returns the topics
// it had.
func (s *Store) UnsubscribeAll(openid string) (topics []string, err error) {
	if err := checkID(openid); err != nil {
		return nil, err
	}
	err = s.db.Update(func(tx *bolt.Tx) error {
		topics, err = unsubscribeAll(tx, openid)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("unsubscribe all: %w", err)
	}
	return topics, nil
}

func unsubscribeAll(tx *bolt.Tx, openid string) ([]string, error) {
	bu, bt := tx.Bucket(bucketByUser), tx.Bucket(bucketByTopic)
	p := prefix(openid)
	var topics []string
	c := bu.Cursor()
	for k, _ := c.Seek(p); k != nil && bytes.HasPrefix(k, p); k, _ = c.Next() {
		topics = append(topics, string(k[len(p):]))
	}
	for _, t := range topics {
		if err := bu.Delete(pair(openid, t)); err != nil {
			return nil, err
		}
		if err := bt.Delete(pair(t, openid)); err != nil {
			return nil, err
		}
	}
	return topics, nil
}

// Forget removes everything kept about openid: its subscriptions and its
// last-message time. It is called when a follower unfollows the account.
func (s *Store) Forget(openid string) error {
	if err := checkID(openid); err != nil {
		return err
	}
	err := s.db.Update(func(tx *bolt.Tx) error {
		if _, err := unsubscribeAll(tx, openid); err != nil {
			return err
		}
		return tx.Bucket(bucketSeen).Delete([]byte(openid))
	})
	if err != nil {
		return fmt.Errorf("forget follower: %w", err)
	}
	return nil
}

// Topics lists openid's topics, sorted.
func (s *Store) Topics(openid string) ([]string, error) {
	if err := checkID(openid); err != nil {
		return nil, err
	}
	topics, err := s.suffixes(bucketByUser, openid)
	if err != nil {
		return nil, fmt.Errorf("subscribe: list topics: %w", err)
	}
	return topics, nil
}

// Subscribers lists the openids subscribed to topic, sorted.
func (s *Store) Subscribers(topic string) ([]string, error) {
	if err := checkTopic(topic); err != nil {
		return nil, err
	}
	ids, err := s.suffixes(bucketByTopic, topic)
	if err != nil {
		return nil, fmt.Errorf("subscribe: list subscribers: %w", err)
	}
	return ids, nil
}

// suffixes lists, sorted, what follows key's prefix in the keys of an index
// bucket (the topics of a follower, the followers of a topic).
func (s *Store) suffixes(bucket []byte, key string) ([]string, error) {
	var out []string
	err := s.db.View(func(tx *bolt.Tx) error {
		p := prefix(key)
		c := tx.Bucket(bucket).Cursor()
		for k, _ := c.Seek(p); k != nil && bytes.HasPrefix(k, p); k, _ = c.Next() {
			out = append(out, string(k[len(p):]))
		}
		return nil
	})
	sort.Strings(out)
	return out, err
}

// Counts returns the number of subscribers of every topic that has any.
func (s *Store) Counts() (map[string]int, error) {
	counts := map[string]int{}
	err := s.db.View(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketByTopic).ForEach(func(k, _ []byte) error {
			if i := bytes.IndexByte(k, sep); i >= 0 {
				counts[string(k[:i])]++
			}
			return nil
		})
	})
	if err != nil {
		return nil, fmt.Errorf("subscribe: count: %w", err)
	}
	return counts, nil
}

// Touch records that openid messaged the account on platform at the given
// time. An older time than the one recorded is ignored, so retries and
// out-of-order deliveries cannot move it back.
func (s *Store) Touch(openid, platform string, at time.Time) error {
	return s.TouchAll([]Touch{{OpenID: openid, Platform: platform, At: at}})
}

// Touch is one follower interaction to record.
type Touch struct {
	OpenID, Platform string
	At               time.Time
}

// TouchAll records several interactions in one transaction (one disk
// sync); for each follower the latest time wins.
func (s *Store) TouchAll(ts []Touch) error {
	for _, t := range ts {
		if err := checkID(t.OpenID); err != nil {
			return err
		}
		if t.At.IsZero() {
			return errors.New("subscribe: touch with zero time")
		}
	}
	if len(ts) == 0 {
		return nil
	}
	err := s.db.Batch(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketSeen)
		for _, t := range ts {
			if old := b.Get([]byte(t.OpenID)); len(old) >= 8 {
				if int64(binary.BigEndian.Uint64(old)) >= t.At.UnixNano() {
					continue
				}
			}
			v := make([]byte, 8, 8+len(t.Platform))
			binary.BigEndian.PutUint64(v, uint64(t.At.UnixNano()))
			v = append(v, t.Platform...)
			if err := b.Put([]byte(t.OpenID), v); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("subscribe: touch: %w", err)
	}
	return nil
}

// Seen is a follower's last interaction.
type Seen struct {
	At       time.Time
	Platform string
}

// LastSeen returns when openid last messaged the account.
func (s *Store) LastSeen(openid string) (time.Time, bool) {
	seen, ok, err := s.Seen(openid)
	if err != nil || !ok {
		return time.Time{}, false
	}
	return seen.At, true
}

// Seen returns openid's last interaction, with the platform it was on.
func (s *Store) Seen(openid string) (Seen, bool, error) {
	if err := checkID(openid); err != nil {
		return Seen{}, false, err
	}
	var seen Seen
	var ok bool
	err := s.db.View(func(tx *bolt.Tx) error {
		v := tx.Bucket(bucketSeen).Get([]byte(openid))
		if len(v) < 8 {
			return nil
		}
		ok = true
		seen.At = time.Unix(0, int64(binary.BigEndian.Uint64(v)))
		seen.Platform = string(v[8:])
		return nil
	})
	if err != nil {
		return Seen{}, false, fmt.Errorf("subscribe: last seen: %w", err)
	}
	return seen, ok, nil
}
