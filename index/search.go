package index

import (
	"context"
	"errors"
	"fmt"
	"math"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/search/query"
	index "github.com/blevesearch/bleve_index_api"

	"github.com/yingpu/govbot/clock"
	"github.com/yingpu/govbot/content"
)

// Field weights: a word in the title or the editor's keywords says far more
// about what a disclosure is for than the same word in its body.
const (
	boostTitle   = 3.0 // title and keywords
	boostBody    = 1.0
	boostSynonym = 0.8 // an alternative expression of a question word
	boostPinyin  = 0.5 // a homophone match

	candidates = 20 // disclosures reranked per question

	// A candidate's rank mixes its BM25 score (relative to the best), how
	// much of the question it speaks of, and how much of that is in its
	// title and keywords. BM25 finds the candidates; what decides among
	// them is coverage: residents' long, indirect questions match many
	// bodies weakly, and the disclosure about the thing asked names it.
	weightBM25     = 0.12
	weightCoverage = 0.58
	weightHead     = 0.30

	// A term held by more than max(commonTermMinDocs, N/commonTermShare)
	// disclosures is too common to search for (see buildQuery).
	commonTermMinDocs = 1000
	commonTermShare   = 50
	minBodyTerms      = 2

	// distinctMinDocs: on a small corpus, a word held by this many
	// disclosures is distinctive whatever its share.
	distinctMinDocs   = 5
	distinctMinCorpus = 50
)

// unit is one thing a question asks about: a word, or a concept that the
// synonym list knows under several expressions.
type unit struct {
	text    string   // as the resident wrote it
	alts    []string // all expressions of the concept (synonyms), text first
	pinyin  string   // folded pinyin key of text, for homophone typos
	weight  float64
	concept bool
	parts   []string // known sub-words of a longer word
}

// analyzed is a question taken apart.
type analyzed struct {
	months   map[int]bool // months named (十月, 9月) when no year is
	amount   bool         // asks how much
	referral *referralMatch
	units    []unit
	years    map[int]bool
	terms    []weightedTerm
	py       []string
}

type weightedTerm struct {
	term  string
	boost float64
}

var (
	reYear4 = regexp.MustCompile(`(19|20)\d{2}`)
	reYear2 = regexp.MustCompile(`(^|[^0-9])(\d{2})年`)
)

func (g *generation) analyze(text string, now time.Time) analyzed {
	a := analyzed{years: questionYears(text, now), amount: reAmountQuestion.MatchString(text)}
	if len(a.years) == 0 {
		a.months = questionMonths(text)
	}
	norm := normalize(text)
	rest := norm
	for _, r := range g.seg.Lexicon().Referrals {
		for _, w := range r.Words {
			if strings.Contains(norm, w) && a.referral == nil {
				a.referral = &referralMatch{agency: r.Agency, word: w}
			}
		}
	}
	// Concepts first, longest expression first, so that 老人吃饭的地方 is
	// one concept rather than four words.
	for _, m := range g.syn.find(norm) {
		if !strings.Contains(rest, m.member) {
			continue // overlapped by a longer match already taken
		}
		rest = strings.Replace(rest, m.member, " ", 1)
		u := unit{text: m.member, alts: g.syn.groups[m.group], concept: true}
		u.weight = g.conceptWeight(m.member, u.alts)
		a.units = append(a.units, u)
		for _, alt := range u.alts {
			boost := boostSynonym
			if alt == m.member {
				boost = 1
			}
			for _, t := range g.syn.terms[alt] {
				a.terms = append(a.terms, weightedTerm{t, boost})
			}
		}
	}
	seen := map[string]bool{}
	for _, w := range g.seg.Words(rest) {
		if seen[w] || isYearWord(w) || isMonthWord(w) {
			continue
		}
		seen[w] = true
		u := unit{text: w, pinyin: g.seg.py.key(w)}
		u.weight = g.wordWeight(w)
		terms := g.seg.Terms(w)
		for _, t := range terms {
			a.terms = append(a.terms, weightedTerm{t, 1})
			if t != w && utf8.RuneCountInString(t) >= 2 {
				u.parts = append(u.parts, t)
			}
		}
		a.units = append(a.units, u)
	}
	a.py = g.seg.py.pairs(rest)
	return a
}

// wordWeight is how much a question word tells: its rarity in the corpus.
// A word no disclosure contains weighs most: a question about 护照 that
// matches only on 办理 must not count as answered. A word unknown as a whole
// but whose parts are known (a typo, a new compound) takes its parts' mean.
func (g *generation) wordWeight(w string) float64 {
	v := g.seg.GeneralIDF(w)
	if utf8.RuneCountInString(w) == 1 {
		v *= 0.5 // single characters say little on their own
	}
	return v
}

// conceptWeight is how telling a concept is: that of the expression the
// resident used (老人, not the rarer 老年朋友 of the same group), or, for an
// expression general Chinese does not know (a phrase like 老人吃饭的地方),
// that of the group's best-known member.
func (g *generation) conceptWeight(used string, alts []string) float64 {
	if v := g.seg.GeneralIDF(used); v < unknownIDF {
		return v
	}
	best := float64(unknownIDF)
	for _, a := range alts {
		if v := g.seg.GeneralIDF(a); v < best {
			best = v
		}
	}
	return best
}

func isMonthWord(w string) bool {
	return utf8.RuneCountInString(w) <= 3 && (reMonth.MatchString(w) || reMonthCN.MatchString(w)) && len(questionMonths(w)) > 0 && strings.HasSuffix(w, "月")
}

func isYearWord(w string) bool {
	switch w {
	case "今年", "去年", "前年", "明年", "年":
		return true
	}
	if reYear4.MatchString(w) && utf8.RuneCountInString(w) <= 5 {
		return true
	}
	return false
}

// questionYears finds the years a question is about: 2022年, 22年, 今年,
// 去年, 前年 (relative to the day asked).
func questionYears(text string, now time.Time) map[int]bool {
	ys := map[int]bool{}
	for _, m := range reYear4.FindAllString(text, -1) {
		if y, err := strconv.Atoi(m); err == nil {
			ys[y] = true
		}
	}
	for _, m := range reYear2.FindAllStringSubmatch(text, -1) {
		if y, err := strconv.Atoi(m[2]); err == nil && y >= 10 && y <= 60 {
			ys[2000+y] = true
		}
	}
	year := now.In(clock.Shanghai).Year()
	if strings.Contains(text, "去年") {
		ys[year-1] = true
	}
	if strings.Contains(text, "前年") {
		ys[year-2] = true
	}
	return ys
}

// referralMatch is a matter of another agency named in a question.
type referralMatch struct {
	agency, word string
}

var (
	reMonth   = regexp.MustCompile(`(^|[^0-9])(1[0-2]|[1-9])月`)
	reMonthCN = regexp.MustCompile(`(十[一二]|[一二三四五六七八九十])月`)
	monthCN   = map[string]int{"一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9, "十": 10, "十一": 11, "十二": 12}
)

// questionMonths finds the months a question names (十月封路, 9月的暴雨).
// 一月 in 一个月 is no month: only 月 right after the numeral counts, and
// 个 breaks it.
func questionMonths(text string) map[int]bool {
	ms := map[int]bool{}
	for _, m := range reMonth.FindAllStringSubmatch(text, -1) {
		if v, err := strconv.Atoi(m[2]); err == nil {
			ms[v] = true
		}
	}
	for _, m := range reMonthCN.FindAllStringSubmatch(text, -1) {
		ms[monthCN[m[1]]] = true
	}
	return ms
}

// candidate is a disclosure being ranked for a question.
type candidate struct {
	info     *docInfo
	doc      *content.Disclosure
	bm25     float64
	coverage float64
	head     float64 // share of the question found in title and keywords
	headWord bool    // a word (not a lone character) of the question is in title or keywords
	found    uint64  // which of the question's units it holds (bit i: unit i)
	rank     float64
	status   content.Status
	supBy    string // id of the edition in force that replaced it
	distance *float64
}

// Ask answers a question as of q.Now (or the index clock).
func (ix *Index) Ask(ctx context.Context, q Query) (Answer, error) {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	if ix.gen == nil {
		return Answer{}, errors.New("index is closed")
	}
	now := q.Now
	if now.IsZero() {
		now = ix.opts.Clock.Now()
	}
	text := strings.TrimSpace(q.Text)
	if text == "" && q.Geo != nil {
		return ix.nearest(ctx, *q.Geo, now)
	}
	cands, a, err := ix.gen.rank(ctx, text, q.Geo, now, ix.opts.Search.GeoRadiusKm)
	if err != nil {
		return Answer{}, err
	}
	return ix.compose(cands, a, q, now), nil
}

// rank finds and orders the candidates for a question.
func (g *generation) rank(ctx context.Context, text string, geo *Point, now time.Time, radiusKm float64) ([]*candidate, analyzed, error) {
	a := g.analyze(text, now)
	if len(a.units) == 0 {
		return nil, a, nil
	}
	qs := g.buildQuery(ctx, a)
	if len(qs) == 0 {
		return nil, a, nil
	}
	// Stored fields are not loaded with the hits: most candidates are in
	// the decoded-document cache, and the rest are loaded one by one.
	req := bleve.NewSearchRequestOptions(bleve.NewDisjunctionQuery(qs...), candidates, 0, false)
	res, err := g.bi.SearchInContext(ctx, req)
	if err != nil {
		return nil, a, err
	}
	if len(res.Hits) == 0 {
		return nil, a, nil
	}
	top := res.Hits[0].Score
	day := clock.DateOf(now)
	var out []*candidate
	for _, h := range res.Hits {
		di, err := g.info(h.ID)
		if err != nil {
			continue
		}
		c := &candidate{info: di, doc: &di.doc, bm25: h.Score / top, status: di.doc.StatusOn(day)}
		c.coverage, c.head, c.headWord, c.found = g.coverage(a, di)
		out = append(out, c)
	}
	for _, c := range out {
		c.supBy = g.supersededBy(ctx, c.doc.ID, day)
	}
	for _, c := range out {
		c.rank = (weightBM25*c.bm25 + weightCoverage*c.coverage + weightHead*c.head) * intentFactor(c, a)
		c.rank *= timeFactor(c, a, out)
		if geo != nil && c.doc.Location != nil {
			d := distanceKm(*geo, Point{c.doc.Location.Lat, c.doc.Location.Lon})
			c.distance = &d
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].rank > out[j].rank })
	if geo != nil {
		out = byDistance(out, radiusKm)
	}
	return out, a, nil
}

// buildQuery turns the question's terms into a disjunction over the title,
// keywords, body and pinyin fields. On a large index, terms that most
// disclosures hold (补贴, 申请 in the body of a third of them) are left out
// of the search, as in Lucene's common-terms query: they would cost a walk
// over tens of thousands of postings and add almost nothing to BM25. They
// still count when the candidates are judged, which reads the text itself.
func (g *generation) buildQuery(ctx context.Context, a analyzed) []query.Query {
	n := g.meta.Docs
	common := uint64(max(commonTermMinDocs, n/commonTermShare))
	var qs []query.Query
	add := func(field, term string, boost float64) {
		tq := bleve.NewTermQuery(term)
		tq.SetField(field)
		tq.SetBoost(boost)
		qs = append(qs, tq)
	}
	type bodyTerm struct {
		term  string
		boost float64
		df    uint64
	}
	var body []bodyTerm
	dup := map[string]bool{}
	for _, t := range a.terms {
		if dup[t.term] {
			continue
		}
		dup[t.term] = true
		if g.df.docFreq(ctx, fTitle, t.term) <= common {
			add(fTitle, t.term, boostTitle*t.boost)
		}
		body = append(body, bodyTerm{t.term, t.boost, g.df.docFreq(ctx, fBody, t.term)})
	}
	// Rare body terms always; common ones only when the question has
	// nothing rarer to go on (keep the rarest few).
	sort.SliceStable(body, func(i, j int) bool { return body[i].df < body[j].df })
	for i, b := range body {
		if b.df == 0 {
			continue
		}
		if b.df > common && i >= minBodyTerms {
			break
		}
		add(fBody, b.term, boostBody*b.boost)
	}
	for _, p := range a.py {
		if dup["py:"+p] {
			continue
		}
		dup["py:"+p] = true
		if df := g.df.docFreq(ctx, fPinyin, p); df > 0 && df <= common {
			add(fPinyin, p, boostPinyin)
		}
	}
	return qs
}

// byDistance puts the located candidates that answer the question nearly as
// well as the best one first, nearest first.
func byDistance(cs []*candidate, radiusKm float64) []*candidate {
	best := 0.0
	for _, c := range cs {
		if c.distance != nil && c.rank > best {
			best = c.rank
		}
	}
	if best == 0 || best < 0.6*cs[0].rank {
		return cs // no place answers this question: keep the text ranking
	}
	var near, rest []*candidate
	for _, c := range cs {
		if c.distance != nil && *c.distance <= radiusKm && c.rank >= 0.6*best && c.status != content.Expired {
			near = append(near, c)
		} else {
			rest = append(rest, c)
		}
	}
	sort.SliceStable(near, func(i, j int) bool { return *near[i].distance < *near[j].distance })
	return append(near, rest...)
}

var (
	reAmountQuestion = regexp.MustCompile(`多少|几[块元千百]|标准|涨|提高|调整|每月|一个月`)
)

// intentFactor: a question about an amount (多少钱, 标准, 涨了多少) is best
// answered by the disclosure that sets the standard, not by the how-to guide
// that mentions it.
func intentFactor(c *candidate, a analyzed) float64 {
	if a.amount && reStandardCue.MatchString(c.doc.Title) {
		return 1.15
	}
	return 1
}

// hasCurrentRival reports whether a disclosure in force answers the question
// about as well as c: then c, ended or superseded, must give way to it. An
// ended disclosure that alone answers (last spring's job fair) keeps its
// place, and is presented as ended.
func hasCurrentRival(c *candidate, all []*candidate) bool {
	for _, o := range all {
		if o != c && o.status == content.InForce && o.supBy == "" && o.coverage >= 0.9*c.coverage && o.head >= 0.9*c.head {
			return true
		}
	}
	return false
}

// timeFactor prefers what is in force: a superseded standard or an ended
// disclosure ranks below a current one on the same topic, unless the
// question names its year (2022年的低保标准, 前年的台风).
func timeFactor(c *candidate, a analyzed, all []*candidate) float64 {
	switch {
	case len(a.years) > 0:
		if docYearMatches(c.doc, a.years) {
			return 1.3
		}
		if c.supBy != "" || c.status == content.Expired {
			return 0.6
		}
		return 0.9
	case len(a.months) > 0 && docMonthMatches(c.doc, a.months):
		return 1.2
	}
	if c.supBy == "" && c.status == content.InForce {
		return 1
	}
	f := 1.0
	if c.supBy != "" {
		f *= 0.5
	}
	switch c.status {
	case content.Expired:
		if hasCurrentRival(c, all) {
			f *= 0.6
		} else {
			f *= 0.9
		}
	case content.NotYetEffective:
		f *= 0.9
	}
	return f
}

func docMonthMatches(d *content.Disclosure, months map[int]bool) bool {
	for _, t := range []content.Date{d.Effective, d.Published} {
		if !t.IsZero() && months[int(t.Time().Month())] {
			return true
		}
	}
	return false
}

func docYearMatches(d *content.Disclosure, years map[int]bool) bool {
	for _, m := range reYear4.FindAllString(d.Title, -1) {
		if y, _ := strconv.Atoi(m); years[y] {
			return true
		}
	}
	for _, t := range []content.Date{d.Effective, d.Published} {
		if !t.IsZero() && years[t.Time().Year()] {
			return true
		}
	}
	return false
}

// supersededBy walks the chain of later editions of a standard and names the
// newest one in force on day, or "" when id itself is the current edition.
func (g *generation) supersededBy(ctx context.Context, id string, day time.Time) string {
	current := ""
	next := g.meta.Supersede[id]
	for hops := 0; next != "" && hops < 10; hops++ {
		d, ok := g.document(ctx, next)
		if !ok {
			break
		}
		if d.doc.StatusOn(day) == content.InForce {
			current = next
		}
		next = g.meta.Supersede[next]
	}
	return current
}

// document fetches one disclosure by id.
func (g *generation) document(ctx context.Context, id string) (*docInfo, bool) {
	di, err := g.info(id)
	return di, err == nil
}

// info returns the decoded disclosure id, from the cache or the index's
// stored source.
func (g *generation) info(id string) (*docInfo, error) {
	return g.docs.load(id, func() (string, error) {
		doc, err := g.bi.Document(id)
		if err != nil {
			return "", err
		}
		if doc == nil {
			return "", fmt.Errorf("index: no disclosure %q", id)
		}
		src := ""
		doc.VisitFields(func(f index.Field) {
			if f.Name() == fSource {
				src = string(f.Value())
			}
		})
		if src == "" {
			return "", fmt.Errorf("index: disclosure %q has no stored source", id)
		}
		return src, nil
	})
}

// coverage is the share of what the question asks about (weighted by how
// telling each word is) that the disclosure speaks of: exactly, through a
// synonym, or through a homophone. It is the confidence of an answer.
func (g *generation) coverage(a analyzed, di *docInfo) (all, head float64, headWord bool, found uint64) {
	headText, body := di.head, di.body
	var pyDoc string // computed only when a word is not found as written
	total, got, gotHead := 0.0, 0.0, 0.0
	for ui, u := range a.units {
		total += u.weight
		best, inHead := 0.0, 0.0
		if containsAny(&di.headRunes, headText, u.text, u.alts) {
			best, inHead = 1, 1
		} else if containsAny(&di.bodyRunes, body, u.text, u.alts) {
			best = 0.85
		}
		if best == 0 && !u.concept && utf8.RuneCountInString(u.text) >= 2 && u.pinyin != "" {
			// A homophone typo (失业经, 暑拖班): match on pinyin, in full
			// or, for a longer fragment, a run of at least two syllables.
			if pyDoc == "" {
				pyDoc = di.pinyin(g.seg.py)
			}
			run, n := syllableRun(strings.Fields(u.pinyin), pyDoc)
			if run == n {
				best = 0.8
			} else if run >= 2 && 2*run >= n {
				best = 0.8 * float64(run) / float64(n)
			}
		}
		if best == 0 && len(u.parts) > 0 && utf8.RuneCountInString(u.text) >= 3 {
			// A longer word not found whole: credit its known parts.
			hit := 0
			for _, p := range u.parts {
				if strings.Contains(headText, p) || strings.Contains(body, p) {
					hit++
				}
			}
			best = 0.3 * float64(hit) / float64(len(u.parts))
		}
		got += u.weight * best
		gotHead += u.weight * inHead
		if best >= 0.8 && ui < 64 {
			found |= 1 << ui
		}
		if inHead > 0 && (u.concept || utf8.RuneCountInString(u.text) >= 2) {
			headWord = true
		}
	}
	if total == 0 {
		return 0, 0, false, 0
	}
	return got / total, gotHead / total, headWord, found
}

// distinctive reports whether c shares with the question a word that few
// disclosures hold: at most share of them (and at least distinctMinDocs);
// a corpus under distinctMinCorpus disclosures is too small to tell. One that shares only words half the corpus uses (报名, 申请)
// is no answer, however many of them it holds.
func (g *generation) distinctive(ctx context.Context, a analyzed, c *candidate, share float64) bool {
	if g.meta.Docs < distinctMinCorpus {
		return true // too few disclosures to tell common from rare
	}
	limit := max(uint64(share*float64(g.meta.Docs)), distinctMinDocs)
	for i, u := range a.units {
		if i >= 64 || c.found&(1<<i) == 0 {
			continue
		}
		// A concept is as common as its most common expression (老人 for
		// 老年人/老人/长者); a word or fragment that is no index term (青安
		// inside 青安社区) is specific.
		alts := u.alts
		if len(alts) == 0 {
			alts = []string{u.text}
		}
		var df uint64
		for _, w := range alts {
			df = max(df, g.df.docFreq(ctx, fBody, w), g.df.docFreq(ctx, fTitle, w))
		}
		if df <= limit {
			return true
		}
	}
	return false
}

// containsAny reports whether text (whose characters f holds) holds w or
// any of alts.
func containsAny(f *runeFilter, text, w string, alts []string) bool {
	if f.contains(text, w) {
		return true
	}
	for _, a := range alts {
		if a != w && f.contains(text, a) {
			return true
		}
	}
	return false
}

// distanceKm is the great-circle distance between two points.
func distanceKm(a, b Point) float64 {
	const r = 6371.0
	la1, la2 := a.Lat*math.Pi/180, b.Lat*math.Pi/180
	dla := la2 - la1
	dlo := (b.Lon - a.Lon) * math.Pi / 180
	h := math.Sin(dla/2)*math.Sin(dla/2) + math.Cos(la1)*math.Cos(la2)*math.Sin(dlo/2)*math.Sin(dlo/2)
	return 2 * r * math.Asin(math.Min(1, math.Sqrt(h)))
}
