package bot

import (
	"context"
	"errors"
	"slices"
	"sort"
	"strings"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"github.com/yingpu/govbot/clock"
	"github.com/yingpu/govbot/config"
	"github.com/yingpu/govbot/index"
)

// ConversationOptions tune the conversation. Zero values take the
// defaults (config conversation.*).
type ConversationOptions struct {
	// TTL is how long a conversation is remembered after its last message
	// (default 30 minutes).
	TTL time.Duration
	// MaxConversations bounds the conversations kept; when full, the one
	// idle longest is forgotten (default 10000).
	MaxConversations int
	// Choices is how many disclosures a reply numbers at most: the answer
	// and its related titles, or the candidates of a clarifying question
	// (default 3, at most 9).
	Choices int
	// ClarifyMargin: when the runner-up ranks within this of the best
	// (scores 0..1), govbot asks which one is meant instead of guessing
	// (default 0.02: on the 盈浦 questions, the best candidate is then
	// right about half the time; negative: never).
	ClarifyMargin float64
	// ClarifyBelow: an answer whose confidence is below this is offered as
	// a choice among the candidates rather than given as the answer
	// (default 0: never; must be above search.min_score to matter).
	ClarifyBelow float64
	// FollowMargin: a question that does not point back (那/这个/…呢) and
	// names a matter of its own still continues the last matter when the
	// disclosure last shown ranks within this of the best for it (default
	// 0.1).
	FollowMargin float64
	// SwitchMargin: a follow-up moves from the disclosure last shown to
	// another one on the same matter when that one speaks of this much
	// more of the question (coverage 0..1; default 0.15).
	SwitchMargin float64
	// ContextMargin: a question that names a matter of its own is still
	// read as a follow-up when, read together with the matter under
	// discussion, it is answered (by another disclosure) with a
	// confidence at most this much below its own (default 0.05).
	ContextMargin float64
}

// ConversationOptionsFor reads the options from the configuration.
func ConversationOptionsFor(cfg config.Config) ConversationOptions {
	c := cfg.Conversation
	return ConversationOptions{
		TTL: c.TTL, MaxConversations: c.MaxConversations, Choices: c.Choices,
		ClarifyMargin: c.ClarifyMargin, ClarifyBelow: c.ClarifyBelow,
		FollowMargin: c.FollowMargin, ContextMargin: c.ContextMargin, SwitchMargin: c.SwitchMargin,
	}
}

func (o *ConversationOptions) fill() {
	if o.TTL <= 0 {
		o.TTL = 30 * time.Minute
	}
	if o.MaxConversations <= 0 {
		o.MaxConversations = 10000
	}
	if o.Choices <= 0 {
		o.Choices = 3
	}
	if o.Choices > 9 {
		o.Choices = 9
	}
	if o.ClarifyMargin == 0 {
		o.ClarifyMargin = 0.01
	}
	if o.FollowMargin == 0 {
		o.FollowMargin = 0.1
	}
	if o.SwitchMargin == 0 {
		o.SwitchMargin = 0.15
	}
	if o.ContextMargin == 0 {
		o.ContextMargin = 0.05
	}
}

// Turn kinds: how a message was understood and answered.
const (
	TurnAnswer     = "answer"     // a question on its own
	TurnFollowUp   = "followup"   // the same matter, another section or disclosure
	TurnClarify    = "clarify"    // candidates close: asked which one
	TurnPick       = "pick"       // a numbered choice of the last reply
	TurnCorrection = "correction" // 不是这个: the intended matter
	TurnMore       = "more"       // 还有别的吗: the next disclosures
	TurnFull       = "full"       // 全文
	TurnCourtesy   = "courtesy"   // thanks, greetings
	TurnFeedback   = "feedback"   // 有用 / 没用 / 不对
	TurnDecline    = "decline"    // nothing answers it
	TurnHint       = "hint"       // a number or 全文 with nothing to refer to
)

// Input is one message of a conversation.
type Input struct {
	// User identifies the conversation (one follower on one platform).
	User string
	// Key identifies the message across retries (MsgId); "" when none.
	Key  string
	Text string
	Geo  *index.Point
	// Fresh answers Text on its own, not as a follow-up (a place question
	// answered with the location shared after it).
	Fresh bool
	// Now, when set, answers as of that time instead of the clock's (the
	// console's and `govbot ask`'s chosen day).
	Now time.Time
}

// Turn is the reply to one message, with what it refers to.
type Turn struct {
	Kind       string      `json:"kind"`
	Text       string      `json:"text"`
	Answered   bool        `json:"answered"`
	Confidence float64     `json:"confidence"`
	Hits       []index.Hit `json:"hits"`
	// Choices are the disclosures the reply numbers, in order ("1" is
	// Choices[0]).
	Choices []string `json:"choices"`
	// Answer is the disclosure the reply shows ("" when none).
	Answer string `json:"-"`
	// Feedback (TurnFeedback) is FeedbackUseful, FeedbackNotUseful or
	// FeedbackWrong, about Question answered by Answer with Confidence.
	Feedback string `json:"-"`
	Question string `json:"-"`
}

// Dialogue holds the conversations with residents and answers each message
// in the light of the last ones. Every surface (Official Account, WeCom,
// the console, `govbot ask`) goes through it. It is safe for concurrent
// use.
type Dialogue struct {
	lib    Answerer
	render *Renderer
	clock  clock.Clock
	o      ConversationOptions
	store  conversationStore
	locks  userLocks
	// restored are conversations taken back from a snapshot, by the
	// follower's hash (restoredKey), until the follower's next message.
	restored    *ttlCache[convState]
	restoredKey atomic.Pointer[func(string) string]
	// askAll asks the index every query a decision may use, before
	// deciding (the reference the shortcuts are tested against).
	askAll bool
}

// NewDialogue returns a Dialogue over lib that words its replies with r.
func NewDialogue(lib Answerer, r *Renderer, c clock.Clock, o ConversationOptions) *Dialogue {
	if lib == nil || r == nil {
		panic("bot.NewDialogue: nil Library or Renderer")
	}
	if c == nil {
		c = clock.System{}
	}
	o.fill()
	return &Dialogue{lib: lib, render: r, clock: c, o: o, store: newMemConversations(o.TTL, o.MaxConversations),
		restored: newTTLCache[convState](o.TTL, o.MaxConversations)}
}

// Forget drops what is remembered of a conversation (an unfollow).
func (d *Dialogue) Forget(user string) {
	d.store.forget(user)
	d.takeRestored(user, d.clock.Now())
}

// Reply answers one message. A message whose Key is the last one's (a
// WeChat retry) gets the same reply and leaves the conversation as it was.
func (d *Dialogue) Reply(ctx context.Context, in Input) (Turn, error) {
	if in.User == "" {
		return Turn{}, errors.New("bot: conversation without user")
	}
	unlock := d.locks.lock(in.User)
	defer unlock()
	now := d.clock.Now()
	st, ok := d.store.load(in.User, now)
	if !ok {
		st, _ = d.takeRestored(in.User, now)
	}
	if in.Key != "" && st.Key == in.Key {
		return st.Last, nil
	}
	asOf := now
	if !in.Now.IsZero() {
		asOf = in.Now
	}
	tk := &talk{Dialogue: d, lib: &onceLib{Answerer: d.lib}}
	t, next, err := tk.turn(ctx, st, in, asOf)
	if err != nil {
		return Turn{}, err
	}
	next.Key, next.Last = in.Key, t
	d.store.save(in.User, next, now)
	return t, nil
}

// talk is one message being answered: the dialogue, asking the index
// through lib, which answers a question asked twice in the message once.
type talk struct {
	*Dialogue
	lib Answerer
}

// onceLib remembers the answers of one message's asks, so that the same
// query asked again (the disclosure shown, asked with the message's words
// to tell whether it follows up and then for its passage) is answered from
// memory. An answer asked with Explain serves the same query without it
// (less its explanation); the converse asks again.
type onceLib struct {
	Answerer
	asked []onceAnswer
	topic map[string]index.Analysis
}

type onceAnswer struct {
	q index.Query
	a index.Answer
}

func (l *onceLib) Ask(ctx context.Context, q index.Query) (index.Answer, error) {
	for _, p := range l.asked {
		if sameQuery(p.q, q) && (p.q.Explain || !q.Explain) {
			if !q.Explain && p.q.Explain {
				return unexplained(p.a), nil
			}
			return p.a, nil
		}
	}
	a, err := l.Answerer.Ask(ctx, q)
	if err == nil {
		l.asked = append(l.asked, onceAnswer{q, a})
	}
	return a, err
}

func (l *onceLib) Analyze(text string) index.Analysis {
	if a, ok := l.topic[text]; ok {
		return a
	}
	a := l.Answerer.Analyze(text)
	if l.topic == nil {
		l.topic = map[string]index.Analysis{}
	}
	l.topic[text] = a
	return a
}

// sameQuery tells whether a and b ask the same, but for Explain.
func sameQuery(a, b index.Query) bool {
	return a.Text == b.Text && a.Now.Equal(b.Now) && slices.Equal(a.Only, b.Only) && slices.Equal(a.Exclude, b.Exclude) &&
		(a.Geo == nil) == (b.Geo == nil) && (a.Geo == nil || *a.Geo == *b.Geo)
}

// unexplained is a without what Query.Explain adds: the answer the same
// query gets without it.
func unexplained(a index.Answer) index.Answer {
	a.Skipped = nil
	hits := make([]index.Hit, len(a.Hits))
	for i, h := range a.Hits {
		h.Matched, h.Factors = nil, nil
		hits[i] = h
	}
	a.Hits = hits
	return a
}

// turn works out the reply and the next state.
func (d *talk) turn(ctx context.Context, st convState, in Input, now time.Time) (Turn, convState, error) {
	text := strings.TrimSpace(in.Text)
	if text == "" {
		// A bare location: the nearest places.
		a, err := d.lib.Ask(ctx, index.Query{Geo: in.Geo, Now: now})
		if err != nil {
			return Turn{}, st, err
		}
		t := d.answerTurn(a, TurnAnswer)
		return t, d.after(st, t, "", "", a), nil
	}
	u := parseUtterance(text)
	switch u.kind {
	case uPick:
		return d.pick(ctx, st, u.pick, now)
	case uCourtesy:
		t := Turn{Kind: TurnCourtesy, Text: courtesyText(u.courtesy), Hits: []index.Hit{}}
		return t, st, nil
	case uFeedback:
		return d.feedback(st, u.feedback)
	case uFull:
		return d.full(ctx, st, now)
	case uCorrection:
		return d.correction(ctx, st, u, in, now)
	case uMore:
		return d.more(ctx, st, u, in, now)
	}
	return d.question(ctx, st, u, in, now)
}

// question answers a question: on its own, or as a follow-up on the
// matter under discussion. Whether it follows up is read from the message
// (it points back, leaves the matter out, or only asks how/where/how much)
// and from what the index finds: the question read together with the matter
// is answered at least as well as on its own, or the disclosure last shown
// is among the best answers to it anyway.
func (d *talk) question(ctx context.Context, st convState, u utterance, in Input, now time.Time) (Turn, convState, error) {
	an := d.analysis(in.Text)
	own := strings.Join(an.Topic, " ")
	onItsOwn := in.Fresh || (st.Answer == "" && st.Topic == "")
	// The message on its own, unless it names nothing of its own after a
	// matter (电话多少): then it follows up whatever it would find alone.
	var alone index.Answer
	askAlone := func() error {
		var err error
		alone, err = d.lib.Ask(ctx, index.Query{Text: in.Text, Geo: in.Geo, Now: now, Explain: st.Topic != ""})
		return err
	}
	// Nor when it points back and names little (那边有床睡吗): it follows
	// up too (see follows).
	pointing := (u.deictic || u.elliptic) && len(an.Topic) <= maxPointingTopic
	if onItsOwn || own != "" && !pointing {
		if err := askAlone(); err != nil {
			return Turn{}, st, err
		}
	}
	if onItsOwn {
		return d.fresh(st, in.Text, own, alone)
	}
	matter := joinMatter(st.Topic, in.Text)
	// Read with the matter (wide): asked only when a decision needs it. A
	// message naming a matter of its own is often decided from its answer
	// alone; the same query asked again is answered from the message's
	// memory (onceLib).
	askWide := func() (index.Answer, error) {
		return d.lib.Ask(ctx, index.Query{Text: matter, Geo: in.Geo, Now: now, Exclude: st.Refused, Explain: true})
	}
	if d.askAll {
		if _, err := askWide(); err != nil {
			return Turn{}, st, err
		}
	}
	if u.rumour {
		wide, err := askWide()
		if err != nil {
			return Turn{}, st, err
		}
		if rumourOnMatter(st, own, wide) && !rumourAnswered(st, own, wide) {
			// Heard about what is to come on this matter, and nothing
			// published on it says so: an old scheme, or another matter's,
			// is no answer to it.
			return d.rumourTurn(wide), st, nil
		}
	}
	follow, err := d.follows(ctx, st, u, in, now, own, alone, askWide)
	if err != nil {
		return Turn{}, st, err
	}
	chosen := ""
	if !follow {
		// Too close to choose on its own: the matter under discussion
		// may tell which one is meant (有地方可以避寒吗 after a cold-wave
		// warning).
		if !d.askAll && !d.matterMayDecide(st, alone) {
			return d.fresh(st, in.Text, own, alone)
		}
		wide, err := askWide()
		if err != nil {
			return Turn{}, st, err
		}
		if chosen = d.matterDecides(st, alone, wide); chosen == "" {
			return d.fresh(st, in.Text, own, alone)
		}
	}
	wide, err := askWide()
	if err != nil {
		return Turn{}, st, err
	}
	if chosen == "" {
		if chosen, err = d.choose(ctx, st, u, in, now, own, alone, wide); err != nil {
			return Turn{}, st, err
		}
	}
	if chosen == "" {
		if own == "" || pointing {
			if err := askAlone(); err != nil {
				return Turn{}, st, err
			}
		}
		if alone.Answered {
			return d.fresh(st, in.Text, own, alone)
		}
		t := d.answerTurn(wide, TurnDecline)
		return t, d.after(st, t, in.Text, st.Topic, wide), nil
	}
	// The section of the chosen disclosure that answers what was just
	// asked (its own words, not the matter's).
	a, err := d.lib.Ask(ctx, index.Query{Text: in.Text, Only: []string{chosen}, Geo: in.Geo, Now: now})
	if err != nil {
		return Turn{}, st, err
	}
	if len(a.Hits) == 0 {
		a = wide
	} else if p := a.Hits[0].Passage; a.Intent != index.AnyIntent && (p == nil || !p.Intent) {
		// Its own words found no section holding what it asks for: try
		// them with the matter (要什么材料 → 吸纳就业补贴 要什么材料).
		b, err := d.lib.Ask(ctx, index.Query{Text: matter, Only: []string{chosen}, Geo: in.Geo, Now: now})
		if err != nil {
			return Turn{}, st, err
		}
		if answersIntent(b) {
			a = b
		}
	}
	t := d.answerTurn(a, TurnFollowUp)
	next := d.after(st, t, in.Text, joinTopic(st.Topic, own), a, alone, wide)
	return t, next, nil
}

// choose is the disclosure a follow-up is about (see docs/bot.md, "Which
// disclosure a follow-up is about").
func (d *talk) choose(ctx context.Context, st convState, u utterance, in Input, now time.Time, own string, alone, wide index.Answer) (string, error) {
	chosen := ""
	switch {
	case st.Answer != "":
		chosen = st.Answer
		if st.Picked {
			break
		}
		if id := d.matterNearTop(st, own, alone, wide); id != "" {
			// What the message asks is answered on its own by another
			// disclosure on the matter (评估价不满意怎么办 after a
			// compensation scheme: the questions and answers on it).
			chosen = id
		} else if id := d.kindAnswers(st, wide.Intent, wide); id != "" {
			// The one shown is not the kind that answers what is asked
			// now (怎么申请 after a standard): the guide on the matter.
			chosen = id
		} else if wide.Answered && len(wide.Hits) > 0 && wide.Hits[0].ID != st.Answer &&
			wide.Hits[0].Score-scoreOf(wide.Hits, st.Answer) > d.o.SwitchMargin && speaksOf(wide.Hits[0], st.Topic) {
			// Another disclosure on the matter answers this clearly
			// better.
			chosen = wide.Hits[0].ID
		}
	case len(st.Choices) > 0:
		// After a clarifying question: the choice that fits what is
		// asked now (all of them are on the matter).
		among, err := d.lib.Ask(ctx, index.Query{Text: in.Text, Only: st.Choices, Geo: in.Geo, Now: now})
		if err != nil {
			return "", err
		}
		if len(among.Hits) > 0 {
			chosen = among.Hits[0].ID
		}
	}
	if chosen == "" && wide.Answered && len(wide.Hits) > 0 {
		chosen = wide.Hits[0].ID
	}
	if (u.deictic || u.elliptic) && own != "" && chosen != "" {
		// 那柳溪的呢 after one canteen: the same asked of the one on the
		// matter that the message names, when the one shown does not hold
		// its words.
		if id := namedSibling(st, chosen, own, wide); id != "" {
			chosen = id
		}
	}
	if u.place && chosen != "" && !contains(st.Places, chosen) {
		// 那边有床睡吗: the place the last reply named, not the notice
		// that named it.
		for _, id := range st.Places {
			if !contains(st.Refused, id) {
				return id, nil
			}
		}
	}
	return chosen, nil
}

// namedSibling is, when the disclosure chosen holds none of own's words,
// another disclosure on the matter among the best read with it whose title
// or keywords hold one of them; "" when none.
func namedSibling(st convState, chosen, own string, wide index.Answer) string {
	if ownTerms(wide, chosen, own) > 0 {
		return ""
	}
	for i, h := range wide.Hits {
		if i == 5 {
			break
		}
		if h.ID != chosen && h.Status == index.Current && !contains(st.Refused, h.ID) &&
			onMatter(wide, h.ID, st.Topic) && namesStrongly(h, own) {
			return h.ID
		}
	}
	return ""
}

// matterNearTop is a disclosure on the matter under discussion that ranks
// within FollowMargin of the best answer to the message on its own, when
// that best answer is not about what the message names (only a homophone
// or a word in its body) and the disclosure last shown is not near it
// either; "" when none.
func (d *talk) matterNearTop(st convState, own string, alone, wide index.Answer) string {
	if !alone.Answered || len(alone.Hits) == 0 || st.Topic == "" || own == "" || st.Answer == "" {
		return ""
	}
	if namesStrongly(alone.Hits[0], own) {
		return ""
	}
	mine := ownTerms(wide, st.Answer, own)
	category := categoryOf(wide, st.Answer)
	for i, h := range alone.Hits {
		if i == 3 || alone.Hits[0].Score-h.Score > d.o.FollowMargin {
			break
		}
		if h.ID == st.Answer {
			return ""
		}
		if h.Status != index.Current || contains(st.Refused, h.ID) || !onMatter(wide, h.ID, st.Topic) ||
			category == "" || h.Category != category {
			// Not another disclosure of the same matter: a word of the
			// matter in its title is not enough (情况, 通知), it is filed
			// where the one shown is.
			continue
		}
		if ownTerms(wide, h.ID, own) > mine {
			// It speaks of more of what the message asks than the
			// disclosure last shown.
			return h.ID
		}
	}
	return ""
}

// matterMayBeNear tells whether matterNearTop can find a disclosure,
// from what it reads of the message's answer on its own: false when no
// candidate near the top is current, not refused and filed where the
// disclosure last shown is (the category of a disclosure is its own,
// whatever the query; the last reply's, when this answer does not hold
// the one shown), so the message read with the matter need not be asked
// for it.
func (d *talk) matterMayBeNear(st convState, own string, alone index.Answer) bool {
	if !alone.Answered || len(alone.Hits) == 0 || st.Topic == "" || own == "" || st.Answer == "" {
		return false
	}
	if namesStrongly(alone.Hits[0], own) {
		return false
	}
	category, known := shownCategory(st, alone)
	for i, h := range alone.Hits {
		if i == 3 || alone.Hits[0].Score-h.Score > d.o.FollowMargin || h.ID == st.Answer {
			break
		}
		if h.Status != index.Current || contains(st.Refused, h.ID) {
			continue
		}
		if !known || category != "" && h.Category == category {
			return true
		}
	}
	return false
}

// shownCategory is the category of the disclosure last shown, as this
// answer or the last reply has it; known is false when neither holds it.
func shownCategory(st convState, alone index.Answer) (category string, known bool) {
	for _, hs := range [][]index.Hit{alone.Hits, st.Last.Hits} {
		for _, h := range hs {
			if h.ID == st.Answer {
				return h.Category, true
			}
		}
	}
	return "", false
}

// matterMayDecide tells whether matterDecides can choose, from the
// message's answer on its own: only when it would get a clarifying
// question.
func (d *talk) matterMayDecide(st convState, alone index.Answer) bool {
	return st.Topic != "" && alone.Answered && len(d.clarifyCandidates(alone)) >= 2
}

// categoryOf is the category of the hit id of a ("" when absent).
func categoryOf(a index.Answer, id string) string {
	for _, h := range a.Hits {
		if h.ID == id {
			return h.Category
		}
	}
	return ""
}

// ownTerms is how many of words the hit id of a holds (anywhere).
func ownTerms(a index.Answer, id, words string) int {
	n := 0
	for _, h := range a.Hits {
		if h.ID != id {
			continue
		}
		for _, w := range strings.Fields(words) {
			for _, m := range h.Matched {
				if m.Term == w {
					n++
					break
				}
			}
		}
	}
	return n
}

// follows tells whether a question continues the matter under discussion
// (see docs/bot.md, "Follow-up or new question"). own are its topic words,
// alone its answer on its own; askWide asks it read with the matter, which
// follows does only when the answer may depend on it.
func (d *talk) follows(ctx context.Context, st convState, u utterance, in Input, now time.Time, own string, alone index.Answer, askWide func() (index.Answer, error)) (bool, error) {
	if own == "" {
		// It names no matter of its own (电话多少, 要交钱吗).
		return true, nil
	}
	if (u.deictic || u.elliptic) && len(strings.Fields(own)) <= maxPointingTopic {
		// It points back (那边有床睡吗) or leaves the matter out (按小时算
		//呢). A long message that says 那边 in passing (我们小区那边水管
		// 老是堵，听说要改造…) tells its own matter.
		return true, nil
	}
	if shownSays(st, own) {
		// It asks about what the reply just shown says (夏阳湖公园还能坐
		// 船吗 after a warning that closes the park's boats).
		return true, nil
	}
	if isNearestQuestion(in.Text) {
		// 最近的长者食堂在哪: places around the resident, a search of its
		// own.
		return false, nil
	}
	if !alone.Answered {
		wide, err := askWide()
		return err == nil && wide.Answered, err
	}
	current := st.Choices
	if st.Answer != "" {
		current = []string{st.Answer}
	}
	for _, id := range current {
		if nearTop(alone.Hits, id, d.o.FollowMargin, 3) {
			// What is under discussion is about as good an answer as any.
			return true, nil
		}
	}
	if d.askAll || d.matterMayBeNear(st, own, alone) {
		wide, err := askWide()
		if err != nil {
			return false, err
		}
		if d.matterNearTop(st, own, alone, wide) != "" {
			// Another disclosure on the matter is about as good an answer
			// as any, and the best one is not about what the message
			// names.
			return true, nil
		}
	}
	named := namedTerms(alone.Hits, own, 3)
	if len(named) == 0 {
		// It names nothing a disclosure is about (什么时候发到卡上): it asks
		// about the matter under discussion, unless it says much of its
		// own (a new matter nothing answers by name).
		if len(strings.Fields(own)) > maxOwnUnnamed {
			return false, nil
		}
		wide, err := askWide()
		return err == nil && wide.Answered, err
	}
	if st.Answer != "" {
		// What it names, the disclosure under discussion is about too
		// (政府补贴多少 after a lift-installation guide with its subsidy):
		// the same matter.
		there, err := d.lib.Ask(ctx, index.Query{Text: in.Text, Only: []string{st.Answer}, Geo: in.Geo, Now: now, Explain: true})
		if err != nil {
			return false, err
		}
		if len(there.Hits) > 0 && len(namedTerms(there.Hits, strings.Join(named, " "), 1)) == len(named) {
			return true, nil
		}
	}
	// Read with the matter, it may be answered at least as well by
	// another disclosure that speaks of its own words too (每天几点施工
	// after a renovation project: its works hours), not only of the
	// matter: one found for it alone that speaks of its words within
	// FollowMargin of its best answer.
	near := d.nearCoverage(alone)
	if len(near) == 0 {
		// None: the message is a question of its own.
		return false, nil
	}
	if !d.askAll {
		// Asked of those only, read with the matter: when none is
		// answered well enough, none is by the whole index either (a
		// disclosure speaks of a question at least as much among fewer
		// candidates), and the matter need not be asked of it.
		b, err := d.lib.Ask(ctx, index.Query{Text: joinMatter(st.Topic, in.Text), Only: near, Geo: in.Geo, Now: now, Exclude: st.Refused})
		if err != nil {
			return false, err
		}
		if !anyCoverage(b.Hits, alone.Confidence-d.o.ContextMargin) {
			return false, nil
		}
	}
	wide, err := askWide()
	if err != nil {
		return false, err
	}
	return wide.Answered && len(wide.Hits) > 0 && contains(near, wide.Hits[0].ID) &&
		wide.Confidence >= alone.Confidence-d.o.ContextMargin, nil
}

// nearCoverage are the disclosures other than the best found for a
// message on its own (alone: its answer) that speak of its words within
// FollowMargin of the best.
func (d *talk) nearCoverage(alone index.Answer) []string {
	var out []string
	for i, h := range alone.Hits {
		if i > 0 && h.Coverage >= alone.Confidence-d.o.FollowMargin {
			out = append(out, h.ID)
		}
	}
	return out
}

// anyCoverage tells whether one of hits speaks of at least min of the
// question.
func anyCoverage(hits []index.Hit, min float64) bool {
	for _, h := range hits {
		if h.Coverage >= min {
			return true
		}
	}
	return false
}

// shownSays tells whether the passage last shown holds all of own's topic
// words but one, and at least two of them.
func shownSays(st convState, own string) bool {
	if st.Answer == "" || len(st.Last.Hits) == 0 || st.Last.Hits[0].ID != st.Answer || st.Last.Hits[0].Passage == nil {
		return false
	}
	text := st.Last.Hits[0].Title + "\n" + st.Last.Hits[0].Passage.Text
	words := strings.Fields(own)
	n := 0
	for _, w := range words {
		if strings.Contains(text, w) {
			n++
		}
	}
	return n >= 2 && n >= len(words)-1
}

// maxPointingTopic: a message pointing back (那, 这个, …呢) is a follow-up
// when it names at most this many words of its own.
const maxPointingTopic = 2

// maxOwnUnnamed: a message naming more words of its own than this, none of
// which a disclosure is about, is a new matter, not a follow-up.
const maxOwnUnnamed = 3

// fresh answers a question on its own (a new matter); own are its topic
// words.
func (d *talk) fresh(st convState, q, own string, a index.Answer) (Turn, convState, error) {
	t := d.answerTurn(a, TurnAnswer)
	topic := ""
	if t.Answered {
		// What nothing answers is no matter to follow up on.
		topic = own
	}
	next := d.after(convState{}, t, q, topic, a)
	next.Asking = asking(q, topic)
	return t, next, nil
}

// after is the state once t (answering q from a) was given; topic is the
// matter from now on; seen are the other answers the turn asked for (their
// places may be named in the reply).
func (d *talk) after(st convState, t Turn, q, topic string, a index.Answer, seen ...index.Answer) convState {
	next := st
	next.Topic = topic
	next.Picked = false
	next.Choices = t.Choices
	next.FullLines = 0
	next.Answer = t.Answer
	next.Question = q
	next.Confidence = t.Confidence
	next.Shown = appendUnique(next.Shown, t.Choices...)
	next.Shown = appendUnique(next.Shown, t.Answer)
	next.Offered = nil
	next.Titles = map[string]string{}
	for _, h := range a.Hits {
		if len(next.Titles) < maxRemembered {
			next.Titles[h.ID] = h.Title
		}
		if !contains(t.Choices, h.ID) && !contains(next.Refused, h.ID) {
			next.Offered = appendUnique(next.Offered, h.ID)
		}
	}
	next.Places = placesNamed(t, append([]index.Answer{a}, seen...))
	return next
}

// placesNamed are the located disclosures whose place the reply names by
// its name, the one shown first, then in the order the reply
// names them: what 那边 points at next.
func placesNamed(t Turn, answers []index.Answer) []string {
	type at struct {
		id  string
		pos int
	}
	var found []at
	seen := map[string]bool{}
	for _, a := range answers {
		for _, h := range a.Hits {
			if h.Place == nil || seen[h.ID] {
				continue
			}
			seen[h.ID] = true
			pos := -1
			if h.ID == t.Answer {
				pos = 0
			}
			for _, s := range []string{h.Place.Name, localName(h.Place.Name)} {
				if utf8.RuneCountInString(s) < 4 {
					continue
				}
				if i := strings.Index(t.Text, s); i >= 0 && (pos < 0 || i+1 < pos) {
					pos = i + 1
				}
			}
			if pos >= 0 {
				found = append(found, at{h.ID, pos})
			}
		}
	}
	sort.SliceStable(found, func(i, j int) bool { return found[i].pos < found[j].pos })
	out := make([]string, 0, len(found))
	for _, f := range found {
		if len(out) < maxRemembered {
			out = append(out, f.id)
		}
	}
	return out
}

// localName drops the subdistrict or town before a place's name (盈浦街道
// 社区文化活动中心 → 社区文化活动中心), as the subdistrict's own texts
// often write it. An address names no place: several services share a
// building.
func localName(name string) string {
	for _, sep := range []string{"街道", "镇"} {
		if i := strings.Index(name, sep); i >= 0 && i+len(sep) < len(name) {
			return name[i+len(sep):]
		}
	}
	return name
}

// matterDecides: when the message on its own would get a clarifying
// question, the candidate the matter under discussion ranks clearly first
// among them; "" when none.
func (d *talk) matterDecides(st convState, alone, wide index.Answer) string {
	if st.Topic == "" || !alone.Answered {
		return ""
	}
	cands := d.clarifyCandidates(alone)
	if len(cands) < 2 {
		return ""
	}
	first := -1
	for i, h := range wide.Hits {
		if !containsHit(cands, h.ID) {
			continue
		}
		if first < 0 {
			if !onMatter(wide, h.ID, st.Topic) {
				return ""
			}
			first = i
			continue
		}
		if wide.Hits[first].Score-h.Score <= d.o.ClarifyMargin {
			return ""
		}
		break
	}
	if first < 0 {
		return ""
	}
	return wide.Hits[first].ID
}

// kindAnswers: when the message asks for something (a process, papers, an
// amount…) the title of the disclosure last shown does not say it is the
// kind that answers (a notice of a standard for 怎么申请), another
// disclosure on the matter that is that kind (a guide) and ranks within
// SwitchMargin of it for the message read with the matter; "" when none.
func (d *talk) kindAnswers(st convState, intent index.Intent, wide index.Answer) string {
	switch intent {
	case index.Process, index.Materials, index.Eligibility, index.Amount:
		// A guide answers how, with what and who; a standard how much.
		// Other intents (where, when, a phone) any kind may answer.
	default:
		return ""
	}
	var cur *index.Hit
	for i := range wide.Hits {
		if wide.Hits[i].ID == st.Answer {
			cur = &wide.Hits[i]
		}
	}
	if cur == nil || cur.Factors["title_kind"] > 0 {
		return ""
	}
	for i, h := range wide.Hits {
		if i == 5 {
			break
		}
		if h.ID == st.Answer || contains(st.Refused, h.ID) || h.Status != index.Current {
			continue
		}
		if h.Factors["title_kind"] > 0 && h.Factors["kind"] > cur.Factors["kind"] &&
			h.Score >= cur.Score-d.o.SwitchMargin && onMatter(wide, h.ID, st.Topic) {
			return h.ID
		}
	}
	return ""
}

// rumourTurn declines a question about what is heard to come when nothing
// published says so (wide: its answer read with the matter); the
// conversation stays as it was.
func (d *talk) rumourTurn(wide index.Answer) Turn {
	// The hits read with the matter go to the query log: what residents
	// ask that nothing published answers yet.
	hits := wide.Hits
	if hits == nil {
		hits = []index.Hit{}
	}
	return Turn{Kind: TurnDecline, Text: rumourText(d.render.o.Hotline), Hits: hits, Choices: []string{}}
}

// rumourOnMatter tells whether a rumour is about the matter under
// discussion: it names nothing, or only what the disclosure last shown
// holds (奖励 after a lift-installation guide that names its reward). A
// rumour naming another matter is a question of its own.
func rumourOnMatter(st convState, own string, wide index.Answer) bool {
	n := len(strings.Fields(own))
	return n == 0 || st.Answer != "" && ownTerms(wide, st.Answer, own) == n
}

// rumourAnswered tells whether what the resident heard is to come on the
// matter is something a published disclosure answers: the best answer read
// with the matter is about the matter and either takes effect later, or is
// the kind that answers what the rumour asks (the standard in force, for
// 听说明年低保要涨) and about what it names. A guide that mentions a reward
// in passing is no answer to 听说明年奖励要提高.
func rumourAnswered(st convState, own string, wide index.Answer) bool {
	if !wide.Answered || len(wide.Hits) == 0 {
		return false
	}
	top := wide.Hits[0]
	if !onMatter(wide, top.ID, st.Topic) {
		return false
	}
	if top.Status == index.Upcoming {
		return true
	}
	return top.Factors["title_kind"] > 0 && (own == "" || namesStrongly(top, own))
}

// onMatter tells whether the hit id of a (asked with the matter) holds one
// of the matter's words in its title, its keywords, or as a synonym or
// life situation: a disclosure about the matter, not one that mentions it.
func onMatter(a index.Answer, id, topic string) bool {
	for _, h := range a.Hits {
		if h.ID == id {
			return namesStrongly(h, topic)
		}
	}
	return false
}

// namesStrongly tells whether h holds one of words (two characters or
// more) in its title, its keywords, or as a synonym or life situation.
func namesStrongly(h index.Hit, words string) bool {
	for _, m := range h.Matched {
		if utf8.RuneCountInString(m.Term) < 2 {
			continue
		}
		switch m.Where {
		case index.InTitle, index.InKeywords, index.BySynonym, index.BySituation:
		default:
			continue
		}
		for _, w := range strings.Fields(words) {
			if w == m.Term {
				return true
			}
		}
	}
	return false
}

func containsHit(hs []index.Hit, id string) bool {
	for _, h := range hs {
		if h.ID == id {
			return true
		}
	}
	return false
}

// pick shows the nth choice of the last reply.
func (d *talk) pick(ctx context.Context, st convState, n int, now time.Time) (Turn, convState, error) {
	if len(st.Choices) == 0 {
		return Turn{Kind: TurnHint, Text: noChoicesText, Hits: []index.Hit{}}, st, nil
	}
	if n > len(st.Choices) {
		t := Turn{Kind: TurnHint, Text: choiceRangeText(n, st.Choices, st.Titles), Hits: []index.Hit{}, Choices: st.Choices}
		return t, st, nil
	}
	id := st.Choices[n-1]
	q := st.Question
	if q == "" {
		q = st.Topic
	}
	a, err := d.lib.Ask(ctx, index.Query{Text: q, Only: []string{id}, Now: now})
	if err != nil {
		return Turn{}, st, err
	}
	if len(a.Hits) == 0 { // gone since (a reindex)
		return Turn{Kind: TurnHint, Text: choiceGoneText, Hits: []index.Hit{}}, st, nil
	}
	a.Hits = a.Hits[:1]
	others := d.otherChoices(st, n)
	body := d.renderWithin(a, len(others)+1)
	t := Turn{Kind: TurnPick, Text: joinFooter(body, others), Answered: true, Confidence: a.Confidence,
		Hits: a.Hits, Choices: st.Choices, Answer: id}
	next := st
	next.Answer, next.FullLines, next.Confidence, next.Picked = id, 0, a.Confidence, true
	next.Shown = appendUnique(next.Shown, id)
	return t, next, nil
}

// otherChoices lists the choices other than the nth (for a footer).
func (d *talk) otherChoices(st convState, n int) string {
	var lines []string
	for i, id := range st.Choices {
		if i == n-1 {
			continue
		}
		lines = append(lines, numbered(i+1, d.title(st, id)))
	}
	if len(lines) == 0 {
		return ""
	}
	return otherChoicesHead + "\n" + strings.Join(lines, "\n")
}

// title is the title of a disclosure of the last answer.
func (d *talk) title(st convState, id string) string {
	if t, ok := st.Titles[id]; ok {
		return t
	}
	h, err := d.lib.Full(context.Background(), id, d.clock.Now())
	if err != nil {
		return id
	}
	return h.Title
}

// feedback records what the resident thinks of the last answer.
func (d *talk) feedback(st convState, v string) (Turn, convState, error) {
	if st.Answer == "" {
		return Turn{Kind: TurnCourtesy, Text: feedbackNothingText, Hits: []index.Hit{}}, st, nil
	}
	t := Turn{Kind: TurnFeedback, Feedback: v, Question: st.Question, Answer: st.Answer,
		Confidence: st.Confidence, Hits: []index.Hit{}}
	next := st
	if v == FeedbackUseful {
		t.Text = feedbackThanksText
		return t, next, nil
	}
	next.Refused = appendUnique(next.Refused, st.Answer)
	others := d.remaining(st)
	if len(others) == 0 {
		t.Text = feedbackSorryText(d.render.o.Hotline)
		return t, next, nil
	}
	t.Text = feedbackSorryOffer + "\n" + d.choiceList(st, others) + "\n" + pickHint
	t.Choices = others
	next.Choices = others
	next.Answer = ""
	return t, next, nil
}

// remaining are the candidates of the last answer not refused, then the
// others shown on the matter, up to Choices of them.
func (d *talk) remaining(st convState) []string {
	var out []string
	for _, id := range append(append(append([]string(nil), st.Choices...), st.Offered...), st.Shown...) {
		if id == st.Answer || contains(st.Refused, id) || contains(out, id) {
			continue
		}
		out = append(out, id)
		if len(out) == d.o.Choices {
			break
		}
	}
	return out
}

func (d *talk) choiceList(st convState, ids []string) string {
	lines := make([]string, len(ids))
	for i, id := range ids {
		lines[i] = numbered(i+1, d.title(st, id))
	}
	return strings.Join(lines, "\n")
}

// full shows the last disclosure whole, a reply's worth at a time.
func (d *talk) full(ctx context.Context, st convState, now time.Time) (Turn, convState, error) {
	if st.Answer == "" {
		return Turn{Kind: TurnHint, Text: noFullText, Hits: []index.Hit{}}, st, nil
	}
	h, err := d.lib.Full(ctx, st.Answer, now)
	if errors.Is(err, index.ErrNoDisclosure) {
		return Turn{Kind: TurnHint, Text: choiceGoneText, Hits: []index.Hit{}}, st, nil
	}
	if err != nil {
		return Turn{}, st, err
	}
	text, shown := d.fullPage(h, st.FullLines)
	t := Turn{Kind: TurnFull, Text: text, Answered: true, Confidence: st.Confidence,
		Hits: []index.Hit{h}, Choices: []string{h.ID}, Answer: h.ID}
	next := st
	next.FullLines = shown
	next.Choices = t.Choices
	return t, next, nil
}

// correction: 不是这个 — the intended matter, never the one refused.
func (d *talk) correction(ctx context.Context, st convState, u utterance, in Input, now time.Time) (Turn, convState, error) {
	refused := appendUnique(append([]string(nil), st.Refused...), st.Answer)
	topic := d.topicOf(u.rest)
	if topic == "" {
		// Only "不是这个": offer the other candidates.
		next := st
		next.Refused = refused
		others := d.remaining(st)
		if len(others) == 0 {
			t := Turn{Kind: TurnHint, Text: rephraseText, Hits: []index.Hit{}}
			next.Answer = ""
			return t, next, nil
		}
		t := Turn{Kind: TurnClarify, Text: clarifyHead + "\n" + d.choiceList(st, others) + "\n" + pickHint,
			Answered: true, Hits: []index.Hit{}, Choices: others}
		next.Choices, next.Answer = others, ""
		return t, next, nil
	}
	a, err := d.lib.Ask(ctx, index.Query{Text: u.rest, Geo: in.Geo, Now: now, Exclude: refused})
	if err != nil {
		return Turn{}, st, err
	}
	if !a.Answered && a.Decline == index.DeclineLowScore && len(a.Hits) > 0 {
		// The resident insists on a matter nothing answers with
		// confidence: offer the candidates rather than a flat decline.
		t := d.clarify(a, a.Hits[:min(len(a.Hits), d.o.Choices)])
		next := d.after(convState{Refused: refused}, t, u.rest, topic, a)
		return t, next, nil
	}
	t := d.answerTurn(a, TurnCorrection)
	next := d.after(convState{Refused: refused}, t, u.rest, topic, a)
	next.Asking = asking(u.rest, topic)
	return t, next, nil
}

// more: 还有别的吗 — the next relevant disclosures on the matter.
func (d *talk) more(ctx context.Context, st convState, u utterance, in Input, now time.Time) (Turn, convState, error) {
	// More of the same kind: the matter (or what the message names) asked
	// as the question that set the matter asked (在哪里 for 宝宝屋在哪里).
	q := joinMatter(st.Topic, st.Asking)
	own := d.topicOf(u.rest)
	if own != "" {
		q = joinMatter(u.rest, st.Asking)
	}
	if strings.TrimSpace(q) == "" {
		q = st.Question
	}
	if strings.TrimSpace(q) == "" {
		return Turn{Kind: TurnHint, Text: noMoreText, Hits: []index.Hit{}}, st, nil
	}
	exclude := appendUnique(append([]string(nil), st.Shown...), st.Refused...)
	a, err := d.lib.Ask(ctx, index.Query{Text: q, Geo: in.Geo, Now: now, Exclude: exclude})
	if err != nil {
		return Turn{}, st, err
	}
	if !a.Answered {
		t := Turn{Kind: TurnMore, Text: noMoreText, Hits: a.Hits, Choices: []string{}}
		return t, st, nil
	}
	t := d.answerTurn(a, TurnMore)
	next := d.after(st, t, q, st.Topic, a)
	if own != "" {
		next.Topic = joinTopic(st.Topic, own)
	}
	return t, next, nil
}

// answerTurn words an answer: declined, a clarifying question when the
// candidates are close, or the best disclosure with the others numbered.
func (d *talk) answerTurn(a index.Answer, kind string) Turn {
	hits := a.Hits
	if hits == nil {
		hits = []index.Hit{}
	}
	t := Turn{Kind: kind, Answered: a.Answered, Confidence: a.Confidence, Hits: hits, Choices: []string{}}
	if !a.Answered || len(a.Hits) == 0 {
		t.Kind = TurnDecline
		t.Answered = false
		var choices []string
		t.Text, choices = d.render.Numbered(a)
		if choices != nil {
			t.Choices = choices // what a decline points to (not_stated)
		}
		return t
	}
	if cands := d.clarifyCandidates(a); len(cands) > 1 {
		return d.clarify(a, cands)
	}
	text, choices := d.render.Numbered(a)
	t.Text = text
	if choices != nil {
		t.Choices = choices
	}
	if len(t.Choices) > 0 {
		t.Answer = t.Choices[0]
	}
	return t
}

// clarifyCandidates are the candidates of a clarifying question when a's
// best candidates are too close to choose (the best and its related
// titles), or nil.
func (d *talk) clarifyCandidates(a index.Answer) []index.Hit {
	if a.Near || len(a.Hits) < 2 {
		return nil
	}
	related := []index.Hit{}
	for _, h := range a.Hits[1:] {
		if h.Related && len(related) < d.o.Choices-1 {
			related = append(related, h)
		}
	}
	if len(related) == 0 || !d.ambiguous(a) {
		return nil
	}
	return append([]index.Hit{a.Hits[0]}, related...)
}

// clarify asks which of cands (the candidates of a) is meant.
func (d *talk) clarify(a index.Answer, cands []index.Hit) Turn {
	t := Turn{Kind: TurnClarify, Answered: true, Confidence: a.Confidence, Hits: a.Hits, Choices: []string{}}
	for _, h := range cands {
		t.Choices = append(t.Choices, h.ID)
	}
	t.Text = clarifyText(cands, d.render.o.MaxReplyBytes)
	return t
}

// ambiguous tells whether the best candidates are too close to choose, or
// the confidence too middling to answer without asking.
func (d *talk) ambiguous(a index.Answer) bool {
	if d.o.ClarifyBelow > 0 && a.Confidence < d.o.ClarifyBelow {
		return true
	}
	if d.o.ClarifyMargin < 0 || len(a.Hits) < 2 || !a.Hits[1].Related || a.Decisive {
		return false
	}
	return a.Hits[0].Score-a.Hits[1].Score <= d.o.ClarifyMargin
}

// renderWithin words a (one disclosure) leaving room bytes for a footer.
func (d *talk) renderWithin(a index.Answer, room int) string {
	o := d.render.o
	if room > 1 {
		o.MaxReplyBytes -= room
		if o.MaxReplyBytes < 256 {
			o.MaxReplyBytes = 256
		}
	}
	o.Related = 0
	return NewRenderer(o).AnswerText(a)
}

func joinFooter(body, footer string) string {
	if footer == "" {
		return body
	}
	return body + "\n" + footer
}

// nearTop tells whether id is among the first n hits and ranks within
// margin of the best.
func nearTop(hits []index.Hit, id string, margin float64, n int) bool {
	for i, h := range hits {
		if i == n {
			break
		}
		if h.ID == id {
			return hits[0].Score-h.Score <= margin
		}
	}
	return false
}

// topicOf is what a message names beyond asking (低保 in 低保标准是多少;
// "" for 电话多少).
func (d *talk) topicOf(text string) string {
	return strings.Join(d.analysis(text).Topic, " ")
}

// analysis is what text asks and names (nothing for an empty text).
func (d *talk) analysis(text string) index.Analysis {
	if strings.TrimSpace(text) == "" {
		return index.Analysis{}
	}
	return d.lib.Analyze(text)
}

// answersIntent tells whether the best hit's passage holds what the
// question's intent asks for (an address, a phone number, the papers…).
func answersIntent(a index.Answer) bool {
	return len(a.Hits) > 0 && a.Hits[0].Passage != nil && a.Hits[0].Passage.Intent
}

// speaksOf tells whether a hit holds one of the matter's words: another
// disclosure on the same matter, not one the follow-up's own words found.
func speaksOf(h index.Hit, topic string) bool {
	for _, w := range strings.Fields(topic) {
		for _, m := range h.Matched {
			if m.Term == w || strings.Contains(w, m.Term) && utf8.RuneCountInString(m.Term) >= 2 {
				return true
			}
		}
	}
	return false
}

// scoreOf is the score of id among hits (0 when absent).
func scoreOf(hits []index.Hit, id string) float64 {
	for _, h := range hits {
		if h.ID == id {
			return h.Score
		}
	}
	return 0
}

// namedTerms are the topic words of a question that name what a disclosure
// is about: in one of the first n hits, in the title or the editor's
// keywords, or a service the lexicon knows (a synonym, a life situation),
// not only somewhere in a body. A lone character (卡, 钱) names nothing.
func namedTerms(hits []index.Hit, topic string, n int) []string {
	var out []string
	for i, h := range hits {
		if i == n {
			break
		}
		for _, m := range h.Matched {
			if m.Where != index.InBody && m.Where != index.ByPart && utf8.RuneCountInString(m.Term) >= 2 &&
				strings.Contains(topic, m.Term) && !contains(out, m.Term) {
				out = append(out, m.Term)
			}
		}
	}
	return out
}

// isNearestQuestion: 附近的…, 最近的…在哪 asks for places around the
// resident.
func isNearestQuestion(q string) bool {
	for _, w := range []string{"附近", "最近的", "离我", "周边", "周围", "就近"} {
		if strings.Contains(q, w) {
			return true
		}
	}
	return false
}

// asking is what q asks beyond its matter's words (在哪里 in 宝宝屋在哪里).
func asking(q, topic string) string {
	for _, w := range strings.Fields(topic) {
		q = strings.ReplaceAll(q, w, " ")
	}
	return strings.Join(strings.Fields(q), "")
}

// joinMatter puts the matter under discussion before a follow-up, so that
// 那要带什么材料 is asked about 低保.
func joinMatter(topic, q string) string {
	if topic == "" {
		return q
	}
	return topic + " " + q
}

// joinTopic adds what a follow-up named to the matter (柳溪 助餐点 after
// 老人助餐), keeping the latest two parts.
func joinTopic(topic, add string) string {
	if add == "" {
		return topic
	}
	parts := strings.Fields(topic)
	for _, w := range strings.Fields(add) {
		if !contains(parts, w) {
			parts = append(parts, w)
		}
	}
	if len(parts) > 4 {
		parts = parts[len(parts)-4:]
	}
	return strings.Join(parts, " ")
}
