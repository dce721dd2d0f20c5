package bot

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/yingpu/govbot/clock"
	"github.com/yingpu/govbot/config"
	"github.com/yingpu/govbot/index"
	"github.com/yingpu/govbot/querylog"
)

const follower = "oFollowerA1b2C3d4E5f6G7h8I9j0"

var topics = []string{"防汛", "停水", "疫苗接种"}

var menu = []config.MenuItem{
	{Key: "ASK_CANTEEN", Question: "长者食堂在哪里"},
	{Key: "SUB_FLOOD", Topic: "防汛"},
}

type env struct {
	bot    *Bot
	ans    *fakeAnswerer
	subs   *fakeSubs
	qlog   *fakeLog
	clk    *clock.Fake
	hasher querylog.Hasher
	mu     sync.Mutex
	seq    int
}

func newEnv(t testing.TB) *env {
	t.Helper()
	h, err := querylog.NewHasher([]byte("test-hash-key-0123456789"))
	if err != nil {
		t.Fatal(err)
	}
	e := &env{
		ans:    &fakeAnswerer{},
		subs:   newFakeSubs(),
		qlog:   &fakeLog{},
		clk:    clock.NewFake(time.Date(2024, 7, 1, 10, 0, 0, 0, time.UTC)),
		hasher: h,
	}
	e.bot = New(Deps{
		Answerer: e.ans, Subscriptions: e.subs, QueryLog: e.qlog, Hasher: h, Clock: e.clk,
		Topics: topics, Menu: menu, Hotline: "021-12345678",
	})
	return e
}

// msg fills what WeChat always sends: platform, accounts, time, and a fresh
// MsgId for messages (not events).
func (e *env) msg(m Message) Message {
	if m.Platform == "" {
		m.Platform = OfficialAccount
	}
	if m.ToUser == "" {
		m.ToUser = "gh_0123456789ab"
	}
	if m.FromUser == "" {
		m.FromUser = follower
	}
	if m.CreateTime.IsZero() {
		m.CreateTime = e.clk.Now()
	}
	if m.MsgType != "event" && m.MsgID == "" {
		e.mu.Lock()
		e.seq++
		m.MsgID = strconv.Itoa(1000000 + e.seq)
		e.mu.Unlock()
	}
	return m
}

func (e *env) send(t *testing.T, m Message) string {
	t.Helper()
	r, err := e.bot.Handle(context.Background(), e.msg(m))
	if err != nil {
		t.Fatalf("Handle(%+v): %v", m, err)
	}
	if len(r.Text) > 2048 || !utf8.ValidString(r.Text) {
		t.Fatalf("reply of %d bytes, valid UTF-8 %v", len(r.Text), utf8.ValidString(r.Text))
	}
	return r.Text
}

func text(s string) Message { return Message{MsgType: "text", Content: s} }

func assertContains(t *testing.T, got string, wants ...string) {
	t.Helper()
	for _, w := range wants {
		if !strings.Contains(got, w) {
			t.Errorf("reply %q does not contain %q", got, w)
		}
	}
}

func eq(a, b []string) bool { return strings.Join(a, ",") == strings.Join(b, ",") }

func TestSubscriptionCommands(t *testing.T) {
	cases := []struct {
		name   string
		before []string // subscribed first
		input  string
		after  []string
		wants  []string
	}{
		{"subscribe with space", nil, "订阅 防汛", []string{"防汛"}, []string{"订阅成功：防汛", "退订 防汛"}},
		{"subscribe glued", nil, "订阅防汛", []string{"防汛"}, []string{"订阅成功：防汛"}},
		{"subscribe colon", nil, "订阅：防汛", []string{"防汛"}, []string{"订阅成功"}},
		{"subscribe full-width space", nil, "　订阅　防汛　", []string{"防汛"}, []string{"订阅成功"}},
		{"subscribe quoted", nil, "订阅“停水”", []string{"停水"}, []string{"订阅成功：停水"}},
		{"subscribe several", nil, "订阅 防汛、停水", []string{"停水", "防汛"}, []string{"订阅成功：防汛、停水"}},
		{"subscribe all", nil, "订阅 全部", []string{"停水", "疫苗接种", "防汛"}, []string{"订阅成功：防汛、停水、疫苗接种"}},
		{"subscribe again", []string{"防汛"}, "订阅 防汛", []string{"防汛"}, []string{"您已订阅过：防汛"}},
		{"subscribe nothing", nil, "订阅", nil, []string{"请告诉我要订阅的主题", "防汛、停水、疫苗接种"}},
		{"subscribe unknown", nil, "订阅 天气", nil, []string{"暂无“天气”这个通知主题", "可订阅的主题有：防汛、停水、疫苗接种"}},
		{"subscribe unknown glued", nil, "订阅天气", nil, []string{"暂无“天气”"}},
		{"subscribe mixed", nil, "订阅 防汛 天气", []string{"防汛"}, []string{"订阅成功：防汛", "暂无“天气”"}},
		{"unsubscribe", []string{"防汛", "停水"}, "退订 防汛", []string{"停水"}, []string{"已退订：防汛"}},
		{"cancel subscription", []string{"防汛"}, "取消订阅 防汛", nil, []string{"已退订：防汛"}},
		{"cancel subscription glued", []string{"防汛"}, "取消订阅防汛", nil, []string{"已退订：防汛"}},
		{"unsubscribe absent", []string{"停水"}, "退订 防汛", []string{"停水"}, []string{"您没有订阅“防汛”", "您已订阅：停水"}},
		{"unsubscribe all", []string{"防汛", "停水"}, "退订 全部", nil, []string{"已退订全部通知：停水、防汛"}},
		{"unsubscribe all none", nil, "退订全部", nil, []string{"没有订阅任何通知"}},
		{"my subscriptions", []string{"防汛", "停水"}, "我的订阅", []string{"停水", "防汛"}, []string{"您已订阅：停水、防汛"}},
		{"my subscriptions none", nil, "我的订阅", nil, []string{"您还没有订阅通知", "订阅 防汛"}},
		{"voice-style full stop", nil, "订阅防汛。", []string{"防汛"}, []string{"订阅成功：防汛"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			for _, s := range tc.before {
				e.subs.Subscribe(follower, s)
			}
			got := e.send(t, text(tc.input))
			assertContains(t, got, tc.wants...)
			if after := e.subs.topics(follower); !eq(after, tc.after) {
				t.Errorf("subscriptions after %q = %v, want %v", tc.input, after, tc.after)
			}
			if n := len(e.ans.calls()); n != 0 {
				t.Errorf("a command reached the index %d times", n)
			}
			if n := len(e.qlog.all()); n != 0 {
				t.Errorf("a command was logged as a question")
			}
		})
	}
}

func TestHelp(t *testing.T) {
	for _, in := range []string{"帮助", "?", "？", "help", "HELP", " 帮助 "} {
		e := newEnv(t)
		got := e.send(t, text(in))
		assertContains(t, got, "您可以这样使用", "发送位置", "订阅 防汛", "防汛、停水、疫苗接种", "我的订阅", "021-12345678")
		if len(e.ans.calls()) != 0 {
			t.Errorf("%q reached the index", in)
		}
	}
}

func TestQuestionsThatLookLikeCommands(t *testing.T) {
	e := newEnv(t)
	for _, q := range []string{"订阅号是什么意思", "帮助困难群众的政策有哪些", "我的订阅怎么没有收到通知？"} {
		got := e.send(t, text(q))
		if got != fakeText(q) {
			t.Errorf("%q answered %q, want it asked as a question", q, got)
		}
	}
}

func TestWorkSubscriptionsAreManagedByStaff(t *testing.T) {
	for _, in := range []string{"订阅 防汛", "退订 防汛", "我的订阅"} {
		e := newEnv(t)
		got := e.send(t, Message{Platform: Work, MsgType: "text", Content: in, FromUser: "zhangsan", AgentID: "1000002"})
		assertContains(t, got, "由街道工作人员按部门和标签统一发送")
		if s := e.subs.topics("zhangsan"); len(s) != 0 {
			t.Errorf("%q on WeCom stored %v", in, s)
		}
	}
	e := newEnv(t)
	help := e.send(t, Message{Platform: Work, MsgType: "text", Content: "帮助", FromUser: "zhangsan"})
	if strings.Contains(help, "订阅 防汛") {
		t.Errorf("WeCom help offers subscriptions: %q", help)
	}
}

func TestTextQuestion(t *testing.T) {
	e := newEnv(t)
	got := e.send(t, text("  灵活就业社保补贴怎么申请  "))
	if got != fakeText("灵活就业社保补贴怎么申请") {
		t.Errorf("reply %q", got)
	}
	calls := e.ans.calls()
	if len(calls) != 1 || calls[0].Text != "灵活就业社保补贴怎么申请" || calls[0].Geo != nil || !calls[0].Now.Equal(e.clk.Now()) {
		t.Errorf("index queries %+v", calls)
	}
}

func TestVoice(t *testing.T) {
	e := newEnv(t)
	got := e.send(t, Message{MsgType: "voice", Recognition: "长者食堂几点开饭。"})
	if got != fakeText("长者食堂几点开饭") {
		t.Errorf("voice reply %q", got)
	}
	rec := e.qlog.all()
	if len(rec) != 1 || rec[0].Kind != "voice" || rec[0].Q != "长者食堂几点开饭" {
		t.Errorf("voice log %+v", rec)
	}

	for _, r := range []string{"", "   "} {
		e := newEnv(t)
		got := e.send(t, Message{MsgType: "voice", Recognition: r})
		assertContains(t, got, "没能识别您的语音", "输入文字")
		if len(e.ans.calls()) != 0 || len(e.qlog.all()) != 0 {
			t.Errorf("unrecognized voice was asked or logged")
		}
	}

	e = newEnv(t)
	e.send(t, Message{MsgType: "voice", Recognition: "订阅防汛。"})
	if !eq(e.subs.topics(follower), []string{"防汛"}) {
		t.Errorf("voice command not applied: %v", e.subs.topics(follower))
	}
}

// Yingpu subdistrict office, roughly (WGS-84), and the same place as
// Tencent Maps reports it (GCJ-02).
var (
	officeWGS = index.Point{Lat: 31.1512, Lon: 121.1183}
	officeGCJ = wgsToGCJ(officeWGS)
)

func near(a, b index.Point, km float64) bool { return haversineKm(a, b) < km }

func TestBareLocation(t *testing.T) {
	e := newEnv(t)
	got := e.send(t, Message{MsgType: "location", Lat: officeGCJ.Lat, Lon: officeGCJ.Lon, Label: "上海市青浦区盈浦街道"})
	if got != fakeText("") {
		t.Errorf("reply %q", got)
	}
	calls := e.ans.calls()
	if len(calls) != 1 || calls[0].Text != "" || calls[0].Geo == nil {
		t.Fatalf("index queries %+v", calls)
	}
	// The disclosures' coordinates are GCJ-02 by default, like the message.
	if *calls[0].Geo != officeGCJ {
		t.Errorf("location passed as %+v, want it unchanged %+v", *calls[0].Geo, officeGCJ)
	}
	rec := e.qlog.all()
	if len(rec) != 1 || rec[0].Kind != "location" || rec[0].Q != "" || !rec[0].Geo {
		t.Errorf("location log %+v", rec)
	}
	if b, _ := json.Marshal(rec[0]); strings.Contains(string(b), "31.15") {
		t.Errorf("the location itself was logged: %s", b)
	}
}

// With disclosures in GPS coordinates (search.datum wgs84), a location
// message (GCJ-02) is converted and a LOCATION event (GPS) is not.
func TestLocationDatumWGS84(t *testing.T) {
	e := newEnv(t)
	e.bot = New(Deps{Answerer: e.ans, Subscriptions: e.subs, QueryLog: e.qlog, Hasher: e.hasher, Clock: e.clk, WGS84: true})
	e.send(t, Message{MsgType: "location", Lat: officeGCJ.Lat, Lon: officeGCJ.Lon})
	c := e.ans.calls()
	if len(c) != 1 || c[0].Geo == nil || !near(*c[0].Geo, officeWGS, 0.005) {
		t.Fatalf("location message passed as %+v, want WGS-84 %+v", c, officeWGS)
	}
	e.send(t, Message{MsgType: "event", Event: "LOCATION", FromUser: "oGPS", Lat: officeWGS.Lat, Lon: officeWGS.Lon})
	e.send(t, Message{MsgType: "text", Content: "附近的长者食堂", FromUser: "oGPS"})
	c = e.ans.calls()
	if c[len(c)-1].Geo == nil || *c[len(c)-1].Geo != officeWGS {
		t.Fatalf("LOCATION event passed as %+v, want %+v unchanged", c[len(c)-1].Geo, officeWGS)
	}
}

func TestBadLocation(t *testing.T) {
	e := newEnv(t)
	got := e.send(t, Message{MsgType: "location", Lat: 0, Lon: 0})
	assertContains(t, got, "没能读取您发送的位置")
	if len(e.ans.calls()) != 0 {
		t.Error("bad location asked")
	}
}

func TestPendingPlaceQuestion(t *testing.T) {
	e := newEnv(t)
	got := e.send(t, text("附近的长者食堂"))
	assertContains(t, got, "答：附近的长者食堂", "发送您的位置")
	if c := e.ans.calls(); c[0].Geo != nil {
		t.Errorf("first ask had geo %+v", c[0].Geo)
	}
	e.clk.Advance(9 * time.Minute)
	got = e.send(t, Message{MsgType: "location", Lat: officeGCJ.Lat, Lon: officeGCJ.Lon})
	if got != fakeText("附近的长者食堂") {
		t.Errorf("location after the question answered %q", got)
	}
	c := e.ans.calls()
	if len(c) != 2 || c[1].Text != "附近的长者食堂" || c[1].Geo == nil || !near(*c[1].Geo, officeGCJ, 0.005) {
		t.Errorf("second ask %+v", c[1])
	}
	// The pending question was used up: another location is a bare one.
	e.send(t, Message{MsgType: "location", Lat: officeGCJ.Lat, Lon: officeGCJ.Lon})
	if c := e.ans.calls(); c[2].Text != "" {
		t.Errorf("pending question reused: %+v", c[2])
	}
	// Another follower's location does not answer this follower's question.
	e.send(t, text("哪里有托育机构"))
	e.send(t, Message{MsgType: "location", FromUser: "oOther", Lat: officeGCJ.Lat, Lon: officeGCJ.Lon})
	if c := e.ans.calls(); c[len(c)-1].Text != "" {
		t.Errorf("another follower got the pending question: %+v", c[len(c)-1])
	}
}

func TestPendingPlaceQuestionExpires(t *testing.T) {
	e := newEnv(t)
	e.send(t, text("最近的避难场所在哪"))
	e.clk.Advance(11 * time.Minute)
	e.send(t, Message{MsgType: "location", Lat: officeGCJ.Lat, Lon: officeGCJ.Lon})
	if c := e.ans.calls(); c[1].Text != "" {
		t.Errorf("expired pending question used: %+v", c[1])
	}
}

func TestRecentLocationIsPassedAlong(t *testing.T) {
	e := newEnv(t)
	// The LOCATION event: silent, remembered (GPS coordinates, brought to
	// the disclosures' GCJ-02).
	got := e.send(t, Message{MsgType: "event", Event: "LOCATION", Lat: officeWGS.Lat, Lon: officeWGS.Lon})
	if got != "" {
		t.Errorf("LOCATION event replied %q", got)
	}
	if len(e.ans.calls()) != 0 {
		t.Error("LOCATION event asked the index")
	}
	e.clk.Advance(5 * time.Minute)
	got = e.send(t, text("附近的长者食堂"))
	if strings.Contains(got, "发送您的位置") {
		t.Errorf("asked for a location it already has: %q", got)
	}
	c := e.ans.calls()
	if c[0].Geo == nil || !near(*c[0].Geo, officeGCJ, 0.005) {
		t.Errorf("recent location not passed: %+v", c[0])
	}
	// A question that is not about a place does not carry it.
	e.send(t, text("宠物狗怎么办证"))
	if c := e.ans.calls(); c[1].Geo != nil {
		t.Errorf("location passed with a question not about places: %+v", c[1])
	}
	e.clk.Advance(6 * time.Minute)
	e.send(t, text("最近的长者食堂"))
	if c := e.ans.calls(); c[2].Geo != nil {
		t.Errorf("stale location passed: %+v", c[2].Geo)
	}
	// A location message is remembered too.
	e.send(t, Message{MsgType: "location", Lat: officeGCJ.Lat, Lon: officeGCJ.Lon})
	e.send(t, text("托育机构在哪里"))
	if c := e.ans.calls(); c[4].Geo == nil {
		t.Error("location message not remembered")
	}
}

func TestWelcome(t *testing.T) {
	e := newEnv(t)
	got := e.send(t, Message{MsgType: "event", Event: "subscribe", EventKey: "qrscene_123"})
	assertContains(t, got, "欢迎关注", "就业", "社保救助", "养老助餐", "托育", "应急预警", "办事指南",
		"可订阅的主题有：防汛、停水、疫苗接种", "订阅 防汛", "发送位置", "021-12345678")
	if tc := e.subs.touched(); len(tc) != 1 {
		t.Errorf("follow did not record the last interaction: %v", tc)
	}
}

func TestUnsubscribeEventForgets(t *testing.T) {
	e := newEnv(t)
	e.subs.Subscribe(follower, "防汛")
	e.subs.Subscribe(follower, "停水")
	e.subs.Subscribe("oOther", "防汛")
	e.send(t, text("附近的长者食堂")) // pending question
	got := e.send(t, Message{MsgType: "event", Event: "unsubscribe"})
	if got != "" {
		t.Errorf("unsubscribe event replied %q", got)
	}
	if s := e.subs.topics(follower); len(s) != 0 {
		t.Errorf("subscriptions left after unfollow: %v", s)
	}
	if !eq(e.subs.topics("oOther"), []string{"防汛"}) {
		t.Error("another follower lost subscriptions")
	}
	if len(e.subs.forgot) != 1 || e.subs.forgot[0] != follower {
		t.Errorf("Forget calls %v", e.subs.forgot)
	}
	e.send(t, Message{MsgType: "location", Lat: officeGCJ.Lat, Lon: officeGCJ.Lon})
	if c := e.ans.calls(); c[len(c)-1].Text != "" {
		t.Error("pending question survived the unfollow")
	}
}

func TestMenuClick(t *testing.T) {
	e := newEnv(t)
	got := e.send(t, Message{MsgType: "event", Event: "CLICK", EventKey: "ASK_CANTEEN"})
	if got != fakeText("长者食堂在哪里")+locationTip {
		t.Errorf("CLICK question reply %q", got)
	}
	if rec := e.qlog.all(); len(rec) != 1 || rec[0].Kind != "click" || rec[0].Q != "长者食堂在哪里" {
		t.Errorf("CLICK log %+v", rec)
	}
	got = e.send(t, Message{MsgType: "event", Event: "CLICK", EventKey: "SUB_FLOOD", CreateTime: e.clk.Now().Add(time.Second)})
	assertContains(t, got, "订阅成功：防汛")
	if !eq(e.subs.topics(follower), []string{"防汛"}) {
		t.Errorf("CLICK topic not subscribed: %v", e.subs.topics(follower))
	}
	got = e.send(t, Message{MsgType: "event", Event: "CLICK", EventKey: "NO_SUCH_KEY"})
	assertContains(t, got, "您可以这样使用")
	got = e.send(t, Message{MsgType: "event", Event: "VIEW", EventKey: "https://example.org/"})
	if got != "" {
		t.Errorf("VIEW replied %q", got)
	}
	// WeCom sends lower-case event names.
	got = e.send(t, Message{Platform: Work, MsgType: "event", Event: "click", EventKey: "ASK_CANTEEN", FromUser: "zhangsan"})
	assertContains(t, got, "答：长者食堂在哪里")
}

func TestOtherMessageTypes(t *testing.T) {
	for _, typ := range []string{"image", "video", "shortvideo", "link", "file", "miniprogrampage", "something-new"} {
		e := newEnv(t)
		got := e.send(t, Message{MsgType: typ})
		assertContains(t, got, "文字、语音和位置")
		if len(e.ans.calls()) != 0 || len(e.qlog.all()) != 0 {
			t.Errorf("%s reached the index or the log", typ)
		}
	}
	e := newEnv(t)
	for _, ev := range []string{"SCAN", "enter_agent", "TEMPLATESENDJOBFINISH", "MASSSENDJOBFINISH"} {
		if got := e.send(t, Message{MsgType: "event", Event: ev}); got != "" {
			t.Errorf("event %s replied %q", ev, got)
		}
	}
}

func TestEmptyText(t *testing.T) {
	e := newEnv(t)
	got := e.send(t, text("　 "))
	assertContains(t, got, "您可以这样使用")
}

func TestTouch(t *testing.T) {
	e := newEnv(t)
	sent := e.clk.Now().Add(-2 * time.Second)
	e.send(t, Message{MsgType: "image", CreateTime: sent})
	tc := e.subs.touched()
	if len(tc) != 1 || tc[0].openid != follower || tc[0].platform != "oa" || !tc[0].at.Equal(sent) {
		t.Fatalf("touches %+v", tc)
	}
	// A future CreateTime (skewed) is clamped to now.
	e.send(t, textAt("你好", e.clk.Now().Add(time.Hour)))
	if tc := e.subs.touched(); !tc[1].at.Equal(e.clk.Now()) {
		t.Errorf("future time recorded: %v", tc[1].at)
	}
	n := len(e.subs.touched())
	for _, ev := range []string{"VIEW", "LOCATION", "unsubscribe", "TEMPLATESENDJOBFINISH"} {
		e.send(t, Message{MsgType: "event", Event: ev, Lat: 31.1, Lon: 121.1})
	}
	if got := len(e.subs.touched()); got != n {
		t.Errorf("events that do not open the 48-hour window were recorded: %+v", e.subs.touched()[n:])
	}
	e.send(t, Message{MsgType: "event", Event: "CLICK", EventKey: "ASK_CANTEEN"})
	if got := len(e.subs.touched()); got != n+1 {
		t.Error("menu click not recorded")
	}
	e.send(t, Message{Platform: Work, MsgType: "text", Content: "你好", FromUser: "zhangsan"})
	if got := len(e.subs.touched()); got != n+1 {
		t.Error("WeCom message recorded (no 48-hour rule there)")
	}
}

func textAt(s string, at time.Time) Message {
	return Message{MsgType: "text", Content: s, CreateTime: at}
}

func TestQueryLogRecord(t *testing.T) {
	e := newEnv(t)
	e.ans.answer = func(q index.Query) (index.Answer, error) {
		var hits []index.Hit
		for i := range 8 {
			hits = append(hits, index.Hit{ID: fmt.Sprintf("doc-%d", i), Score: 0.9 - float64(i)/10})
		}
		return index.Answer{Answered: false, Decline: index.DeclineLowScore, Hits: hits}, nil
	}
	e.send(t, text("电动车充电桩在哪里"))
	recs := e.qlog.all()
	if len(recs) != 1 {
		t.Fatalf("%d records", len(recs))
	}
	r := recs[0]
	if r.SenderHash != e.hasher.Hash(follower) || r.SenderHash == follower {
		t.Errorf("sender hash %q", r.SenderHash)
	}
	if !r.At.Equal(e.clk.Now()) || r.Platform != "oa" || r.Kind != "text" || r.Q != "电动车充电桩在哪里" || r.Answered || r.Error {
		t.Errorf("record %+v", r)
	}
	if len(r.Hits) != 5 || r.Hits[0] != (querylog.Hit{ID: "doc-0", Score: 0.9}) || r.Hits[4].ID != "doc-4" {
		t.Errorf("hits %+v", r.Hits)
	}
	b, _ := json.Marshal(r)
	if strings.Contains(string(b), follower) {
		t.Errorf("openid in the log: %s", b)
	}
	// WeCom platform is recorded.
	e.send(t, Message{Platform: Work, MsgType: "text", Content: "垃圾分类", FromUser: "zhangsan"})
	if r := e.qlog.all()[1]; r.Platform != "work" || r.SenderHash != e.hasher.Hash("zhangsan") {
		t.Errorf("WeCom record %+v", r)
	}
}

func TestAnswererFailure(t *testing.T) {
	e := newEnv(t)
	e.ans.answer = func(index.Query) (index.Answer, error) { return index.Answer{}, errors.New("index closed") }
	got := e.send(t, text("长者食堂"))
	assertContains(t, got, "系统暂时无法回答", "021-12345678")
	if r := e.qlog.all(); len(r) != 1 || !r[0].Error || r[0].Answered {
		t.Errorf("failure record %+v", r)
	}
}

func TestStoreFailure(t *testing.T) {
	e := newEnv(t)
	e.subs.fail = true
	got := e.send(t, text("订阅 防汛"))
	assertContains(t, got, "订阅操作暂时没有成功")
}

func TestReplyLimit(t *testing.T) {
	long := strings.Repeat("长者食堂提供老年助餐服务。", 300) // ~11 KB
	for _, max := range []int{0, 2048, 300} {
		e := newEnv(t)
		e.bot = New(Deps{Answerer: e.ans, Subscriptions: e.subs, QueryLog: e.qlog, Hasher: e.hasher, Clock: e.clk, MaxReplyBytes: max})
		e.ans.answer = func(index.Query) (index.Answer, error) {
			return index.Answer{Answered: true, Hits: []index.Hit{{ID: "doc-1", Title: "长者食堂", Department: "测试办", URL: "https://gk.example/1", Passage: &index.Passage{Text: long}}}}, nil
		}
		limit := max
		if limit == 0 {
			limit = 2048
		}
		for _, q := range []string{"长者食堂", "附近的长者食堂"} {
			got := e.send(t, text(q))
			if len(got) > limit || len(got) < limit-8 || !utf8.ValidString(got) {
				t.Errorf("max %d, %q: reply of %d bytes (valid %v)", max, q, len(got), utf8.ValidString(got))
			}
			if strings.Contains(q, "附近") && limit >= 2048 && !strings.HasSuffix(got, locationTip) {
				t.Errorf("max %d: tip cut off", max)
			}
		}
	}
}

func TestFit(t *testing.T) {
	for _, tc := range []struct {
		in   string
		max  int
		want string
	}{
		{"短", 10, "短"},
		{"一二三四五", 10, "一二…"}, // 3+3+3 = 9 > 7 bytes room → 2 runes + …
		{"abcdefgh", 7, "abcd…"},
		{"abcdef", 4, "abcd"},
		{"abc", 2, "ab"},
	} {
		if got := fit(tc.in, tc.max); got != tc.want || len(got) > tc.max {
			t.Errorf("fit(%q, %d) = %q, want %q", tc.in, tc.max, got, tc.want)
		}
	}
}

func TestRetrySameReplyActedOnce(t *testing.T) {
	e := newEnv(t)
	m := e.msg(text("订阅 防汛"))
	r1, _ := e.bot.Handle(context.Background(), m)
	r2, _ := e.bot.Handle(context.Background(), m)
	if r1 != r2 {
		t.Errorf("retry reply %q, first %q", r2.Text, r1.Text)
	}
	assertContains(t, r2.Text, "订阅成功")

	q := e.msg(text("长者食堂"))
	for range 4 {
		if r, _ := e.bot.Handle(context.Background(), q); r.Text != fakeText("长者食堂") {
			t.Errorf("retry reply %q", r.Text)
		}
	}
	if n := len(e.ans.calls()); n != 1 {
		t.Errorf("index asked %d times for one question", n)
	}
	if n := len(e.qlog.all()); n != 1 {
		t.Errorf("question logged %d times", n)
	}
	// A new MsgId with the same text is a new question.
	e.send(t, text("长者食堂"))
	if n := len(e.ans.calls()); n != 2 {
		t.Errorf("new message not asked: %d", n)
	}
	// Past the dedupe window the same MsgId is processed again.
	e.clk.Advance(2 * time.Minute)
	e.bot.Handle(context.Background(), q)
	if n := len(e.ans.calls()); n != 3 {
		t.Errorf("MsgId remembered past the window: %d calls", n)
	}
}

func TestEventRetryDedupe(t *testing.T) {
	e := newEnv(t)
	click := e.msg(Message{MsgType: "event", Event: "CLICK", EventKey: "ASK_CANTEEN"})
	e.bot.Handle(context.Background(), click)
	e.bot.Handle(context.Background(), click)
	if n := len(e.ans.calls()); n != 1 {
		t.Errorf("event retry asked %d times", n)
	}
	// Same sender and second, different event: both handled.
	sub := click
	sub.EventKey = "SUB_FLOOD"
	r, _ := e.bot.Handle(context.Background(), sub)
	assertContains(t, r.Text, "订阅成功：防汛")
	// Same event, another second: a new click.
	later := click
	later.CreateTime = click.CreateTime.Add(time.Second)
	e.bot.Handle(context.Background(), later)
	if n := len(e.ans.calls()); n != 2 {
		t.Errorf("new click not handled: %d calls", n)
	}
	// Another follower, same second.
	other := click
	other.FromUser = "oOther"
	e.bot.Handle(context.Background(), other)
	if n := len(e.ans.calls()); n != 3 {
		t.Errorf("another follower's click deduped: %d calls", n)
	}
	if n := len(e.subs.touched()); n != 4 {
		t.Errorf("%d touches for 4 distinct events", n)
	}
}

func TestConcurrentRetriesWaitForFirst(t *testing.T) {
	e := newEnv(t)
	e.ans.entered = make(chan struct{}, 1)
	e.ans.gate = make(chan struct{})
	m := e.msg(text("长者食堂"))
	const n = 4
	replies := make([]Reply, n)
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		replies[0], _ = e.bot.Handle(context.Background(), m)
	}()
	<-e.ans.entered // the first attempt is inside the index
	for i := 1; i < n; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			replies[i], _ = e.bot.Handle(context.Background(), m)
		}()
	}
	close(e.ans.gate)
	wg.Wait()
	for i, r := range replies {
		if r.Text != fakeText("长者食堂") {
			t.Errorf("reply %d = %q", i, r.Text)
		}
	}
	if c := len(e.ans.calls()); c != 1 {
		t.Errorf("index asked %d times", c)
	}
	if c := len(e.qlog.all()); c != 1 {
		t.Errorf("logged %d times", c)
	}
}

func TestRetryWaiterGivesUpWithItsContext(t *testing.T) {
	e := newEnv(t)
	e.ans.entered = make(chan struct{}, 1)
	e.ans.gate = make(chan struct{})
	m := e.msg(text("长者食堂"))
	done := make(chan Reply)
	go func() {
		r, _ := e.bot.Handle(context.Background(), m)
		done <- r
	}()
	<-e.ans.entered
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := e.bot.Handle(ctx, m); !errors.Is(err, context.Canceled) {
		t.Errorf("waiting retry with a cancelled context: %v", err)
	}
	close(e.ans.gate)
	if r := <-done; r.Text != fakeText("长者食堂") {
		t.Errorf("first attempt %q", r.Text)
	}
	// The finished result is still served to a later retry.
	if r, _ := e.bot.Handle(context.Background(), m); r.Text != fakeText("长者食堂") {
		t.Errorf("later retry %q", r.Text)
	}
}

func TestFirstAttemptSurvivesItsCancellation(t *testing.T) {
	// WeChat gives up on a slow first attempt after 5 s; the work goes on
	// and the retry gets its answer.
	e := newEnv(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	m := e.msg(text("长者食堂"))
	r, err := e.bot.Handle(ctx, m)
	if err != nil || r.Text != fakeText("长者食堂") {
		t.Errorf("cancelled first attempt: %q, %v", r.Text, err)
	}
}

func TestMessageWithoutSender(t *testing.T) {
	e := newEnv(t)
	if _, err := e.bot.Handle(context.Background(), Message{Platform: OfficialAccount, MsgType: "text", Content: "x", MsgID: "1"}); err == nil {
		t.Error("message without sender accepted")
	}
}

func TestNewPanicsOnMissingDeps(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Error("New without an Answerer did not panic")
		}
	}()
	New(Deps{})
}

func TestGCJRoundTrip(t *testing.T) {
	for _, p := range []index.Point{officeWGS, {Lat: 31.2304, Lon: 121.4737}, {Lat: 39.9042, Lon: 116.4074}} {
		g := wgsToGCJ(p)
		d := haversineKm(p, g)
		if d < 0.1 || d > 1.0 {
			t.Errorf("GCJ offset at %+v is %.3f km", p, d)
		}
		back := gcjToWGS(g)
		if math.Abs(back.Lat-p.Lat) > 1e-7 || math.Abs(back.Lon-p.Lon) > 1e-7 {
			t.Errorf("round trip %+v → %+v", p, back)
		}
	}
	// Published reference value for Shanghai (WGS-84 → GCJ-02).
	g := wgsToGCJ(index.Point{Lat: 31.1774276, Lon: 121.5272106})
	if math.Abs(g.Lat-31.17530398364597) > 1e-6 || math.Abs(g.Lon-121.531541859215) > 1e-6 {
		t.Errorf("wgsToGCJ reference = %+v", g)
	}
	// Outside China nothing changes.
	if p := (index.Point{Lat: 48.8566, Lon: 2.3522}); gcjToWGS(p) != p {
		t.Error("converted a point outside China")
	}
}
