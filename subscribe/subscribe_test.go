package subscribe

import (
	"fmt"
	"path/filepath"
	"reflect"
	"sync"
	"testing"
	"time"

	"github.com/yingpu/govbot/store"
)

func newStore(t *testing.T) *Store {
	t.Helper()
	db, err := store.Open(filepath.Join(t.TempDir(), "govbot.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	s, err := New(db)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func mustTopics(t *testing.T, s *Store, id string) []string {
	t.Helper()
	got, err := s.Topics(id)
	if err != nil {
		t.Fatal(err)
	}
	return got
}

func mustSubscribers(t *testing.T, s *Store, topic string) []string {
	t.Helper()
	got, err := s.Subscribers(topic)
	if err != nil {
		t.Fatal(err)
	}
	return got
}

func TestSubscribeUnsubscribe(t *testing.T) {
	s := newStore(t)
	for _, c := range []struct{ id, topic string }{
		{"o-b", "防汛"}, {"o-a", "防汛"}, {"o-a", "停水"}, {"o-c", "停水"},
	} {
		added, err := s.Subscribe(c.id, c.topic)
		if err != nil || !added {
			t.Fatalf("Subscribe(%s,%s) = %v, %v", c.id, c.topic, added, err)
		}
	}
	if added, err := s.Subscribe("o-a", "防汛"); err != nil || added {
		t.Errorf("second Subscribe = %v, %v; want false, nil", added, err)
	}
	if got, want := mustTopics(t, s, "o-a"), []string{"停水", "防汛"}; !reflect.DeepEqual(got, want) {
		t.Errorf("Topics(o-a) = %v, want %v", got, want)
	}
	if got, want := mustSubscribers(t, s, "防汛"), []string{"o-a", "o-b"}; !reflect.DeepEqual(got, want) {
		t.Errorf("Subscribers(防汛) = %v, want %v", got, want)
	}
	counts, err := s.Counts()
	if err != nil {
		t.Fatal(err)
	}
	if want := map[string]int{"防汛": 2, "停水": 2}; !reflect.DeepEqual(counts, want) {
		t.Errorf("Counts = %v, want %v", counts, want)
	}

	if removed, err := s.Unsubscribe("o-a", "防汛"); err != nil || !removed {
		t.Fatalf("Unsubscribe = %v, %v", removed, err)
	}
	if removed, err := s.Unsubscribe("o-a", "防汛"); err != nil || removed {
		t.Errorf("second Unsubscribe = %v, %v; want false, nil", removed, err)
	}
	if got, want := mustSubscribers(t, s, "防汛"), []string{"o-b"}; !reflect.DeepEqual(got, want) {
		t.Errorf("Subscribers(防汛) after unsubscribe = %v, want %v", got, want)
	}
	if got := mustTopics(t, s, "o-a"); !reflect.DeepEqual(got, []string{"停水"}) {
		t.Errorf("Topics(o-a) after unsubscribe = %v", got)
	}
}

func TestPrefixIsolation(t *testing.T) {
	// "o-a" must not see the topics of "o-ab", nor topic "停" the
	// subscribers of "停水".
	s := newStore(t)
	s.Subscribe("o-ab", "停水")
	s.Subscribe("o-a", "停")
	if got := mustTopics(t, s, "o-a"); !reflect.DeepEqual(got, []string{"停"}) {
		t.Errorf("Topics(o-a) = %v", got)
	}
	if got := mustSubscribers(t, s, "停"); !reflect.DeepEqual(got, []string{"o-a"}) {
		t.Errorf("Subscribers(停) = %v", got)
	}
}

func TestUnsubscribeAllAndForget(t *testing.T) {
	s := newStore(t)
	s.Subscribe("o-a", "防汛")
	s.Subscribe("o-a", "停水")
	s.Subscribe("o-b", "防汛")
	at := time.Date(2024, 6, 1, 9, 0, 0, 0, time.UTC)
	if err := s.Touch("o-a", "oa", at); err != nil {
		t.Fatal(err)
	}
	topics, err := s.UnsubscribeAll("o-a")
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(topics, []string{"停水", "防汛"}) {
		t.Errorf("UnsubscribeAll returned %v", topics)
	}
	if got := mustTopics(t, s, "o-a"); len(got) != 0 {
		t.Errorf("Topics after UnsubscribeAll = %v", got)
	}
	if got := mustSubscribers(t, s, "防汛"); !reflect.DeepEqual(got, []string{"o-b"}) {
		t.Errorf("Subscribers(防汛) = %v", got)
	}
	if _, ok := s.LastSeen("o-a"); !ok {
		t.Error("UnsubscribeAll must keep the last-message time")
	}

	s.Subscribe("o-a", "防汛")
	if err := s.Forget("o-a"); err != nil {
		t.Fatal(err)
	}
	if got := mustTopics(t, s, "o-a"); len(got) != 0 {
		t.Errorf("Topics after Forget = %v", got)
	}
	if _, ok := s.LastSeen("o-a"); ok {
		t.Error("Forget must remove the last-message time")
	}
	if got := mustSubscribers(t, s, "防汛"); !reflect.DeepEqual(got, []string{"o-b"}) {
		t.Errorf("Forget touched another follower: %v", got)
	}
}

func TestTouchLastSeen(t *testing.T) {
	s := newStore(t)
	if _, ok := s.LastSeen("o-a"); ok {
		t.Fatal("LastSeen of a stranger is set")
	}
	t1 := time.Date(2024, 6, 1, 9, 0, 0, 123, time.UTC)
	t0 := t1.Add(-time.Hour)
	t2 := t1.Add(time.Hour)
	if err := s.Touch("o-a", "oa", t1); err != nil {
		t.Fatal(err)
	}
	if err := s.Touch("o-a", "oa", t0); err != nil { // older: ignored
		t.Fatal(err)
	}
	got, ok := s.LastSeen("o-a")
	if !ok || !got.Equal(t1) {
		t.Errorf("LastSeen = %v, %v; want %v", got, ok, t1)
	}
	if err := s.Touch("o-a", "work", t2); err != nil {
		t.Fatal(err)
	}
	seen, ok, err := s.Seen("o-a")
	if err != nil || !ok || !seen.At.Equal(t2) || seen.Platform != "work" {
		t.Errorf("Seen = %+v, %v, %v", seen, ok, err)
	}
	if err := s.Touch("o-a", "oa", time.Time{}); err == nil {
		t.Error("Touch with zero time must fail")
	}
}

func TestBadInput(t *testing.T) {
	s := newStore(t)
	long := string(make([]byte, 200))
	cases := []struct {
		name string
		err  error
	}{
		{"empty openid", func() error { _, err := s.Subscribe("", "防汛"); return err }()},
		{"empty topic", func() error { _, err := s.Subscribe("o-a", ""); return err }()},
		{"NUL openid", func() error { _, err := s.Subscribe("o\x00a", "防汛"); return err }()},
		{"long topic", func() error { _, err := s.Subscribe("o-a", long); return err }()},
		{"empty topic subscribers", func() error { _, err := s.Subscribers(""); return err }()},
		{"empty openid touch", s.Touch("", "oa", time.Unix(1, 0))},
	}
	for _, c := range cases {
		if c.err == nil {
			t.Errorf("%s: no error", c.name)
		}
	}
	if got := mustSubscribers(t, s, "防汛"); len(got) != 0 {
		t.Errorf("bad input stored something: %v", got)
	}
}

func TestPersistsAcrossReopen(t *testing.T) {
	path := filepath.Join(t.TempDir(), "govbot.db")
	db, err := store.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	s, _ := New(db)
	s.Subscribe("o-a", "防汛")
	db.Close()
	db, err = store.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	s, _ = New(db)
	if got := mustSubscribers(t, s, "防汛"); !reflect.DeepEqual(got, []string{"o-a"}) {
		t.Errorf("after reopen Subscribers = %v", got)
	}
}

func TestConcurrent(t *testing.T) {
	s := newStore(t)
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			id := fmt.Sprintf("o-%d", i)
			s.Subscribe(id, "防汛")
			s.Touch(id, "oa", time.Unix(int64(1000+i), 0))
			s.Topics(id)
		}()
	}
	wg.Wait()
	if got := mustSubscribers(t, s, "防汛"); len(got) != 8 {
		t.Errorf("Subscribers = %v", got)
	}
}
