package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/yingpu/govbot/clock"
	"github.com/yingpu/govbot/config"
)

// runGovbot runs the command line in-process.
func runGovbot(t *testing.T, stdin string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code = run(context.Background(), args, strings.NewReader(stdin), &out, &errOut)
	return code, out.String(), errOut.String()
}

// copyDataDir makes a data directory with the sample lexicon and the
// sample disclosures with the given ids, plus extra JSONL lines.
func copyDataDir(t *testing.T, ids []string, extraLines ...string) string {
	t.Helper()
	dir := t.TempDir()
	for _, f := range []string{"dict.txt", "stopwords.txt", "synonyms.txt", "referrals.txt"} {
		b, err := os.ReadFile(filepath.Join("data", f))
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
	files, _ := filepath.Glob("data/disclosures/*.jsonl")
	var lines []string
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
				lines = append(lines, sc.Text())
				delete(want, rec.ID)
			}
		}
		fh.Close()
	}
	if len(want) > 0 {
		t.Fatalf("not in data/disclosures: %v", want)
	}
	lines = append(lines, extraLines...)
	if err := os.MkdirAll(filepath.Join(dir, "disclosures"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "disclosures", "sample.jsonl"), []byte(strings.Join(lines, "\n")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

func TestReindexReportsWhatIsLeftOut(t *testing.T) {
	publishable := []string{"ben-001", "ben-002", "ben-003", "emp-004", "eld-001", "emg-003"}
	ids := append(append([]string(nil), publishable...),
		"emp-021", "ben-021", // drafts
		"ben-020", // approved, but names a person with ID card and phone
	)
	const badLine = `{"id":"bad-001","title":"没有写完的一行",`
	data := copyDataDir(t, ids, badLine)
	state := t.TempDir()

	code, out, errOut := runGovbot(t, "", "reindex", "--data", data, "--state", state)
	if code != 0 {
		t.Fatalf("reindex exit %d\nstdout:\n%s\nstderr:\n%s", code, out, errOut)
	}
	if !regexp.MustCompile(`indexed 6 disclosures into gen-\S+`).MatchString(out) {
		t.Errorf("no count of indexed disclosures:\n%s", out)
	}
	if !strings.Contains(out, "drafts skipped: 2, blocked by the privacy check: 1, errors: 1") {
		t.Errorf("no summary of drafts, blocked and errors:\n%s", out)
	}
	for _, want := range []*regexp.Regexp{
		regexp.MustCompile(`(?m)^\s*draft\s.*emp-021 draft: review status is "draft"`),
		regexp.MustCompile(`(?m)^\s*draft\s.*ben-021 draft: review status is "draft"`),
		regexp.MustCompile(`(?m)^\s*blocked\s.*ben-020 blocked: .*id_card`),
		regexp.MustCompile(`(?m)^\s*error\s.*sample\.jsonl:10: `),
	} {
		if !want.MatchString(out) {
			t.Errorf("report lacks a line matching %s:\n%s", want, out)
		}
	}
	// The personal data itself is not repeated in full in the report.
	if strings.Contains(out, "310118196203154210") || strings.Contains(out, "13916250873") {
		t.Errorf("report repeats personal data:\n%s", out)
	}
	// The new generation is live.
	b, err := os.ReadFile(filepath.Join(state, "index", "CURRENT"))
	gen := regexp.MustCompile(`gen-\S+`).FindString(out)
	if err != nil || strings.TrimSpace(string(b)) != gen {
		t.Errorf("CURRENT = %q (%v), want %q", b, err, gen)
	}

	// --strict: the same data is an error.
	code, out, errOut = runGovbot(t, "", "reindex", "--strict", "--data", data, "--state", state)
	if code == 0 {
		t.Errorf("reindex --strict with a bad record exited 0\nstdout:\n%s", out)
	}
	if !strings.Contains(errOut, "1 records have errors") {
		t.Errorf("--strict: stderr does not say why:\n%s", errOut)
	}
	if !strings.Contains(out, "sample.jsonl:10") {
		t.Errorf("--strict: the bad record is not reported:\n%s", out)
	}
}

func TestReindexRefusesBadConfiguration(t *testing.T) {
	dir := t.TempDir()
	state := t.TempDir()
	unknownKey := filepath.Join(dir, "typo.yaml")
	os.WriteFile(unknownKey, []byte("serach:\n  min_score: 0.3\n"), 0o644)
	badValue := filepath.Join(dir, "bad.yaml")
	os.WriteFile(badValue, []byte("search:\n  min_score: 3\n"), 0o644)

	for _, c := range []struct {
		name string
		args []string
		want []string
	}{
		{"missing config file", []string{"--config", filepath.Join(dir, "nope.yaml")}, []string{"config", "nope.yaml"}},
		{"unknown key", []string{"--config", unknownKey}, []string{"serach"}},
		{"bad value", []string{"--config", badValue}, []string{"min_score"}},
		{"missing data dir", []string{"--data", filepath.Join(dir, "no-such-data")}, []string{"data_dir", "no-such-data: no such file or directory"}},
		{"unknown flag", []string{"--bogus"}, []string{"bogus"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			args := append([]string{"reindex", "--state", state}, c.args...)
			code, out, errOut := runGovbot(t, "", args...)
			if code == 0 {
				t.Fatalf("exit 0\nstdout:\n%s", out)
			}
			for _, w := range c.want {
				if !strings.Contains(errOut, w) {
					t.Errorf("stderr does not mention %q:\n%s", w, errOut)
				}
			}
			if _, err := os.Stat(filepath.Join(state, "index", "CURRENT")); err == nil {
				t.Error("a failed reindex made an index live")
			}
		})
	}
}

func TestReindexRollback(t *testing.T) {
	data := copyDataDir(t, []string{"ben-001", "ben-002", "emp-004"})
	state := t.TempDir()
	if code, out, errOut := runGovbot(t, "", "reindex", "--rollback", "--data", data, "--state", state); code == 0 {
		t.Errorf("rollback with no index exited 0: %s", out)
	} else if !strings.Contains(errOut, "rollback failed") {
		t.Errorf("rollback with no index: %s", errOut)
	}
	var gens []string
	for i := 0; i < 2; i++ {
		code, out, errOut := runGovbot(t, "", "reindex", "--data", data, "--state", state)
		if code != 0 {
			t.Fatalf("reindex: %d %s %s", code, out, errOut)
		}
		gens = append(gens, regexp.MustCompile(`gen-\S+`).FindString(out))
	}
	code, out, errOut := runGovbot(t, "", "reindex", "--rollback", "--data", data, "--state", state)
	if code != 0 || !strings.Contains(out, "rolled back from "+gens[1]+" to "+gens[0]) {
		t.Fatalf("rollback: %d %s %s", code, out, errOut)
	}
	b, _ := os.ReadFile(filepath.Join(state, "index", "CURRENT"))
	if strings.TrimSpace(string(b)) != gens[0] {
		t.Errorf("CURRENT %q after rollback, want %s", b, gens[0])
	}
}

// The configured cache sizes reach the index: 0 means none there (where 0
// would mean the default).
func TestIndexOptionsCacheSizes(t *testing.T) {
	cfg := config.Default()
	opts := indexOptions(cfg, clock.System{}, nil)
	if opts.AnswerCache != config.DefaultAnswerCache || opts.DocCache != config.DefaultDisclosureCache {
		t.Errorf("defaults: answer cache %d, disclosure cache %d", opts.AnswerCache, opts.DocCache)
	}
	cfg.Search.AnswerCache, cfg.Search.DisclosureCache = 0, 0
	if opts := indexOptions(cfg, clock.System{}, nil); opts.AnswerCache >= 0 || opts.DocCache >= 0 {
		t.Errorf("none: answer cache %d, disclosure cache %d, want both negative", opts.AnswerCache, opts.DocCache)
	}
	cfg.Search.AnswerCache, cfg.Search.DisclosureCache = 10, 20
	if opts := indexOptions(cfg, clock.System{}, nil); opts.AnswerCache != 10 || opts.DocCache != 20 {
		t.Errorf("set: answer cache %d, disclosure cache %d", opts.AnswerCache, opts.DocCache)
	}
}
