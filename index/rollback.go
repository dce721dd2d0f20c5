package index

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/yingpu/govbot/content"
)

// previousFile names the generation that CURRENT's replaced, kept so that
// a bad rebuild can be undone in one step.
const previousFile = "PREVIOUS"

// ErrNoPrevious is returned by Rollback when there is no complete previous
// generation to go back to.
var ErrNoPrevious = errors.New("index: there is no previous generation to roll back to")

// GenerationInfo describes one generation on disk.
type GenerationInfo struct {
	Name  string    `json:"name"`
	Built time.Time `json:"built"`
	Docs  int       `json:"docs"`
}

// Generations tells the live generation in dir and the previous one (the
// one a Rollback would make live); either is nil when there is none.
func Generations(dir string) (current, previous *GenerationInfo, err error) {
	cur, err := readCurrent(dir)
	if err != nil {
		return nil, nil, err
	}
	if cur != "" {
		current, _ = generationInfo(dir, cur)
	}
	prev, err := readPrevious(dir)
	if err != nil {
		return current, nil, err
	}
	if prev != "" && prev != cur {
		previous, _ = generationInfo(dir, prev)
	}
	return current, previous, nil
}

func generationInfo(dir, name string) (*GenerationInfo, error) {
	b, err := os.ReadFile(filepath.Join(dir, name, metaFile))
	if err != nil {
		return nil, err
	}
	var md meta
	if err := json.Unmarshal(b, &md); err != nil {
		return nil, err
	}
	return &GenerationInfo{Name: name, Built: md.Built, Docs: md.Docs}, nil
}

// Rollback makes the previous generation in opts.Dir live again and keeps
// the one it replaces as the previous, so a second Rollback undoes the
// first. A running server swaps on its next Reload (Index.Rollback swaps
// at once). It refuses while a rebuild runs.
func Rollback(opts Options) (from, to string, err error) {
	opts.fill()
	unlock, err := lockDir(opts.Dir)
	if err != nil {
		return "", "", err
	}
	defer unlock()
	cur, err := readCurrent(opts.Dir)
	if err != nil {
		return "", "", err
	}
	prev, err := readPrevious(opts.Dir)
	if err != nil {
		return "", "", err
	}
	if prev == "" || prev == cur {
		return "", "", ErrNoPrevious
	}
	if _, err := generationInfo(opts.Dir, prev); err != nil {
		return "", "", fmt.Errorf("%w (generation %s is gone or incomplete)", ErrNoPrevious, prev)
	}
	if err := writeCurrent(opts.Dir, prev); err != nil {
		return "", "", err
	}
	if cur != "" {
		if err := writePrevious(opts.Dir, cur); err != nil {
			return "", "", err
		}
	}
	opts.Logger.Info("index rolled back", "from", cur, "to", prev)
	return cur, prev, nil
}

// Rollback rolls back (see Rollback) and swaps to the generation made live.
func (ix *Index) Rollback() (from, to string, err error) {
	from, to, err = Rollback(ix.opts)
	if err != nil {
		return from, to, err
	}
	if _, err := ix.Reload(); err != nil {
		return from, to, err
	}
	return from, to, nil
}

func readPrevious(dir string) (string, error) {
	b, err := os.ReadFile(filepath.Join(dir, previousFile))
	if errors.Is(err, os.ErrNotExist) {
		return "", nil
	}
	if err != nil {
		return "", err
	}
	name := strings.TrimSpace(string(b))
	if strings.ContainsAny(name, `/\`) || name == "." || name == ".." {
		return "", fmt.Errorf("index: %s names no generation", previousFile)
	}
	return name, nil
}

func writePrevious(dir, name string) error {
	tmp := filepath.Join(dir, previousFile+".tmp")
	if err := writeFileSync(tmp, []byte(name+"\n")); err != nil {
		return err
	}
	return os.Rename(tmp, filepath.Join(dir, previousFile))
}

// RebuildWatched is Rebuild with its own progress and load observers (a
// reindex started from the console follows its own build).
func (ix *Index) RebuildWatched(ctx context.Context, progress Progress, loaded func(*content.LoadResult)) (*BuildReport, error) {
	opts := ix.opts
	opts.Progress, opts.Loaded = progress, loaded
	rep, err := Rebuild(ctx, opts)
	if err != nil {
		return rep, err
	}
	if _, err := ix.Reload(); err != nil {
		return rep, err
	}
	return rep, nil
}

// Dir is the index directory.
func (ix *Index) Dir() string { return ix.opts.Dir }
