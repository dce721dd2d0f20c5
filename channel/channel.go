// Package channel is the registry of the ways a notice reaches people: WeCom
// group robots, WeCom app group chats, WeCom app messages and the Official
// Account. A channel is one value (its name, target kinds, content limits,
// batching, rate limit, the platform's duplicate check, and how it sends
// through the push adapters) that the outbox, the notice service, config
// validation, the report and the notice CLI all read, so adding a channel
// is one file here and its line in All.
package channel

import (
	"context"
	"time"

	"github.com/yingpu/govbot/push"
)

// Names of the registered channels.
const (
	Robot    = "robot"     // WeCom group robot (群机器人), ID = webhook key
	WorkChat = "work_chat" // WeCom app group chat (应用群聊), ID = chatid
	WorkApp  = "work_app"  // WeCom app message, ID = userid / department id / tag id
	OA       = "oa"        // Official Account follower, ID = openid
)

// MaxIDBytes bounds a target ID of any channel.
const MaxIDBytes = 256

// Channel is one delivery channel.
type Channel struct {
	Name  string
	Label string // as staff read it, e.g. 企业微信群机器人
	// Kinds of target the channel reaches.
	Kinds []Kind
	// TextMaxBytes and MarkdownMaxBytes bound the content as sent (the
	// title, an empty line, the body; the title in bold for markdown).
	// MarkdownMaxBytes 0: no markdown, text is sent instead.
	TextMaxBytes, MarkdownMaxBytes int
	// Batched: one call carries many targets of one notice, up to each
	// kind's PerCall. Otherwise each call has one target.
	Batched bool
	// PerMinute is the most calls the platform accepts for one target in
	// any 60 seconds (0: no such limit). The outbox serialises the sends
	// to one target of such a channel and keeps to the limit (config
	// delivery.robot_per_minute may lower it).
	PerMinute int
	// Configured reports whether the adapter the channel needs is set.
	Configured func(a Adapters) bool
	// DuplicateCheck is how long the platform drops a repeat of the same
	// call (same targets, same content), as the adapter is set up; 0: it
	// does not, and a call repeated after a crash may deliver twice.
	DuplicateCheck func(a Adapters) time.Duration
	// Send makes one call to the targets (one unless Batched) and returns
	// one Result per target, in order.
	Send func(ctx context.Context, a Adapters, to []Target, m push.Message) []Result
}

// Kind is a kind of target of a channel.
type Kind struct {
	Name  string // e.g. "user"
	Label string // e.g. 企业微信成员
	// Field is the audience field (config audiences) listing targets of
	// this kind; "" for a kind only reached through expansion (followers
	// of a topic or an Official Account tag).
	Field string
	// Numeric: the IDs are positive integers (departments, tags).
	Numeric bool
	// PerCall is how many targets of this kind one call takes (Batched
	// channels).
	PerCall int
}

// Target is one recipient of a call.
type Target struct {
	Kind, ID string
}

// Result is the outcome of a call for one target.
type Result struct {
	// Err is the call's error, nil on success; the outbox retries it when
	// push.IsTransient.
	Err error
	// Refused, when set, is why the platform refused this target in an
	// answer that was otherwise a success (invaliduser …): a permanent
	// failure.
	Refused string
	// Unreachable, when set, is why the target cannot be reached on this
	// channel now; nothing was sent.
	Unreachable string
	// Via is how the target was reached, when the channel has several ways
	// (Official Account: "custom" or "template").
	Via string
	// Throttled: the platform says the target's rate limit is used up
	// (the key is shared with another sender), so the outbox leaves it
	// alone for a whole window.
	Throttled bool
}

// Adapters are what the channels send with; a nil adapter means the
// channels that need it are not configured.
type Adapters struct {
	Robot   push.Robot
	WorkApp push.WorkApp
	OA      push.OfficialAccount
	// LastSeen returns when a follower last messaged the Official Account
	// (nil: never); OAWindow is how long after that customer-service
	// messages are allowed; Now tells the time.
	LastSeen func(openid string) (time.Time, bool)
	OAWindow time.Duration
	Now      func() time.Time
}

// All returns the registered channels, in the order reports list them.
func All() []Channel {
	return []Channel{robot(), workChat(), workApp(), officialAccount()}
}

// Get returns the channel called name.
func Get(name string) (Channel, bool) {
	for _, c := range All() {
		if c.Name == name {
			return c, true
		}
	}
	return Channel{}, false
}

// Kind returns the kind called name of c.
func (c Channel) Kind(name string) (Kind, bool) {
	for _, k := range c.Kinds {
		if k.Name == name {
			return k, true
		}
	}
	return Kind{}, false
}

// Label returns the label of the channel called name, or name.
func Label(name string) string {
	if c, ok := Get(name); ok {
		return c.Label
	}
	return name
}

// FieldKind is a kind of target listed under an audience field.
type FieldKind struct {
	Channel Channel
	Kind    Kind
}

// Fields returns, in registry order, every audience field that lists
// targets, with its channel and kind.
func Fields() []FieldKind {
	var out []FieldKind
	for _, c := range All() {
		for _, k := range c.Kinds {
			if k.Field != "" {
				out = append(out, FieldKind{c, k})
			}
		}
	}
	return out
}

// Content returns the msgtype ("text" or "markdown") and the content c
// sends for m, and its limit.
func (c Channel) Content(m push.Message) (msgtype, text string, max int) {
	if m.Markdown && c.MarkdownMaxBytes > 0 {
		return "markdown", push.MarkdownContent(m), c.MarkdownMaxBytes
	}
	return "text", push.TextContent(m), c.TextMaxBytes
}

// one sends to a single target: the common Send of unbatched channels.
func one(ctx context.Context, to []Target, send func(ctx context.Context, id string) error) []Result {
	out := make([]Result, len(to))
	for i, t := range to {
		out[i] = Result{Err: send(ctx, t.ID)}
	}
	return out
}
