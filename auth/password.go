// Package auth signs console users in: password hashes (argon2id, or
// bcrypt as written by other tools), server-side sessions kept in bbolt,
// and limits on repeated failures (sign-in attempts, refused API calls).
package auth

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"

	"golang.org/x/crypto/argon2"
	"golang.org/x/crypto/bcrypt"
)

// Argon2id parameters of HashPassword (RFC 9106's second recommended
// option, with the memory OWASP suggests for interactive sign-in).
const (
	argonTime    = 2
	argonMemory  = 19 * 1024 // KiB
	argonThreads = 1
	argonKeyLen  = 32
	argonSaltLen = 16
	// MaxPasswordBytes bounds a password (bcrypt reads at most 72 bytes;
	// argon2 would hash megabytes slowly).
	MaxPasswordBytes = 256
	// MinPasswordRunes is the shortest password HashPassword accepts.
	MinPasswordRunes = 10
)

// Errors of password handling.
var (
	ErrBadHash      = errors.New("not an argon2id or bcrypt password hash")
	ErrWeakPassword = fmt.Errorf("password shorter than %d characters", MinPasswordRunes)
	ErrLongPassword = fmt.Errorf("password longer than %d bytes", MaxPasswordBytes)
)

// HashPassword returns the PHC-format argon2id hash of password, as
// pasted into a user's password_hash.
func HashPassword(password string) (string, error) {
	if len(password) > MaxPasswordBytes {
		return "", ErrLongPassword
	}
	if len([]rune(password)) < MinPasswordRunes {
		return "", ErrWeakPassword
	}
	salt := make([]byte, argonSaltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", err
	}
	key := argon2.IDKey([]byte(password), salt, argonTime, argonMemory, argonThreads, argonKeyLen)
	b64 := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, argonMemory, argonTime, argonThreads,
		b64.EncodeToString(salt), b64.EncodeToString(key)), nil
}

type argonHash struct {
	memory  uint32
	time    uint32
	threads uint8
	salt    []byte
	key     []byte
}

func parseArgon(h string) (argonHash, error) {
	parts := strings.Split(h, "$")
	// "", "argon2id", "v=19", "m=..,t=..,p=..", salt, key
	if len(parts) != 6 || parts[0] != "" || parts[1] != "argon2id" {
		return argonHash{}, ErrBadHash
	}
	var v int
	if _, err := fmt.Sscanf(parts[2], "v=%d", &v); err != nil || v != argon2.Version {
		return argonHash{}, fmt.Errorf("%w: argon2 version %q", ErrBadHash, parts[2])
	}
	var a argonHash
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &a.memory, &a.time, &a.threads); err != nil {
		return argonHash{}, fmt.Errorf("%w: parameters %q", ErrBadHash, parts[3])
	}
	// Bounds that keep a hostile or mistyped hash from stalling sign-in.
	if a.memory < 8 || a.memory > 1<<20 || a.time < 1 || a.time > 16 || a.threads < 1 {
		return argonHash{}, fmt.Errorf("%w: parameters %q out of range", ErrBadHash, parts[3])
	}
	var err error
	b64 := base64.RawStdEncoding
	if a.salt, err = b64.DecodeString(parts[4]); err != nil || len(a.salt) < 8 {
		return argonHash{}, fmt.Errorf("%w: salt", ErrBadHash)
	}
	if a.key, err = b64.DecodeString(parts[5]); err != nil || len(a.key) < 16 {
		return argonHash{}, fmt.Errorf("%w: key", ErrBadHash)
	}
	return a, nil
}

// CheckHash reports whether h is a usable password hash: argon2id in PHC
// form ($argon2id$v=19$m=…,t=…,p=…$salt$key) or bcrypt ($2a$, $2b$, $2y$).
func CheckHash(h string) error {
	switch {
	case strings.HasPrefix(h, "$argon2id$"):
		_, err := parseArgon(h)
		return err
	case strings.HasPrefix(h, "$2a$"), strings.HasPrefix(h, "$2b$"), strings.HasPrefix(h, "$2y$"):
		if _, err := bcrypt.Cost([]byte(h)); err != nil {
			return fmt.Errorf("%w: %v", ErrBadHash, err)
		}
		return nil
	}
	return ErrBadHash
}

// VerifyPassword reports whether password matches hash h. A malformed hash
// never matches.
func VerifyPassword(h, password string) bool {
	if len(password) > MaxPasswordBytes || password == "" {
		return false
	}
	if strings.HasPrefix(h, "$argon2id$") {
		a, err := parseArgon(h)
		if err != nil {
			return false
		}
		key := argon2.IDKey([]byte(password), a.salt, a.time, a.memory, a.threads, uint32(len(a.key)))
		return subtle.ConstantTimeCompare(key, a.key) == 1
	}
	return bcrypt.CompareHashAndPassword([]byte(h), []byte(password)) == nil
}

// dummyHash is verified against when the user is unknown, so that the
// answer takes as long as for a known user with a wrong password.
const dummyHash = "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHRzYWx0c2FsdA$Lh5Ko8vZ0Zc4v3x9dCkzYXh0cWFnbHZ4b2R1bWlteQ"

// VerifyUnknown spends the time VerifyPassword would, for a user that does
// not exist; it always returns false.
func VerifyUnknown(password string) bool {
	VerifyPassword(dummyHash, password)
	return false
}
