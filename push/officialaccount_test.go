package push_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/yingpu/govbot/clock"
	"github.com/yingpu/govbot/push"
	"github.com/yingpu/govbot/push/pushtest"
)

func TestOACustomMessage(t *testing.T) {
	srv := pushtest.NewServer(t)
	a := newOA(t, srv, push.Template{})
	ctx := context.Background()
	if err := a.SendCustom(ctx, "o-1", push.Message{Title: "垃圾分类", Body: "周三起调整投放时间。"}); err != nil {
		t.Fatal(err)
	}
	c := srv.CallsTo(pushtest.PathCustomSend)[0]
	if c.To[0] != "o-1" || c.MsgType != "text" || c.Content != "垃圾分类\n\n周三起调整投放时间。" {
		t.Errorf("call %+v", c)
	}
	srv.FailRecipient("o-gone", 43004)
	wantError(t, a.SendCustom(ctx, "o-gone", push.Message{Body: "x"}), 43004, false)
	srv.FailRecipient("o-quiet", 45015)
	wantError(t, a.SendCustom(ctx, "o-quiet", push.Message{Body: "x"}), 45015, false)
	srv.AssertDeliveredOnce(pushtest.PathCustomSend, "o-1")
	if srv.Count(pushtest.PathOAToken) != 1 {
		t.Errorf("%d token calls, want 1", srv.Count(pushtest.PathOAToken))
	}
	if err := a.SendCustom(ctx, "", push.Message{Body: "x"}); !errors.Is(err, push.ErrBadInput) {
		t.Errorf("empty openid: %v", err)
	}
}

func TestOATemplateMessage(t *testing.T) {
	now := time.Date(2025, 3, 4, 1, 30, 0, 0, time.UTC) // 09:30 in Shanghai
	srv := pushtest.NewServer(t)
	api := apiFor(t, srv)
	api.Clock = clock.Fixed(now)
	a, err := push.NewOfficialAccount(push.OfficialAccountOptions{
		API: api, AppID: "wx1", AppSecret: "s",
		Template: push.Template{
			ID: "tpl-1", TitleField: "thing1", BodyField: "thing2", TimeField: "time3",
			Fixed: map[string]string{"thing4": "盈浦街道办事处"}, URL: "https://example.org/n/1", MaxFieldRunes: 20,
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	if !a.HasTemplate() {
		t.Fatal("HasTemplate false with a template id")
	}
	body := "本周六上午九点在社区活动中心举行消防安全讲座，欢迎居民参加。"
	if err := a.SendTemplate(context.Background(), "o-1", push.Message{Title: "消防讲座", Body: body, Key: "notice-42"}); err != nil {
		t.Fatal(err)
	}
	c := srv.CallsTo(pushtest.PathTemplateSend)[0]
	want := map[string]string{
		"thing1": "消防讲座",
		"thing2": string([]rune(body)[:19]) + "…",
		"time3":  "2025-03-04 09:30",
		"thing4": "盈浦街道办事处",
	}
	if c.TemplateID != "tpl-1" || fmt.Sprint(c.Data) != fmt.Sprint(want) {
		t.Errorf("template %q data %v, want %v", c.TemplateID, c.Data, want)
	}
	// The notice key is the client_msg_id: a retry is not delivered twice.
	if err := a.SendTemplate(context.Background(), "o-1", push.Message{Title: "消防讲座", Body: body, Key: "notice-42"}); err != nil {
		t.Fatal(err)
	}
	srv.AssertDeliveredOnce(pushtest.PathTemplateSend, "o-1")
}

func TestOATemplateWithoutTitleField(t *testing.T) {
	srv := pushtest.NewServer(t)
	a := newOA(t, srv, push.Template{ID: "tpl", BodyField: "content"})
	if err := a.SendTemplate(context.Background(), "o-1", push.Message{Title: "标题", Body: "正文"}); err != nil {
		t.Fatal(err)
	}
	if got := srv.CallsTo(pushtest.PathTemplateSend)[0].Data["content"]; got != "标题\n\n正文" {
		t.Errorf("content %q", got)
	}
}

func TestOANoTemplate(t *testing.T) {
	srv := pushtest.NewServer(t)
	a := newOA(t, srv, push.Template{})
	if a.HasTemplate() {
		t.Fatal("HasTemplate true without a template")
	}
	err := a.SendTemplate(context.Background(), "o-1", push.Message{Body: "x"})
	if !errors.Is(err, push.ErrNoTemplate) || push.IsTransient(err) {
		t.Errorf("error %v, want permanent ErrNoTemplate", err)
	}
	if len(srv.Calls()) != 0 {
		t.Error("calls made without a template")
	}
	for _, tpl := range []push.Template{
		{ID: "t"}, // no body field
		{ID: "t", TitleField: "a", BodyField: "a"},
		{ID: "t", BodyField: "a", Fixed: map[string]string{"a": "x"}},
	} {
		if _, err := push.NewOfficialAccount(push.OfficialAccountOptions{AppID: "a", AppSecret: "s", Template: tpl}); err == nil {
			t.Errorf("template %+v accepted", tpl)
		}
	}
}

func TestOATagFollowersPages(t *testing.T) {
	srv := pushtest.NewServer(t)
	a := newOA(t, srv, push.Template{})
	var ids []string
	for i := range 7 {
		ids = append(ids, fmt.Sprint("o-", i))
	}
	srv.SetTag(101, ids...)
	srv.SetPageSize(3)
	got, err := a.TagFollowers(context.Background(), 101)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(got, ids) {
		t.Errorf("followers %v, want %v", got, ids)
	}
	// 3 + 3 + 1, then the empty page that ends the list.
	srv.AssertCount(pushtest.PathTagGet, 4)

	srv.SetTag(102)
	if got, err := a.TagFollowers(context.Background(), 102); err != nil || len(got) != 0 {
		t.Errorf("empty tag: %v %v", got, err)
	}
	_, err = a.TagFollowers(context.Background(), 999)
	wantError(t, err, 45159, false)
}

func TestOATagFollowersRefreshesTokenMidway(t *testing.T) {
	srv := pushtest.NewServer(t)
	a := newOA(t, srv, push.Template{})
	srv.SetTag(1, "a", "b", "c")
	srv.SetPageSize(1)
	srv.FailNext(pushtest.PathTagGet, 42001, 1)
	got, err := a.TagFollowers(context.Background(), 1)
	if err != nil || !slices.Equal(got, []string{"a", "b", "c"}) {
		t.Fatalf("followers %v, %v", got, err)
	}
	srv.AssertCount(pushtest.PathOAToken, 2)
}

func TestOATokenExpiresWithClock(t *testing.T) {
	srv := pushtest.NewServer(t)
	clk := clock.NewFake(time.Date(2025, 1, 1, 0, 0, 0, 0, clock.Shanghai))
	api := apiFor(t, srv)
	api.Clock = clk
	a, err := push.NewOfficialAccount(push.OfficialAccountOptions{API: api, AppID: "wx", AppSecret: "s"})
	if err != nil {
		t.Fatal(err)
	}
	send := func() {
		t.Helper()
		if err := a.SendCustom(context.Background(), "o", push.Message{Body: "x"}); err != nil {
			t.Fatal(err)
		}
	}
	send()
	clk.Advance(110 * time.Minute) // 7200 s less the 5-minute margin is 115 minutes
	send()
	srv.AssertCount(pushtest.PathOAToken, 1)
	clk.Advance(6 * time.Minute)
	send()
	srv.AssertCount(pushtest.PathOAToken, 2)
	if tok, err := a.TokenHandle().GetAccessTokenContext(context.Background()); err != nil || tok == "" {
		t.Errorf("TokenHandle: %q %v", tok, err)
	}
	srv.AssertCount(pushtest.PathOAToken, 2)
}
