// Package index builds and searches govbot's full-text index of published
// disclosures: bleve (scorch, BM25) with a Chinese analyzer on gse, pinyin
// pairs for homophone typos, admin-edited synonyms, geo points, and ranking
// that knows what is in force on the day asked.
//
// On disk an index directory holds generations (gen-…), each a complete
// bleve index with its own statistics, and a CURRENT file naming the live
// one. A rebuild writes a new generation beside the live one and then
// replaces CURRENT atomically, so a failed or killed build never touches
// what is serving; a running server notices the new CURRENT and swaps to it
// between two questions.
package index

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/blevesearch/bleve/v2"
	bolt "go.etcd.io/bbolt"

	"github.com/yingpu/govbot/clock"
	"github.com/yingpu/govbot/config"
	"github.com/yingpu/govbot/content"
)

// DefaultLockWait is how long opening a generation waits, by default, for
// another process that holds it.
const DefaultLockWait = 2 * time.Second

const (
	currentFile = "CURRENT"
	// DefaultDocCache is how many decoded disclosures a generation keeps
	// by default (Options.DocCache).
	DefaultDocCache = config.DefaultDisclosureCache
)

// ErrInUse is returned by OpenOrBuild when another process (a running
// govbot serve) holds the live generation open.
var ErrInUse = errors.New("the index is in use by another govbot process (a running serve)")

// Options configure an Index.
type Options struct {
	// Dir is the index directory (generations and CURRENT).
	Dir string
	// DataDir holds the disclosures and the lexicon files.
	DataDir string
	// ExtraDirs hold more disclosures that every build reads.
	ExtraDirs []string
	// PublishDir is where Publish keeps the disclosures it adds (public
	// notices once sent); every build reads it too.
	PublishDir string
	// OverrideDirs hold disclosures read before DataDir: one there replaces
	// the disclosure of the same id in DataDir or ExtraDirs (a disclosure
	// edited and approved in the console).
	OverrideDirs []string
	// LexiconDir, when set, holds lexicon files read instead of DataDir's
	// files of the same name (the lexicon as edited in the console).
	LexiconDir string
	// Asks, when set, gives per disclosure id the ways residents ask about
	// it (常见问法); they are indexed like the disclosure's keywords.
	Asks func() (map[string][]string, error)
	// Search tunes answering.
	Search config.Search
	// Area is the subdistrict answered for; questions about another
	// area are declined.
	Area   config.Area
	Clock  clock.Clock
	Logger *slog.Logger
	// Progress, when set, is told of indexing progress during a build.
	Progress Progress
	// Loaded, when set, is told what was read (drafts, blocked, errors)
	// once everything is read, before the new generation is merged and
	// made live.
	Loaded func(*content.LoadResult)
	// LockWait is how long opening the live generation waits for another
	// process holding it before ErrInUse (default DefaultLockWait).
	LockWait time.Duration
	// AnswerCache is how many answers to recent queries the index keeps
	// for the live generation (default DefaultAnswerCache; negative: none,
	// and no question taken apart is kept either).
	AnswerCache int
	// DocCache is how many decoded disclosures each generation keeps, with
	// what ranking and passages derive from them (their normalized text,
	// lines and intent cues): a disclosure not kept is read and decoded
	// again whenever a question needs it (default DefaultDocCache, about
	// 10 KB each; negative: none kept).
	DocCache int
	// Force lets a rebuild replace the live generation even when it would
	// hold less than half as many disclosures (a data directory emptied or
	// broken by mistake would otherwise take the bot's answers away).
	Force bool
}

func (o *Options) fill() {
	if o.Clock == nil {
		o.Clock = clock.System{}
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.Search == (config.Search{}) {
		o.Search = config.Default().Search
	}
	if o.LockWait <= 0 {
		o.LockWait = DefaultLockWait
	}
	if o.AnswerCache == 0 {
		o.AnswerCache = DefaultAnswerCache
	}
	if o.DocCache == 0 {
		o.DocCache = DefaultDocCache
	}
}

// generation is one complete, immutable index.
type generation struct {
	name string
	bi   bleve.Index
	seg  *Segmenter
	meta *meta
	syn  *synonyms
	docs *docCache
	// store holds the disclosures' sources (nil for a generation built
	// before docs.dat: bleve holds them).
	store *docStore
	// added are the disclosures Add put into the generation since its
	// build (their sources are in bleve, and newer than docs.dat's for an
	// id already built in); kept in the file addedFile, so a restart
	// knows them too.
	added *addedSet
	df    *termStats
	// withheld are the drafts and privacy-blocked disclosures the build
	// left out (ids and titles only), for the explanation.
	withheld []withheldDoc
}

// Index answers questions from the live generation.
type Index struct {
	opts    Options
	weights Weights
	mu      sync.RWMutex
	gen     *generation
	// answers are those to the queries last asked of gen; analyses and
	// topics the questions last taken apart.
	answers  answerCache
	analyses analysisCache
	topics   topicCache
	// reload serializes Reload: two of them at once (the watcher's and a
	// rebuild's) would both open the new generation, and the second would
	// find it locked by the first.
	reload sync.Mutex
}

// BuildReport summarizes a build: what was indexed and what was not, and why.
type BuildReport struct {
	Generation string
	Indexed    int
	Load       *content.LoadResult
	Took       time.Duration
}

// OpenOrBuild opens the live generation in opts.Dir, building one from
// opts.DataDir first when there is none (first start).
func OpenOrBuild(ctx context.Context, opts Options) (*Index, error) {
	opts.fill()
	name, err := readCurrent(opts.Dir)
	if err != nil {
		return nil, err
	}
	if name == "" {
		opts.Logger.Info("no index yet: building from data", "data_dir", opts.DataDir)
		rep, err := Rebuild(ctx, opts)
		if err != nil {
			return nil, err
		}
		name = rep.Generation
		opts.Logger.Info("index built", "generation", name, "indexed", rep.Indexed,
			"drafts", len(rep.Load.Drafts), "blocked", len(rep.Load.Blocked), "errors", len(rep.Load.Errors), "took", rep.Took)
	}
	w, err := LoadWeights(opts.DataDir)
	if err != nil {
		return nil, fmt.Errorf("ranking weights: %w", err)
	}
	g, err := openGeneration(opts.Dir, name, opts.LockWait, opts.DocCache)
	if err != nil {
		return nil, err
	}
	return &Index{opts: opts, gen: g, weights: w}, nil
}

// Rebuild loads every disclosure from opts.DataDir (and ExtraDirs), builds a
// new generation beside the live one and makes it live by replacing CURRENT
// atomically. Older generations but the previous one are removed. A build
// that fails or is killed leaves the live generation serving.
func Rebuild(ctx context.Context, opts Options) (*BuildReport, error) {
	opts.fill()
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	start := time.Now()
	if err := os.MkdirAll(opts.Dir, 0o755); err != nil {
		return nil, err
	}
	unlock, err := lockDir(opts.Dir)
	if err != nil {
		return nil, err
	}
	defer unlock()

	lx, err := loadLexiconLayered(opts.DataDir, opts.LexiconDir)
	if err != nil {
		return nil, fmt.Errorf("lexicon: %w", err)
	}
	var all []string
	all = append(all, opts.OverrideDirs...)
	all = append(all, opts.DataDir)
	all = append(all, opts.ExtraDirs...)
	all = append(all, opts.PublishDir)
	var dirs []string
	for _, dir := range all {
		if dir == "" {
			continue
		}
		if dir != opts.DataDir {
			if _, err := os.Stat(dir); errors.Is(err, os.ErrNotExist) {
				continue
			}
		}
		dirs = append(dirs, dir)
	}
	var asks map[string][]string
	if opts.Asks != nil {
		if asks, err = opts.Asks(); err != nil {
			return nil, fmt.Errorf("asks: %w", err)
		}
	}
	total := 0
	if opts.Progress != nil {
		for _, dir := range dirs {
			n, err := content.CountRecords(dir)
			if err != nil {
				return nil, fmt.Errorf("load disclosures: %w", err)
			}
			total += n
		}
	}

	// The disclosures are streamed from the files into the build: a large
	// corpus is never held whole.
	name := newGenerationName(opts.Clock.Now())
	dir := filepath.Join(opts.Dir, name)
	b, err := newGenBuilder(ctx, dir, lx, opts.Progress, total)
	if err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	res := &content.LoadResult{}
	// The first of disclosures sharing an id is kept: an override replaces
	// the shipped one, an extra directory may repeat one.
	seen := map[string]struct{}{}
	read := 0
	loadOpts := content.LoadOptions{Record: func() { read++ }}
	for _, d := range dirs {
		more, err := content.Walk(d, loadOpts, func(d content.Disclosure) error {
			if _, dup := seen[d.ID]; dup {
				return nil
			}
			seen[d.ID] = struct{}{}
			if a := asks[d.ID]; len(a) > 0 {
				d.Asks = append([]string(nil), a...)
				d.Keywords = append(append([]string(nil), d.Keywords...), a...)
			}
			return b.add(d, read)
		})
		if err != nil {
			b.abort()
			os.RemoveAll(dir)
			if more == nil || ctx.Err() != nil {
				return nil, fmt.Errorf("load disclosures: %w", err)
			}
			return nil, err
		}
		res.Streamed += more.Streamed
		res.Drafts = append(res.Drafts, more.Drafts...)
		res.Blocked = append(res.Blocked, more.Blocked...)
		res.Errors = append(res.Errors, more.Errors...)
	}
	if opts.Loaded != nil {
		opts.Loaded(res)
	}
	indexed := len(seen)
	if live := liveDocs(opts.Dir); !opts.Force && live > 0 && indexed < (live+1)/2 {
		b.abort()
		os.RemoveAll(dir)
		return &BuildReport{Indexed: indexed, Load: res}, &ShrinkError{Live: live, New: indexed}
	}
	exists := func(id string) bool { _, ok := seen[id]; return ok }
	if _, err := b.finish(read, opts.Clock.Now(), exists); err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	if err := writeWithheld(dir, res); err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	prev, _ := readCurrent(opts.Dir)
	if err := writeCurrent(opts.Dir, name); err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	if prev != "" {
		if err := writePrevious(opts.Dir, prev); err != nil {
			opts.Logger.Warn("index: cannot record the previous generation; rollback will not be possible", "err", err)
		}
	}
	removeGenerations(opts.Dir, name, prev)
	return &BuildReport{Generation: name, Indexed: indexed, Load: res, Took: time.Since(start)}, nil
}

// ShrinkError refuses a rebuild that would lose more than half of the live
// disclosures; the BuildReport returned with it says what was loaded.
type ShrinkError struct{ Live, New int }

func (e *ShrinkError) Error() string {
	return fmt.Sprintf("refusing to replace the live index of %d disclosures with one of %d; fix the data, or rebuild with force", e.Live, e.New)
}

// Reload swaps to the generation CURRENT names, if it changed. It reports
// whether a swap happened. Questions in flight finish on the old generation.
func (ix *Index) Reload() (bool, error) {
	ix.reload.Lock()
	defer ix.reload.Unlock()
	name, err := readCurrent(ix.opts.Dir)
	if err != nil || name == "" {
		return false, err
	}
	ix.mu.RLock()
	same := ix.gen != nil && ix.gen.name == name
	ix.mu.RUnlock()
	if same {
		return false, nil
	}
	g, err := openGeneration(ix.opts.Dir, name, ix.opts.LockWait, ix.opts.DocCache)
	if err != nil {
		return false, err
	}
	ix.mu.Lock()
	old := ix.gen
	ix.gen = g
	ix.mu.Unlock()
	if old != nil {
		old.close()
		// Tidy up only when no build is running (it writes a generation
		// directory of its own), keeping the one just left as Rebuild does.
		if unlock, err := lockDir(ix.opts.Dir); err == nil {
			removeGenerations(ix.opts.Dir, name, old.name)
			unlock()
		}
	}
	ix.opts.Logger.Info("index swapped", "generation", name, "documents", g.meta.Docs)
	return true, nil
}

// Rebuild rebuilds from the data directories and swaps the new generation in.
func (ix *Index) Rebuild(ctx context.Context) (*BuildReport, error) {
	rep, err := Rebuild(ctx, ix.opts)
	if err != nil {
		return nil, err
	}
	if _, err := ix.Reload(); err != nil {
		return rep, err
	}
	return rep, nil
}

// Watch polls CURRENT every interval and swaps when another process (govbot
// reindex) made a new generation live. It returns when ctx is done.
func (ix *Index) Watch(ctx context.Context, interval time.Duration) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if _, err := ix.Reload(); err != nil {
				ix.opts.Logger.Error("index reload failed; still serving the previous generation", "err", err)
			}
		}
	}
}

// Add indexes one more disclosure into the live generation (a public notice
// when it is sent). It must already have passed the review and privacy
// gates; Publish also keeps it for the rebuilds to come.
func (ix *Index) Add(d content.Disclosure) error {
	if err := d.Validate(); err != nil {
		return err
	}
	ix.mu.Lock()
	defer ix.mu.Unlock()
	if ix.gen == nil {
		return errors.New("index is closed")
	}
	r, err := toRecord(ix.gen.seg, &d, true)
	if err != nil {
		return err
	}
	if err := ix.gen.added.add(d.ID); err != nil {
		return err
	}
	if err := ix.gen.bi.Index(d.ID, r); err != nil {
		return err
	}
	ix.gen.docs.forget(d.ID)
	ix.gen.df.reset()
	ix.answers.reset()
	ix.analyses.reset()
	ix.topics.reset()
	return nil
}

// Count is the number of disclosures in the live generation.
func (ix *Index) Count() int {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	if ix.gen == nil {
		return 0
	}
	n, err := ix.gen.bi.DocCount()
	if err != nil {
		return ix.gen.meta.Docs
	}
	return int(n)
}

// Generation names the live generation.
func (ix *Index) Generation() string {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	return ix.gen.name
}

// Close closes the live generation.
func (ix *Index) Close() error {
	ix.mu.Lock()
	defer ix.mu.Unlock()
	if ix.gen == nil {
		return nil
	}
	err := ix.gen.close()
	ix.gen = nil
	return err
}

// close closes the generation's bleve index and its store.
func (g *generation) close() error {
	err := g.bi.Close()
	if g.store != nil {
		if serr := g.store.close(); err == nil {
			err = serr
		}
	}
	return err
}

func openGeneration(dir, name string, lockWait time.Duration, docCache int) (*generation, error) {
	gdir := filepath.Join(dir, name)
	b, err := os.ReadFile(filepath.Join(gdir, metaFile))
	if err != nil {
		return nil, fmt.Errorf("index generation %s is incomplete: %w", name, err)
	}
	var md meta
	if err := json.Unmarshal(b, &md); err != nil {
		return nil, fmt.Errorf("index generation %s: bad %s: %w", name, metaFile, err)
	}
	// bleve waits for the index's lock forever by default; another govbot
	// process (a running serve) holding it must be an error, not a hang.
	bi, err := bleve.OpenUsing(filepath.Join(gdir, bleveDir), map[string]interface{}{"bolt_timeout": lockWait.String()})
	if errors.Is(err, bolt.ErrTimeout) {
		return nil, fmt.Errorf("index generation %s: %w", name, ErrInUse)
	}
	if err != nil {
		return nil, fmt.Errorf("open index generation %s: %w", name, err)
	}
	seg, err := segmenterFor(bi)
	if err != nil {
		bi.Close()
		return nil, err
	}
	store, err := openDocStore(gdir)
	if err != nil {
		bi.Close()
		return nil, fmt.Errorf("open index generation %s: %w", name, err)
	}
	added, err := readAdded(gdir)
	if err != nil {
		bi.Close()
		if store != nil {
			store.close()
		}
		return nil, fmt.Errorf("open index generation %s: %w", name, err)
	}
	return &generation{name: name, bi: bi, seg: seg, meta: &md, syn: newSynonyms(seg), docs: newDocCache(docCache),
		store: store, added: added, df: newTermStats(bi), withheld: readWithheld(gdir)}, nil
}

// liveDocs is the number of disclosures in the live generation, 0 if none.
func liveDocs(dir string) int {
	name, err := readCurrent(dir)
	if err != nil || name == "" {
		return 0
	}
	b, err := os.ReadFile(filepath.Join(dir, name, metaFile))
	if err != nil {
		return 0
	}
	var md meta
	if json.Unmarshal(b, &md) != nil {
		return 0
	}
	return md.Docs
}

func newGenerationName(now time.Time) string {
	var b [4]byte
	rand.Read(b[:])
	return "gen-" + now.UTC().Format("20060102T150405") + "-" + hex.EncodeToString(b[:])
}

func readCurrent(dir string) (string, error) {
	b, err := os.ReadFile(filepath.Join(dir, currentFile))
	if errors.Is(err, os.ErrNotExist) {
		return "", nil
	}
	if err != nil {
		return "", err
	}
	name := strings.TrimSpace(string(b))
	if name == "" || strings.ContainsAny(name, `/\`) || name == "." || name == ".." {
		return "", fmt.Errorf("index: %s names no generation", currentFile)
	}
	return name, nil
}

// writeCurrent replaces CURRENT atomically (write, fsync, rename, fsync dir).
func writeCurrent(dir, name string) error {
	tmp := filepath.Join(dir, currentFile+".tmp")
	if err := writeFileSync(tmp, []byte(name+"\n")); err != nil {
		return err
	}
	if err := os.Rename(tmp, filepath.Join(dir, currentFile)); err != nil {
		return err
	}
	if d, err := os.Open(dir); err == nil {
		d.Sync()
		d.Close()
	}
	return nil
}

// removeGenerations deletes generation directories other than keep and
// alsoKeep (left-overs of killed builds and superseded generations).
func removeGenerations(dir, keep, alsoKeep string) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return
	}
	var names []string
	for _, e := range entries {
		if e.IsDir() && strings.HasPrefix(e.Name(), "gen-") && e.Name() != keep && e.Name() != alsoKeep {
			names = append(names, e.Name())
		}
	}
	sort.Strings(names)
	for _, n := range names {
		os.RemoveAll(filepath.Join(dir, n))
	}
}

// lockDir takes an exclusive lock so that two builds never run at once.
func lockDir(dir string) (func(), error) {
	f, err := os.OpenFile(filepath.Join(dir, ".build.lock"), os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		return nil, err
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		f.Close()
		return nil, fmt.Errorf("index: another reindex is running in %s", dir)
	}
	return func() {
		syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
		f.Close()
	}, nil
}
