package index

// Ranking: how well each candidate answers the question, and what is in
// force on the day asked.

import (
	"context"
	"math"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/search/query"

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

// candidate is a disclosure being ranked for a question.
type candidate struct {
	info     *docInfo
	doc      *content.Disclosure
	bm25     float64
	coverage float64
	head     float64 // share of the question found in title and keywords
	exact    float64 // share of the question in title and keywords as the resident wrote it
	headWord bool    // a word (not a lone character) of the question is in title or keywords
	found    uint64  // which of the question's units it holds (bit i: unit i)
	rank     float64
	status   content.Status
	supBy    string // id of the edition in force that replaced it
	distance *float64
	feat     [numFeatures]float64
	passage  *Passage // the part that answers the question
	time     float64  // factor for what is in force
	// placeAsked: a question asking for places names this place whole
	// (its place feature is 1).
	placeAsked bool
	matched    []Match // the question's terms found, and where (Query.Explain)
}

// rank finds and orders the candidates for a question.
func (g *generation) rank(ctx context.Context, a analyzed, q Query, now time.Time, radiusKm float64, w *Weights) ([]*candidate, error) {
	if len(a.units) == 0 && len(q.Only) == 0 {
		return nil, nil
	}
	excluded := setOf(q.Exclude)
	day := clock.DateOf(now)
	var out []*candidate
	if len(q.Only) > 0 {
		// A follow-up on disclosures already shown: rank those only.
		for _, id := range q.Only {
			if excluded[id] {
				continue
			}
			di, err := g.info(id)
			if err != nil {
				continue
			}
			out = append(out, &candidate{info: di, doc: &di.doc, bm25: 1, status: di.doc.StatusOn(day)})
		}
	} else {
		qs := g.buildQuery(ctx, a)
		if len(qs) == 0 {
			return nil, nil
		}
		// Stored fields are not loaded with the hits: most candidates are in
		// the decoded-document cache, and the rest are loaded one by one.
		req := bleve.NewSearchRequestOptions(bleve.NewDisjunctionQuery(qs...), candidates+len(excluded), 0, false)
		res, err := g.bi.SearchInContext(ctx, req)
		if err != nil {
			return nil, err
		}
		if len(res.Hits) == 0 {
			return nil, nil
		}
		top := res.Hits[0].Score
		for _, h := range res.Hits {
			if excluded[h.ID] {
				continue
			}
			di, err := g.info(h.ID)
			if err != nil {
				continue
			}
			out = append(out, &candidate{info: di, doc: &di.doc, bm25: h.Score / top, status: di.doc.StatusOn(day)})
		}
	}
	written := asWritten(a, out)
	for _, c := range out {
		c.coverage, c.head, c.exact, c.headWord, c.found = g.coverage(a, c.info, written, q.Explain, &c.matched)
		c.supBy = g.supersededBy(ctx, c.doc.ID, day)
	}
	qr := questionRunes(q.Text)
	named := g.placeUnits(ctx, a)
	for _, c := range out {
		c.features(a, qr, named)
	}
	placeNeutral(out)
	for _, c := range out {
		c.time = timeFactor(c, a, out)
		c.rank = w.mix(&c.feat) * c.time
	}
	// The passage features are worked out for the best few only: cutting a
	// passage reads every line of the body.
	sort.SliceStable(out, func(i, j int) bool { return out[i].rank > out[j].rank })
	for i, c := range out {
		if i == passageCandidates {
			break
		}
		c.passageFeatures(a)
		c.rank = w.mix(&c.feat) * c.time
	}
	for _, c := range out {
		if q.Geo != nil && c.doc.Location != nil {
			d := distanceKm(*q.Geo, Point{c.doc.Location.Lat, c.doc.Location.Lon})
			c.distance = &d
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].rank > out[j].rank })
	if q.Geo != nil {
		out = byDistance(out, radiusKm)
	}
	return out, nil
}

// passageCandidates is how many of the best candidates have their passage
// cut for the passage features; the rest have none.
const passageCandidates = 6

// features computes the candidate's ranking features but those of its
// passage (see features.go).
func (c *candidate) features(a analyzed, qr []rune, named uint64) {
	c.feat[featBM25] = c.bm25
	c.feat[featCoverage] = c.coverage
	c.feat[featTitle] = c.head
	c.feat[featExact] = c.exact
	// The title's characters are among those of title and keywords.
	c.feat[featPhrase] = phraseScoreIn(qr, c.info.title, &c.info.headRunes)
	c.feat[featKind] = 0.5
	if titleKind(a, c.doc.Title) {
		c.feat[featTitleKind] = 1
	}
	c.feat[featPlace] = placeFeature(a, c.doc, named)
}

// passageFeatures cuts the candidate's passage and computes the features
// that read the whole body (the passage's, and the kind of its lines).
func (c *candidate) passageFeatures(a analyzed) {
	sp, held := sectionPassage(c.info, a, passageRunes)
	c.feat[featPassage] = passageCoverage(a, sp, held)
	if a.intent != AnyIntent {
		c.feat[featKind] = c.info.shape().cuesFor(a.intent).kind
	}
	switch {
	case a.intent == AnyIntent:
		c.feat[featIntent] = 0.5
	case sp != nil && sp.Intent:
		c.feat[featIntent] = 1
	}
}

// factors are a candidate's ranking factors, for the explanation: the
// features, and the factor for what is in force on the day asked.
func (c *candidate) factors() map[string]float64 {
	f := map[string]float64{"time": round3(c.time)}
	for i, n := range featureNames {
		f[n] = round3(c.feat[i])
	}
	return f
}

// decisive tells whether the best candidate stands out from the runner-up
// by a signal a resident would see, whatever their scores: then there is
// nothing to ask. Either one holding such an advantage (the ranking has
// already weighed it) settles the matter; only candidates alike in every
// respect are worth a clarifying question.
func (g *generation) decisive(a analyzed, best, next *candidate) bool {
	// Editions of one standard: the one in force, or of the year named.
	if g.sameChain(best.doc.ID, next.doc.ID) {
		return true
	}
	if len(a.years) > 0 && docYearMatches(best.doc, a.years) != docYearMatches(next.doc, a.years) {
		return true
	}
	if (best.supBy == "" && best.status == content.InForce) != (next.supBy == "" && next.status == content.InForce) {
		return true
	}
	// A phrase of the question whole in one title only.
	if math.Abs(best.feat[featPhrase]-next.feat[featPhrase]) >= decisivePhrase {
		return true
	}
	// The kind of disclosure the question asks for (a 标准 for 多少).
	if a.intent != AnyIntent && best.feat[featTitleKind] != next.feat[featTitleKind] {
		return true
	}
	// Much more of the question in one title.
	return math.Abs(best.head-next.head) >= decisiveHead
}

const (
	// decisivePhrase: a phrase of the question at least this much longer
	// (as phraseScore counts) in one title than in the other.
	decisivePhrase = 0.3
	// decisiveHead: this much more of the question's weight in one title.
	decisiveHead = 0.2
)

// sameChain tells whether a and b are editions of one standard: one
// replaces the other, directly or through later editions.
func (g *generation) sameChain(a, b string) bool {
	for _, p := range [][2]string{{a, b}, {b, a}} {
		next := g.meta.Supersede[p[0]]
		for hops := 0; next != "" && hops < 10; hops++ {
			if next == p[1] {
				return true
			}
			next = g.meta.Supersede[next]
		}
	}
	return false
}

// byDistance puts the located candidates that answer the question nearly as
// well as the best one, or are the kind of place it names (every canteen
// for 附近的长者食堂), first, nearest first.
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
		if c.distance != nil && *c.distance <= radiusKm && (c.rank >= 0.6*best || c.placeAsked) && c.status != content.Expired {
			near = append(near, c)
		} else {
			rest = append(rest, c)
		}
	}
	sort.SliceStable(near, func(i, j int) bool { return *near[i].distance < *near[j].distance })
	return append(near, rest...)
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
		switch docYearMatch(c.doc, a.years) {
		case yearInTitle:
			return 1.3
		case yearOfDate:
			return 1.15
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
		// A standard or policy to come gives way to the one in force; an
		// event ahead (a notice with an end: an activity schedule, a fair)
		// is what a resident asking about it wants.
		if c.doc.Expires.IsZero() {
			f *= 0.9
		}
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

// How a disclosure is of a year the question names.
const (
	yearNone    = iota
	yearOfDate  // published or in force from that year, its title naming none
	yearInTitle // its title names the year (关于2025年调整…的公告)
)

// docYearMatch tells how d is of one of years: a title that names years
// says which it is about (a 2026 standard announced in December 2025 is
// not 2025's); only a title naming none is of the year of its dates.
func docYearMatch(d *content.Disclosure, years map[int]bool) int {
	named := reYear4.FindAllString(d.Title, -1)
	for _, m := range named {
		if y, _ := strconv.Atoi(m); years[y] {
			return yearInTitle
		}
	}
	if len(named) > 0 {
		return yearNone
	}
	for _, t := range []content.Date{d.Effective, d.Published} {
		if !t.IsZero() && years[t.Time().Year()] {
			return yearOfDate
		}
	}
	return yearNone
}

func docYearMatches(d *content.Disclosure, years map[int]bool) bool {
	return docYearMatch(d, years) != yearNone
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

// coverage is the share of what the question asks about (weighted by how
// telling each word is) that the disclosure speaks of: exactly, through a
// synonym, or through a homophone. It is the confidence of an answer.
// Units whose bit is set in written are found as written in some
// candidate: a homophone of theirs elsewhere is no typo, and gets no
// credit.
func (g *generation) coverage(a analyzed, di *docInfo, written uint64, explain bool, matched *[]Match) (all, head, exact float64, headWord bool, found uint64) {
	headText, body := di.head, di.body
	var pyDoc string // computed only when a word is not found as written
	total, got, gotHead, gotExact := 0.0, 0.0, 0.0, 0.0
	for ui, u := range a.units {
		total += u.weight
		best, inHead := 0.0, 0.0
		if di.headRunes.contains(headText, u.text) {
			best, inHead = 1, 1
			gotExact += u.weight
		} else if containsAny(&di.headRunes, headText, u.text, u.alts) {
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
			// A word some candidate holds as written is no typo: a
			// same-sounding word here is not it, though a run of its
			// syllables may be a part of it (评估 of 评估价).
			run, n := syllableRunIn(u.syl, pyDoc, &di.pyf)
			typo := ui >= 64 || written&(1<<ui) == 0
			if run == n && typo {
				best = 0.8
			} else if run >= 2 && 2*run >= n && (run < n || typo) {
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
		if explain && best > 0 {
			*matched = append(*matched, explainMatch(u, di, best, inHead))
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
		return 0, 0, 0, false, 0
	}
	return got / total, gotHead / total, gotExact / total, headWord, found
}

// asWritten marks the question's units (bit i: unit i) that some candidate
// holds as written or through a synonym: the resident wrote a word the
// disclosures use, so a same-sounding word elsewhere is not what was meant
// (评估价 found in one disclosure: 评估+家 in another is no typo of it).
func asWritten(a analyzed, cands []*candidate) uint64 {
	var w uint64
	for i, u := range a.units {
		if i >= 64 {
			break
		}
		if u.concept || utf8.RuneCountInString(u.text) < 2 {
			continue // no homophone is tried for these
		}
		for _, c := range cands {
			di := c.info
			if containsAny(&di.headRunes, di.head, u.text, u.alts) || containsAny(&di.bodyRunes, di.body, u.text, u.alts) {
				w |= 1 << i
				break
			}
		}
	}
	return w
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
	var inHead uint64 // the found units c holds in its title or keywords
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
		if containsAny(&c.info.headRunes, c.info.head, u.text, u.alts) {
			inHead |= 1 << i
		}
		var df uint64
		for _, w := range alts {
			df = max(df, g.df.docFreq(ctx, fBody, w), g.df.docFreq(ctx, fTitle, w))
		}
		if df <= limit {
			return true
		}
	}
	// No one word is rare, but together they may be: 低保 and 标准 are
	// each in many of a small corpus's disclosures, both in few; 社区,
	// 事务, 受理 and 中心 are together in the body of most guides, in the
	// title of one. On a large corpus a word in a fifth of the disclosures
	// is common indeed, and counting them together would walk their long
	// postings.
	if g.meta.Docs > coFreqMaxCorpus {
		return false
	}
	return g.coFreq(ctx, a, c.found, fTitle, fBody) <= limit ||
		g.coFreq(ctx, a, inHead, fTitle) <= limit
}

// coFreqMaxCorpus: above this many disclosures, words that are each common
// are not counted together (see distinctive).
const coFreqMaxCorpus = 10000

// coFreq counts the disclosures that hold every question unit in found
// (each through any of its expressions, in any of fields).
func (g *generation) coFreq(ctx context.Context, a analyzed, found uint64, fields ...string) uint64 {
	var all []query.Query
	for i, u := range a.units {
		if i >= 64 || found&(1<<i) == 0 {
			continue
		}
		alts := u.alts
		if len(alts) == 0 {
			alts = []string{u.text}
		}
		var any []query.Query
		for _, w := range alts {
			// Every term of the expression, in any of the fields.
			var each []query.Query
			for _, t := range g.seg.Terms(w) {
				var in []query.Query
				for _, f := range fields {
					tq := bleve.NewTermQuery(t)
					tq.SetField(f)
					in = append(in, tq)
				}
				each = append(each, bleve.NewDisjunctionQuery(in...))
			}
			if len(each) == 0 {
				continue
			}
			any = append(any, bleve.NewConjunctionQuery(each...))
		}
		if len(any) > 0 {
			all = append(all, bleve.NewDisjunctionQuery(any...))
		}
	}
	if len(all) < 2 {
		return math.MaxUint64 // one word: its own frequency decided
	}
	req := bleve.NewSearchRequestOptions(bleve.NewConjunctionQuery(all...), 0, 0, false)
	res, err := g.bi.SearchInContext(ctx, req)
	if err != nil {
		return math.MaxUint64
	}
	return res.Total
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

// explainMatch says where a disclosure holds question unit u, given how it
// was credited (best, inHead: see coverage).
func explainMatch(u unit, di *docInfo, best, inHead float64) Match {
	m := Match{Term: u.text}
	found := func(text string) string {
		for _, alt := range append([]string{u.text}, u.alts...) {
			if strings.Contains(text, alt) {
				return alt
			}
		}
		return ""
	}
	switch {
	case inHead > 0:
		title := normalize(di.doc.Title)
		if di.doc.Location != nil {
			title += " " + normalize(di.doc.Location.Name)
		}
		m.As = found(title)
		m.Where = InTitle
		if m.As == "" {
			m.As = found(di.head)
			m.Where = InKeywords
		}
	case best == 0.85:
		m.Where, m.As = InBody, found(di.body)
	case best >= 0.8 || u.pinyin != "" && best > 0.3:
		m.Where = ByHomophone
	default:
		m.Where = ByPart
	}
	if m.As == u.text {
		m.As = ""
	} else if m.As != "" && (m.Where == InTitle || m.Where == InKeywords || m.Where == InBody) {
		if u.situation {
			m.Where = BySituation
		} else {
			m.Where = BySynonym
		}
	}
	return m
}
