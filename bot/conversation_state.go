package bot

import (
	"hash/fnv"
	"sync"
	"time"
)

// convState is what govbot remembers of a conversation with one resident:
// enough to understand the next message (a number, 那要带什么材料, 不是这个,
// 全文, 有用), never more. It expires (ConversationOptions.TTL) after the
// last message.
type convState struct {
	// Key identifies the last message handled, Last is the reply given to
	// it: a retry of that message gets the same reply and changes nothing.
	Key  string
	Last Turn
	// Topic is the matter under discussion: what the last question that
	// named one named, without its asking words (低保, 夏阳湖长者食堂).
	Topic string
	// Asking is how the question that set the matter asked (在哪里,
	// 多少钱): 还有别的吗 asks the same of the next disclosures.
	Asking string
	// Answer is the disclosure the last answer showed ("" after a
	// clarifying question, a decline or a courtesy), Question the question
	// it answered and Confidence how sure the answer was (for feedback).
	Answer     string
	Question   string
	Confidence float64
	// Picked: the resident chose Answer by its number; follow-ups stay
	// with it.
	Picked bool
	// Choices are the disclosures the last reply numbered, in order.
	Choices []string
	// Offered are the disclosures of the last ranked answer beyond those
	// shown (for a correction without a new matter: the next candidates).
	Offered []string
	// Titles are the titles of the last answer's disclosures, by id.
	Titles map[string]string
	// Shown are the disclosures shown on this matter (for 还有别的吗).
	Shown []string
	// Places are the located disclosures whose place the last reply
	// named (the one shown first): what 那边 points at.
	Places []string
	// Refused are the disclosures the resident said were not it.
	Refused []string
	// FullLines is how many lines of Answer's body 全文 has shown.
	FullLines int
}

// maxRemembered bounds the ids a state keeps per list.
const maxRemembered = 20

func appendUnique(list []string, ids ...string) []string {
	for _, id := range ids {
		if id == "" || contains(list, id) {
			continue
		}
		list = append(list, id)
	}
	if len(list) > maxRemembered {
		list = list[len(list)-maxRemembered:]
	}
	return list
}

func contains(list []string, id string) bool {
	for _, x := range list {
		if x == id {
			return true
		}
	}
	return false
}

// ConversationStore keeps conversation states. Implementations must be safe
// for concurrent use and bound what they keep.
type conversationStore interface {
	load(user string, now time.Time) (convState, bool)
	save(user string, s convState, now time.Time)
	forget(user string)
	// each calls fn for every live conversation, the longest idle first.
	each(now time.Time, fn func(user string, s convState, at time.Time))
}

// memConversations keeps states in memory, at most max of them, each for
// ttl after its last save. A restart forgets them: a resident then asks
// once more in full.
type memConversations struct {
	c *ttlCache[convState]
}

func newMemConversations(ttl time.Duration, max int) *memConversations {
	return &memConversations{c: newTTLCache[convState](ttl, max)}
}

func (m *memConversations) load(user string, now time.Time) (convState, bool) {
	return m.c.get(user, now)
}

func (m *memConversations) save(user string, s convState, now time.Time) {
	m.c.put(user, s, now)
}

func (m *memConversations) forget(user string) { m.c.delete(user) }

func (m *memConversations) each(now time.Time, fn func(string, convState, time.Time)) {
	m.c.each(now, fn)
}

// userLocks serializes the messages of one resident (a conversation is in
// order) without one lock for everyone.
type userLocks [64]sync.Mutex

func (l *userLocks) lock(user string) func() {
	h := fnv.New32a()
	h.Write([]byte(user))
	mu := &l[h.Sum32()%uint32(len(l))]
	mu.Lock()
	return mu.Unlock
}
