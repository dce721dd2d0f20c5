package outbox

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/yingpu/govbot/store"
	bolt "go.etcd.io/bbolt"
)

// oldFormatDB writes a database as govbot wrote it before schema versions:
// the three outbox buckets, no outbox/open index, no store/schema. Notice
// "done" is delivered and signalled; "half" has one delivery sent, one
// pending and one in flight at a crash; "unsignalled" is delivered but its
// OnDone never returned.
func oldFormatDB(t *testing.T, db *bolt.DB) {
	t.Helper()
	put := func(b *bolt.Bucket, k []byte, v any) {
		data, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		if err := b.Put(k, data); err != nil {
			t.Fatal(err)
		}
	}
	err := db.Update(func(tx *bolt.Tx) error {
		jobs, _ := tx.CreateBucket([]byte("outbox/jobs"))
		dels, _ := tx.CreateBucket([]byte("outbox/deliveries"))
		sends, _ := tx.CreateBucket([]byte("outbox/robot_sends"))
		var recent []time.Time
		for range 20 {
			recent = append(recent, t0.Add(-30*time.Second))
		}
		put(sends, []byte("rk"), recent) // robot rk used up its minute 30 s ago
		var seq uint64
		del := func(notice, id string, s State) {
			seq++
			tg := Target{Channel: ChannelWorkChat, Kind: KindChat, ID: id}
			if notice == "robo" {
				tg = Target{Channel: ChannelRobot, Kind: KindRobot, ID: id}
			}
			r := record{Notice: notice, Channel: tg.Channel, Kind: tg.Kind, ID: id, Seq: seq, State: s,
				Attempts: 1, NextAt: t0, Created: t0, Updated: t0}
			if s == StateInFlight {
				r.InFlight = t0
			}
			put(dels, deliveryKey(notice, tg), r)
		}
		put(jobs, []byte("done"), jobRecord{Title: "旧", Body: "b", Total: 1, Enqueued: t0, Completed: t0, Signalled: true})
		del("done", "c1", StateSent)
		put(jobs, []byte("half"), jobRecord{Title: "半", Body: "b", Total: 3, Remaining: 2, Enqueued: t0})
		del("half", "c1", StateSent)
		del("half", "c2", StatePending)
		del("half", "c3", StateInFlight)
		put(jobs, []byte("robo"), jobRecord{Title: "机", Body: "b", Total: 1, Remaining: 1, Enqueued: t0})
		del("robo", "rk", StatePending)
		put(jobs, []byte("unsignalled"), jobRecord{Title: "未", Body: "b", Total: 1, Enqueued: t0, Completed: t0})
		del("unsignalled", "c1", StateSent)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestMigrateFromUnversionedDatabase(t *testing.T) {
	db, _ := tempDB(t)
	oldFormatDB(t, db)

	vc := newVClock(true)
	f := newFakes(vc)
	h := newHarness(t, db, vc, f, Options{})
	v, err := store.Versions(db)
	if err != nil {
		t.Fatal(err)
	}
	if v["outbox"] != Schema().Version() || Schema().Version() < 2 {
		t.Fatalf("outbox at version %d after New, want %d", v["outbox"], Schema().Version())
	}
	open := map[string]bool{}
	db.View(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketOpen).ForEach(func(k, _ []byte) error { open[string(k)] = true; return nil })
	})
	if !open["half"] || !open["unsignalled"] || !open["robo"] || open["done"] || len(open) != 3 {
		t.Fatalf("open notices after the migration: %v, want half, robo and unsignalled", open)
	}

	// c3 was in flight at the crash on a channel without a duplicate
	// check, in a notice that is not urgent: held as uncertain.
	if r := h.report("half"); r.Uncertain != 1 || len(r.Held) != 1 || r.Held[0].ID != "c3" || r.Done {
		t.Fatalf("report half before Resolve: %+v", r)
	}
	h.run()
	h.waitDone("unsignalled", "robo")
	if n, err := h.o.Resolve("half", true); n != 1 || err != nil {
		t.Fatalf("Resolve: %d, %v", n, err)
	}
	h.waitDone("half")
	got := f.countBy()
	if len(got) != 3 || got["半|work_chat/chat/c2"] != 1 || got["半|work_chat/chat/c3"] != 1 || got["机|robot/robot/rk"] != 1 {
		t.Errorf("sent after the migration: %v, want half's c2 and c3 and robo's rk once each", got)
	}
	// The robot's sends before the migration still count against its limit.
	for _, r := range f.receipts() {
		if r.Channel == ChannelRobot && r.At.Before(t0.Add(30*time.Second)) {
			t.Errorf("robot sent at %v, within the minute of its 20 sends before the migration", r.At)
		}
	}
	db.View(func(tx *bolt.Tx) error {
		if tx.Bucket([]byte("outbox/robot_sends")) != nil {
			t.Error("outbox/robot_sends still there after version 3")
		}
		return nil
	})
	if r := h.report("half"); r.Sent != 3 || r.Resent != 1 || r.Uncertain != 0 || !r.Done {
		t.Errorf("report half: %+v", r)
	}
	if r := h.report("done"); r.Sent != 1 || !r.Done {
		t.Errorf("report done: %+v", r)
	}
	eventually(t, "the open index to empty", func() bool {
		n := 0
		db.View(func(tx *bolt.Tx) error { n = tx.Bucket(bucketOpen).Stats().KeyN; return nil })
		return n == 0
	})
}
