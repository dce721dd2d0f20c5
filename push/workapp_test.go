package push_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"

	"github.com/yingpu/govbot/push"
	"github.com/yingpu/govbot/push/pushtest"
)

func TestWorkAppSendJoinsRecipients(t *testing.T) {
	srv := pushtest.NewServer(t)
	w := newWorkApp(t, srv)
	res, err := w.SendApp(context.Background(), []string{"ZhangSan", "lisi"}, []string{"2", "3"}, []string{"7"},
		push.Message{Title: "社区通知", Body: "周六上午疫苗接种。", Markdown: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.InvalidUsers)+len(res.InvalidDepts)+len(res.InvalidTags) != 0 {
		t.Errorf("result %+v, want no invalid recipients", res)
	}
	calls := srv.CallsTo(pushtest.PathAppSend)
	if len(calls) != 1 {
		t.Fatalf("%d calls", len(calls))
	}
	c := calls[0]
	var raw map[string]any
	if err := json.Unmarshal(c.Body, &raw); err != nil {
		t.Fatal(err)
	}
	if raw["touser"] != "ZhangSan|lisi" || raw["toparty"] != "2|3" || raw["totag"] != "7" {
		t.Errorf("recipients %v %v %v", raw["touser"], raw["toparty"], raw["totag"])
	}
	if raw["agentid"] != float64(1000002) {
		t.Errorf("agentid %#v, want the integer 1000002", raw["agentid"])
	}
	if raw["enable_duplicate_check"] != float64(1) || raw["duplicate_check_interval"] != float64(1800) {
		t.Errorf("duplicate check %v/%v, want on for 1800s", raw["enable_duplicate_check"], raw["duplicate_check_interval"])
	}
	if c.MsgType != "markdown" || c.Content != "**社区通知**\n\n周六上午疫苗接种。" {
		t.Errorf("content %q %q", c.MsgType, c.Content)
	}
	srv.AssertDeliveredOnce(pushtest.PathAppSend, "ZhangSan", "lisi", "party:2", "party:3", "tag:7")
}

func TestWorkAppInvalidRecipientsParsed(t *testing.T) {
	srv := pushtest.NewServer(t)
	w := newWorkApp(t, srv)
	srv.InvalidUsers("WangWu")
	srv.UnlicensedUsers("zhaoliu")
	srv.InvalidDepts("9")
	srv.InvalidTags("8")
	res, err := w.SendApp(context.Background(), []string{"zhangsan", "WangWu", "zhaoliu"}, []string{"2", "9"}, []string{"8"}, push.Message{Body: "通知"})
	if err != nil {
		t.Fatal(err)
	}
	// WeCom answers user IDs in lower case; the result gives them as sent.
	if !slices.Equal(res.InvalidUsers, []string{"WangWu", "zhaoliu"}) ||
		!slices.Equal(res.InvalidDepts, []string{"9"}) || !slices.Equal(res.InvalidTags, []string{"8"}) {
		t.Errorf("result %+v", res)
	}
	srv.AssertDeliveredOnce(pushtest.PathAppSend, "zhangsan", "party:2")

	// Every recipient invalid: WeCom answers 81013, a permanent error.
	_, err = w.SendApp(context.Background(), []string{"WangWu"}, nil, nil, push.Message{Body: "通知"})
	wantError(t, err, 81013, false)
}

func TestWorkAppLimitsCheckedBeforeCalling(t *testing.T) {
	srv := pushtest.NewServer(t)
	w := newWorkApp(t, srv)
	ids := func(n int) []string {
		out := make([]string, n)
		for i := range out {
			out[i] = fmt.Sprint("u", i)
		}
		return out
	}
	m := push.Message{Body: "通知"}
	cases := []struct {
		name               string
		users, depts, tags []string
		m                  push.Message
		want               error
	}{
		{"1001 users", ids(1001), nil, nil, m, push.ErrTooManyRecipients},
		{"101 departments", nil, ids(101), nil, m, push.ErrTooManyRecipients},
		{"101 tags", nil, nil, ids(101), m, push.ErrTooManyRecipients},
		{"no recipients", nil, nil, nil, m, push.ErrBadInput},
		{"ID with bar", []string{"a|b"}, nil, nil, m, push.ErrBadInput},
		{"empty ID", []string{""}, nil, nil, m, push.ErrBadInput},
		{"text over 2048 bytes", []string{"a"}, nil, nil, push.Message{Body: string(make([]byte, 2049))}, push.ErrTooLong},
		{"markdown over 2048 bytes", []string{"a"}, nil, nil, push.Message{Body: string(make([]byte, 2049)), Markdown: true}, push.ErrTooLong},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := w.SendApp(context.Background(), c.users, c.depts, c.tags, c.m)
			if !errors.Is(err, c.want) {
				t.Fatalf("error %v, want %v", err, c.want)
			}
			wantError(t, err, 0, false)
		})
	}
	if err := w.SendChat(context.Background(), "chat1", push.Message{Body: string(make([]byte, 2049))}); !errors.Is(err, push.ErrTooLong) {
		t.Errorf("chat: %v, want ErrTooLong", err)
	}
	if n := len(srv.Calls()); n != 0 {
		t.Errorf("%d calls made, want none", n)
	}
	// At the limits the call is made.
	if _, err := w.SendApp(context.Background(), ids(1000), ids(100), ids(100), m); err != nil {
		t.Fatal(err)
	}
}

func TestWorkAppChat(t *testing.T) {
	srv := pushtest.NewServer(t)
	w := newWorkApp(t, srv)
	ctx := context.Background()
	if err := w.SendChat(ctx, "chat-1", push.Message{Title: "会议", Body: "下午三点"}); err != nil {
		t.Fatal(err)
	}
	srv.FailRecipient("chat-gone", 86003)
	wantError(t, w.SendChat(ctx, "chat-gone", push.Message{Body: "x"}), 86003, false)
	c := srv.CallsTo(pushtest.PathChatSend)[0]
	if c.Content != "会议\n\n下午三点" || c.MsgType != "text" {
		t.Errorf("chat call %+v", c)
	}
	srv.AssertDeliveredOnce(pushtest.PathChatSend, "chat-1")
	if srv.TokenFetches() != 1 {
		t.Errorf("%d token fetches, want 1", srv.TokenFetches())
	}
}

func TestWorkAppTokenCachedAcrossConcurrentSends(t *testing.T) {
	srv := pushtest.NewServer(t)
	w := newWorkApp(t, srv)
	const n = 40
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for i := range n {
		wg.Go(func() {
			_, err := w.SendApp(context.Background(), []string{fmt.Sprint("u", i)}, nil, nil, push.Message{Body: "通知"})
			errs <- err
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	if got := srv.Count(pushtest.PathWorkToken); got != 1 {
		t.Errorf("%d gettoken calls for %d concurrent sends, want 1", got, n)
	}
	srv.AssertCount(pushtest.PathAppSend, n)
}

func TestWorkAppTokenRefreshedOnceOnTokenErrors(t *testing.T) {
	for _, code := range []int{40001, 40014, 42001} {
		t.Run(fmt.Sprint(code), func(t *testing.T) {
			srv := pushtest.NewServer(t)
			w := newWorkApp(t, srv)
			ctx := context.Background()
			m := push.Message{Body: "通知"}
			if _, err := w.SendApp(ctx, []string{"a"}, nil, nil, m); err != nil {
				t.Fatal(err)
			}
			srv.RejectTokens(code)
			if _, err := w.SendApp(ctx, []string{"b"}, nil, nil, m); err != nil {
				t.Fatalf("send after token %d: %v", code, err)
			}
			srv.AssertCount(pushtest.PathWorkToken, 2)
			srv.AssertCount(pushtest.PathAppSend, 3)
			srv.AssertDeliveredOnce(pushtest.PathAppSend, "a", "b")
		})
	}
}

func TestWorkAppTokenErrorAfterRefreshIsPermanent(t *testing.T) {
	srv := pushtest.NewServer(t)
	w := newWorkApp(t, srv)
	srv.FailNext(pushtest.PathAppSend, 40001, 2)
	_, err := w.SendApp(context.Background(), []string{"a"}, nil, nil, push.Message{Body: "通知"})
	wantError(t, err, 40001, false)
	srv.AssertCount(pushtest.PathAppSend, 2)
	srv.AssertCount(pushtest.PathWorkToken, 2)
}

func TestWorkAppConcurrentRefreshFetchesOneToken(t *testing.T) {
	srv := pushtest.NewServer(t)
	w := newWorkApp(t, srv)
	ctx := context.Background()
	if _, err := w.SendApp(ctx, []string{"warm"}, nil, nil, push.Message{Body: "x"}); err != nil {
		t.Fatal(err)
	}
	srv.ExpireTokens()
	var wg sync.WaitGroup
	for i := range 20 {
		wg.Go(func() {
			if _, err := w.SendApp(ctx, []string{fmt.Sprint("u", i)}, nil, nil, push.Message{Body: "x"}); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if got := srv.Count(pushtest.PathWorkToken); got != 2 {
		t.Errorf("%d gettoken calls, want 2 (first token, one refresh)", got)
	}
}

func TestWorkAppTokenFetchErrors(t *testing.T) {
	srv := pushtest.NewServer(t)
	w := newWorkApp(t, srv)
	srv.FailNext(pushtest.PathWorkToken, 40001, 1) // WeCom: invalid secret
	_, err := w.SendApp(context.Background(), []string{"a"}, nil, nil, push.Message{Body: "x"})
	wantError(t, err, 40001, false)
	srv.AssertCount(pushtest.PathAppSend, 0)

	srv.FailNext(pushtest.PathWorkToken, -1, 1)
	_, err = w.SendApp(context.Background(), []string{"a"}, nil, nil, push.Message{Body: "x"})
	wantError(t, err, -1, true)
}

func TestWorkAppDuplicateCheckAbsorbsRetry(t *testing.T) {
	srv := pushtest.NewServer(t)
	w := newWorkApp(t, srv)
	m := push.Message{Body: "同一条通知"}
	for range 2 {
		if _, err := w.SendApp(context.Background(), []string{"a"}, nil, nil, m); err != nil {
			t.Fatal(err)
		}
	}
	srv.AssertDeliveredOnce(pushtest.PathAppSend, "a")
}

func TestNewWorkAppRejectsBadOptions(t *testing.T) {
	for _, o := range []push.WorkAppOptions{
		{CorpID: "c", Secret: "s", AgentID: "abc"},
		{CorpID: "c", Secret: "s", AgentID: ""},
		{CorpID: "", Secret: "s", AgentID: "1"},
		{CorpID: "c", Secret: "s", AgentID: "1", API: push.API{BaseURL: "ftp://x"}},
		{CorpID: "c", Secret: "s", AgentID: "1", API: push.API{BaseURL: "gateway.local"}},
	} {
		if _, err := push.NewWorkApp(o); err == nil {
			t.Errorf("NewWorkApp(%+v) succeeded", o)
		}
	}
}
