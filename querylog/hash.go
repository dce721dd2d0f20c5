package querylog

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"

	bolt "go.etcd.io/bbolt"
)

var metaHashKey = []byte("hash_key")

// hashKeyBytes is the size of a generated hash key.
const hashKeyBytes = 32

// Hasher turns an openid or WeCom userid into a stable pseudonym: the hex
// HMAC-SHA256 under a secret key, so that the log can count residents
// without being able to name them.
type Hasher struct {
	key []byte
}

// NewHasher returns a Hasher with key, which must not be empty.
func NewHasher(key []byte) (Hasher, error) {
	if len(key) == 0 {
		return Hasher{}, errors.New("querylog: empty hash key")
	}
	return Hasher{key: append([]byte(nil), key...)}, nil
}

// Hash returns the hex HMAC-SHA256 of id.
func (h Hasher) Hash(id string) string {
	m := hmac.New(sha256.New, h.key)
	m.Write([]byte(id))
	return hex.EncodeToString(m.Sum(nil))
}

// HashKey returns the key to hash senders with: configured when set (config
// query_log.hash_key), else a random key generated on first use and kept in
// the database, so hashes stay stable across restarts.
func HashKey(db *bolt.DB, configured string) ([]byte, error) {
	if configured != "" {
		return []byte(configured), nil
	}
	var key []byte
	err := db.Update(func(tx *bolt.Tx) error {
		b, err := tx.CreateBucketIfNotExists(bucketMeta)
		if err != nil {
			return err
		}
		if v := b.Get(metaHashKey); len(v) > 0 {
			key = append([]byte(nil), v...)
			return nil
		}
		key = make([]byte, hashKeyBytes)
		if _, err := rand.Read(key); err != nil {
			return err
		}
		return b.Put(metaHashKey, key)
	})
	if err != nil {
		return nil, fmt.Errorf("querylog: hash key: %w", err)
	}
	return key, nil
}
