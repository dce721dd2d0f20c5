package index

import (
	"math"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/yingpu/govbot/clock"
	"github.com/yingpu/govbot/config"
)

// DefaultAnswerCache is how many answers an Index keeps by default.
const DefaultAnswerCache = config.DefaultAnswerCache

// answerCache keeps the answers to the queries last asked of an Index. An
// answer depends on the generation, the Index's settings, every field of
// the query and the day asked (what is in force, the year a question's 去年
// means), nothing else: residents ask the same things, and a message of a
// conversation asks the same query more than once.
type answerCache = genCache[Answer]

// genCache keeps values worked out on one generation of an Index, at most
// a given number of them. Another generation, or a disclosure added to
// this one, empties it. The zero value is empty.
type genCache[V any] struct {
	mu    sync.Mutex
	gen   *generation // the values are this generation's
	items map[string]V
}

func (c *genCache[V]) get(g *generation, key string) (V, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.gen != g {
		var zero V
		return zero, false
	}
	v, ok := c.items[key]
	return v, ok
}

// put keeps v, at most max values (an arbitrary one makes room).
func (c *genCache[V]) put(g *generation, key string, v V, max int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.gen != g || c.items == nil {
		c.gen, c.items = g, make(map[string]V, min(max, 64))
	}
	if len(c.items) >= max {
		for k := range c.items {
			delete(c.items, k)
			break
		}
	}
	c.items[key] = v
}

// reset forgets every value (the generation changed in place).
func (c *genCache[V]) reset() {
	c.mu.Lock()
	c.gen, c.items = nil, nil
	c.mu.Unlock()
}

// analysisCache keeps questions taken apart (and what no disclosure may
// answer in them): a message of a conversation asks with the same words
// more than once, alone and about one disclosure. They depend on the day
// asked (the years 去年 names; the moment itself is set on each use).
type analysisCache = genCache[questionAnalysis]

type questionAnalysis struct {
	a       analyzed
	outside *outside
}

// topicCache keeps what Analyze tells of a message (it does not depend on
// the day).
type topicCache = genCache[Analysis]

// analysesKept bounds the analyses and topics an Index keeps.
const analysesKept = 512

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
