// Package convstore keeps residents' conversations (package bot's
// snapshots) in bbolt across a restart of govbot: serve saves them when it
// stops and takes them back when it starts, so that a resident who asked
// just before a restart can still answer 2 or ask 那要带什么材料.
//
// Nothing is written while serving (a reply never waits for the disk); a
// crash loses the conversations, as a restart did before. Keys are the
// query log's hashes of the followers, so the bucket names no one. Taking
// them back empties the bucket: a later crash cannot bring back what was
// taken.
package convstore

import (
	"encoding/binary"
	"errors"
	"fmt"
	"time"

	"github.com/yingpu/govbot/bot"
	"github.com/yingpu/govbot/store"
	bolt "go.etcd.io/bbolt"
)

// bucketStates: the follower's hash → last message (8-byte big-endian Unix
// ns) + the state.
var bucketStates = []byte("conversations/states")

// ErrCorrupt is wrapped by Load for a record too short to hold its time.
var ErrCorrupt = errors.New("convstore: corrupt record")

// Schema is the conversations' bucket family: its migrations, in order.
func Schema() store.Family {
	return store.Family{Name: "conversations", Migrations: []store.Migration{store.CreateBuckets(bucketStates)}}
}

// Save replaces the saved conversations with snaps, in one transaction.
func Save(db *bolt.DB, snaps []bot.ConversationSnapshot) error {
	err := db.Update(func(tx *bolt.Tx) error {
		if err := tx.DeleteBucket(bucketStates); err != nil && !errors.Is(err, bolt.ErrBucketNotFound) {
			return err
		}
		b, err := tx.CreateBucket(bucketStates)
		if err != nil {
			return err
		}
		for _, s := range snaps {
			v := make([]byte, 8, 8+len(s.State))
			binary.BigEndian.PutUint64(v, uint64(s.At.UnixNano()))
			if err := b.Put([]byte(s.Key), append(v, s.State...)); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("convstore: save: %w", err)
	}
	return nil
}

// Take returns the saved conversations and empties the bucket. A record
// that cannot be read is skipped (and counted in the error, which does not
// keep the others from being returned).
func Take(db *bolt.DB) ([]bot.ConversationSnapshot, error) {
	var out []bot.ConversationSnapshot
	bad := 0
	err := db.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketStates)
		if b == nil {
			return nil
		}
		err := b.ForEach(func(k, v []byte) error {
			if len(v) < 8 || len(k) == 0 {
				bad++
				return nil
			}
			out = append(out, bot.ConversationSnapshot{
				Key:   string(k),
				At:    time.Unix(0, int64(binary.BigEndian.Uint64(v[:8]))),
				State: append([]byte(nil), v[8:]...),
			})
			return nil
		})
		if err != nil {
			return err
		}
		if err := tx.DeleteBucket(bucketStates); err != nil {
			return err
		}
		_, err = tx.CreateBucket(bucketStates)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("convstore: take: %w", err)
	}
	if bad > 0 {
		return out, fmt.Errorf("%w: %d skipped", ErrCorrupt, bad)
	}
	return out, nil
}
