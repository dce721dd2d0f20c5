package push_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/yingpu/govbot/push"
	"github.com/yingpu/govbot/push/pushtest"
)

func TestRobotSendsTextAndMarkdown(t *testing.T) {
	srv := pushtest.NewServer(t)
	r := newRobot(t, srv)
	ctx := context.Background()
	if err := r.SendRobot(ctx, "key-a", push.Message{Title: "停水通知", Body: "明日9时至12时停水。"}); err != nil {
		t.Fatal(err)
	}
	if err := r.SendRobot(ctx, "key-b", push.Message{Title: "停电通知", Body: "- 时间：周六\n- 范围：盈浦街道", Markdown: true}); err != nil {
		t.Fatal(err)
	}
	calls := srv.CallsTo(pushtest.PathRobot)
	if len(calls) != 2 {
		t.Fatalf("%d robot calls, want 2", len(calls))
	}
	if c := calls[0]; c.Key != "key-a" || c.MsgType != "text" || c.Content != "停水通知\n\n明日9时至12时停水。" {
		t.Errorf("first call %+v", c)
	}
	if c := calls[1]; c.Key != "key-b" || c.MsgType != "markdown" || c.Content != "**停电通知**\n\n- 时间：周六\n- 范围：盈浦街道" {
		t.Errorf("second call %+v", c)
	}
	if srv.TokenFetches() != 0 {
		t.Errorf("robot fetched %d access tokens, want none", srv.TokenFetches())
	}
	srv.AssertRobotCalls("key-a", 1)
	srv.AssertDeliveredOnce(pushtest.PathRobot, "key-a", "key-b")
}

// WeCom answers HTTP 200 with a non-zero errcode for a bad key; silenceper's
// RobotBroadcast returns a nil error then. The adapter must not.
func TestRobotErrcodeInOKAnswerIsAnError(t *testing.T) {
	srv := pushtest.NewServer(t)
	r := newRobot(t, srv)
	srv.FailRecipient("bad-key", push.CodeInvalidRobotKey)
	err := r.SendRobot(context.Background(), "bad-key", push.Message{Body: "测试"})
	pe := wantError(t, err, 93000, false)
	if !strings.Contains(pe.Error(), "93000") {
		t.Errorf("message %q does not name the errcode", pe.Error())
	}
	srv.AssertDeliveredOnce(pushtest.PathRobot)
}

func TestRobotRateLimitIsTransient(t *testing.T) {
	srv := pushtest.NewServer(t)
	r := newRobot(t, srv)
	srv.SetRobotRateLimit(2, 60_000_000_000)
	ctx := context.Background()
	m := push.Message{Body: "通知"}
	for i := range 2 {
		if err := r.SendRobot(ctx, "k", m); err != nil {
			t.Fatalf("send %d: %v", i, err)
		}
	}
	wantError(t, r.SendRobot(ctx, "k", m), 45009, true)
}

func TestRobotLimitsCheckedBeforeCalling(t *testing.T) {
	srv := pushtest.NewServer(t)
	r := newRobot(t, srv)
	ctx := context.Background()
	cases := []struct {
		name string
		key  string
		m    push.Message
		want error
	}{
		{"text over 2048 bytes", "k", push.Message{Body: strings.Repeat("字", 683)}, push.ErrTooLong}, // 2049 bytes
		{"markdown over 4096 bytes", "k", push.Message{Body: strings.Repeat("a", 4097), Markdown: true}, push.ErrTooLong},
		{"empty message", "k", push.Message{Title: " ", Body: "\n"}, push.ErrBadInput},
		{"empty key", "", push.Message{Body: "x"}, push.ErrBadInput},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := r.SendRobot(ctx, c.key, c.m)
			if !errors.Is(err, c.want) {
				t.Fatalf("error %v, want %v", err, c.want)
			}
			wantError(t, err, 0, false)
		})
	}
	if err := push.CheckRobot(push.Message{Body: strings.Repeat("字", 683)}); !errors.Is(err, push.ErrTooLong) || !strings.Contains(err.Error(), "2048") {
		t.Errorf("CheckRobot: %v, want a too-long error naming the 2048-byte limit", err)
	}
	// Exactly at the limits is accepted.
	if err := r.SendRobot(ctx, "k", push.Message{Body: strings.Repeat("a", 2048)}); err != nil {
		t.Errorf("2048-byte text: %v", err)
	}
	if err := r.SendRobot(ctx, "k", push.Message{Body: strings.Repeat("a", 4092), Markdown: true}); err != nil {
		t.Errorf("4092-byte markdown: %v", err)
	}
	srv.AssertCount(pushtest.PathRobot, 2)
}

func TestRobotAcceptsWebhookURL(t *testing.T) {
	srv := pushtest.NewServer(t)
	r := newRobot(t, srv)
	if err := r.SendRobot(context.Background(), "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=693a91f6-7xxx", push.Message{Body: "x"}); err != nil {
		t.Fatal(err)
	}
	srv.AssertRobotCalls("693a91f6-7xxx", 1)
	if err := r.SendRobot(context.Background(), "https://qyapi.weixin.qq.com/cgi-bin/webhook/send", push.Message{Body: "x"}); !errors.Is(err, push.ErrBadInput) {
		t.Errorf("URL without key: %v", err)
	}
}
