package outbox

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/yingpu/govbot/clock"
	"github.com/yingpu/govbot/push"
	bolt "go.etcd.io/bbolt"
)

// The crash tests run the outbox in a child process (this test binary,
// re-executed with crashEnv set), kill it with SIGKILL mid-way, then finish
// the job in the parent from the same database.

const crashEnv = "GOVBOT_OUTBOX_CRASH_CHILD"

// fileFakes is the child's platform: every message received is appended as
// one line "channel\tkind\tid\ttitle" to a file before the call returns
// (so a line is an acknowledgement the child may not have recorded yet).
type fileFakes struct {
	mu sync.Mutex
	f  *os.File
}

func (p *fileFakes) write(channel, kind string, ids []string, title string) error {
	time.Sleep(2 * time.Millisecond) // a platform takes time
	var b bytes.Buffer
	for _, id := range ids {
		fmt.Fprintf(&b, "%s\t%s\t%s\t%s\n", channel, kind, id, title)
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	_, err := p.f.Write(b.Bytes())
	return err
}

func (p *fileFakes) SendRobot(ctx context.Context, key string, m push.Message) error {
	return p.write(ChannelRobot, KindRobot, []string{key}, m.Title)
}
func (p *fileFakes) SendChat(ctx context.Context, chatID string, m push.Message) error {
	return p.write(ChannelWorkChat, KindChat, []string{chatID}, m.Title)
}
func (p *fileFakes) SendApp(ctx context.Context, users, depts, tags []string, m push.Message) (push.WorkAppResult, error) {
	for _, set := range []struct {
		kind string
		ids  []string
	}{{KindUser, users}, {KindDept, depts}, {KindTag, tags}} {
		if len(set.ids) > 0 {
			if err := p.write(ChannelWorkApp, set.kind, set.ids, m.Title); err != nil {
				return push.WorkAppResult{}, err
			}
		}
	}
	return push.WorkAppResult{}, nil
}
func (p *fileFakes) SendCustom(ctx context.Context, openID string, m push.Message) error {
	return p.write(ChannelOA, KindFollower, []string{openID}, m.Title)
}
func (p *fileFakes) SendTemplate(ctx context.Context, openID string, m push.Message) error {
	return p.write(ChannelOA, KindFollower, []string{openID}, m.Title)
}
func (p *fileFakes) HasTemplate() bool { return true }
func (p *fileFakes) TagFollowers(ctx context.Context, tagID int) ([]string, error) {
	return nil, nil
}

// TestCrashChild is the child process; it does nothing in a normal run.
func TestCrashChild(t *testing.T) {
	mode := os.Getenv(crashEnv)
	if mode == "" {
		t.Skip("runs only as the child of the crash tests")
	}
	dir := os.Getenv(crashEnv + "_DIR")
	db := openDB(t, filepath.Join(dir, "state.db"))
	lf, err := os.OpenFile(filepath.Join(dir, "received.log"), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	p := &fileFakes{f: lf}
	opts := Options{Robot: p, WorkApp: p, OA: p, RobotPerMinute: 1000, Workers: 2}
	if mode == "done" {
		opts.OnDone = func(n string) {
			p.mu.Lock()
			fmt.Fprintf(lf, "done\t%s\n", n)
			p.mu.Unlock()
			select {} // the process dies here
		}
	}
	o, err := New(db, opts)
	if err != nil {
		t.Fatal(err)
	}
	o.Run(context.Background()) // until killed
}

// crashJobs enqueues the notices of the crash tests.
func crashJobs(t *testing.T, db *bolt.DB, o *Outbox) map[string]bool {
	t.Helper()
	var a []Target
	a = append(a, targets(ChannelWorkChat, KindChat, "chat", 40)...)
	a = append(a, targets(ChannelWorkApp, KindUser, "user", 2100)...)
	a = append(a, targets(ChannelWorkApp, KindDept, "", 20)...)
	a = append(a, targets(ChannelOA, KindFollower, "openid", 60)...)
	a = append(a, targets(ChannelRobot, KindRobot, "key", 10)...)
	b := targets(ChannelWorkChat, KindChat, "chat", 30)
	b = append(b, targets(ChannelOA, KindFollower, "openid", 30)...)
	jobs := []Job{
		{NoticeID: "a", Title: "停电通知", Body: "b", Targets: a},
		{NoticeID: "b", Title: "暴雨预警", Body: "b", Urgent: true, Targets: b},
	}
	want := map[string]bool{}
	if err := db.Update(func(tx *bolt.Tx) error {
		for _, j := range jobs {
			if err := o.Enqueue(tx, j); err != nil {
				return err
			}
			for _, tg := range j.Targets {
				want[j.Title+"|"+tg.Channel+"/"+tg.Kind+"/"+tg.ID] = true
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return want
}

// readReceived parses the child's complete lines into counts per
// "title|channel/kind/id", and the notices whose OnDone it entered.
func readReceived(t *testing.T, path string) (map[string]int, []string) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}
	if i := bytes.LastIndexByte(data, '\n'); i >= 0 {
		data = data[:i+1]
	} else {
		data = nil
	}
	counts := map[string]int{}
	var done []string
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		f := strings.Split(sc.Text(), "\t")
		if f[0] == "done" {
			done = append(done, f[1])
			continue
		}
		counts[f[3]+"|"+f[0]+"/"+f[1]+"/"+f[2]]++
	}
	return counts, done
}

func startChild(t *testing.T, dir, mode string) *exec.Cmd {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestCrashChild$", "-test.count=1")
	cmd.Env = append(os.Environ(), crashEnv+"="+mode, crashEnv+"_DIR="+dir)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("child output:\n%s", out.String())
		}
	})
	return cmd
}

// storeStates reads every delivery's state, keyed like readReceived.
func storeStates(t *testing.T, db *bolt.DB) map[string]State {
	t.Helper()
	titles := map[string]string{"a": "停电通知", "b": "暴雨预警"}
	states := map[string]State{}
	if err := db.View(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketDeliveries).ForEach(func(k, v []byte) error {
			var r record
			if err := decode(k, v, &r); err != nil {
				return err
			}
			states[titles[r.Notice]+"|"+r.Channel+"/"+r.Kind+"/"+r.ID] = r.State
			return nil
		})
	}); err != nil {
		t.Fatal(err)
	}
	return states
}

func TestCrashMidSendLosesNothingAndResendsNothingAcknowledged(t *testing.T) {
	if testing.Short() {
		t.Skip("subprocess test")
	}
	dir := t.TempDir()
	dbPath := filepath.Join(dir, "state.db")
	db := openDB(t, dbPath)
	setup, err := New(db, Options{Robot: &fileFakes{}, WorkApp: &fileFakes{}, OA: &fileFakes{}})
	if err != nil {
		t.Fatal(err)
	}
	want := crashJobs(t, db, setup)
	db.Close()

	cmd := startChild(t, dir, "send")
	logPath := filepath.Join(dir, "received.log")
	eventually(t, "the child to deliver some", func() bool {
		counts, _ := readReceived(t, logPath)
		small := 0
		for k := range counts {
			if !strings.Contains(k, "|work_app/") {
				small++
			}
		}
		return small >= 60
	})
	if err := cmd.Process.Kill(); err != nil { // SIGKILL
		t.Fatal(err)
	}
	cmd.Wait()

	atKill, _ := readReceived(t, logPath)
	db = openDB(t, dbPath)
	defer db.Close()
	states := storeStates(t, db)
	var sent, inflight int
	for _, s := range states {
		switch s {
		case StateSent:
			sent++
		case StateInFlight:
			inflight++
		}
	}
	if sent == 0 || sent == len(want) {
		t.Fatalf("killed with %d of %d sent: not mid-way", sent, len(want))
	}
	t.Logf("killed with %d sent, %d in flight, %d received", sent, inflight, len(atKill))

	c := clock.System{}
	f := newFakes(c)
	h := newHarness(t, db, newVClock(true), f, Options{RobotPerMinute: 1000})
	h.run()
	h.waitDone("a", "b")

	total := map[string]int{}
	for k, n := range atKill {
		total[k] += n
	}
	for k, n := range f.countBy() {
		total[k] += n
	}
	dups := 0
	for k := range want {
		switch n := total[k]; {
		case n == 0:
			t.Errorf("%s never received", k)
		case n > 1 && states[k] == StateSent:
			t.Errorf("%s recorded as sent before the crash, yet received %d times", k, n)
		case n > 1 && states[k] != StateInFlight:
			t.Errorf("%s (%s at the crash) received %d times", k, states[k], n)
		case n > 2:
			t.Errorf("%s received %d times", k, n)
		case n == 2:
			dups++
		}
	}
	for k := range total {
		if !want[k] {
			t.Errorf("%s received but never a target", k)
		}
	}
	t.Logf("%d deliveries acknowledged but not recorded before the crash were sent twice", dups)
	for _, n := range []string{"a", "b"} {
		if r := h.report(n); r.Sent != r.Total || !r.Done {
			t.Errorf("report %s: %+v", n, r)
		}
	}
}

func TestCrashBeforeOnDoneSignalsOnRestart(t *testing.T) {
	if testing.Short() {
		t.Skip("subprocess test")
	}
	dir := t.TempDir()
	dbPath := filepath.Join(dir, "state.db")
	db := openDB(t, dbPath)
	setup, err := New(db, Options{WorkApp: &fileFakes{}})
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Update(func(tx *bolt.Tx) error {
		return setup.Enqueue(tx, Job{NoticeID: "n", Title: "t", Body: "b", Targets: targets(ChannelWorkChat, KindChat, "c", 5)})
	}); err != nil {
		t.Fatal(err)
	}
	db.Close()

	cmd := startChild(t, dir, "done")
	logPath := filepath.Join(dir, "received.log")
	eventually(t, "the child to enter OnDone", func() bool {
		_, done := readReceived(t, logPath)
		return len(done) == 1
	})
	cmd.Process.Kill()
	cmd.Wait()

	db = openDB(t, dbPath)
	defer db.Close()
	f := newFakes(clock.System{})
	h := newHarness(t, db, newVClock(true), f, Options{})
	h.run()
	h.waitDone("n")
	if len(f.receipts()) != 0 {
		t.Errorf("%d messages resent after the crash", len(f.receipts()))
	}
	counts, _ := readReceived(t, logPath)
	if len(counts) != 5 {
		t.Errorf("%d chats received, want 5", len(counts))
	}
}
