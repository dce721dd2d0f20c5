package auth

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/yingpu/govbot/clock"
)

// bucketSessions: SHA-256 of the session token → Session JSON. Only the
// hash is stored, so a copy of the database signs no one in.
var bucketSessions = []byte("auth/sessions")

// Session defaults.
const (
	DefaultSessionTTL  = 12 * time.Hour
	DefaultSessionIdle = 2 * time.Hour
	// touchEvery: LastSeen is written at most this often per session.
	touchEvery = time.Minute
	tokenBytes = 32
)

// ErrNoSession: the token names no live session (never issued, signed
// out, or expired).
var ErrNoSession = errors.New("no such session")

// Session is a signed-in browser.
type Session struct {
	User string `json:"user"`
	// CSRF is the token every form and state-changing call of this
	// session must carry.
	CSRF     string    `json:"csrf"`
	Created  time.Time `json:"created"`
	LastSeen time.Time `json:"last_seen"`
	// Expires is the absolute end (Created + TTL); the session also ends
	// after Idle without a request.
	Expires time.Time `json:"expires"`
	Remote  string    `json:"remote,omitempty"`
	Agent   string    `json:"agent,omitempty"`
}

// SessionOptions configure Sessions.
type SessionOptions struct {
	// TTL is the longest a session lives (default 12h).
	TTL time.Duration
	// Idle ends a session unused this long (default 2h).
	Idle  time.Duration
	Clock clock.Clock
}

// Sessions keeps sessions in bbolt. It is safe for concurrent use.
type Sessions struct {
	db   *bolt.DB
	opts SessionOptions
}

// NewSessions returns the sessions kept in db, creating their bucket.
func NewSessions(db *bolt.DB, opts SessionOptions) (*Sessions, error) {
	if db == nil {
		return nil, errors.New("auth: nil database")
	}
	if opts.TTL <= 0 {
		opts.TTL = DefaultSessionTTL
	}
	if opts.Idle <= 0 {
		opts.Idle = DefaultSessionIdle
	}
	if opts.Clock == nil {
		opts.Clock = clock.System{}
	}
	if err := db.Update(func(tx *bolt.Tx) error {
		_, err := tx.CreateBucketIfNotExists(bucketSessions)
		return err
	}); err != nil {
		return nil, fmt.Errorf("auth: create bucket: %w", err)
	}
	return &Sessions{db: db, opts: opts}, nil
}

// Options returns the options in force (with defaults).
func (s *Sessions) Options() SessionOptions { return s.opts }

func randomToken() (string, error) {
	b := make([]byte, tokenBytes)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

func sessionKey(token string) []byte {
	sum := sha256.Sum256([]byte(token))
	return sum[:]
}

// Create starts a session for user and returns its token (for the
// cookie) and the session.
func (s *Sessions) Create(user, remote, agent string) (string, Session, error) {
	token, err := randomToken()
	if err != nil {
		return "", Session{}, err
	}
	csrf, err := randomToken()
	if err != nil {
		return "", Session{}, err
	}
	now := s.opts.Clock.Now().UTC()
	if len(agent) > 200 {
		agent = agent[:200]
	}
	sess := Session{User: user, CSRF: csrf, Created: now, LastSeen: now, Expires: now.Add(s.opts.TTL), Remote: remote, Agent: agent}
	data, err := json.Marshal(sess)
	if err != nil {
		return "", Session{}, err
	}
	if err := s.db.Update(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketSessions).Put(sessionKey(token), data)
	}); err != nil {
		return "", Session{}, fmt.Errorf("auth: create session: %w", err)
	}
	return token, sess, nil
}

func (s *Sessions) live(sess Session, now time.Time) bool {
	return now.Before(sess.Expires) && now.Before(sess.LastSeen.Add(s.opts.Idle))
}

// Get returns the live session of token, noting the request as its last
// use; ErrNoSession if there is none. An expired session is removed.
func (s *Sessions) Get(token string) (Session, error) {
	if token == "" || len(token) > 128 {
		return Session{}, ErrNoSession
	}
	k := sessionKey(token)
	now := s.opts.Clock.Now().UTC()
	var sess Session
	var found, stale bool
	err := s.db.View(func(tx *bolt.Tx) error {
		v := tx.Bucket(bucketSessions).Get(k)
		if v == nil {
			return nil
		}
		found = true
		return json.Unmarshal(v, &sess)
	})
	if err != nil {
		return Session{}, fmt.Errorf("auth: read session: %w", err)
	}
	if !found {
		return Session{}, ErrNoSession
	}
	if !s.live(sess, now) {
		if err := s.db.Update(func(tx *bolt.Tx) error { return tx.Bucket(bucketSessions).Delete(k) }); err != nil {
			return Session{}, fmt.Errorf("auth: remove expired session: %w", err)
		}
		return Session{}, ErrNoSession
	}
	stale = now.Sub(sess.LastSeen) >= touchEvery
	if stale {
		sess.LastSeen = now
		data, err := json.Marshal(sess)
		if err != nil {
			return Session{}, err
		}
		if err := s.db.Update(func(tx *bolt.Tx) error {
			b := tx.Bucket(bucketSessions)
			if b.Get(k) == nil { // signed out meanwhile
				return ErrNoSession
			}
			return b.Put(k, data)
		}); err != nil {
			if errors.Is(err, ErrNoSession) {
				return Session{}, err
			}
			return Session{}, fmt.Errorf("auth: touch session: %w", err)
		}
	}
	return sess, nil
}

// Delete ends the session of token (signing out); ending one that does
// not exist is no error.
func (s *Sessions) Delete(token string) error {
	if err := s.db.Update(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketSessions).Delete(sessionKey(token))
	}); err != nil {
		return fmt.Errorf("auth: delete session: %w", err)
	}
	return nil
}

// List returns the live sessions of user ("" for everyone's).
func (s *Sessions) List(user string) ([]Session, error) {
	now := s.opts.Clock.Now().UTC()
	out := []Session{}
	err := s.db.View(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketSessions).ForEach(func(k, v []byte) error {
			var sess Session
			if err := json.Unmarshal(v, &sess); err != nil {
				return nil // unreadable: Prune removes it
			}
			if (user == "" || sess.User == user) && s.live(sess, now) {
				out = append(out, sess)
			}
			return nil
		})
	})
	return out, err
}

// Prune removes expired and unreadable sessions and returns how many.
func (s *Sessions) Prune() (int, error) {
	now := s.opts.Clock.Now().UTC()
	n := 0
	err := s.db.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketSessions)
		var dead [][]byte
		if err := b.ForEach(func(k, v []byte) error {
			var sess Session
			if json.Unmarshal(v, &sess) != nil || !s.live(sess, now) {
				dead = append(dead, append([]byte(nil), k...))
			}
			return nil
		}); err != nil {
			return err
		}
		for _, k := range dead {
			if err := b.Delete(k); err != nil {
				return err
			}
		}
		n = len(dead)
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("auth: prune sessions: %w", err)
	}
	return n, nil
}

// Run prunes expired sessions every interval until ctx ends.
func (s *Sessions) Run(ctx context.Context, interval time.Duration) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			s.Prune()
		}
	}
}
