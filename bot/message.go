// Package bot turns what a resident sends on WeChat (text, voice, location,
// events, menu clicks) into the reply govbot gives, independent of the
// transport: the Official Account and WeCom webhooks in handlers/webhook
// decode and verify the request, then call a Handler.
package bot

import (
	"context"
	"time"
)

// Platform is where a message came from.
type Platform string

const (
	OfficialAccount Platform = "oa"   // 公众号
	Work            Platform = "work" // 企业微信 app
)

// Message is one decoded, verified inbound message or event.
type Message struct {
	Platform   Platform
	ToUser     string // the account (gh_… or corp id)
	FromUser   string // follower openid / WeCom userid
	CreateTime time.Time
	MsgID      string // empty for events
	MsgType    string // text, voice, location, image, video, shortvideo, link, event, …
	Content    string // text
	// Recognition is WeChat's speech-to-text for voice messages.
	Recognition string
	// Location message fields.
	Lat, Lon float64
	Label    string
	// Event fields.
	Event    string // subscribe, unsubscribe, CLICK, VIEW, LOCATION, …
	EventKey string
	AgentID  string // WeCom
}

// Reply is what to answer. Empty Text means no passive reply (the webhook
// writes "success").
type Reply struct {
	// Kind is how the reply is encoded; "" is TextReply.
	Kind ReplyKind
	Text string
}

// Handler answers a message. It must return well within WeChat's 5 s.
type Handler interface {
	Handle(ctx context.Context, m Message) (Reply, error)
}
