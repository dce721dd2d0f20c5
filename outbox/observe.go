package outbox

// Depth returns the number of deliveries queued per channel (waiting for
// their turn or for a retry), not counting those being sent.
func (o *Outbox) Depth() map[string]int {
	out := make(map[string]int, len(o.lanes))
	for ch, l := range o.lanes {
		l.mu.Lock()
		n := 0
		for _, g := range l.groups {
			n += len(g.ready) + len(g.waiting)
		}
		for _, b := range l.replay {
			n += len(b)
		}
		l.mu.Unlock()
		out[ch] = n
	}
	return out
}

// observe tells Options.Observe of each delivery outcome recorded.
func (o *Outbox) observe(batch []*entry, outs []outcome) {
	if o.opt.Observe == nil {
		return
	}
	for i, e := range batch {
		state := outs[i].state
		if state == StatePending {
			state = "retry"
		}
		o.opt.Observe(e.channel, state)
	}
}
