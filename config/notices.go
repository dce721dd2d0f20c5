package config

import (
	"fmt"
	"net/netip"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/yingpu/govbot/channel"
	"github.com/yingpu/govbot/privacy"
)

// Audience is a named set of notice targets. A notice chosen for an
// audience goes to every target listed here and to no one else.
type Audience struct {
	// Name is how staff choose the audience, and, with Followers, the topic
	// residents subscribe to by sending "订阅 NAME" to the Official Account.
	Name string `yaml:"name"`
	// Followers: Official Account followers subscribed to Name.
	Followers bool `yaml:"followers"`
	// OATags: Official Account user tags (用户标签) whose followers receive
	// the notice; expanded when the notice is sent.
	OATags []int `yaml:"oa_tags"`
	// WeCom app message recipients: userids, department ids, tag ids.
	WorkUsers []string `yaml:"work_users"`
	WorkDepts []string `yaml:"work_depts"`
	WorkTags  []string `yaml:"work_tags"`
	// WorkChats: WeCom app group chats (应用群聊) by chatid.
	WorkChats []string `yaml:"work_chats"`
	// WorkRobots: WeCom group robots (群机器人) by webhook key.
	WorkRobots []string `yaml:"work_robots"`
}

// IDs returns the targets the audience lists under field, a YAML field
// of a channel kind in the channel registry (work_users, work_depts,
// work_tags, work_chats, work_robots); nil for any other field.
func (a Audience) IDs(field string) []string {
	switch field {
	case "work_users":
		return a.WorkUsers
	case "work_depts":
		return a.WorkDepts
	case "work_tags":
		return a.WorkTags
	case "work_chats":
		return a.WorkChats
	case "work_robots":
		return a.WorkRobots
	}
	return nil
}

// User of the admin API.
type User struct {
	// Name is the login name: letters, digits, '.', '_' or '-'. It is
	// recorded as the author, reviewer and actor of every action.
	Name string `yaml:"name"`
	// Roles: staff (write and submit notices), reviewer (approve or reject
	// others' notices), admin (everything, the audit log and the users).
	Roles []string `yaml:"roles"`
	// Token is the bearer token (at least 16 characters). It may instead
	// come from the environment variable GOVBOT_TOKEN_<NAME>: see
	// TokenEnv.
	Token string `yaml:"token"`
	// Department is shown as the issuing department of the user's public
	// notices (default: the name).
	Department string `yaml:"department"`
	// PasswordHash signs the user in to the console at /admin/: an
	// argon2id (or bcrypt) hash printed by `govbot user hash`. A user
	// needs a token, a password hash, or both.
	PasswordHash string `yaml:"password_hash"`
}

// Roles of admin API users.
const (
	RoleStaff    = "staff"
	RoleReviewer = "reviewer"
	RoleAdmin    = "admin"
)

// MinTokenLen is the shortest admin API token accepted.
const MinTokenLen = 16

// Delivery limits of the notice outbox (see docs/outbox.md).
type Delivery struct {
	// RobotPerMinute is the most messages sent to one WeCom group robot in
	// any 60 seconds (the platform allows 20).
	RobotPerMinute int `yaml:"robot_per_minute"`
	// MaxAttempts is how many times a delivery is tried before a
	// transient error (system busy, rate limit, timeout) becomes a failure.
	MaxAttempts int `yaml:"max_attempts"`
	// BaseBackoff and MaxBackoff bound the wait before a retry:
	// base_backoff·2^(attempt-1), at most max_backoff, with jitter.
	BaseBackoff time.Duration `yaml:"base_backoff"`
	MaxBackoff  time.Duration `yaml:"max_backoff"`
	// Workers is the number of concurrent senders per channel (robots,
	// WeCom group chats, WeCom app messages, Official Account).
	Workers int `yaml:"workers"`
	// OAWindow is how long after a follower's last message the Official
	// Account may send customer-service messages (WeChat allows 48h);
	// later, a template message is sent if one is configured.
	OAWindow time.Duration `yaml:"oa_window"`
	// SendTimeout bounds one call to the WeChat or WeCom API.
	SendTimeout time.Duration `yaml:"send_timeout"`
	// UncertainUrgent and UncertainNormal say what becomes of a delivery
	// that was being sent when govbot stopped abruptly (kill -9, power
	// loss) on a channel where the platform cannot drop a repeat (robots,
	// app group chats, the Official Account): "resend" (the target may get
	// it twice) or "hold" (reported as uncertain until staff resend it or
	// leave it). For urgent notices and for the others.
	UncertainUrgent string `yaml:"uncertain_urgent"`
	UncertainNormal string `yaml:"uncertain_normal"`
}

// Policies for a delivery interrupted by a crash (delivery.uncertain_*).
const (
	UncertainResend = "resend"
	UncertainHold   = "hold"
)

// Defaults of the delivery section, shared by the outbox's Options.
const (
	DefaultRobotPerMinute = channel.RobotPerMinute // the platform's limit per robot key
	DefaultMaxAttempts    = 8
	DefaultBaseBackoff    = 10 * time.Second
	DefaultMaxBackoff     = 10 * time.Minute
	DefaultWorkers        = 4
	DefaultOAWindow       = 48 * time.Hour // WeChat's customer-service window
	DefaultSendTimeout    = 30 * time.Second
)

// DefaultDelivery returns the delivery section's defaults.
func DefaultDelivery() Delivery {
	return Delivery{
		RobotPerMinute:  DefaultRobotPerMinute,
		MaxAttempts:     DefaultMaxAttempts,
		BaseBackoff:     DefaultBaseBackoff,
		MaxBackoff:      DefaultMaxBackoff,
		Workers:         DefaultWorkers,
		OAWindow:        DefaultOAWindow,
		SendTimeout:     DefaultSendTimeout,
		UncertainUrgent: UncertainResend,
		UncertainNormal: UncertainHold,
	}
}

// TokenEnv is the environment variable that supplies the token of the user
// called name: GOVBOT_TOKEN_ followed by the name in upper case with '.'
// and '-' turned into '_' (user "li.ming" → GOVBOT_TOKEN_LI_MING).
func TokenEnv(name string) string {
	return "GOVBOT_TOKEN_" + strings.Map(func(r rune) rune {
		switch {
		case r == '.' || r == '-':
			return '_'
		case r >= 'a' && r <= 'z':
			return r - 'a' + 'A'
		}
		return r
	}, name)
}

// SubscribableTopics lists the topics residents may subscribe to: topics
// when it is set, otherwise the names of the audiences with followers:
// true, in config order.
func (c *Config) SubscribableTopics() []string {
	if len(c.Topics) > 0 {
		return c.Topics
	}
	var out []string
	for _, a := range c.Audiences {
		if a.Followers {
			out = append(out, a.Name)
		}
	}
	return out
}

// Audience returns the audience called name.
func (c *Config) Audience(name string) (Audience, bool) {
	for _, a := range c.Audiences {
		if a.Name == name {
			return a, true
		}
	}
	return Audience{}, false
}

// HasRole reports whether u has role.
func (u User) HasRole(role string) bool {
	for _, r := range u.Roles {
		if r == role {
			return true
		}
	}
	return false
}

const (
	maxAudienceRunes = 20 // also the topic limit, for followers audiences
	maxUserNameBytes = 64
	maxTargetIDBytes = channel.MaxIDBytes
)

func (c *Config) validateNotices() []error {
	var errs []error
	add := func(format string, a ...any) { errs = append(errs, fmt.Errorf(format, a...)) }

	if u := c.APIBaseURL; u != "" && !strings.HasPrefix(u, "http://") && !strings.HasPrefix(u, "https://") {
		add("api_base_url %q is not an http(s) address", u)
	}

	topics := map[string]bool{}
	for _, t := range c.Topics {
		topics[strings.ToLower(t)] = true
	}
	names := map[string]bool{}
	for i, a := range c.Audiences {
		where := fmt.Sprintf("audiences[%d]", i)
		switch {
		case strings.TrimSpace(a.Name) == "":
			add("%s.name is empty", where)
		case a.Name != strings.TrimSpace(a.Name):
			add("%s.name %q has leading or trailing space", where, a.Name)
		case utf8.RuneCountInString(a.Name) > maxAudienceRunes:
			add("%s.name %q is longer than %d characters", where, a.Name, maxAudienceRunes)
		case names[a.Name]:
			add("%s.name %q is listed twice", where, a.Name)
		}
		names[a.Name] = true
		if a.Name != "" {
			where = fmt.Sprintf("audience %q", a.Name)
		}
		if a.Followers {
			if strings.IndexFunc(a.Name, topicSeparator) >= 0 {
				add("%s has followers: true, so its name is a topic residents type, but it contains a space or separator", where)
			}
			if len(c.Topics) > 0 && !topics[strings.ToLower(a.Name)] {
				add("%s has followers: true but is not in topics (add it, or leave topics empty to derive them from the audiences)", where)
			}
		}
		fields := channel.Fields()
		targets := len(a.OATags)
		kinds := []string{"followers", "oa_tags"}
		for _, f := range fields {
			targets += len(a.IDs(f.Kind.Field))
			kinds = append(kinds, f.Kind.Field)
		}
		if !a.Followers && targets == 0 {
			add("%s has no targets (set %s or %s)", where, strings.Join(kinds[:len(kinds)-1], ", "), kinds[len(kinds)-1])
		}
		seenTag := map[int]bool{}
		for j, t := range a.OATags {
			switch {
			case t <= 0:
				add("%s oa_tags[%d] %d is not a positive tag id", where, j, t)
			case seenTag[t]:
				add("%s oa_tags[%d] %d is listed twice", where, j, t)
			}
			seenTag[t] = true
		}
		for _, f := range fields {
			errs = append(errs, checkIDs(where, f.Kind.Field, a.IDs(f.Kind.Field), f.Kind.Numeric)...)
		}
	}

	userNames := map[string]bool{}
	envs := map[string]string{}
	tokens := map[string]string{}
	for i, u := range c.Users {
		where := fmt.Sprintf("users[%d]", i)
		if !validUserName(u.Name) {
			add("%s.name %q must be 1 to %d letters, digits, '.', '_' or '-', starting with a letter or digit", where, u.Name, maxUserNameBytes)
		} else {
			where = fmt.Sprintf("user %q", u.Name)
			if userNames[u.Name] {
				add("%s is listed twice", where)
			}
			userNames[u.Name] = true
			env := TokenEnv(u.Name)
			if other, ok := envs[env]; ok && other != u.Name {
				add("users %q and %q share the token variable %s; rename one", other, u.Name, env)
			}
			envs[env] = u.Name
		}
		if len(u.Roles) == 0 {
			add("%s has no roles (staff, reviewer, admin)", where)
		}
		for _, r := range u.Roles {
			if r != RoleStaff && r != RoleReviewer && r != RoleAdmin {
				add("%s has unknown role %q (want staff, reviewer or admin)", where, r)
			}
		}
		switch {
		case u.Token == "" && u.PasswordHash != "":
			// console only
		case u.Token == "":
			add("%s has no token (set token, or the environment variable %s; or only password_hash for a console-only user)", where, TokenEnv(u.Name))
		case len(u.Token) < MinTokenLen:
			add("%s token is shorter than %d characters", where, MinTokenLen)
		case strings.IndexFunc(u.Token, func(r rune) bool { return unicode.IsSpace(r) || r > unicode.MaxASCII || unicode.IsControl(r) }) >= 0:
			add("%s token must be printable ASCII without spaces", where)
		default:
			if other, ok := tokens[u.Token]; ok {
				add("users %q and %q have the same token", other, u.Name)
			}
			tokens[u.Token] = u.Name
		}
	}

	for _, u := range []struct{ key, v string }{
		{"delivery.uncertain_urgent", c.Delivery.UncertainUrgent},
		{"delivery.uncertain_normal", c.Delivery.UncertainNormal},
	} {
		if u.v != UncertainResend && u.v != UncertainHold {
			add("%s %q: want %s or %s", u.key, u.v, UncertainResend, UncertainHold)
		}
	}

	for i, p := range c.TrustedProxies {
		if _, err := ParseTrustedProxy(p); err != nil {
			add("trusted_proxies[%d] %q is not an IP address or CIDR prefix", i, p)
		}
	}
	return errs
}

// ParseTrustedProxy parses an entry of trusted_proxies: an IP address
// (127.0.0.1, ::1) or a CIDR prefix (10.0.0.0/8).
func ParseTrustedProxy(s string) (netip.Prefix, error) {
	s = strings.TrimSpace(s)
	if strings.Contains(s, "/") {
		p, err := netip.ParsePrefix(s)
		if err != nil {
			return netip.Prefix{}, err
		}
		return p.Masked(), nil
	}
	a, err := netip.ParseAddr(s)
	if err != nil {
		return netip.Prefix{}, err
	}
	a = a.Unmap()
	return netip.PrefixFrom(a, a.BitLen()), nil
}

func checkIDs(where, field string, ids []string, numeric bool) []error {
	var errs []error
	seen := map[string]bool{}
	for j, id := range ids {
		switch {
		case strings.TrimSpace(id) == "":
			errs = append(errs, fmt.Errorf("%s %s[%d] is empty", where, field, j))
		case id != strings.TrimSpace(id) || strings.IndexFunc(id, unicode.IsControl) >= 0:
			errs = append(errs, fmt.Errorf("%s %s[%d] (%s) contains surrounding space or a forbidden character", where, field, j, privacy.Redact(id)))
		case len(id) > maxTargetIDBytes:
			errs = append(errs, fmt.Errorf("%s %s[%d] is longer than %d bytes", where, field, j, maxTargetIDBytes))
		case numeric && !isDigits(id):
			errs = append(errs, fmt.Errorf("%s %s[%d] %q is not a numeric id", where, field, j, id))
		case seen[id]:
			errs = append(errs, fmt.Errorf("%s %s[%d] (%s) is listed twice", where, field, j, privacy.Redact(id)))
		}
		seen[id] = true
	}
	return errs
}

func isDigits(s string) bool {
	if _, err := strconv.ParseUint(s, 10, 32); err != nil {
		return false
	}
	return true
}

func validUserName(s string) bool {
	if s == "" || len(s) > maxUserNameBytes {
		return false
	}
	for i, r := range s {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9':
		case i > 0 && (r == '.' || r == '_' || r == '-'):
		default:
			return false
		}
	}
	return true
}
