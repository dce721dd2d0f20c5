package bot

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	msgdedupe "github.com/yingpu/govbot/dedupe"
	bolt "go.etcd.io/bbolt"
)

// TestRetryRememberedForTheWholeWindow: a message WeChat delivers again 65 s
// later, after 4,200 other messages, and after a restart is answered as
// the first time and not acted on again; once the accepted window
// (2 × max_clock_skew) has passed, it is a new message.
func TestRetryRememberedForTheWholeWindow(t *testing.T) {
	path := filepath.Join(t.TempDir(), "govbot.db")
	e := newEnv(t)
	openBot := func() (*bolt.DB, context.CancelFunc, chan struct{}) {
		db, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: time.Second, NoSync: true})
		if err != nil {
			t.Fatal(err)
		}
		handled, err := msgdedupe.New(db, msgdedupe.Options{TTL: 10 * time.Minute, Clock: e.clk})
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan struct{})
		go func() { handled.Run(ctx); close(done) }()
		e.bot = New(Deps{
			Answerer: e.ans, Subscriptions: e.subs, QueryLog: e.qlog, Hasher: e.hasher, Clock: e.clk,
			Topics: topics, Menu: menu, Hotline: "021-12345678", Handled: handled,
		})
		return db, cancel, done
	}
	db, stop, stopped := openBot()
	asked := func(q string) int {
		n := 0
		for _, c := range e.ans.calls() {
			if c.Text == q {
				n++
			}
		}
		return n
	}
	handle := func(m Message) string {
		t.Helper()
		r, err := e.bot.Handle(context.Background(), m)
		if err != nil {
			t.Fatal(err)
		}
		return r.Text
	}

	m := e.msg(text("长者食堂在哪"))
	first := handle(m)
	e.clk.Advance(65 * time.Second)
	if r := handle(m); r != first || asked("长者食堂在哪") != 1 {
		t.Fatalf("65 s later: reply %q (first %q), asked %d times", r, first, asked("长者食堂在哪"))
	}
	for i := range 4200 {
		handle(e.msg(text(fmt.Sprint("问题", i))))
	}
	if r := handle(m); r != first || asked("长者食堂在哪") != 1 {
		t.Fatalf("after 4,200 other messages: reply %q, asked %d times", r, asked("长者食堂在哪"))
	}
	sub := e.msg(text("订阅 防汛"))
	handle(sub)
	handle(e.msg(text("退订 防汛")))

	// Restart: a new bot on the reopened database.
	stop()
	<-stopped
	db.Close()
	e.clk.Advance(2 * time.Minute)
	db, stop, stopped = openBot()
	defer func() { stop(); <-stopped; db.Close() }()
	if r := handle(m); r != first || asked("长者食堂在哪") != 1 {
		t.Fatalf("after a restart: reply %q, asked %d times", r, asked("长者食堂在哪"))
	}
	// The subscription retried after its undo is not redone.
	handle(sub)
	if got := e.subs.topics(follower); len(got) != 0 {
		t.Fatalf("a retried 订阅 re-subscribed after a restart: %v", got)
	}
	if n := len(e.qlog.all()); n != 4201 {
		t.Errorf("%d questions logged, want 4201 (each once)", n)
	}

	// Past the window it is a new message.
	e.clk.Advance(10 * time.Minute)
	handle(m)
	if n := asked("长者食堂在哪"); n != 2 {
		t.Errorf("past the window: asked %d times, want 2", n)
	}
}
