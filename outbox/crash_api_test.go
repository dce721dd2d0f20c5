package outbox

import (
	"context"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/yingpu/govbot/clock"
	"github.com/yingpu/govbot/config"
	"github.com/yingpu/govbot/push"
	"github.com/yingpu/govbot/push/pushtest"
	bolt "go.etcd.io/bbolt"
)

// adapters are the real push clients against one API base URL.
type adapters struct {
	robot *push.RobotClient
	app   *push.WorkAppClient
	oa    *push.OfficialAccountClient
}

func apiAdapters(tb testing.TB, baseURL string) adapters {
	tb.Helper()
	api := push.API{BaseURL: baseURL, Clock: clock.System{}}
	robot, err := push.NewRobot(push.RobotOptions{API: api})
	if err != nil {
		tb.Fatal(err)
	}
	// WeCom's duplicate check is on, as by default.
	app, err := push.NewWorkApp(push.WorkAppOptions{API: api, CorpID: "ww0001", Secret: "work-secret", AgentID: "1000002"})
	if err != nil {
		tb.Fatal(err)
	}
	oa, err := push.NewOfficialAccount(push.OfficialAccountOptions{API: api, AppID: "wx0001", AppSecret: "oa-secret"})
	if err != nil {
		tb.Fatal(err)
	}
	return adapters{robot: robot, app: app, oa: oa}
}

// crashTarget is where a target's copies are counted at the fake API.
func crashTarget(t Target) (path, id string) {
	switch t.Channel {
	case ChannelRobot:
		return pushtest.PathRobot, t.ID
	case ChannelWorkChat:
		return pushtest.PathChatSend, t.ID
	case ChannelWorkApp:
		switch t.Kind {
		case KindDept:
			return pushtest.PathAppSend, "party:" + t.ID
		case KindTag:
			return pushtest.PathAppSend, "tag:" + t.ID
		}
		return pushtest.PathAppSend, t.ID
	}
	return pushtest.PathCustomSend, t.ID
}

// TestCrashKill9AtRandomMoments kills a sending process with SIGKILL at a
// random moment, ten times, and counts every message the fake WeChat/WeCom
// API delivered, before the crash and after the restart that finishes the
// job: no target gets two copies, except a delivery of an urgent notice
// interrupted mid-send and resent by policy (delivery.uncertain_urgent:
// resend); none is lost: every target got its notice, or, for a normal
// notice's interrupted delivery (uncertain_normal: hold), it is reported
// as uncertain until staff decide, and staff resending it delivers it.
// WeCom app messages use the platform's duplicate check, so even a batch
// interrupted mid-call reaches each member exactly once.
func TestCrashKill9AtRandomMoments(t *testing.T) {
	if testing.Short() {
		t.Skip("subprocess test")
	}
	const runs = 10
	var held, resent, twice, replayed int
	for run := range runs {
		seed := uint64(run)*7919 + 17
		t.Run(fmt.Sprint("run", run), func(t *testing.T) {
			h, r, tw, rp := crashRun(t, rand.New(rand.NewPCG(seed, seed)))
			held, resent, twice, replayed = held+h, resent+r, twice+tw, replayed+rp
		})
	}
	t.Logf("%d runs: %d deliveries held as uncertain (then resent by staff), %d resent by policy, %d targets with two copies (each by policy or staff), %d interrupted app messages repeated and dropped by WeCom's duplicate check",
		runs, held, resent, twice, replayed)
}

func crashRun(t *testing.T, rnd *rand.Rand) (held, resent, twice, replayed int) {
	srv := pushtest.NewServer(t)
	srv.SetLatency("", 2*time.Millisecond) // a platform takes time
	dir := t.TempDir()
	dbPath := filepath.Join(dir, "state.db")
	db := openDB(t, dbPath)
	setup, err := New(db, Options{Robot: &fileFakes{}, WorkApp: &fileFakes{}, OA: &fileFakes{}})
	if err != nil {
		t.Fatal(err)
	}
	var a []Target
	a = append(a, targets(ChannelWorkChat, KindChat, "chat-a", 25)...)
	a = append(a, targets(ChannelWorkApp, KindUser, "user", 1500)...)
	a = append(a, targets(ChannelWorkApp, KindDept, "", 12)...)
	a = append(a, targets(ChannelOA, KindFollower, "openid-a", 30)...)
	a = append(a, targets(ChannelRobot, KindRobot, "key-a", 8)...)
	var b []Target
	b = append(b, targets(ChannelWorkChat, KindChat, "chat-b", 20)...)
	b = append(b, targets(ChannelOA, KindFollower, "openid-b", 20)...)
	b = append(b, targets(ChannelRobot, KindRobot, "key-b", 6)...)
	b = append(b, targets(ChannelWorkApp, KindTag, "", 3)...)
	jobs := []Job{
		{NoticeID: "a", Title: "停电通知", Body: "明日停电", Targets: a},
		{NoticeID: "b", Title: "暴雨预警", Body: "今晚暴雨", Urgent: true, Targets: b},
	}
	if err := db.Update(func(tx *bolt.Tx) error {
		for _, j := range jobs {
			if err := setup.Enqueue(tx, j); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	db.Close()

	// Kill once the platform has received a random number of the calls.
	sends := func() int {
		return srv.Count(pushtest.PathRobot) + srv.Count(pushtest.PathChatSend) +
			srv.Count(pushtest.PathAppSend) + srv.Count(pushtest.PathCustomSend)
	}
	killAt := 1 + rnd.IntN(100)
	cmd := startChild(t, dir, "api", crashEnv+"_API="+srv.BaseURL())
	eventually(t, fmt.Sprintf("the child to make %d calls", killAt), func() bool { return sends() >= killAt })
	if err := cmd.Process.Kill(); err != nil { // SIGKILL
		t.Fatal(err)
	}
	cmd.Wait()
	atKill := sends()

	// Restart: finish the job with the policies of the default config.
	db = openDB(t, dbPath)
	defer db.Close()
	api := apiAdapters(t, srv.BaseURL())
	var mu sync.Mutex
	var uncertain []string
	o, err := New(db, Options{Robot: api.robot, WorkApp: api.app, OA: api.oa,
		LastSeen: func(string) (time.Time, bool) { return time.Now(), true },
		OnUncertain: func(n string, h, r int) {
			mu.Lock()
			uncertain = append(uncertain, fmt.Sprintf("%s:%d/%d", n, h, r))
			mu.Unlock()
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	if d := config.DefaultDelivery(); o.opt.UncertainUrgent != d.UncertainUrgent || o.opt.UncertainNormal != d.UncertainNormal {
		t.Fatalf("policies %s/%s", o.opt.UncertainUrgent, o.opt.UncertainNormal)
	}
	ctx, cancel := context.WithCancel(context.Background())
	stopped := make(chan struct{})
	go func() { o.Run(ctx); close(stopped) }()
	defer func() { cancel(); <-stopped }()
	settled := func(id string) bool {
		r, err := o.Report(id)
		return err == nil && r.Pending == 0
	}
	eventually(t, "every delivery sent or held", func() bool { return settled("a") && settled("b") })

	ra, rb := must(o.Report("a")), must(o.Report("b"))
	held = ra.Uncertain + rb.Uncertain
	if rb.Uncertain != 0 {
		t.Errorf("urgent notice holds %d deliveries; policy is to resend", rb.Uncertain)
	}
	for _, f := range ra.Held {
		if f.Channel == ChannelWorkApp {
			t.Errorf("app message %s held: WeCom's duplicate check makes a resend safe", f.ID)
		}
	}
	states := deliveryRecords(t, db)
	check := func(final bool) {
		for _, j := range jobs {
			for _, tg := range j.Targets {
				path, id := crashTarget(tg)
				n := srv.Delivered(path)[id]
				rec := states[j.NoticeID+"|"+tg.Channel+"/"+tg.Kind+"/"+tg.ID]
				switch {
				case n > 2 || n == 2 && !rec.Resent:
					t.Errorf("%s %s received %d copies (record %+v)", j.NoticeID, tg, n, rec)
				case n == 2 && !j.Urgent && !final:
					t.Errorf("%s %s received 2 copies before staff decided", j.NoticeID, tg)
				case n == 0 && !(rec.State == StateUncertain && !final):
					t.Errorf("%s %s never received (state %s)", j.NoticeID, tg, rec.State)
				}
			}
		}
	}
	check(false)
	for _, r := range states {
		if r.Resent {
			resent++
		}
	}
	for _, c := range srv.CallsTo(pushtest.PathAppSend) {
		if c.Duplicate {
			replayed++
		}
	}

	// Staff resend what is held; then everything has arrived.
	if held > 0 {
		if n, err := o.Resolve("a", true); err != nil || n != ra.Uncertain {
			t.Fatalf("Resolve: %d, %v (held %d)", n, err, ra.Uncertain)
		}
		eventually(t, "OnUncertain to be told of the held deliveries", func() bool {
			mu.Lock()
			defer mu.Unlock()
			return len(uncertain) > 0
		})
	}
	// (A notice the child finished was signalled by the child.)
	eventually(t, "both notices done", func() bool {
		return must(o.Report("a")).Done && must(o.Report("b")).Done
	})
	states = deliveryRecords(t, db)
	check(true)
	for _, path := range []string{pushtest.PathRobot, pushtest.PathChatSend, pushtest.PathCustomSend, pushtest.PathAppSend} {
		for _, n := range srv.Delivered(path) {
			if n == 2 {
				twice++
			}
		}
	}
	mu.Lock()
	defer mu.Unlock()
	t.Logf("killed after %d calls: %d held (%v), %d resent, %d app calls dropped as duplicates, %d targets got two copies",
		atKill, held, uncertain, resent, replayed, twice)
	return held, resent, twice, replayed
}

func must(r Report, err error) Report {
	if err != nil {
		panic(err)
	}
	return r
}

// deliveryRecords reads every delivery, keyed "notice|channel/kind/id".
func deliveryRecords(t *testing.T, db *bolt.DB) map[string]record {
	t.Helper()
	out := map[string]record{}
	if err := db.View(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketDeliveries).ForEach(func(k, v []byte) error {
			var r record
			if err := decode(k, v, &r); err != nil {
				return err
			}
			out[r.Notice+"|"+r.Channel+"/"+r.Kind+"/"+r.ID] = r
			return nil
		})
	}); err != nil {
		t.Fatal(err)
	}
	return out
}
