package index

import (
	"math"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/yingpu/govbot/clock"
)

// DefaultAnswerCache is how many answers an Index keeps by default.
const DefaultAnswerCache = 1024

// answerCache keeps the answers to the queries last asked of an Index. An
// answer depends on the generation, the Index's settings, every field of
// the query and the day asked (what is in force, the year a question's 去年
// means), nothing else: residents ask the same things, and a message of a
// conversation asks the same query more than once. Another generation, or
// a disclosure added to this one, empties it. The zero value is empty.
type answerCache struct {
	mu    sync.Mutex
	gen   *generation // the answers are this generation's
	items map[string]Answer
}

func (c *answerCache) get(g *generation, key string) (Answer, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.gen != g {
		return Answer{}, false
	}
	a, ok := c.items[key]
	return a, ok
}

// put keeps a, at most max answers (an arbitrary one makes room).
func (c *answerCache) put(g *generation, key string, a Answer, max int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.gen != g || c.items == nil {
		c.gen, c.items = g, make(map[string]Answer, min(max, 64))
	}
	if len(c.items) >= max {
		for k := range c.items {
			delete(c.items, k)
			break
		}
	}
	c.items[key] = a
}

// reset forgets every answer (the generation changed in place).
func (c *answerCache) reset() {
	c.mu.Lock()
	c.gen, c.items = nil, nil
	c.mu.Unlock()
}

// answerKey is what an answer depends on: the query, with the day asked
// for its time.
func answerKey(q Query, now time.Time) string {
	var b strings.Builder
	b.Grow(len(q.Text) + 64)
	b.WriteString(clock.DateOf(now).Format(time.DateOnly))
	if q.Explain {
		b.WriteString(" explain")
	}
	if q.Geo != nil {
		b.WriteString(" geo ")
		b.WriteString(strconv.FormatUint(math.Float64bits(q.Geo.Lat), 16))
		b.WriteByte(' ')
		b.WriteString(strconv.FormatUint(math.Float64bits(q.Geo.Lon), 16))
	}
	for _, list := range []struct {
		name string
		ids  []string
	}{{" only", q.Only}, {" exclude", q.Exclude}} {
		if list.ids == nil {
			continue
		}
		b.WriteString(list.name)
		b.WriteString(strconv.Itoa(len(list.ids)))
		for _, id := range list.ids {
			b.WriteByte(0)
			b.WriteString(id)
		}
	}
	b.WriteByte('\n')
	b.WriteString(q.Text)
	return b.String()
}

// shared returns a for one more caller: the slices it may change (a hit's
// fields, the order of the hits) are its own; what they point to (the
// passages, the explanations) is shared and must not be changed.
func shared(a Answer) Answer {
	a.Hits = slices.Clone(a.Hits)
	a.Skipped = slices.Clone(a.Skipped)
	return a
}
