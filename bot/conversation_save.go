package bot

import (
	"encoding/json"
	"sort"
	"time"
)

// ConversationSnapshot is one resident's conversation as kept across a
// restart of govbot: saved when it stops, taken back when it starts, so
// that a resident who asked just before can still say 2 or 那要带什么材料.
// It names no one: Key is the Hasher's hash of the follower (the query
// log's), found again at the follower's next message.
type ConversationSnapshot struct {
	Key string
	// At is the time of its last message: it expires ConversationOptions.TTL
	// after it, as in memory.
	At time.Time
	// State is the conversation, opaque.
	State []byte
}

// savedState is what a snapshot keeps of a conversation: all but the last
// reply (a retry across a restart is answered by the handled-message
// store) and its key.
func savedState(s convState) convState {
	s.Key, s.Last = "", Turn{}
	return s
}

// Snapshot returns the conversations live at now, oldest first, each keyed
// by key(user).
func (d *Dialogue) Snapshot(now time.Time, key func(user string) string) []ConversationSnapshot {
	var out []ConversationSnapshot
	add := func(k string, s convState, at time.Time) {
		b, err := json.Marshal(savedState(s))
		if err != nil {
			return // a state is plain data: cannot fail
		}
		out = append(out, ConversationSnapshot{Key: k, At: at, State: b})
	}
	d.store.each(now, func(user string, s convState, at time.Time) { add(key(user), s, at) })
	// Those restored and not taken back yet are kept for another restart.
	d.restored.each(now, add)
	return out
}

// Restore takes back saved conversations: each still live at now is the
// conversation of the follower whose key(user) it has, at that follower's
// next message. It returns how many were taken back; a snapshot that
// cannot be read is skipped.
func (d *Dialogue) Restore(snaps []ConversationSnapshot, now time.Time, key func(user string) string) int {
	snaps = append([]ConversationSnapshot(nil), snaps...)
	sort.SliceStable(snaps, func(i, j int) bool { return snaps[i].At.Before(snaps[j].At) })
	n := 0
	for _, s := range snaps {
		var st convState
		if s.Key == "" || json.Unmarshal(s.State, &st) != nil || now.Sub(s.At) >= d.o.TTL {
			continue
		}
		at := s.At
		if at.After(now) {
			// The clock went back across the restart: count from now.
			at = now
		}
		d.restored.put(s.Key, st, at)
		n++
	}
	d.restoredKey.Store(&key)
	return n
}

// takeRestored is the restored conversation of user, if any (once).
func (d *Dialogue) takeRestored(user string, now time.Time) (convState, bool) {
	key := d.restoredKey.Load()
	if key == nil {
		return convState{}, false
	}
	return d.restored.take((*key)(user), now)
}

// Conversations returns the conversations live now, keyed by the query
// log's hash of each follower, to be saved across a restart.
func (b *Bot) Conversations() []ConversationSnapshot {
	return b.dialogue.Snapshot(b.clock.Now(), b.hasher.Hash)
}

// RestoreConversations takes back conversations saved by Conversations
// (before a restart) and returns how many are still live.
func (b *Bot) RestoreConversations(snaps []ConversationSnapshot) int {
	return b.dialogue.Restore(snaps, b.clock.Now(), b.hasher.Hash)
}
