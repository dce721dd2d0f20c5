package bot

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strconv"
	"strings"
	"time"

	"github.com/yingpu/govbot/clock"
	"github.com/yingpu/govbot/config"
	"github.com/yingpu/govbot/index"
	"github.com/yingpu/govbot/privacy"
	"github.com/yingpu/govbot/querylog"
)

// Answerer answers questions; *index.Index implements it.
type Answerer interface {
	Ask(ctx context.Context, q index.Query) (index.Answer, error)
	// Full returns one disclosure with its whole body as the passage (全文).
	Full(ctx context.Context, id string, now time.Time) (index.Hit, error)
	// Analyze tells what a question asks for and which of its words name
	// a matter (a follow-up names none).
	Analyze(text string) index.Analysis
}

// Subscriptions is the topic subscription store; *subscribe.Store
// implements it.
type Subscriptions interface {
	Subscribe(openid, topic string) (added bool, err error)
	Unsubscribe(openid, topic string) (removed bool, err error)
	UnsubscribeAll(openid string) (topics []string, err error)
	// Forget removes everything kept about a follower (on unfollow).
	Forget(openid string) error
	Topics(openid string) ([]string, error)
	// Touch records a follower's last interaction (48-hour rule).
	Touch(openid, platform string, at time.Time) error
}

// QueryLog records questions; *querylog.Log implements it.
type QueryLog interface {
	Append(r querylog.Record) error
}

// Hasher pseudonymizes a sender for the query log; querylog.Hasher
// implements it.
type Hasher interface {
	Hash(id string) string
}

// Deps is what a Bot needs. Answerer, Subscriptions, QueryLog and Hasher
// are required.
type Deps struct {
	Answerer      Answerer
	Subscriptions Subscriptions
	QueryLog      QueryLog
	Hasher        Hasher
	Clock         clock.Clock  // default clock.System
	Logger        *slog.Logger // default: discard
	// Topics are the notice topics followers may subscribe to (config
	// topics).
	Topics []string
	// Menu maps Official Account menu CLICK keys (config menu).
	Menu []config.MenuItem
	// Hotline is named when govbot cannot help (config search.hotline).
	Hotline string
	// MaxReplyBytes caps a reply (config search.max_reply_bytes; WeChat's
	// limit, and the default, is 2048).
	MaxReplyBytes int
	// Related is how many related titles an answer lists (config
	// search.related).
	Related int
	// Area is the subdistrict govbot answers for (config area.name).
	Area string
	// Conversation tunes follow-ups and clarifying questions (config
	// conversation).
	Conversation ConversationOptions
	// WGS84 says the disclosures' coordinates are GPS (WGS-84; config
	// search.datum wgs84). By default they are GCJ-02, as read from the
	// Chinese web maps staff use and as WeChat's location messages are.
	WGS84 bool
	// Handled remembers handled messages and their replies for the whole
	// window in which WeChat may deliver one again, across restarts
	// (dedupe.Store). nil: only the in-memory cache of recent messages.
	Handled Handled
}

// Handled is a durable record of handled messages (see dedupe.Store).
type Handled interface {
	Get(key string) (reply []byte, ok bool, err error)
	Put(key string, reply []byte) error
}

// Tuning of the in-memory state. It is per process: a restart forgets
// pending questions and shared locations, which costs a resident at most
// one more tap.
const (
	// dedupeTTL covers WeChat's retries (3 retries, 5 s apart).
	dedupeTTL = time.Minute
	dedupeMax = 4096
	// geoTTL is how long a shared location or a pending place question is
	// used.
	geoTTL = 10 * time.Minute
	geoMax = 10000
	// processTimeout bounds one message's work. It is not tied to the
	// request: a retry waits for the first attempt's answer.
	processTimeout = 30 * time.Second
	// logHits is how many hits a query log record keeps.
	logHits = 5
)

// Bot is the resident-facing conversation logic. It is safe for concurrent
// use.
type Bot struct {
	answerer Answerer
	subs     Subscriptions
	qlog     QueryLog
	hasher   Hasher
	clock    clock.Clock
	log      *slog.Logger
	topics   []string
	menu     map[string]config.MenuItem
	hotline  string
	maxBytes int
	wgs84    bool
	render   *Renderer
	dialogue *Dialogue
	handled  Handled

	flights *ttlCache[*flight]     // dedupe key → first attempt
	geos    *ttlCache[index.Point] // user → last shared location
	pending *ttlCache[string]      // user → place question awaiting a location
}

var _ Handler = (*Bot)(nil)

// New returns a Bot. It panics when a required dependency is missing, which
// is a wiring mistake.
func New(d Deps) *Bot {
	switch {
	case d.Answerer == nil:
		panic("bot.New: nil Answerer")
	case d.Subscriptions == nil:
		panic("bot.New: nil Subscriptions")
	case d.QueryLog == nil:
		panic("bot.New: nil QueryLog")
	case d.Hasher == nil:
		panic("bot.New: nil Hasher")
	}
	b := &Bot{
		answerer: d.Answerer,
		subs:     d.Subscriptions,
		qlog:     d.QueryLog,
		hasher:   d.Hasher,
		clock:    d.Clock,
		log:      d.Logger,
		topics:   append([]string(nil), d.Topics...),
		menu:     map[string]config.MenuItem{},
		hotline:  d.Hotline,
		maxBytes: d.MaxReplyBytes,
		wgs84:    d.WGS84,
		handled:  d.Handled,
		flights:  newTTLCache[*flight](dedupeTTL, dedupeMax),
		geos:     newTTLCache[index.Point](geoTTL, geoMax),
		pending:  newTTLCache[string](geoTTL, geoMax),
	}
	if b.clock == nil {
		b.clock = clock.System{}
	}
	if b.log == nil {
		b.log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if b.hotline == "" {
		b.hotline = config.DefaultHotline
	}
	if b.maxBytes <= 0 || b.maxBytes > config.MaxReplyBytes {
		b.maxBytes = config.MaxReplyBytes
	}
	for _, m := range d.Menu {
		b.menu[m.Key] = m
	}
	b.render = NewRenderer(RenderOptions{Hotline: b.hotline, MaxReplyBytes: b.maxBytes, Related: d.Related, Area: d.Area})
	b.dialogue = NewDialogue(d.Answerer, b.render, b.clock, d.Conversation)
	return b
}

// flight is the first attempt at a message; retries wait on done.
type flight struct {
	done  chan struct{}
	reply Reply
	err   error
}

// dedupeKey identifies a message across WeChat's retries: MsgId for
// messages, sender + CreateTime for events (with the event itself, so that
// two different events in one second stay apart). ok is false when the
// message carries nothing to tell a retry by.
func dedupeKey(m Message) (string, bool) {
	if m.MsgID != "" {
		return string(m.Platform) + "|" + m.ToUser + "|m|" + m.MsgID, true
	}
	if m.CreateTime.IsZero() {
		return "", false
	}
	return strings.Join([]string{string(m.Platform), m.ToUser, "e", m.FromUser,
		strconv.FormatInt(m.CreateTime.Unix(), 10), strings.ToLower(m.Event), m.EventKey}, "|"), true
}

// Handle answers m. A retry of a message (see dedupeKey) gets the first
// attempt's reply and is not acted on again; one that arrives while the
// first is still being processed waits for it.
func (b *Bot) Handle(ctx context.Context, m Message) (Reply, error) {
	if m.FromUser == "" {
		return Reply{}, errors.New("bot: message without sender")
	}
	key, ok := dedupeKey(m)
	if !ok {
		return b.process(ctx, m)
	}
	f, loaded := b.flights.getOrPut(key, b.clock.Now(), func() *flight {
		return &flight{done: make(chan struct{})}
	})
	if loaded {
		b.log.Debug("bot: retry", "platform", m.Platform, "type", m.MsgType)
		select {
		case <-f.done:
			return f.reply, f.err
		case <-ctx.Done():
			return Reply{}, ctx.Err()
		}
	}
	if r, ok := b.recall(key); ok {
		b.log.Debug("bot: message handled before", "platform", m.Platform, "type", m.MsgType)
		f.reply = r
		close(f.done)
		return r, nil
	}
	finished := false
	defer func() {
		if !finished {
			// A panic: let a retry try afresh.
			f.err = errors.New("bot: message handling failed")
			b.flights.delete(key)
		}
		close(f.done)
	}()
	f.reply, f.err = b.process(ctx, m)
	if f.err != nil {
		b.flights.delete(key)
	} else {
		b.remember(key, f.reply)
	}
	finished = true
	return f.reply, f.err
}

// recall returns the reply recorded durably for a message handled before
// (by this process or one before a restart).
func (b *Bot) recall(key string) (Reply, bool) {
	if b.handled == nil {
		return Reply{}, false
	}
	data, ok, err := b.handled.Get(key)
	if err != nil {
		b.log.Error("bot: read handled messages", "err", err)
		return Reply{}, false
	}
	if !ok {
		return Reply{}, false
	}
	var r Reply
	if err := json.Unmarshal(data, &r); err != nil {
		b.log.Error("bot: decode a handled message's reply", "err", err)
		return Reply{}, true // handled: do not act again
	}
	return r, true
}

// remember records durably that the message under key was handled.
func (b *Bot) remember(key string, r Reply) {
	if b.handled == nil {
		return
	}
	data, err := json.Marshal(r)
	if err == nil {
		err = b.handled.Put(key, data)
	}
	if err != nil {
		b.log.Error("bot: record a handled message", "err", err)
	}
}

// process handles one message, detached from the caller's cancellation so
// that a retry can still use the result.
func (b *Bot) process(ctx context.Context, m Message) (Reply, error) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), processTimeout)
	defer cancel()
	b.touch(m)
	text := b.dispatch(ctx, m)
	return Reply{Text: fit(text, b.maxBytes)}, nil
}

// user keys the per-resident memory.
func user(m Message) string { return string(m.Platform) + "|" + m.FromUser }

// touch records a follower's last interaction for the 48-hour
// customer-service window. WeChat opens the window on messages, follows,
// menu clicks and QR scans, not on VIEW or LOCATION events or unfollows.
// Only the Official Account has the rule.
func (b *Bot) touch(m Message) {
	if m.Platform != OfficialAccount {
		return
	}
	if strings.EqualFold(m.MsgType, "event") {
		switch strings.ToLower(m.Event) {
		case "subscribe", "click", "scan", "scancode_push", "scancode_waitmsg":
		default:
			return
		}
	}
	now := b.clock.Now()
	at := m.CreateTime
	if at.IsZero() || at.After(now) {
		at = now
	}
	if err := b.subs.Touch(m.FromUser, string(m.Platform), at); err != nil {
		b.log.Error("bot: record last message time", "err", err)
	}
}

func (b *Bot) dispatch(ctx context.Context, m Message) string {
	switch strings.ToLower(m.MsgType) {
	case "text":
		return b.onText(ctx, m, m.Content, "text")
	case "voice":
		if cleanText(m.Recognition) == "" {
			return voiceNotHeard
		}
		return b.onText(ctx, m, m.Recognition, "voice")
	case "location":
		return b.onLocation(ctx, m)
	case "event":
		return b.onEvent(ctx, m)
	default:
		return unsupported
	}
}

func (b *Bot) onText(ctx context.Context, m Message, text, kind string) string {
	text = cleanText(text)
	if text == "" {
		return b.helpText(m.Platform)
	}
	if cmd, ok := parseCommand(text, b.isTopic); ok {
		return b.onCommand(m, cmd)
	}
	if kind == "voice" {
		text = trimEndPunct(text)
	}
	return b.ask(ctx, m, text, kind)
}

func (b *Bot) onEvent(ctx context.Context, m Message) string {
	switch strings.ToLower(m.Event) {
	case "subscribe":
		return b.welcomeText(m.Platform)
	case "unsubscribe":
		b.geos.delete(user(m))
		b.pending.delete(user(m))
		b.dialogue.Forget(user(m))
		if m.Platform == OfficialAccount {
			if err := b.subs.Forget(m.FromUser); err != nil {
				b.log.Error("bot: forget unfollowed follower", "err", err)
			}
		}
		return "" // an unfollowed account cannot be replied to
	case "click":
		return b.onClick(ctx, m)
	case "location":
		// Reported silently when the follower opens the chat: remember,
		// answer nothing.
		if validPoint(m.Lat, m.Lon) {
			b.geos.put(user(m), b.fromGPS(index.Point{Lat: m.Lat, Lon: m.Lon}), b.clock.Now())
		}
		return ""
	default: // view, scan, enter_agent, template/mass send reports, …
		return ""
	}
}

func (b *Bot) onClick(ctx context.Context, m Message) string {
	item, ok := b.menu[m.EventKey]
	switch {
	case !ok:
		b.log.Warn("bot: menu key not configured", "key", privacy.Redact(m.EventKey))
		return b.helpText(m.Platform)
	case item.Question != "":
		return b.ask(ctx, m, item.Question, "click")
	case item.Topic != "":
		return b.onCommand(m, command{kind: cmdSubscribe, args: []string{item.Topic}})
	default:
		return b.helpText(m.Platform)
	}
}

// isPlaceQuestion tells whether a question is about where something is, so
// that a location shared next answers it.
func isPlaceQuestion(q string) bool {
	for _, w := range []string{"附近", "最近", "周边", "周围", "就近", "在哪", "哪里", "哪儿", "地址", "地点", "位置", "怎么走", "离我", "近的"} {
		if strings.Contains(q, w) {
			return true
		}
	}
	return false
}

func (b *Bot) ask(ctx context.Context, m Message, q, kind string) string {
	now := b.clock.Now()
	// A recent location goes along with a place question only: with any
	// question, the nearest places would crowd out the answer.
	place := isPlaceQuestion(q)
	var geo *index.Point
	if p, ok := b.geos.get(user(m), now); ok && place {
		geo = &p
	}
	// A menu question is a new question, whatever was said before.
	text, t := b.answer(ctx, m, q, geo, kind, kind == "click")
	if geo == nil && place && (t.Kind == TurnAnswer || t.Kind == TurnDecline) {
		b.pending.put(user(m), q, now)
		return withTip(text, locationTip, b.maxBytes)
	}
	return text
}

func (b *Bot) onLocation(ctx context.Context, m Message) string {
	if !validPoint(m.Lat, m.Lon) {
		return badLocation
	}
	now := b.clock.Now()
	p := b.fromMap(index.Point{Lat: m.Lat, Lon: m.Lon})
	b.geos.put(user(m), p, now)
	q, _ := b.pending.take(user(m), now)
	text, _ := b.answer(ctx, m, q, &p, "location", true)
	return text
}

// fromMap brings a location message's point (GCJ-02) into the datum of the
// disclosures' coordinates.
func (b *Bot) fromMap(p index.Point) index.Point {
	if b.wgs84 {
		return gcjToWGS(p)
	}
	return p
}

// fromGPS brings a LOCATION event's point (WGS-84) into the datum of the
// disclosures' coordinates.
func (b *Bot) fromGPS(p index.Point) index.Point {
	if b.wgs84 {
		return p
	}
	return wgsToGCJ(p)
}

// answer takes a message through the conversation and records it in the
// query log. fresh answers q on its own (a place question answered with the
// location shared next).
func (b *Bot) answer(ctx context.Context, m Message, q string, geo *index.Point, kind string, fresh bool) (string, Turn) {
	now := b.clock.Now()
	key, _ := dedupeKey(m)
	t, err := b.dialogue.Reply(ctx, Input{User: user(m), Key: key, Text: q, Geo: geo, Fresh: fresh})
	elapsed := b.clock.Now().Sub(now)
	sender := b.hasher.Hash(m.FromUser)
	if rec, ok := logRecord(t, err); ok {
		rec.At, rec.SenderHash, rec.Platform, rec.Kind, rec.Geo = now, sender, string(m.Platform), kind, geo != nil
		if t.Kind != TurnFeedback {
			rec.Q = q
		}
		if lerr := b.qlog.Append(rec); lerr != nil {
			b.log.Error("bot: query log", "err", lerr)
		}
	}
	short := sender
	if len(short) > 12 {
		short = short[:12]
	}
	if err != nil {
		b.log.Error("bot: answering failed", "platform", m.Platform, "kind", kind, "sender", short, "err", err)
		return apology(b.hotline), Turn{Kind: TurnDecline}
	}
	b.log.Info("bot: question", "platform", m.Platform, "kind", kind, "turn", t.Kind, "sender", short,
		"answered", t.Answered, "hits", len(t.Hits), "geo", geo != nil, "took", elapsed)
	b.log.Debug("bot: question text", "q", q, "top", topID(t.Hits))
	if strings.TrimSpace(t.Text) == "" {
		return apology(b.hotline), t
	}
	return t.Text, t
}

// logRecord is what the query log keeps of a turn: questions, answered or
// not, and feedback with the question, disclosure and confidence it is
// about. Courtesies and hints are not questions.
func logRecord(t Turn, err error) (querylog.Record, bool) {
	if err != nil {
		return querylog.Record{Error: true, Hits: []querylog.Hit{}}, true
	}
	switch t.Kind {
	case TurnCourtesy, TurnHint:
		return querylog.Record{}, false
	}
	rec := querylog.Record{
		Turn: t.Kind, Answered: t.Answered, Answer: t.Answer, Confidence: t.Confidence,
		Feedback: t.Feedback, Hits: []querylog.Hit{},
	}
	if t.Kind == TurnFeedback {
		rec.Q = t.Question
		return rec, true
	}
	for i, h := range t.Hits {
		if i == logHits {
			break
		}
		rec.Hits = append(rec.Hits, querylog.Hit{ID: h.ID, Score: h.Score})
	}
	return rec, true
}

func topID(hits []index.Hit) string {
	if len(hits) == 0 {
		return ""
	}
	return fmt.Sprintf("%s(%.2f)", hits[0].ID, hits[0].Score)
}
