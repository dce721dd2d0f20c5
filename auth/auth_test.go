package auth

import (
	"errors"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"
	"golang.org/x/crypto/bcrypt"
)

type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

func newClock() *fakeClock { return &fakeClock{t: time.Date(2026, 6, 1, 9, 0, 0, 0, time.UTC)} }

func TestPasswordHash(t *testing.T) {
	h, err := HashPassword("correct horse battery")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(h, "$argon2id$v=19$m=19456,t=2,p=1$") {
		t.Errorf("hash %q: want PHC argon2id", h)
	}
	if err := CheckHash(h); err != nil {
		t.Errorf("CheckHash(own hash): %v", err)
	}
	if !VerifyPassword(h, "correct horse battery") {
		t.Error("the right password does not verify")
	}
	for _, wrong := range []string{"", "correct horse batter", "Correct horse battery", strings.Repeat("x", 300)} {
		if VerifyPassword(h, wrong) {
			t.Errorf("wrong password %q verifies", wrong)
		}
	}
	h2, _ := HashPassword("correct horse battery")
	if h2 == h {
		t.Error("two hashes of one password are equal: no salt")
	}
	if _, err := HashPassword("short"); !errors.Is(err, ErrWeakPassword) {
		t.Errorf("short password: %v, want ErrWeakPassword", err)
	}

	b, err := bcrypt.GenerateFromPassword([]byte("bcrypt password 1"), bcrypt.MinCost)
	if err != nil {
		t.Fatal(err)
	}
	if err := CheckHash(string(b)); err != nil {
		t.Errorf("bcrypt hash refused: %v", err)
	}
	if !VerifyPassword(string(b), "bcrypt password 1") || VerifyPassword(string(b), "bcrypt password 2") {
		t.Error("bcrypt verification wrong")
	}

	for _, bad := range []string{"", "plain", "$argon2i$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$a2V5a2V5a2V5a2V5a2V5", "$argon2id$v=19$m=99999999,t=2,p=1$c2FsdHNhbHRzYWx0$a2V5a2V5a2V5a2V5a2V5a2V5",
		"$argon2id$v=19$m=19456,t=2,p=1$!!$a2V5", "$2b$04$short"} {
		if CheckHash(bad) == nil {
			t.Errorf("CheckHash(%q) accepted", bad)
		}
		if VerifyPassword(bad, "anything at all") {
			t.Errorf("malformed hash %q verifies", bad)
		}
	}
	if VerifyUnknown("x") {
		t.Error("VerifyUnknown returned true")
	}
}

func openDB(t *testing.T) *bolt.DB {
	db, err := bolt.Open(filepath.Join(t.TempDir(), "t.db"), 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func TestSessions(t *testing.T) {
	clk := newClock()
	s, err := NewSessions(openDB(t), SessionOptions{TTL: 8 * time.Hour, Idle: time.Hour, Clock: clk})
	if err != nil {
		t.Fatal(err)
	}
	tok, sess, err := s.Create("li.ming", "10.0.0.1", "test")
	if err != nil {
		t.Fatal(err)
	}
	if len(tok) < 40 || sess.CSRF == "" || sess.CSRF == tok {
		t.Fatalf("token %q csrf %q", tok, sess.CSRF)
	}
	got, err := s.Get(tok)
	if err != nil || got.User != "li.ming" || got.CSRF != sess.CSRF {
		t.Fatalf("Get = %+v, %v", got, err)
	}
	if _, err := s.Get(tok + "x"); !errors.Is(err, ErrNoSession) {
		t.Errorf("other token: %v", err)
	}

	// Used every 50 minutes, it lives until its absolute end.
	ended := false
	for range 12 {
		clk.Advance(50 * time.Minute)
		_, err := s.Get(tok)
		live := clk.Now().Before(sess.Expires)
		if (err == nil) != live {
			t.Fatalf("at %v (expires %v): Get err %v", clk.Now(), sess.Expires, err)
		}
		if err != nil {
			ended = true
			break
		}
	}
	if !ended {
		t.Fatal("session never ended")
	}

	// Idle for more than an hour: gone.
	tok2, _, _ := s.Create("wang", "", "")
	clk.Advance(61 * time.Minute)
	if _, err := s.Get(tok2); !errors.Is(err, ErrNoSession) {
		t.Errorf("idle session: %v", err)
	}

	// Signed out: gone.
	tok3, _, _ := s.Create("zhao", "", "")
	if err := s.Delete(tok3); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Get(tok3); !errors.Is(err, ErrNoSession) {
		t.Errorf("signed out session: %v", err)
	}

	_, _, _ = s.Create("a", "", "")
	_, _, _ = s.Create("b", "", "")
	if l, _ := s.List(""); len(l) != 2 {
		t.Errorf("List = %d sessions, want 2", len(l))
	}
	clk.Advance(2 * time.Hour)
	if n, err := s.Prune(); err != nil || n != 2 {
		t.Errorf("Prune = %d, %v; want 2", n, err)
	}
}

func TestLimiter(t *testing.T) {
	clk := newClock()
	l := NewLimiter(3, 10*time.Minute, clk)
	for i := range 3 {
		if w := l.Wait("u"); w != 0 {
			t.Fatalf("attempt %d: wait %v", i, w)
		}
		l.Fail("u")
		clk.Advance(time.Minute)
	}
	// Failures at 0, 1, 2 min; now 3 min: wait until 10 min.
	if w := l.Wait("u"); w != 7*time.Minute {
		t.Errorf("wait = %v, want 7m", w)
	}
	if w := l.Wait("other"); w != 0 {
		t.Errorf("other key waits %v", w)
	}
	clk.Advance(7 * time.Minute)
	if w := l.Wait("u"); w != 0 {
		t.Errorf("after the window: wait %v", w)
	}
	l.Fail("u")
	l.Reset("u")
	if w := l.Wait("u"); w != 0 {
		t.Errorf("after reset: wait %v", w)
	}
}

// BenchmarkVerifyPassword measures one sign-in's password check: argon2id
// with HashPassword's parameters, beside bcrypt at its default cost.
func BenchmarkVerifyPassword(b *testing.B) {
	argon, err := HashPassword("correct horse battery")
	if err != nil {
		b.Fatal(err)
	}
	bc, err := bcrypt.GenerateFromPassword([]byte("correct horse battery"), bcrypt.DefaultCost)
	if err != nil {
		b.Fatal(err)
	}
	for _, c := range []struct{ name, hash string }{{"argon2id", argon}, {"bcrypt10", string(bc)}} {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if !VerifyPassword(c.hash, "correct horse battery") {
					b.Fatal("no match")
				}
			}
		})
	}
}
