package index

import (
	"context"
	"errors"
	"path/filepath"
	"testing"

	"github.com/yingpu/govbot/content"
)

func TestRollbackOverridesAndAsks(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	data := smallDataDir(t, smallIDs)
	dir := filepath.Join(t.TempDir(), "index")
	override := filepath.Join(t.TempDir(), "console")
	opts := Options{Dir: dir, DataDir: data, OverrideDirs: []string{override}}

	if _, _, err := Rollback(opts); err == nil {
		t.Fatal("Rollback with no index: want an error")
	}
	rep1, err := Rebuild(ctx, opts)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := Rollback(opts); !errors.Is(err, ErrNoPrevious) {
		t.Fatalf("Rollback after the first build: %v, want ErrNoPrevious", err)
	}

	// A console edit of a shipped disclosure replaces it; asks are indexed
	// like keywords.
	edited := newDisclosure(t, "eld-001", "社区长者食堂助餐服务点名单", "本街道长者食堂地址与开放时间。")
	writeJSONL(t, filepath.Join(override, "console.jsonl"), jsonLine(t, edited))
	opts.Asks = func() (map[string][]string, error) {
		return map[string][]string{"emg-001": {"台风天去哪儿躲"}}, nil
	}
	var loaded int
	opts.Loaded = func(r *content.LoadResult) { loaded = len(r.Drafts) }
	rep2, err := Rebuild(ctx, opts)
	if err != nil {
		t.Fatal(err)
	}
	if loaded != len(smallDrafts) {
		t.Errorf("Loaded saw %d drafts, want %d", loaded, len(smallDrafts))
	}
	if rep2.Indexed != rep1.Indexed {
		t.Errorf("indexed %d, want %d (the override replaces, adds nothing)", rep2.Indexed, rep1.Indexed)
	}
	cur, prev, err := Generations(dir)
	if err != nil || cur == nil || prev == nil || cur.Name != rep2.Generation || prev.Name != rep1.Generation {
		t.Fatalf("Generations = %+v, %+v, %v; want %s, %s", cur, prev, err, rep2.Generation, rep1.Generation)
	}
	ix, err := OpenOrBuild(ctx, opts)
	if err != nil {
		t.Fatal(err)
	}
	defer ix.Close()
	ans := askOn(t, ix, Query{Text: "台风天去哪儿躲", Now: evalDay})
	if len(ans.Hits) == 0 || ans.Hits[0].ID != "emg-001" {
		t.Errorf("a 常见问法 of emg-001 → %+v, want emg-001 first", ans.Hits)
	}
	if di, ok := ix.gen.document(ctx, "eld-001"); !ok || di.doc.Title != edited.Title {
		t.Errorf("eld-001 is not the console's edition")
	}

	// One step back, and one step forward again.
	from, to, err := ix.Rollback()
	if err != nil || from != rep2.Generation || to != rep1.Generation {
		t.Fatalf("Rollback = %s → %s, %v; want %s → %s", from, to, err, rep2.Generation, rep1.Generation)
	}
	if ix.Generation() != rep1.Generation {
		t.Errorf("serving %s after rollback, want %s", ix.Generation(), rep1.Generation)
	}
	if _, _, err := ix.Rollback(); err != nil || ix.Generation() != rep2.Generation {
		t.Errorf("second rollback: %v, serving %s, want %s", err, ix.Generation(), rep2.Generation)
	}
}

func TestLexiconLayered(t *testing.T) {
	data, over := t.TempDir(), t.TempDir()
	writeJSONL(t, filepath.Join(data, SynonymsFile), "失业保险金，失业金")
	writeJSONL(t, filepath.Join(data, StopwordsFile), "请问")
	lx, err := loadLexiconLayered(data, over)
	if err != nil || len(lx.Synonyms) != 1 || len(lx.Stopwords) != 1 {
		t.Fatalf("no edits: %+v, %v", lx, err)
	}
	writeJSONL(t, filepath.Join(over, SynonymsFile), "失业保险金，失业金", "长者食堂，饭堂")
	lx, err = loadLexiconLayered(data, over)
	if err != nil || len(lx.Synonyms) != 2 || len(lx.Stopwords) != 1 || lx.Stopwords[0] != "请问" {
		t.Errorf("edited synonyms: %+v, %v", lx, err)
	}
}

// Two reloads at once (the watcher's and a rebuild's) both end on the new
// generation; neither finds it locked by the other.
func TestConcurrentReloads(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	opts := Options{Dir: filepath.Join(t.TempDir(), "index"), DataDir: smallDataDir(t, smallIDs)}
	ix, err := OpenOrBuild(ctx, opts)
	if err != nil {
		t.Fatal(err)
	}
	defer ix.Close()
	rep, err := Rebuild(ctx, opts)
	if err != nil {
		t.Fatal(err)
	}
	errs := make(chan error, 4)
	for i := 0; i < 4; i++ {
		go func() { _, err := ix.Reload(); errs <- err }()
	}
	for i := 0; i < 4; i++ {
		if err := <-errs; err != nil {
			t.Errorf("concurrent Reload: %v", err)
		}
	}
	if ix.Generation() != rep.Generation {
		t.Errorf("serving %s, want %s", ix.Generation(), rep.Generation)
	}
}
