package index

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"time"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/analysis/analyzer/custom"
	"github.com/blevesearch/bleve/v2/analysis/analyzer/keyword"
	"github.com/blevesearch/bleve/v2/analysis/tokenizer/whitespace"
	"github.com/blevesearch/bleve/v2/index/scorch"
	"github.com/blevesearch/bleve/v2/index/scorch/mergeplan"
	"github.com/blevesearch/bleve/v2/mapping"
	index "github.com/blevesearch/bleve_index_api"

	"github.com/yingpu/govbot/content"
)

// Field names in the bleve index.
const (
	fTitle    = "title"
	fBody     = "body"
	fPinyin   = "py"
	fCategory = "category"
	fGeo      = "geo"
	fHasGeo   = "has_geo"
	fSource   = "src"

	pinyinAnalyzer = "govbot_py"
	metaFile       = "govbot-meta.json"
	bleveDir       = "bleve"
)

// record is what is put into bleve for one disclosure.
type record struct {
	// Title holds the title and the editor's keywords: both say what the
	// disclosure is for, and are weighed alike.
	Title    string    `json:"title"`
	Body     string    `json:"body"`
	Pinyin   string    `json:"py"`
	Category string    `json:"category"`
	Geo      []float64 `json:"geo,omitempty"` // [lon, lat]
	HasGeo   string    `json:"has_geo"`
	Source   string    `json:"src"`
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
	kw := bleve.NewTextFieldMapping()
	kw.Analyzer = keyword.Name
	kw.Store = false
	kw.IncludeInAll = false
	src := bleve.NewTextFieldMapping()
	src.Index = false
	src.Store = true
	src.IncludeInAll = false
	src.DocValues = false
	geo := bleve.NewGeoPointFieldMapping()
	geo.Store = false

	dm := bleve.NewDocumentStaticMapping()
	dm.AddFieldMappingsAt(fTitle, text(analyzerName))
	dm.AddFieldMappingsAt(fBody, text(analyzerName))
	dm.AddFieldMappingsAt(fPinyin, text(pinyinAnalyzer))
	dm.AddFieldMappingsAt(fCategory, kw)
	dm.AddFieldMappingsAt(fHasGeo, kw)
	dm.AddFieldMappingsAt(fGeo, geo)
	dm.AddFieldMappingsAt(fSource, src)
	m.DefaultMapping = dm
	m.DefaultAnalyzer = analyzerName
	return m, nil
}

func toRecord(seg *Segmenter, d *content.Disclosure) (record, error) {
	src, err := json.Marshal(d)
	if err != nil {
		return record{}, err
	}
	r := record{
		Title:    d.Title + " " + strings.Join(d.Keywords, " "),
		Body:     d.Body,
		Pinyin:   strings.Join(seg.py.pairs(d.Title+" "+strings.Join(d.Keywords, " ")), " "),
		Category: d.Category,
		HasGeo:   "n",
		Source:   string(src),
	}
	if d.Location != nil {
		r.Geo = []float64{d.Location.Lon, d.Location.Lat}
		r.HasGeo = "y"
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

// buildGeneration writes a complete new index for docs into dir, which must
// not exist. Nothing outside dir is touched.
func buildGeneration(ctx context.Context, dir string, docs []content.Disclosure, lx Lexicon, progress Progress, now time.Time) (*meta, error) {
	m, err := buildMapping(lx)
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	bi, err := bleve.New(filepath.Join(dir, bleveDir), m)
	if err != nil {
		return nil, fmt.Errorf("create index: %w", err)
	}
	defer bi.Close()
	seg, err := segmenterFor(bi)
	if err != nil {
		return nil, err
	}
	md := &meta{Built: now, Docs: len(docs), Supersede: inferSupersession(docs)}
	const batchSize = 500
	batch := bi.NewBatch()
	for i := range docs {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		d := &docs[i]
		r, err := toRecord(seg, d)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", d.ID, err)
		}
		if err := batch.Index(d.ID, r); err != nil {
			return nil, fmt.Errorf("%s: %w", d.ID, err)
		}
		if batch.Size() >= batchSize {
			if err := bi.Batch(batch); err != nil {
				return nil, fmt.Errorf("index batch: %w", err)
			}
			batch.Reset()
		}
		if progress != nil {
			progress(i+1, len(docs))
		}
	}
	if batch.Size() > 0 {
		if err := bi.Batch(batch); err != nil {
			return nil, fmt.Errorf("index batch: %w", err)
		}
	}
	// The generation is read-only from here on: merge it into one segment,
	// so a question walks one postings list per term instead of one per
	// segment.
	if adv, err := bi.Advanced(); err == nil {
		if s, ok := adv.(*scorch.Scorch); ok {
			if err := s.ForceMerge(ctx, &mergeplan.SingleSegmentMergePlanOptions); err != nil {
				return nil, fmt.Errorf("merge index: %w", err)
			}
		}
	}
	b, err := json.Marshal(md)
	if err != nil {
		return nil, err
	}
	if err := writeFileSync(filepath.Join(dir, metaFile), b); err != nil {
		return nil, err
	}
	return md, nil
}

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

// inferSupersession finds editions of the same standard (低保标准, 最低工资,
// 养老金 …): open-ended disclosures of one category whose titles are the same
// once years and dates are removed, and that speak of a standard or its
// adjustment. The later effective one supersedes the earlier. Explicit
// "supersedes" fields are honoured as well. Whether the newer one is in force
// yet is decided at question time.
func inferSupersession(docs []content.Disclosure) map[string]string {
	out := map[string]string{}
	byID := map[string]*content.Disclosure{}
	for i := range docs {
		byID[docs[i].ID] = &docs[i]
	}
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
			if _, ok := byID[old]; ok {
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
