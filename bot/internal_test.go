package bot

import (
	"fmt"
	"testing"
	"time"
)

func TestParseCommand(t *testing.T) {
	isTopic := func(s string) bool { return s == "防汛" || s == "停水" }
	cases := []struct {
		in   string
		kind commandKind
		args []string
		all  bool
	}{
		{"订阅 防汛", cmdSubscribe, []string{"防汛"}, false},
		{"订阅防汛", cmdSubscribe, []string{"防汛"}, false},
		{"订阅:防汛", cmdSubscribe, []string{"防汛"}, false},
		{"订阅：　防汛", cmdSubscribe, []string{"防汛"}, false},
		{"订阅 防汛，停水；天气", cmdSubscribe, []string{"防汛", "停水", "天气"}, false},
		{"订阅 「防汛」", cmdSubscribe, []string{"防汛"}, false},
		{"订阅", cmdSubscribe, nil, false},
		{"订阅天气", cmdSubscribe, []string{"天气"}, false},
		{"订阅号是什么", cmdNone, nil, false},
		{"订阅了为什么收不到通知", cmdNone, nil, false},
		{"退订 防汛", cmdUnsubscribe, []string{"防汛"}, false},
		{"退订全部", cmdUnsubscribe, nil, true},
		{"取消订阅 所有", cmdUnsubscribe, nil, true},
		{"取消订阅", cmdUnsubscribe, nil, false},
		{"我的订阅", cmdMine, nil, false},
		{"我的订阅。", cmdMine, nil, false},
		{"Help", cmdHelp, nil, false},
		{"？", cmdHelp, nil, false},
		{"帮助。", cmdHelp, nil, false},
		{"长者食堂在哪里", cmdNone, nil, false},
	}
	for _, tc := range cases {
		cmd, ok := parseCommand(tc.in, isTopic)
		if ok != (tc.kind != cmdNone) || cmd.kind != tc.kind || !eq(cmd.args, tc.args) || cmd.all != tc.all {
			t.Errorf("parseCommand(%q) = %+v, %v; want kind %d args %v all %v", tc.in, cmd, ok, tc.kind, tc.args, tc.all)
		}
	}
}

func TestTTLCacheBoundsAndExpiry(t *testing.T) {
	now := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	c := newTTLCache[int](time.Minute, 3)
	for i := range 5 {
		c.put(fmt.Sprint(i), i, now.Add(time.Duration(i)*time.Second))
	}
	if c.len() != 3 {
		t.Errorf("len %d, want 3", c.len())
	}
	at := now.Add(10 * time.Second)
	for i := range 5 {
		_, ok := c.get(fmt.Sprint(i), at)
		if ok != (i >= 2) {
			t.Errorf("key %d present %v", i, ok)
		}
	}
	if _, ok := c.get("4", now.Add(4*time.Second+time.Minute)); ok {
		t.Error("entry outlived its TTL")
	}
	// Expired entries make room before live ones are evicted.
	c = newTTLCache[int](time.Minute, 2)
	c.put("old", 1, now)
	c.put("live", 2, now.Add(50*time.Second))
	c.put("new", 3, now.Add(70*time.Second))
	if _, ok := c.get("live", now.Add(70*time.Second)); !ok {
		t.Error("live entry evicted while an expired one was there")
	}
	v, loaded := c.getOrPut("new", now.Add(71*time.Second), func() int { return 9 })
	if !loaded || v != 3 {
		t.Errorf("getOrPut existing = %d, %v", v, loaded)
	}
	if v, ok := c.take("new", now.Add(71*time.Second)); !ok || v != 3 {
		t.Errorf("take = %d, %v", v, ok)
	}
	if _, ok := c.get("new", now.Add(71*time.Second)); ok {
		t.Error("take left the entry")
	}
}

func BenchmarkHandleText(b *testing.B) {
	e := newEnv(b)
	base := e.msg(text("长者食堂在哪里"))
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		m := base
		m.MsgID = fmt.Sprint(i)
		if _, err := e.bot.Handle(b.Context(), m); err != nil {
			b.Fatal(err)
		}
	}
}
