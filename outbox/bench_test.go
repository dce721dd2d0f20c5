package outbox

import (
	"context"
	"fmt"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/yingpu/govbot/push/pushtest"
	bolt "go.etcd.io/bbolt"
)

// benchNotices × the targets of benchNotice = 10,000 deliveries over every
// channel: 8 group robots and 32 group chats shared by all notices (so each
// robot gets 25 messages and the 20-a-minute limit must hold), 240 WeCom
// users, 12 departments and 8 tags, and 100 Official Account followers
// (half within the 48-hour window, half reached by template).
const benchNotices = 25

func benchNotice(i int) Job {
	var ts []Target
	ts = append(ts, targets(ChannelRobot, KindRobot, "robot-", 8)...)
	ts = append(ts, targets(ChannelWorkChat, KindChat, "chat-", 32)...)
	for u := range 240 {
		ts = append(ts, Target{ChannelWorkApp, KindUser, fmt.Sprintf("user-%d-%d", i, u)})
	}
	ts = append(ts, targets(ChannelWorkApp, KindDept, "", 12)...)
	ts = append(ts, targets(ChannelWorkApp, KindTag, "", 8)...)
	for f := range 100 {
		ts = append(ts, Target{ChannelOA, KindFollower, fmt.Sprintf("o-%d-%d", i, f)})
	}
	return Job{
		NoticeID: fmt.Sprintf("notice-%02d", i), Urgent: i%10 == 3,
		Title: fmt.Sprintf("第%d号通知", i), Body: "本周六上午9时至11时，盈浦街道将开展消防演练，请居民配合。",
		Targets: ts,
	}
}

func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkDeliver10000 sends 10,000 deliveries through the real push
// adapters to the fake WeChat/WeCom server on loopback, with the store
// committing (fsync) before and after every call. Time is virtual: the
// robot limit's waits cost no wall time.
func BenchmarkDeliver10000(b *testing.B) { benchDeliver(b, true) }

// BenchmarkDeliver10000Fakes is the same with in-process fakes instead of
// the adapters and HTTP: the cost of the outbox and its store alone.
func BenchmarkDeliver10000Fakes(b *testing.B) { benchDeliver(b, false) }

func benchDeliver(b *testing.B, adapters bool) {
	var wall, cpu, virtual time.Duration
	var deliveries int
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		db, err := bolt.Open(filepath.Join(b.TempDir(), "state.db"), 0o600, nil)
		if err != nil {
			b.Fatal(err)
		}
		c := newVClock(true)
		done := make(chan string, benchNotices)
		half := c.Now().Add(-time.Hour)
		opts := Options{LastSeen: func(id string) (time.Time, bool) {
			return half, id[len(id)-1]%2 == 0
		}}
		var r rig
		var f *fakes
		var o *Outbox
		if adapters {
			r = newRig(b, c)
			o = newRigOutbox(b, db, c, r, opts, done)
		} else {
			f = newFakes(c)
			h := newHarness(b, db, c, f, opts)
			h.done = done
			o = h.o
		}
		want := 0
		for n := range benchNotices {
			job := benchNotice(n)
			want += len(job.Targets)
			if err := db.Update(func(tx *bolt.Tx) error { return o.Enqueue(tx, job) }); err != nil {
				b.Fatal(err)
			}
		}
		ctx, cancel := context.WithCancel(context.Background())
		errc := make(chan error, 1)
		start, cpu0, v0 := time.Now(), cpuTime(), c.Now()
		b.StartTimer()

		go func() { errc <- o.Run(ctx) }()
		for range benchNotices {
			select {
			case <-done:
			case <-time.After(5 * time.Minute):
				b.Fatal("notices not done")
			}
		}

		b.StopTimer()
		wall += time.Since(start)
		cpu += cpuTime() - cpu0
		virtual += c.Now().Sub(v0)
		deliveries += want
		cancel()
		if err := <-errc; err != nil {
			b.Fatal(err)
		}
		sent := 0
		for n := range benchNotices {
			rep, err := o.Report(fmt.Sprintf("notice-%02d", n))
			if err != nil {
				b.Fatal(err)
			}
			sent += rep.Sent
		}
		if sent != want {
			b.Fatalf("%d of %d sent", sent, want)
		}
		if adapters {
			if worst, refused := robotWindowCheck(r.srv); worst > 20 || refused > 0 {
				b.Fatalf("robot limit broken: %d messages to one robot within a minute, %d refused", worst, refused)
			}
			for key, n := range r.srv.Delivered(pushtest.PathRobot) {
				if n != benchNotices {
					b.Fatalf("robot %s got %d, want %d", key, n, benchNotices)
				}
			}
		} else if _, worst := maxInWindow(f.receipts(), time.Minute); worst > 20 {
			b.Fatalf("robot limit broken: %d messages to one robot within a minute", worst)
		}
		db.Close()
	}
	b.ReportMetric(float64(wall.Nanoseconds())/float64(deliveries), "ns/delivery")
	b.ReportMetric(float64(cpu.Nanoseconds())/float64(deliveries), "cpu-ns/delivery")
	b.ReportMetric(float64(deliveries)/wall.Seconds(), "deliveries/s")
	b.ReportMetric(virtual.Minutes()/float64(b.N), "virtual-min/op")
}
