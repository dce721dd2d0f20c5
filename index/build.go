package index

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/analysis/analyzer/custom"
	"github.com/blevesearch/bleve/v2/analysis/tokenizer/whitespace"
	"github.com/blevesearch/bleve/v2/document"
	"github.com/blevesearch/bleve/v2/mapping"
	index "github.com/blevesearch/bleve_index_api"

	"github.com/yingpu/govbot/content"
)

// Field names in the bleve index.
const (
	fTitle  = "title"
	fBody   = "body"
	fPinyin = "py"
	fGeo    = "geo"
	// fSource is the disclosure's JSON, stored in bleve only by Add and by
	// generations built before docs.dat (see docstore.go).
	fSource = "src"

	pinyinAnalyzer = "govbot_py"
	metaFile       = "govbot-meta.json"
	bleveDir       = "bleve"
)

// record is what is put into bleve for one disclosure: only what queries
// read (the fields searched, the place for distance), and, when Add puts
// one into a live generation, its source.
type record struct {
	// Title holds the title and the editor's keywords: both say what the
	// disclosure is for, and are weighed alike.
	Title  string    `json:"title"`
	Body   string    `json:"body"`
	Pinyin string    `json:"py"`
	Geo    []float64 `json:"geo,omitempty"` // [lon, lat]
	Source string    `json:"src"`
}

func buildMapping(lx Lexicon) (*mapping.IndexMappingImpl, error) {
	m := bleve.NewIndexMapping()
	m.ScoringModel = index.BM25Scoring
	if err := m.AddCustomTokenizer(tokenizerName, lexiconToConfig(lx)); err != nil {
		return nil, err
	}
	if err := m.AddCustomAnalyzer(analyzerName, map[string]interface{}{
		"type":      analyzerName,
		"tokenizer": tokenizerName,
	}); err != nil {
		return nil, err
	}
	if err := m.AddCustomAnalyzer(pinyinAnalyzer, map[string]interface{}{
		"type":      custom.Name,
		"tokenizer": whitespace.Name,
	}); err != nil {
		return nil, err
	}
	text := func(analyzer string) *mapping.FieldMapping {
		f := bleve.NewTextFieldMapping()
		f.Analyzer = analyzer
		f.Store = false
		f.IncludeInAll = false
		f.IncludeTermVectors = false
		f.DocValues = false
		return f
	}
	src := bleve.NewTextFieldMapping()
	src.Index = false
	src.Store = true
	src.IncludeInAll = false
	src.DocValues = false
	geo := bleve.NewGeoPointFieldMapping()
	geo.Store = false
	geo.IncludeInAll = false

	dm := bleve.NewDocumentStaticMapping()
	dm.AddFieldMappingsAt(fTitle, text(analyzerName))
	dm.AddFieldMappingsAt(fBody, text(analyzerName))
	dm.AddFieldMappingsAt(fPinyin, text(pinyinAnalyzer))
	dm.AddFieldMappingsAt(fGeo, geo)
	dm.AddFieldMappingsAt(fSource, src)
	// Every query names its fields: no composite "_all" field to build.
	dm.AddSubDocumentMapping("_all", &mapping.DocumentMapping{Enabled: false})
	m.DefaultMapping = dm
	m.DefaultAnalyzer = analyzerName
	return m, nil
}

// toRecord maps d for bleve; with source, the record holds its JSON too
// (Add), else the build stores that in docs.dat.
func toRecord(seg *Segmenter, d *content.Disclosure, source bool) (record, error) {
	head := d.Title + " " + strings.Join(d.Keywords, " ")
	r := record{
		Title:  head,
		Body:   d.Body,
		Pinyin: strings.Join(seg.py.pairs(head), " "),
	}
	if source {
		src, err := json.Marshal(d)
		if err != nil {
			return record{}, err
		}
		r.Source = string(src)
	}
	if d.Location != nil {
		r.Geo = []float64{d.Location.Lon, d.Location.Lat}
	}
	return r, nil
}

// meta is what an index generation knows beside bleve: its size and which
// disclosure supersedes which.
type meta struct {
	Built     time.Time         `json:"built"`
	Docs      int               `json:"docs"`
	Supersede map[string]string `json:"superseded_by"` // old id -> new id
}

// Progress reports indexing progress (done of total).
type Progress func(done, total int)

// Build pipeline sizes: disclosures go to the analysis workers in chunks,
// and at most chunkQueue chunks wait analysed for the segment builder, so a
// build holds a bounded part of the corpus whatever its size. The queue
// holds about one segment's worth, so that the workers analyse the next
// segment while the builder writes one.
const (
	segmentBatch = 1000 // disclosures per segment before the final merge
	mergeMax     = 32   // segments merged at once
	chunkSize    = 32
	chunkQueue   = segmentBatch/chunkSize + 1
)

// genBuilder writes one new generation from disclosures streamed to it:
// analysis (segmentation, pinyin, the stored source) runs on every core
// while bleve's offline builder turns analysed disclosures into segments,
// which it merges into one at the end. Nothing of the online index is
// needed for that (no snapshots, no background merges, no commits of
// intermediate states): the generation is written once and read only.
type genBuilder struct {
	ctx      context.Context
	cancel   context.CancelFunc
	dir      string
	seg      *Segmenter
	mapping  *mapping.IndexMappingImpl
	bb       bleve.Builder
	store    *docStoreWriter
	progress Progress
	total    int // of progress; 0 when unknown

	cur      *chunk
	work     chan *chunk // to the analysis workers
	order    chan *chunk // to the writer, in arrival order
	workers  sync.WaitGroup
	written  chan error // the writer's outcome
	docs     int
	keep     []content.Disclosure // what inferring supersession needs
	finished bool
}

// chunk is a run of disclosures, analysed into bleve documents.
type chunk struct {
	in   []content.Disclosure
	out  []*document.Document
	src  [][]byte // compressed sources, by out
	err  error
	done chan struct{}
	upTo int // records read when the chunk was sent (for progress)
}

// newGenBuilder creates dir, which must not exist, and starts the pipeline.
// Nothing outside dir is touched.
func newGenBuilder(ctx context.Context, dir string, lx Lexicon, progress Progress, total int) (*genBuilder, error) {
	m, err := buildMapping(lx)
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	bb, err := bleve.NewBuilder(filepath.Join(dir, bleveDir), preparedMapping{m}, map[string]interface{}{
		"buildPathPrefix": dir, // its temporary segments stay inside the generation
		"batchSize":       segmentBatch,
		"mergeMax":        mergeMax,
	})
	if err != nil {
		return nil, fmt.Errorf("create index: %w", err)
	}
	a := m.AnalyzerNamed(analyzerName)
	seg, ok := segmenterOf(a)
	if !ok {
		return nil, fmt.Errorf("index analyzer %s is not govbot's", analyzerName)
	}
	// A build cuts a great deal of text: the segmenter's table of single
	// characters (a few milliseconds to make) pays for itself many times.
	seg.seg.PrepareChars()
	store, err := createDocStore(filepath.Join(dir, docStoreFile))
	if err != nil {
		return nil, fmt.Errorf("create index: %w", err)
	}
	ctx, cancel := context.WithCancel(ctx)
	b := &genBuilder{ctx: ctx, cancel: cancel, dir: dir, seg: seg, mapping: m, bb: bb, store: store,
		progress: progress, total: total,
		work: make(chan *chunk, chunkQueue), order: make(chan *chunk, chunkQueue), written: make(chan error, 1)}
	for range max(1, runtime.GOMAXPROCS(0)) {
		b.workers.Add(1)
		go b.analyse()
	}
	go b.write()
	return b, nil
}

// add queues one disclosure; read is the number of records read so far.
func (b *genBuilder) add(d content.Disclosure, read int) error {
	if b.cur == nil {
		b.cur = &chunk{in: make([]content.Disclosure, 0, chunkSize), done: make(chan struct{})}
	}
	b.cur.in = append(b.cur.in, d)
	b.docs++
	if needsSupersession(&d) {
		b.keep = append(b.keep, content.Disclosure{ID: d.ID, Title: d.Title, Category: d.Category,
			Published: d.Published, Effective: d.Effective, Expires: d.Expires, Supersedes: d.Supersedes})
	}
	if len(b.cur.in) < chunkSize {
		return nil
	}
	return b.send(read)
}

func (b *genBuilder) send(read int) error {
	c := b.cur
	b.cur = nil
	if c == nil {
		return nil
	}
	c.upTo = read
	select {
	case b.order <- c:
	case <-b.ctx.Done():
		return b.ctx.Err()
	}
	select {
	case b.work <- c:
	case <-b.ctx.Done():
		return b.ctx.Err()
	}
	return nil
}

// analyse maps and analyses chunks into bleve documents.
func (b *genBuilder) analyse() {
	defer b.workers.Done()
	for c := range b.work {
		if b.ctx.Err() == nil {
			c.out, c.src, c.err = b.prepare(c.in)
		}
		c.in = nil
		close(c.done)
	}
}

func (b *genBuilder) prepare(docs []content.Disclosure) ([]*document.Document, [][]byte, error) {
	out := make([]*document.Document, 0, len(docs))
	srcs := make([][]byte, 0, len(docs))
	for i := range docs {
		d := &docs[i]
		src, err := json.Marshal(d)
		if err != nil {
			return nil, nil, fmt.Errorf("%s: %w", d.ID, err)
		}
		r, err := toRecord(b.seg, d, false)
		if err != nil {
			return nil, nil, fmt.Errorf("%s: %w", d.ID, err)
		}
		doc := document.NewDocument(d.ID)
		if err := b.mapping.MapDocument(doc, r); err != nil {
			return nil, nil, fmt.Errorf("%s: %w", d.ID, err)
		}
		// Analyse here, on this core; the builder's own pass then finds
		// the work done (see analysedField). The source goes to docs.dat,
		// not into bleve.
		fields := doc.Fields[:0]
		for _, f := range doc.Fields {
			if f.Name() == fSource {
				continue
			}
			if f.Options().IsIndexed() {
				f.Analyze()
				f = analysedField{f}
			}
			fields = append(fields, f)
		}
		doc.Fields = fields
		out = append(out, doc)
		srcs = append(srcs, compressSource(src))
	}
	return out, srcs, nil
}

// write hands analysed chunks to the builder in the order they came.
func (b *genBuilder) write() {
	var err error
	for c := range b.order {
		if err != nil {
			continue
		}
		select {
		case <-c.done:
		case <-b.ctx.Done():
			err = b.ctx.Err()
			continue
		}
		if err = c.err; err == nil {
			for i, doc := range c.out {
				if err = b.store.add(doc.ID(), c.src[i]); err != nil {
					break
				}
				if err = b.bb.Index(doc.ID(), preparedDoc{doc}); err != nil {
					err = fmt.Errorf("%s: %w", doc.ID(), err)
					break
				}
			}
		}
		c.out, c.src = nil, nil
		if err != nil {
			b.cancel()
			continue
		}
		if b.progress != nil {
			b.progress(c.upTo, max(b.total, c.upTo))
		}
	}
	b.written <- err
}

// finish indexes what is left, merges the segments into one and writes the
// generation's meta file. exists tells which disclosure ids were indexed
// (for explicit supersession).
func (b *genBuilder) finish(read int, now time.Time, exists func(id string) bool) (*meta, error) {
	b.finished = true
	err := b.send(read)
	close(b.order)
	close(b.work)
	b.workers.Wait()
	if werr := <-b.written; err == nil {
		err = werr
	}
	if err == nil {
		err = b.ctx.Err()
	}
	b.cancel()
	if err != nil {
		// The caller removes dir, and the builder's segments with it.
		b.store.abort()
		return nil, err
	}
	if err := b.store.finish(); err != nil {
		return nil, fmt.Errorf("store disclosures: %w", err)
	}
	if b.docs == 0 {
		// bleve's builder cannot write an empty index: make the empty
		// generation as the online index does.
		tmp, _ := filepath.Glob(filepath.Join(b.dir, "scorch-offline-build*"))
		for _, t := range tmp {
			os.RemoveAll(t)
		}
		os.RemoveAll(filepath.Join(b.dir, bleveDir))
		bi, err := bleve.New(filepath.Join(b.dir, bleveDir), b.mapping)
		if err != nil {
			return nil, fmt.Errorf("create index: %w", err)
		}
		if err := bi.Close(); err != nil {
			return nil, err
		}
	} else if err := b.bb.Close(); err != nil { // the final merge
		return nil, fmt.Errorf("merge index: %w", err)
	}
	md := &meta{Built: now, Docs: b.docs, Supersede: inferSupersession(b.keep, exists)}
	j, err := json.Marshal(md)
	if err != nil {
		return nil, err
	}
	if err := writeFileSync(filepath.Join(b.dir, metaFile), j); err != nil {
		return nil, err
	}
	if b.progress != nil && read > 0 {
		b.progress(max(b.total, read), max(b.total, read))
	}
	return md, nil
}

// abort stops a build that will not be finished.
func (b *genBuilder) abort() {
	if b.finished {
		return
	}
	b.cancel()
	b.finish(0, time.Time{}, nil)
}

// preparedMapping is the index mapping, but takes documents analysed
// beforehand (preparedDoc) as they are.
type preparedMapping struct{ *mapping.IndexMappingImpl }

func (m preparedMapping) MapDocument(doc *document.Document, data interface{}) error {
	if p, ok := data.(preparedDoc); ok {
		*doc = *p.doc
		return nil
	}
	return m.IndexMappingImpl.MapDocument(doc, data)
}

type preparedDoc struct{ doc *document.Document }

// analysedField is a field analysed already: bleve's builder analyses every
// field again before it builds a segment, which is here a no-op.
type analysedField struct{ document.Field }

func (analysedField) Analyze() {}

func segmenterFor(bi bleve.Index) (*Segmenter, error) {
	a := bi.Mapping().AnalyzerNamed(analyzerName)
	if a == nil {
		return nil, fmt.Errorf("index has no %s analyzer", analyzerName)
	}
	s, ok := segmenterOf(a)
	if !ok {
		return nil, fmt.Errorf("index analyzer %s is not govbot's", analyzerName)
	}
	return s, nil
}

// writeFileSync writes a file and fsyncs it, so a crash never leaves a torn
// file that claims to be complete.
func writeFileSync(path string, b []byte) error {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o644)
	if err != nil {
		return err
	}
	if _, err := f.Write(b); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

var (
	reDigits      = regexp.MustCompile(`[0-9０-９]+`)
	reDatedParens = regexp.MustCompile(`[（(][^）)]*[0-9０-９][^）)]*[）)]`)
	reStandardCue = regexp.MustCompile(`标准|调整|提高`)
)

// titleStem removes what changes between editions of the same standard:
// years and dated parentheses, and the wording around them.
func titleStem(t string) string {
	t = reDatedParens.ReplaceAllString(t, "")
	t = reDigits.ReplaceAllString(t, "")
	for _, w := range []string{"关于", "年度", "年", "月起执行", "本市", "的", "公告", "通知", "政策解读", "调整", "提高"} {
		t = strings.ReplaceAll(t, w, "")
	}
	return t
}

func bigrams(s string) map[string]bool {
	r := []rune(s)
	out := map[string]bool{}
	for i := 0; i+1 < len(r); i++ {
		out[string(r[i:i+2])] = true
	}
	return out
}

func dice(a, b map[string]bool) float64 {
	if len(a)+len(b) == 0 {
		return 0
	}
	n := 0
	for k := range a {
		if b[k] {
			n++
		}
	}
	return 2 * float64(n) / float64(len(a)+len(b))
}

// needsSupersession tells whether inferSupersession needs to see d.
func needsSupersession(d *content.Disclosure) bool {
	return len(d.Supersedes) > 0 || d.Expires.IsZero() && reStandardCue.MatchString(d.Title)
}

// inferSupersession finds editions of the same standard (低保标准, 最低工资,
// 养老金 …): open-ended disclosures of one category whose titles are the same
// once years and dates are removed, and that speak of a standard or its
// adjustment. The later effective one supersedes the earlier. Explicit
// "supersedes" fields are honoured as well, for disclosures that exist.
// Whether the newer one is in force yet is decided at question time. docs
// (in load order) need hold only those needsSupersession picks.
func inferSupersession(docs []content.Disclosure, exists func(id string) bool) map[string]string {
	out := map[string]string{}
	type cand struct {
		d    *content.Disclosure
		stem map[string]bool
	}
	var cands []cand
	for i := range docs {
		d := &docs[i]
		if d.Expires.IsZero() && reStandardCue.MatchString(d.Title) {
			cands = append(cands, cand{d, bigrams(titleStem(d.Title))})
		}
	}
	sort.Slice(cands, func(i, j int) bool { return effectiveOf(cands[i].d).Before(effectiveOf(cands[j].d)) })
	for i := range cands {
		for j := i + 1; j < len(cands); j++ {
			a, b := cands[i], cands[j]
			if a.d.Category != b.d.Category || !effectiveOf(a.d).Before(effectiveOf(b.d)) {
				continue
			}
			if dice(a.stem, b.stem) >= 0.8 {
				out[a.d.ID] = b.d.ID // the next edition; chains are walked at question time
				break
			}
		}
	}
	for i := range docs {
		for _, old := range docs[i].Supersedes {
			if exists(old) {
				out[old] = docs[i].ID
			}
		}
	}
	return out
}

func effectiveOf(d *content.Disclosure) time.Time {
	if !d.Effective.IsZero() {
		return d.Effective.Time()
	}
	return d.Published.Time()
}
