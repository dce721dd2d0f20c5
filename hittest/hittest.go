// Package hittest runs a question as a resident would send it, for staff
// and reviewers (命中测试): through the bot exactly as the webhooks do
// (optionally after a shared location and earlier messages of the same
// conversation), and returns the replies as the resident reads them with
// what the index answered for the question: the ranked candidates and the
// explanation the index gives. Nothing a hit test does is logged as a
// resident's question, subscribes anyone, or touches anyone's state.
package hittest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/yingpu/govbot/bot"
	"github.com/yingpu/govbot/clock"
	"github.com/yingpu/govbot/config"
	"github.com/yingpu/govbot/index"
	"github.com/yingpu/govbot/querylog"
)

// Answerer answers questions (*index.Index); see bot.Answerer.
type Answerer interface {
	Ask(ctx context.Context, q index.Query) (index.Answer, error)
	Full(ctx context.Context, id string, now time.Time) (index.Hit, error)
	Analyze(text string) index.Analysis
}

// Options configure a Tester as the bot is configured.
type Options struct {
	Answerer      Answerer
	Topics        []string
	Menu          []config.MenuItem
	Hotline       string
	MaxReplyBytes int
	Related       int
	Area          string
	Conversation  bot.ConversationOptions
	WGS84         bool
	Clock         clock.Clock
}

// Tester runs hit tests. It is safe for concurrent use.
type Tester struct{ opts Options }

// New returns a Tester.
func New(opts Options) *Tester {
	if opts.Clock == nil {
		opts.Clock = clock.System{}
	}
	return &Tester{opts: opts}
}

// Limits of a hit test.
const (
	MaxQuestionRunes = 500
	MaxTurns         = 10
)

// Request is one hit test.
type Request struct {
	Q string `json:"q"`
	// Lat and Lon, when both set, are shared as a location first.
	Lat *float64 `json:"lat,omitempty"`
	Lon *float64 `json:"lon,omitempty"`
	// Turns are earlier messages of the conversation, sent first in order.
	Turns []string `json:"turns,omitempty"`
}

// Bubble is one message in the phone frame.
type Bubble struct {
	From string `json:"from"` // "resident" or "govbot"
	Text string `json:"text"`
}

// Result is what the resident saw and what the index answered for the
// last question.
type Result struct {
	Chat []Bubble `json:"chat"`
	// Asked is what the bot asked the index for the question (after the
	// conversation's context); empty when the question was a command.
	Asked string `json:"asked"`
	// Answer is the index's answer to it (hits ranked, with their
	// explanation as the index gives it).
	Answer *index.Answer `json:"answer,omitempty"`
}

// ErrInvalid is returned for an empty or too long question.
var ErrInvalid = errors.New("hittest: invalid request")

// Run sends the conversation, the location and the question.
func (t *Tester) Run(ctx context.Context, req Request) (Result, error) {
	req.Q = strings.TrimSpace(req.Q)
	if req.Q == "" || utf8.RuneCountInString(req.Q) > MaxQuestionRunes || len(req.Turns) > MaxTurns {
		return Result{}, ErrInvalid
	}
	if (req.Lat == nil) != (req.Lon == nil) || req.Lat != nil && (*req.Lat < -90 || *req.Lat > 90 || *req.Lon < -180 || *req.Lon > 180) {
		return Result{}, ErrInvalid
	}
	rec := &recorder{next: t.opts.Answerer}
	b := bot.New(bot.Deps{
		Answerer: rec, Subscriptions: noSubscriptions{}, QueryLog: noLog{}, Hasher: noHash{},
		Clock: t.opts.Clock, Topics: t.opts.Topics, Menu: t.opts.Menu, Hotline: t.opts.Hotline,
		MaxReplyBytes: t.opts.MaxReplyBytes, WGS84: t.opts.WGS84,
		Related: t.opts.Related, Area: t.opts.Area, Conversation: t.opts.Conversation,
	})
	var id [8]byte
	rand.Read(id[:])
	user := "hittest-" + hex.EncodeToString(id[:])
	var res Result
	seq := 0
	send := func(m bot.Message, shown string, last bool) error {
		seq++
		m.Platform, m.FromUser, m.ToUser = bot.OfficialAccount, user, "hittest"
		m.CreateTime = t.opts.Clock.Now()
		m.MsgID = hex.EncodeToString(id[:]) + "-" + itoa(seq)
		if last {
			rec.reset()
		}
		reply, err := b.Handle(ctx, m)
		if err != nil {
			return err
		}
		res.Chat = append(res.Chat, Bubble{From: "resident", Text: shown})
		if reply.Text != "" {
			res.Chat = append(res.Chat, Bubble{From: "govbot", Text: reply.Text})
		}
		return nil
	}
	for _, turn := range req.Turns {
		if turn = strings.TrimSpace(turn); turn == "" {
			continue
		}
		if err := send(bot.Message{MsgType: "text", Content: turn}, turn, false); err != nil {
			return Result{}, err
		}
	}
	if req.Lat != nil {
		m := bot.Message{MsgType: "location", Lat: *req.Lat, Lon: *req.Lon, Label: "测试位置"}
		if err := send(m, "［位置］"+ftoa(*req.Lat)+", "+ftoa(*req.Lon), false); err != nil {
			return Result{}, err
		}
	}
	if err := send(bot.Message{MsgType: "text", Content: req.Q}, req.Q, true); err != nil {
		return Result{}, err
	}
	if q, a, ok := rec.last(); ok {
		res.Asked, res.Answer = q.Text, &a
	}
	return res, nil
}

// recorder keeps the last question the bot asked and its answer.
type recorder struct {
	next Answerer
	mu   sync.Mutex
	q    index.Query
	a    index.Answer
	ok   bool
}

func (r *recorder) Ask(ctx context.Context, q index.Query) (index.Answer, error) {
	q.Explain = true
	a, err := r.next.Ask(ctx, q)
	if err == nil {
		r.mu.Lock()
		r.q, r.a, r.ok = q, a, true
		r.mu.Unlock()
	}
	return a, err
}

func (r *recorder) Full(ctx context.Context, id string, now time.Time) (index.Hit, error) {
	return r.next.Full(ctx, id, now)
}

func (r *recorder) Analyze(text string) index.Analysis { return r.next.Analyze(text) }

func (r *recorder) reset() {
	r.mu.Lock()
	r.ok = false
	r.mu.Unlock()
}

func (r *recorder) last() (index.Query, index.Answer, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.q, r.a, r.ok
}

type noSubscriptions struct{}

func (noSubscriptions) Subscribe(string, string) (bool, error)   { return false, nil }
func (noSubscriptions) Unsubscribe(string, string) (bool, error) { return false, nil }
func (noSubscriptions) UnsubscribeAll(string) ([]string, error)  { return nil, nil }
func (noSubscriptions) Forget(string) error                      { return nil }
func (noSubscriptions) Topics(string) ([]string, error)          { return nil, nil }
func (noSubscriptions) Touch(string, string, time.Time) error    { return nil }

type noLog struct{}

func (noLog) Append(querylog.Record) error { return nil }

type noHash struct{}

func (noHash) Hash(id string) string { return id }

func itoa(n int) string { return strconv.Itoa(n) }

func ftoa(f float64) string { return strconv.FormatFloat(f, 'f', 5, 64) }
