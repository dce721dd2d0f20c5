package outbox

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/yingpu/govbot/clock"
	"github.com/yingpu/govbot/push"
	"github.com/yingpu/govbot/push/pushtest"
	bolt "go.etcd.io/bbolt"
)

// rig is the real push adapters against the fake WeChat/WeCom server.
type rig struct {
	srv   *pushtest.Server
	robot *push.RobotClient
	app   *push.WorkAppClient
	oa    *push.OfficialAccountClient
}

func newRig(tb testing.TB, c clock.Clock) rig {
	tb.Helper()
	srv := pushtest.NewServer(tb, pushtest.WithClock(c))
	// The server refuses a robot's 21st message within a minute, as WeCom does.
	srv.SetRobotRateLimit(20, time.Minute)
	api := push.API{BaseURL: srv.BaseURL(), Clock: c}
	robot, err := push.NewRobot(push.RobotOptions{API: api})
	if err != nil {
		tb.Fatal(err)
	}
	app, err := push.NewWorkApp(push.WorkAppOptions{API: api, CorpID: "ww0001", Secret: "work-secret", AgentID: "1000002"})
	if err != nil {
		tb.Fatal(err)
	}
	oa, err := push.NewOfficialAccount(push.OfficialAccountOptions{
		API: api, AppID: "wx0001", AppSecret: "oa-secret",
		Template: push.Template{ID: "tpl-notice", TitleField: "first", BodyField: "keyword1", Fixed: map[string]string{"remark": "盈浦街道办事处"}},
	})
	if err != nil {
		tb.Fatal(err)
	}
	return rig{srv: srv, robot: robot, app: app, oa: oa}
}

// newRigOutbox is an Outbox sending through r on the virtual clock c.
func newRigOutbox(tb testing.TB, db *bolt.DB, c *vclock, r rig, opts Options, done chan<- string) *Outbox {
	tb.Helper()
	opts.Robot, opts.WorkApp, opts.OA = r.robot, r.app, r.oa
	opts.Clock, opts.Wait = c, c.Wait
	opts.OnDone = func(n string) { done <- n }
	o, err := New(db, opts)
	if err != nil {
		tb.Fatal(err)
	}
	c.setWorkers(o.workerCount())
	return o
}

// robotWindowCheck returns the most calls accepted by one robot key
// within any minute, and how many calls the server refused with 45009.
func robotWindowCheck(srv *pushtest.Server) (worst, refused int) {
	var rs []receipt
	for _, call := range srv.CallsTo(pushtest.PathRobot) {
		if call.Errcode == pushtest.CodeRateLimit {
			refused++
		}
		rs = append(rs, receipt{Channel: ChannelRobot, ID: call.Key, At: call.Time})
	}
	_, worst = maxInWindow(rs, time.Minute)
	return worst, refused
}

func TestThroughPushAdapters(t *testing.T) {
	db, _ := tempDB(t)
	c := newVClock(true)
	r := newRig(t, c)
	r.srv.InvalidUsers("Bad1", "bad2")
	r.srv.FailRecipient("o-gone", 43004)
	r.srv.FailNext(pushtest.PathChatSend, -1, 2) // system busy, twice
	done := make(chan string, 100)
	recent := c.Now().Add(-time.Hour)
	o := newRigOutbox(t, db, c, r, Options{LastSeen: func(id string) (time.Time, bool) {
		return recent, strings.HasPrefix(id, "o-recent")
	}}, done)

	users := targets(ChannelWorkApp, KindUser, "User", 1200)
	users = append(users, Target{ChannelWorkApp, KindUser, "Bad1"}, Target{ChannelWorkApp, KindUser, "bad2"})
	var ts []Target
	ts = append(ts, users...)
	ts = append(ts, targets(ChannelWorkApp, KindDept, "", 3)...)
	ts = append(ts, targets(ChannelWorkChat, KindChat, "chat", 4)...)
	ts = append(ts, targets(ChannelOA, KindFollower, "o-recent", 3)...)
	ts = append(ts, targets(ChannelOA, KindFollower, "o-old", 3)...)
	ts = append(ts, Target{ChannelOA, KindFollower, "o-gone"})
	var ids []string
	if err := db.Update(func(tx *bolt.Tx) error {
		ids = append(ids, "main")
		if err := o.Enqueue(tx, Job{NoticeID: "main", Title: "燃气检修", Body: "周三上午燃气检修，请提前储水。", Targets: ts}); err != nil {
			return err
		}
		for i := range 25 {
			id := fmt.Sprintf("robot-%02d", i)
			ids = append(ids, id)
			if err := o.Enqueue(tx, Job{NoticeID: id, Title: "通知 " + id, Body: "内容", Markdown: true,
				Targets: []Target{{ChannelRobot, KindRobot, "robot-key-1"}}}); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	h := &harness{t: t, o: o, done: done}
	h.run()
	h.waitDone(ids...)

	var wantUsers []string
	for _, u := range users[:1200] {
		wantUsers = append(wantUsers, u.ID)
	}
	wantUsers = append(wantUsers, "party:0", "party:1", "party:2")
	r.srv.AssertDeliveredOnce(pushtest.PathAppSend, wantUsers...)
	r.srv.AssertCount(pushtest.PathAppSend, 2)
	r.srv.AssertDeliveredOnce(pushtest.PathChatSend, "chat0", "chat1", "chat2", "chat3")
	r.srv.AssertDeliveredOnce(pushtest.PathCustomSend, "o-recent0", "o-recent1", "o-recent2")
	r.srv.AssertDeliveredOnce(pushtest.PathTemplateSend, "o-old0", "o-old1", "o-old2")
	if got := r.srv.Delivered(pushtest.PathRobot)["robot-key-1"]; got != 25 {
		t.Errorf("robot delivered %d, want 25", got)
	}
	if worst, refused := robotWindowCheck(r.srv); worst > 20 || refused > 0 {
		t.Errorf("robot: %d within a minute, %d refused with 45009", worst, refused)
	}

	rep := h.report("main")
	if rep.Sent != 1200+3+4+6 || rep.Failed != 3 || rep.Pending != 0 || !rep.Done {
		t.Errorf("report %+v", rep)
	}
	fails := map[string]Failure{}
	for _, f := range rep.Failures {
		fails[f.ID] = f
	}
	if fails["Bad1"].Reason != "invaliduser" || fails["bad2"].Reason != "invaliduser" {
		t.Errorf("invalid users: %+v", fails)
	}
	if fails["o-gone"].Code != 43004 {
		t.Errorf("unfollowed: %+v", fails["o-gone"])
	}
}
