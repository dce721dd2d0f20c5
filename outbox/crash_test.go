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
	if mode == "api" {
		// The real adapters against the parent's fake API server; every
		// follower messaged just now (customer-service messages).
		a := apiAdapters(t, os.Getenv(crashEnv+"_API"))
		o, err := New(db, Options{Robot: a.robot, WorkApp: a.app, OA: a.oa, Workers: 2,
			LastSeen: func(string) (time.Time, bool) { return time.Now(), true }})
		if err != nil {
			t.Fatal(err)
		}
		o.Run(context.Background()) // until killed
		return
	}
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

func startChild(t *testing.T, dir, mode string, env ...string) *exec.Cmd {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestCrashChild$", "-test.count=1")
	cmd.Env = append(append(os.Environ(), crashEnv+"="+mode, crashEnv+"_DIR="+dir), env...)
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
