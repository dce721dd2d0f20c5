package outbox

import (
	"container/heap"

	"github.com/yingpu/govbot/channel"
	"sort"
	"sync"
	"time"
)

// entry is a delivery waiting in memory. The store is the truth; the
// queues are rebuilt from it by New.
type entry struct {
	key     string
	notice  string
	channel string
	kind    string
	id      string
	urgent  bool
	seq     uint64
	due     time.Time
}

// before orders ready deliveries: urgent first, then in enqueue order.
func (e *entry) before(f *entry) bool {
	if e.urgent != f.urgent {
		return e.urgent
	}
	return e.seq < f.seq
}

// readyHeap holds due deliveries, best first.
type readyHeap []*entry

func (h readyHeap) Len() int           { return len(h) }
func (h readyHeap) Less(i, j int) bool { return h[i].before(h[j]) }
func (h readyHeap) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *readyHeap) Push(x any)        { *h = append(*h, x.(*entry)) }
func (h *readyHeap) Pop() any {
	old := *h
	e := old[len(old)-1]
	old[len(old)-1] = nil
	*h = old[:len(old)-1]
	return e
}

// waitHeap holds deliveries not yet due, earliest first.
type waitHeap []*entry

func (h waitHeap) Len() int { return len(h) }
func (h waitHeap) Less(i, j int) bool {
	if !h[i].due.Equal(h[j].due) {
		return h[i].due.Before(h[j].due)
	}
	return h[i].before(h[j])
}
func (h waitHeap) Swap(i, j int) { h[i], h[j] = h[j], h[i] }
func (h *waitHeap) Push(x any)   { *h = append(*h, x.(*entry)) }
func (h *waitHeap) Pop() any {
	old := *h
	e := old[len(old)-1]
	old[len(old)-1] = nil
	*h = old[:len(old)-1]
	return e
}

// group is a queue whose deliveries are picked together or under one
// limit: one robot key, one notice's WeCom app recipients, or the whole
// channel for chats and followers.
type group struct {
	name    string
	ready   readyHeap
	waiting waitHeap
	// busy: a worker is sending to this target of a rate-limited channel
	// (its sends are serialised so that the limiter sees every send).
	busy bool
}

func (g *group) promote(now time.Time) {
	for len(g.waiting) > 0 && !g.waiting[0].due.After(now) {
		heap.Push(&g.ready, heap.Pop(&g.waiting))
	}
}

func (g *group) empty() bool { return len(g.ready) == 0 && len(g.waiting) == 0 }

// lane is the queue of one channel and its workers' meeting point.
type lane struct {
	ch      channel.Channel
	channel string // ch.Name
	mu      sync.Mutex
	groups  map[string]*group
	// changed is closed (and replaced) whenever the queue changes, to wake
	// the workers waiting on it.
	changed chan struct{}
	// limit keeps each target of a rate-limited channel (PerMinute) to
	// its limit; nil for the others.
	limit *limiter
	// replay holds calls interrupted by a crash on a channel whose
	// platform drops a repeat, to be made again exactly as they were,
	// before anything else.
	replay [][]*entry
}

func newLane(ch channel.Channel) *lane {
	return &lane{ch: ch, channel: ch.Name, groups: map[string]*group{}, changed: make(chan struct{})}
}

// groupName is the queue of e within the lane: its target on a
// rate-limited channel (sends to it are serialised), its notice on a
// batched channel (one call takes many of its targets), else one queue.
func (l *lane) groupName(e *entry) string {
	switch {
	case l.ch.PerMinute > 0:
		return e.id
	case l.ch.Batched:
		return e.notice
	}
	return ""
}

// push queues e; l.mu must be held.
func (l *lane) push(e *entry, now time.Time) {
	name := l.groupName(e)
	g := l.groups[name]
	if g == nil {
		g = &group{name: name}
		l.groups[name] = g
	}
	if e.due.After(now) {
		heap.Push(&g.waiting, e)
	} else {
		heap.Push(&g.ready, e)
	}
}

// notify wakes the waiting workers; l.mu must be held.
func (l *lane) notify() {
	close(l.changed)
	l.changed = make(chan struct{})
}

// release marks a robot key free again; l.mu must be held.
func (l *lane) release(name string) {
	if g := l.groups[name]; g != nil {
		g.busy = false
		if g.empty() {
			delete(l.groups, name)
		}
	}
}

// pick takes the best due work: the ready delivery that is urgent and
// oldest among groups that may send now, with, on a batched channel (WeCom
// app messages), as many more targets of the same notice as one call
// takes. With
// nothing to do it returns when there may be (zero: only when woken).
// l.mu must be held.
func (l *lane) pick(now time.Time) ([]*entry, time.Time) {
	if len(l.replay) > 0 {
		batch := l.replay[0]
		l.replay = l.replay[1:]
		return batch, time.Time{}
	}
	var best *group
	var next time.Time
	earliest := func(t time.Time) {
		if next.IsZero() || t.Before(next) {
			next = t
		}
	}
	for name, g := range l.groups {
		g.promote(now)
		if len(g.waiting) > 0 {
			earliest(g.waiting[0].due)
		}
		if len(g.ready) == 0 {
			if g.empty() && !g.busy {
				delete(l.groups, name)
			}
			continue
		}
		if l.limit != nil {
			if g.busy {
				continue
			}
			if at, ok := l.limit.allow(name, now); !ok {
				earliest(at)
				continue
			}
		}
		if best == nil || g.ready[0].before(best.ready[0]) {
			best = g
		}
	}
	if best == nil {
		return nil, next
	}
	var batch []*entry
	if l.ch.Batched {
		batch = best.takeBatch(l.ch)
	} else {
		batch = []*entry{heap.Pop(&best.ready).(*entry)}
	}
	if l.limit != nil {
		best.busy = true
	} else if best.empty() {
		delete(l.groups, best.name)
	}
	return batch, time.Time{}
}

// takeBatch pops, best first, up to each kind's PerCall of the group's
// ready deliveries (WeCom app messages: 1,000 users, 100 departments and
// 100 tags).
func (g *group) takeBatch(ch channel.Channel) []*entry {
	var batch, rest []*entry
	room := make(map[string]int, len(ch.Kinds))
	left := 0
	for _, k := range ch.Kinds {
		room[k.Name] = max(k.PerCall, 1)
		left += room[k.Name]
	}
	for len(g.ready) > 0 && left > 0 {
		e := heap.Pop(&g.ready).(*entry)
		if room[e.kind] > 0 {
			room[e.kind]--
			left--
			batch = append(batch, e)
		} else {
			rest = append(rest, e)
		}
	}
	for _, e := range rest {
		heap.Push(&g.ready, e)
	}
	return batch
}

// limiter keeps, per robot key, the times of its last sends and allows a
// send when fewer than limit of them fall within the last period.
type limiter struct {
	limit  int
	period time.Duration
	sends  map[string][]time.Time // ascending
}

func newLimiter(limit int, period time.Duration) *limiter {
	return &limiter{limit: limit, period: period, sends: map[string][]time.Time{}}
}

func (l *limiter) reset() { clear(l.sends) }

// allow reports whether key may send at now, or else when it may.
func (l *limiter) allow(key string, now time.Time) (time.Time, bool) {
	s := l.sends[key]
	cut := now.Add(-l.period)
	i := 0
	for i < len(s) && !s[i].After(cut) {
		i++
	}
	if i > 0 {
		s = s[i:]
		if len(s) == 0 {
			delete(l.sends, key)
		} else {
			l.sends[key] = s
		}
	}
	if len(s) < l.limit {
		return now, true
	}
	return s[len(s)-l.limit].Add(l.period), false
}

// record notes a send to key at t, keeping the last limit sends.
func (l *limiter) record(key string, t time.Time) {
	l.sends[key] = appendSend(l.sends[key], t, l.limit)
}

// appendSend inserts t into the ascending times and keeps the last max.
func appendSend(times []time.Time, t time.Time, max int) []time.Time {
	i := sort.Search(len(times), func(i int) bool { return times[i].After(t) })
	times = append(times, time.Time{})
	copy(times[i+1:], times[i:])
	times[i] = t
	if len(times) > max {
		times = append([]time.Time(nil), times[len(times)-max:]...)
	}
	return times
}
