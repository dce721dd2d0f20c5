package privacy

import (
	"crypto/sha256"
	"encoding/hex"
	"net/url"
	"strings"
)

// Redact is how an identifier of a person or a secret (an openid, a WeCom
// userid, department or tag id, a group chat id, a robot's webhook key or
// URL) appears in a log line or an error that may be logged: a few of its
// first characters (a quarter of it, at most four) and the first 8 hex
// digits of its SHA-256, e.g. "oE2E…3f9a01c2". The same ID always gives the
// same string, so log lines about one recipient can be followed, and an
// operator who knows an ID can find it (sha256sum); the log alone never
// tells it. A robot webhook URL is reduced to its key first.
func Redact(id string) string {
	if id == "" {
		return ""
	}
	id = webhookKey(id)
	sum := sha256.Sum256([]byte(id))
	rs := []rune(id)
	head := string(rs[:min(len(rs)/4, 4)])
	return head + "…" + hex.EncodeToString(sum[:4])
}

// webhookKey returns the key parameter of a robot webhook URL, or s.
func webhookKey(s string) string {
	if !strings.Contains(s, "key=") {
		return s
	}
	if u, err := url.Parse(s); err == nil {
		if k := u.Query().Get("key"); k != "" {
			return k
		}
	}
	if i := strings.LastIndex(s, "key="); i >= 0 {
		return s[i+len("key="):]
	}
	return s
}
