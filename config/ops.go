package config

import (
	"fmt"
	"log/slog"
	"strings"
	"time"
)

// Admin configures the signed-in console at /admin/ (see docs/console.md).
type Admin struct {
	// Enabled serves the console (default true).
	Enabled bool `yaml:"enabled"`
	// SessionTTL is the longest a sign-in lasts; SessionIdle ends one
	// unused that long.
	SessionTTL  time.Duration `yaml:"session_ttl"`
	SessionIdle time.Duration `yaml:"session_idle"`
	// SignInMaxFailures wrong passwords for one user within SignInWindow
	// make that user wait; SignInAddressMaxFailures do the same for one
	// client address (whatever user it tries).
	SignInMaxFailures        int           `yaml:"signin_max_failures"`
	SignInAddressMaxFailures int           `yaml:"signin_address_max_failures"`
	SignInWindow             time.Duration `yaml:"signin_window"`
}

func defaultAdmin() Admin {
	return Admin{
		Enabled:                  true,
		SessionTTL:               12 * time.Hour,
		SessionIdle:              2 * time.Hour,
		SignInMaxFailures:        5,
		SignInAddressMaxFailures: 20,
		SignInWindow:             15 * time.Minute,
	}
}

// Metrics configures /metrics (Prometheus). It is never public: either it
// is served on its own Listen address (e.g. 127.0.0.1:9090), or on the
// main address to requests bearing Token.
type Metrics struct {
	// Listen is the metrics' own listen address; "" serves /metrics on the
	// main address, and then only with Token.
	Listen string `yaml:"listen"`
	// Token, at least 16 characters, is required as "Authorization: Bearer
	// TOKEN" when /metrics is on the main address.  GOVBOT_METRICS_TOKEN
	Token string `yaml:"token"`
}

// Log configures the server's log.
type Log struct {
	// Format: text (key=value lines) or json (one object a line).
	Format string `yaml:"format"`
	// Level: debug, info, warn or error. Debug logs residents' questions.
	Level string `yaml:"level"`
}

func defaultLog() Log { return Log{Format: "text", Level: "info"} }

// Audit configures the audit log (全程留痕).
type Audit struct {
	// KeyFile holds the HMAC key the audit chain is signed with; it is
	// created (mode 0600) when missing. Keep it apart from the database
	// (another disk, a secret mount): whoever has both can rewrite the
	// log undetected. Relative to state_dir.  GOVBOT_AUDIT_KEY_FILE
	KeyFile string `yaml:"key_file"`
	// RefusedRetentionDays: records of refused requests from no one
	// signed in (a wrong token, no token) are dropped after this many
	// days; 0 keeps them. Records of signed-in users' actions and of the
	// scheduler are never dropped.
	RefusedRetentionDays int `yaml:"refused_retention_days"`
	// RefusedPerMinute: an address whose requests to /api/ were refused
	// this many times within a minute is answered 429 until the minute has
	// passed; its refusals are written as one aggregated record a minute.
	RefusedPerMinute int `yaml:"refused_per_minute"`
}

func defaultAudit() Audit {
	return Audit{KeyFile: "audit.key", RefusedRetentionDays: 90, RefusedPerMinute: 30}
}

// SlogLevel parses Level.
func (l Log) SlogLevel() (slog.Level, error) {
	var level slog.Level
	if err := level.UnmarshalText([]byte(l.Level)); err != nil {
		return 0, fmt.Errorf("log.level %q: want debug, info, warn or error", l.Level)
	}
	return level, nil
}

// Secure reports whether the console's cookies are marked Secure: when
// residents and staff reach this server over https.
func (c *Config) Secure() bool { return strings.HasPrefix(c.PublicBaseURL, "https://") }

func (c *Config) validateOps() []error {
	var errs []error
	add := func(format string, a ...any) { errs = append(errs, fmt.Errorf(format, a...)) }
	a := c.Admin
	if a.SessionTTL < time.Minute || a.SessionTTL > 30*24*time.Hour {
		add("admin.session_ttl %v is outside 1m..720h", a.SessionTTL)
	}
	if a.SessionIdle < time.Minute || a.SessionIdle > a.SessionTTL {
		add("admin.session_idle %v must be at least 1m and at most session_ttl", a.SessionIdle)
	}
	if a.SignInMaxFailures < 1 || a.SignInAddressMaxFailures < 1 {
		add("admin.signin_max_failures and signin_address_max_failures must be at least 1")
	}
	if a.SignInWindow < time.Second {
		add("admin.signin_window %v must be at least 1s", a.SignInWindow)
	}
	if t := c.Metrics.Token; t != "" && len(t) < MinTokenLen {
		add("metrics.token is shorter than %d characters", MinTokenLen)
	}
	if c.Log.Format != "text" && c.Log.Format != "json" {
		add("log.format %q: want text or json", c.Log.Format)
	}
	if _, err := c.Log.SlogLevel(); err != nil {
		errs = append(errs, err)
	}
	if c.Audit.KeyFile == "" {
		add("audit.key_file is empty")
	}
	if c.Audit.RefusedRetentionDays < 0 {
		add("audit.refused_retention_days %d is negative", c.Audit.RefusedRetentionDays)
	}
	if c.Audit.RefusedPerMinute < 1 {
		add("audit.refused_per_minute %d must be at least 1", c.Audit.RefusedPerMinute)
	}
	for _, u := range c.Users {
		if u.PasswordHash != "" && !validPasswordHash(u.PasswordHash) {
			add("user %q password_hash is not an argon2id or bcrypt hash (make one with `govbot user hash`)", u.Name)
		}
	}
	return errs
}

// validPasswordHash is a shape check; the console checks the hash fully
// (auth.CheckHash) and refuses to sign in with a malformed one.
func validPasswordHash(h string) bool {
	for _, p := range []string{"$argon2id$", "$2a$", "$2b$", "$2y$"} {
		if strings.HasPrefix(h, p) {
			return true
		}
	}
	return false
}
