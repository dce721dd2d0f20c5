package index

import (
	"bufio"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/yingpu/govbot/content"
)

// smallIDs are the disclosures of the small data directories: a few
// publishable ones, and every draft and privacy-blocked one of the sample.
var smallIDs = []string{
	"ben-001", "ben-002", "ben-003", "emp-004", "emg-001", "emg-003", "eld-001", "eld-002",
	"emp-021", "ben-021", "eld-016", "pln-006", // drafts
	"ben-020", "res-004", // approved, but hold personal data
}

var (
	smallDrafts  = []string{"ben-021", "eld-016", "emp-021", "pln-006"}
	smallBlocked = []string{"ben-020", "res-004"}
)

const smallPublishable = 8

// smallDataDir copies the lexicon files and the disclosures with the given
// ids from ../data into a new directory.
func smallDataDir(t *testing.T, ids []string) string {
	t.Helper()
	dir := t.TempDir()
	for _, f := range []string{DictFile, StopwordsFile, SynonymsFile, ReferralsFile} {
		b, err := os.ReadFile(filepath.Join("../data", f))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, f), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want := map[string]bool{}
	for _, id := range ids {
		want[id] = true
	}
	files, _ := filepath.Glob("../data/disclosures/*.jsonl")
	var out []string
	for _, f := range files {
		fh, err := os.Open(f)
		if err != nil {
			t.Fatal(err)
		}
		sc := bufio.NewScanner(fh)
		sc.Buffer(make([]byte, 1<<20), 1<<20)
		for sc.Scan() {
			var rec struct{ ID string }
			if json.Unmarshal(sc.Bytes(), &rec) == nil && want[rec.ID] {
				out = append(out, sc.Text())
				delete(want, rec.ID)
			}
		}
		fh.Close()
	}
	if len(want) > 0 {
		t.Fatalf("disclosures not in ../data: %v", want)
	}
	writeJSONL(t, filepath.Join(dir, "disclosures", "sample.jsonl"), out...)
	return dir
}

func writeJSONL(t *testing.T, path string, lines ...string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(strings.Join(lines, "\n")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
}

// newDisclosure is an approved, publishable disclosure.
func newDisclosure(t *testing.T, id, title, body string, keywords ...string) content.Disclosure {
	t.Helper()
	date := func(s string) content.Date {
		d, err := content.ParseDate(s)
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	return content.Disclosure{
		ID: id, Title: title, Body: body, Keywords: keywords,
		Category: "culture", Department: "社区自治办",
		Published: date("2026-11-20"), Effective: date("2026-11-20"),
		URL:    "https://gk.yingpu.example/zwgk/2026/" + id + ".html",
		Review: content.Review{Status: "approved", Reviewer: "王芳", Date: date("2026-11-19")},
	}
}

func jsonLine(t *testing.T, d content.Disclosure) string {
	t.Helper()
	b, err := json.Marshal(d)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// generations lists the gen-* directories of an index directory.
func generations(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range entries {
		if e.IsDir() && strings.HasPrefix(e.Name(), "gen-") {
			out = append(out, e.Name())
		}
	}
	sort.Strings(out)
	return out
}

func current(t *testing.T, dir string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, "CURRENT"))
	if err != nil {
		t.Fatal(err)
	}
	return strings.TrimSpace(string(b))
}

func sorted(s ...string) []string {
	out := append([]string(nil), s...)
	sort.Strings(out)
	return out
}

// topID asks q as of 2026-11-26 and returns the best hit's id ("" if none).
func topID(t *testing.T, ix *Index, q string) string {
	t.Helper()
	ans := askOn(t, ix, Query{Text: q, Now: evalDay})
	if len(ans.Hits) == 0 {
		return ""
	}
	return ans.Hits[0].ID
}

// TestGenerations walks an index through its life on a small data
// directory: a build, an open that builds nothing, live additions, failed
// and concurrent builds, a killed build's left-overs, rebuild and swap.
// (Every build and open loads the segmenter's dictionary, so the steps
// share one index directory.)
func TestGenerations(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	data := smallDataDir(t, smallIDs)
	extra := filepath.Join(t.TempDir(), "published") // absent at first
	dir := filepath.Join(t.TempDir(), "index")
	var progressed atomic.Int64
	opts := Options{Dir: dir, DataDir: data, ExtraDirs: []string{extra},
		Progress: func(done, total int) { progressed.Add(1) }}

	rep, err := Rebuild(ctx, opts)
	if err != nil {
		t.Fatalf("Rebuild: %v", err)
	}
	gen1 := rep.Generation
	if progressed.Load() == 0 {
		t.Error("Rebuild reported no progress")
	}
	if got := current(t, dir); got != gen1 {
		t.Errorf("CURRENT = %q, built %q", got, gen1)
	}
	if got := generations(t, dir); !reflect.DeepEqual(got, []string{gen1}) {
		t.Errorf("generations %v, want just %s", got, gen1)
	}
	if rep.Indexed != smallPublishable {
		t.Errorf("report: indexed %d, want %d", rep.Indexed, smallPublishable)
	}
	// The report lists what was left out, and why.
	var drafts, blocked []string
	for _, d := range rep.Load.Drafts {
		drafts = append(drafts, d.ID)
		if !strings.Contains(d.Reason, "draft") {
			t.Errorf("draft %s listed with reason %q", d.ID, d.Reason)
		}
	}
	for _, b := range rep.Load.Blocked {
		blocked = append(blocked, b.ID)
		if len(b.Findings) == 0 {
			t.Errorf("blocked %s listed without findings", b.ID)
		}
	}
	if got := sorted(drafts...); !reflect.DeepEqual(got, smallDrafts) {
		t.Errorf("report drafts %v, want %v", got, smallDrafts)
	}
	if got := sorted(blocked...); !reflect.DeepEqual(got, smallBlocked) {
		t.Errorf("report blocked %v, want %v", got, smallBlocked)
	}

	// With a generation there, OpenOrBuild opens it and builds nothing.
	progressed.Store(0)
	ix, err := OpenOrBuild(ctx, opts)
	if err != nil {
		t.Fatalf("OpenOrBuild: %v", err)
	}
	t.Cleanup(func() { ix.Close() })
	if ix.Generation() != gen1 || progressed.Load() != 0 {
		t.Errorf("OpenOrBuild: generation %s (want %s), progress calls %d (want 0)", ix.Generation(), gen1, progressed.Load())
	}
	if got := generations(t, dir); !reflect.DeepEqual(got, []string{gen1}) {
		t.Errorf("generations after open %v, want just %s", got, gen1)
	}
	if n := ix.Count(); n != smallPublishable {
		t.Errorf("Count = %d, want %d (drafts and blocked left out)", n, smallPublishable)
	}
	if id := topID(t, ix, "失业保险金怎么申领"); id != "emp-004" {
		t.Errorf("失业保险金怎么申领 → %q, want emp-004", id)
	}
	for _, q := range []string{"征求意见稿", "草稿", "临时救助对象公示", "分户补偿结果公示", "2024年春季招聘会", "长者食堂收费标准"} {
		ans := askOn(t, ix, Query{Text: q, Now: evalDay})
		for _, id := range append(append([]string(nil), smallDrafts...), smallBlocked...) {
			if r := rankOf(ans, id); r != 0 {
				t.Errorf("%s: withheld %s is hit %d", q, id, r)
			}
		}
	}

	t.Run("Add", func(t *testing.T) {
		const q = "修伞磨刀"
		if rankOf(askOn(t, ix, Query{Text: q, Now: evalDay}), "cul-902") != 0 {
			t.Fatal("cul-902 found before it was added")
		}
		d := newDisclosure(t, "cul-902", "盈浦街道社区修伞磨刀便民服务日通知",
			"每月15日上午，志愿者在社区文化活动中心门前提供修伞、磨刀、修拉链等便民服务，不收费。", "修伞", "磨刀", "便民服务")
		if err := ix.Add(d); err != nil {
			t.Fatalf("Add: %v", err)
		}
		if n := ix.Count(); n != smallPublishable+1 {
			t.Errorf("Count after Add = %d, want %d", n, smallPublishable+1)
		}
		ans := askOn(t, ix, Query{Text: q, Now: evalDay})
		if !ans.Answered || len(ans.Hits) == 0 || ans.Hits[0].ID != "cul-902" {
			t.Errorf("%s after Add: answered=%v hits %v, want cul-902 first", q, ans.Answered, hitIDs(ans))
		}
		if ans.Hits[0].URL != d.URL || ans.Hits[0].Passage == nil || !strings.Contains(ans.Hits[0].Passage.Text, "修伞") {
			t.Errorf("the added disclosure's hit lacks its url or passage: %+v", ans.Hits[0])
		}

		bad := newDisclosure(t, "cul-903", "盈浦街道社区配钥匙服务通知", "每周二提供配钥匙服务。", "配钥匙")
		bad.URL = ""
		err := ix.Add(bad)
		if err == nil || !strings.Contains(err.Error(), "url") {
			t.Errorf("Add of a disclosure without url: err %v, want one naming the url", err)
		}
		if n := ix.Count(); n != smallPublishable+1 {
			t.Errorf("Count after a refused Add = %d, want %d", n, smallPublishable+1)
		}
		if rankOf(askOn(t, ix, Query{Text: "配钥匙", Now: evalDay}), "cul-903") != 0 {
			t.Error("refused disclosure cul-903 is answered")
		}
		// A rebuild keeps it when it is also kept in an extra directory.
		writeJSONL(t, filepath.Join(extra, "cul-902.jsonl"), jsonLine(t, d))
	})

	// stillServing checks that a failed attempt left everything as it was.
	stillServing := func(t *testing.T) {
		t.Helper()
		if got := current(t, dir); got != gen1 {
			t.Errorf("CURRENT changed to %q", got)
		}
		if got := generations(t, dir); !reflect.DeepEqual(got, []string{gen1}) {
			t.Errorf("generations %v, want just %s (no stray build)", got, gen1)
		}
		if ix.Generation() != gen1 {
			t.Errorf("live generation %s, want %s", ix.Generation(), gen1)
		}
		if id := topID(t, ix, "失业保险金怎么申领"); id != "emp-004" {
			t.Errorf("no longer answers: 失业保险金怎么申领 → %q", id)
		}
	}

	t.Run("ConcurrentRebuild", func(t *testing.T) {
		unlock, err := lockDir(dir)
		if err != nil {
			t.Fatal(err)
		}
		_, err = Rebuild(ctx, opts)
		unlock()
		if err == nil || !strings.Contains(err.Error(), "another reindex is running") {
			t.Errorf("Rebuild while another holds the lock: err %v", err)
		}
		stillServing(t)
	})

	t.Run("MalformedLexicon", func(t *testing.T) {
		path := filepath.Join(data, SynonymsFile)
		orig, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		defer os.WriteFile(path, orig, 0o644)
		lines := strings.Count(string(orig), "\n")
		if err := os.WriteFile(path, append(append([]byte{}, orig...), "孤零零\n"...), 0o644); err != nil {
			t.Fatal(err)
		}
		_, err = Rebuild(ctx, opts)
		if err == nil {
			t.Fatal("Rebuild accepted a malformed synonyms.txt")
		}
		if want := SynonymsFile + ":" + strconv.Itoa(lines+1); !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not name %s", err, want)
		}
		stillServing(t)
	})

	t.Run("CurrentNamesMissingGeneration", func(t *testing.T) {
		path := filepath.Join(dir, "CURRENT")
		orig, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		defer os.WriteFile(path, orig, 0o644)
		for _, name := range []string{"gen-20990101T000000-missing", "../elsewhere"} {
			if err := os.WriteFile(path, []byte(name+"\n"), 0o644); err != nil {
				t.Fatal(err)
			}
			_, err := OpenOrBuild(ctx, opts)
			if err == nil {
				t.Errorf("OpenOrBuild with CURRENT naming %q: no error", name)
			} else if !strings.Contains(err.Error(), strings.TrimPrefix(name, "../")) && !strings.Contains(err.Error(), "CURRENT") {
				t.Errorf("OpenOrBuild with CURRENT naming %q: unclear error %q", name, err)
			}
			if swapped, err := ix.Reload(); err == nil || swapped {
				t.Errorf("Reload with CURRENT naming %q: swapped=%v err=%v, want an error", name, swapped, err)
			}
			if ix.Generation() != gen1 {
				t.Errorf("a bad CURRENT swapped the live generation to %s", ix.Generation())
			}
		}
		os.WriteFile(path, orig, 0o644)
		stillServing(t)
	})

	// A build killed midway leaves a generation without its meta file.
	killed := filepath.Join(dir, "gen-20000101T000000-0badc0de")
	if err := os.MkdirAll(filepath.Join(killed, "bleve"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(killed, "bleve", "000000000001.zap"), []byte("torn"), 0o644); err != nil {
		t.Fatal(err)
	}
	if swapped, err := ix.Reload(); swapped || err != nil {
		t.Errorf("Reload with a killed build beside: swapped=%v err=%v, want nothing to do", swapped, err)
	}

	// New content, then a rebuild.
	added := newDisclosure(t, "cul-901", "盈浦街道冬季长者免费理发服务公告",
		"每月第一个周三上午，志愿者在社区文化活动中心为60周岁以上老人提供免费理发服务，请携带敬老卡。", "免费理发", "长者")
	writeJSONL(t, filepath.Join(data, "disclosures", "new.jsonl"), jsonLine(t, added))
	// An extra directory repeating an id of the data directory loses.
	dup := newDisclosure(t, "ben-002", "重复的低保标准公告", "这条不应被索引。", "重复")
	writeJSONL(t, filepath.Join(extra, "dup.jsonl"), jsonLine(t, dup))

	rep, err = Rebuild(ctx, opts)
	if err != nil {
		t.Fatalf("Rebuild: %v", err)
	}
	gen2 := rep.Generation
	if gen2 == gen1 || current(t, dir) != gen2 {
		t.Errorf("Rebuild made %s; CURRENT %s; before %s", gen2, current(t, dir), gen1)
	}
	if got, want := generations(t, dir), sorted(gen1, gen2); !reflect.DeepEqual(got, want) {
		t.Errorf("generations after Rebuild %v, want live and previous %v (killed build removed)", got, want)
	}
	if want := smallPublishable + 2; rep.Indexed != want { // + cul-901, cul-902
		t.Errorf("report: indexed %d, want %d", rep.Indexed, want)
	}
	// The live index answers from the old generation until it reloads.
	if ix.Generation() != gen1 || rankOf(askOn(t, ix, Query{Text: "免费理发", Now: evalDay}), "cul-901") != 0 {
		t.Errorf("the open index changed before Reload (generation %s)", ix.Generation())
	}

	// A rebuild in progress while a server reloads (another `govbot
	// reindex` ran just before): the reload must not disturb the build.
	// The reload runs while the build is midway; should a Reload ever wait
	// for the build to finish, the build goes on after a while rather than
	// the test hanging.
	var once sync.Once
	var reloaded bool
	var reloadErr error
	started, finished := false, make(chan struct{})
	during := opts
	during.Progress = func(done, total int) {
		once.Do(func() {
			started = true
			go func() {
				defer close(finished)
				reloaded, reloadErr = ix.Reload()
			}()
			select {
			case <-finished:
			case <-time.After(2 * time.Minute):
				t.Error("Reload waited for a running build")
			}
		})
	}
	rep3, err3 := Rebuild(ctx, during)
	if !started {
		t.Fatalf("Rebuild reported no progress (err %v)", err3)
	}
	<-finished

	// The reload swapped to gen2, which has the new content.
	if !reloaded || reloadErr != nil {
		t.Fatalf("Reload: swapped=%v err=%v", reloaded, reloadErr)
	}
	if ix.Generation() != gen2 {
		t.Errorf("after Reload: generation %s, want %s", ix.Generation(), gen2)
	}
	if id := topID(t, ix, "哪里可以免费理发"); id != "cul-901" {
		t.Errorf("after Reload: 哪里可以免费理发 → %q, want cul-901", id)
	}
	if id := topID(t, ix, "修伞磨刀"); id != "cul-902" {
		t.Errorf("after Reload: 修伞磨刀 → %q, want cul-902 (kept through the extra directory)", id)
	}
	ans := askOn(t, ix, Query{Text: "低保标准", Now: evalDay})
	if len(ans.Hits) == 0 || ans.Hits[0].ID != "ben-002" || ans.Hits[0].Title == dup.Title {
		t.Errorf("after Reload: 低保标准 → %v, want the data directory's ben-002", ans.Hits)
	}
	if err3 != nil {
		t.Fatalf("a Reload during a Rebuild broke the build: %v", err3)
	}
	// The build finished after the Reload: the next Reload takes it, and
	// the one after has nothing to do.
	if swapped, err := ix.Reload(); !swapped || err != nil || ix.Generation() != rep3.Generation {
		t.Errorf("Reload after the build: swapped=%v err=%v generation %s, want %s", swapped, err, ix.Generation(), rep3.Generation)
	}
	if swapped, err := ix.Reload(); swapped || err != nil {
		t.Errorf("second Reload: swapped=%v err=%v, want nothing to do", swapped, err)
	}
	if current(t, dir) != rep3.Generation {
		t.Errorf("CURRENT %s, want the last build %s", current(t, dir), rep3.Generation)
	}
	if got, want := generations(t, dir), sorted(gen2, rep3.Generation); !reflect.DeepEqual(got, want) {
		t.Errorf("generations %v, want live and previous %v", got, want)
	}
}

// A second process (govbot ask beside govbot serve) opening the index that
// another has open must not wait forever.
func TestOpenWhileAnotherIndexHoldsIt(t *testing.T) {
	t.Parallel()
	ix := sampleIndex(t)
	type result struct {
		ix  *Index
		err error
	}
	done := make(chan result, 1)
	go func() {
		other, err := OpenOrBuild(context.Background(), Options{Dir: sample.dir, DataDir: "../data"})
		done <- result{other, err}
	}()
	select {
	case r := <-done:
		if r.err != nil {
			t.Logf("second open refused: %v", r.err)
			return
		}
		defer r.ix.Close()
		if r.ix.Generation() != ix.Generation() {
			t.Errorf("second open: generation %s, want %s", r.ix.Generation(), ix.Generation())
		}
	case <-time.After(20 * time.Second):
		t.Errorf("OpenOrBuild of an index open elsewhere still blocked after 20s (bleve's root.bolt lock is waited for without a timeout)")
	}
}

// The sample index was made by OpenOrBuild on an empty directory: the first
// start builds one generation from the data and makes it live.
func TestOpenOrBuildFirstStartBuilds(t *testing.T) {
	ix := sampleIndex(t)
	gen := ix.Generation()
	if got := current(t, sample.dir); got != gen {
		t.Errorf("CURRENT = %q, live generation %q", got, gen)
	}
	if got := generations(t, sample.dir); !reflect.DeepEqual(got, []string{gen}) {
		t.Errorf("generations %v, want just %s", got, gen)
	}
	res, err := content.Load("../data", content.LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if n := ix.Count(); n != len(res.Publishable) || n == 0 {
		t.Errorf("Count = %d, want the %d publishable disclosures", n, len(res.Publishable))
	}
	if _, err := os.Stat(filepath.Join(sample.dir, gen, "govbot-meta.json")); err != nil {
		t.Errorf("live generation has no meta file: %v", err)
	}
}
