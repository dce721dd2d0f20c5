package bot

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/yingpu/govbot/querylog"
)

// convEnv is a Bot over testLibrary, as a follower meets it.
func convEnv(t *testing.T) (*env, *fakeLibrary) {
	t.Helper()
	e := newEnv(t)
	lib := testLibrary()
	e.bot = New(Deps{
		Answerer: lib, Subscriptions: e.subs, QueryLog: e.qlog, Hasher: e.hasher, Clock: e.clk,
		Topics: topics, Menu: menu, Hotline: "021-12345678", Related: 2,
		Conversation: ConversationOptions{ClarifyMargin: -1},
	})
	return e, lib
}

func TestBotConversationIsLoggedWithFeedback(t *testing.T) {
	e, _ := convEnv(t)
	e.send(t, text("低保申请"))
	got := e.send(t, text("电话多少"))
	assertContains(t, got, "021-59280000")
	e.send(t, text("谢谢"))
	e.send(t, text("不对"))
	e.send(t, text("有用"))
	recs := e.qlog.all()
	if len(recs) != 3 {
		t.Fatalf("%d records, want 2 questions and the feedback (no courtesy, nothing about a refused answer): %+v", len(recs), recs)
	}
	q, f, bad := recs[0], recs[1], recs[2]
	if q.Turn != TurnAnswer || !q.Answered || q.Answer != "guide" || q.Confidence <= 0 || q.Q != "低保申请" || q.Kind != "text" {
		t.Errorf("question record %+v", q)
	}
	if f.Turn != TurnFollowUp || f.Answer != "guide" || f.Q != "电话多少" {
		t.Errorf("follow-up record %+v", f)
	}
	if bad.Turn != TurnFeedback || bad.Feedback != querylog.FeedbackWrong || bad.Q != "电话多少" || bad.Answer != "guide" || bad.Confidence != f.Confidence {
		t.Errorf("feedback record %+v", bad)
	}
	for _, r := range recs {
		if r.SenderHash == "" || strings.Contains(r.SenderHash, follower) {
			t.Errorf("sender not hashed: %+v", r)
		}
	}
}

func TestBotConversationPerFollowerAndPlatform(t *testing.T) {
	e, _ := convEnv(t)
	first := e.send(t, text("长者食堂在哪里"))
	assertContains(t, first, "2. ", "3. ")
	// Another follower, and the same id on WeCom, have no choices.
	if got := e.send(t, Message{MsgType: "text", Content: "2", FromUser: "oAnother"}); got != noChoicesText {
		t.Errorf("another follower's 2: %q", got)
	}
	if got := e.send(t, Message{Platform: Work, ToUser: "corp", MsgType: "text", Content: "2"}); got != noChoicesText {
		t.Errorf("WeCom's 2: %q", got)
	}
	// A retried "2" is picked once and answered the same.
	m := e.msg(text("2"))
	r1, _ := e.bot.Handle(context.Background(), m)
	e.clk.Advance(5 * time.Second)
	r2, _ := e.bot.Handle(context.Background(), m)
	if r1.Text != r2.Text || !strings.Contains(r1.Text, "【") {
		t.Errorf("retry of 2:\n%s\n---\n%s", r1.Text, r2.Text)
	}
	// Unfollowing forgets the conversation.
	e.send(t, Message{MsgType: "event", Event: "unsubscribe"})
	if got := e.send(t, text("3")); got != noChoicesText {
		t.Errorf("3 after unfollow: %q", got)
	}
}

func TestBotPlaceFollowUpDoesNotAskForLocation(t *testing.T) {
	e, _ := convEnv(t)
	assertContains(t, e.send(t, text("长者食堂在哪里")), "发送您的位置")
	// 在哪里办 continues the matter: its place is in the answer.
	e.send(t, text("低保申请"))
	got := e.send(t, text("在哪里办"))
	if strings.Contains(got, "发送您的位置") {
		t.Errorf("a follow-up asked for a location:\n%s", got)
	}
}
