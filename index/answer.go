package index

import (
	"context"
	"errors"
	"fmt"
	"math"
	"sort"
	"strings"
	"time"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/search"

	"github.com/yingpu/govbot/clock"
	"github.com/yingpu/govbot/content"
)

// passageHits is how many of the first hits carry their answering passage.
const passageHits = 3

// Ask answers a question as of q.Now (or the index clock). The answer's
// passages and explanations may be shared with other callers: they must
// not be changed.
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
	if ix.opts.AnswerCache < 0 || len(q.Only) > 0 {
		// A query restricted to a few disclosures costs a fraction of a
		// search and is seldom asked again: keeping it would only push out
		// answers that are dear to work out again.
		return ix.ask(ctx, q, now)
	}
	key := answerKey(q, now)
	if a, ok := ix.answers.get(ix.gen, key); ok {
		return shared(a), nil
	}
	a, err := ix.ask(ctx, q, now)
	if err != nil {
		return a, err
	}
	ix.answers.put(ix.gen, key, a, ix.opts.AnswerCache)
	return shared(a), nil
}

// ask answers q as of now (see Ask).
func (ix *Index) ask(ctx context.Context, q Query, now time.Time) (Answer, error) {
	text := strings.TrimSpace(q.Text)
	if text == "" && q.Geo != nil && len(q.Only) == 0 {
		return ix.nearest(ctx, *q.Geo, q, now)
	}
	a := ix.analysis(text, now)
	cands, err := ix.gen.rank(ctx, a, q, now, ix.opts.Search.GeoRadiusKm, &ix.weights)
	if err != nil {
		return Answer{}, err
	}
	return ix.compose(ctx, cands, a, q, now), nil
}

// Full returns disclosure id as of now (the index clock when zero) with its
// whole body as the passage (全文).
func (ix *Index) Full(ctx context.Context, id string, now time.Time) (Hit, error) {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	if ix.gen == nil {
		return Hit{}, errors.New("index is closed")
	}
	if now.IsZero() {
		now = ix.opts.Clock.Now()
	}
	di, err := ix.gen.info(id)
	if err != nil {
		return Hit{}, fmt.Errorf("%w: %s", ErrNoDisclosure, id)
	}
	day := clock.DateOf(now)
	c := &candidate{info: di, doc: &di.doc, status: di.doc.StatusOn(day), coverage: 1, rank: 1}
	c.supBy = ix.gen.supersededBy(ctx, id, day)
	h := ix.hitOf(ctx, c)
	h.Passage = &Passage{Text: strings.TrimSpace(di.doc.Body), Whole: true}
	return h, nil
}

// ErrNoDisclosure: no published disclosure has the id asked for.
var ErrNoDisclosure = errors.New("index: no such disclosure")

// analysis is text taken apart as of now, with what no disclosure may
// answer in it.
func (ix *Index) analysis(text string, now time.Time) analyzed {
	if ix.opts.AnswerCache < 0 {
		a := ix.gen.analyze(text, now)
		a.outside = ix.classify(text)
		return a
	}
	key := clock.DateOf(now).Format(time.DateOnly) + "\n" + text
	if qa, ok := ix.analyses.get(ix.gen, key); ok {
		a := qa.a
		a.now, a.outside = now, qa.outside
		return a
	}
	a := ix.gen.analyze(text, now)
	a.outside = ix.classify(text)
	ix.analyses.put(ix.gen, key, questionAnalysis{a: a, outside: a.outside}, analysesKept)
	return a
}

// compose turns ranked candidates into the answer's structure.
func (ix *Index) compose(ctx context.Context, cands []*candidate, a analyzed, q Query, now time.Time) Answer {
	ans := Answer{Hits: make([]Hit, 0, len(cands)), Intent: a.intent}
	if a.referral != nil {
		ans.Agency, ans.Matter = a.referral.agency, a.referral.word
	}
	for i, c := range cands {
		h := ix.hitOf(ctx, c)
		if q.Explain {
			h.Matched = c.matched
			h.Factors = c.factors()
		}
		if i < passageHits {
			if c.passage == nil {
				c.passage = passage(c.info, a, passageRunes)
			}
			h.Passage = c.passage
		}
		ans.Hits = append(ans.Hits, h)
	}
	if len(cands) > 0 {
		ans.Confidence = round3(cands[0].coverage)
	}
	minScore := ix.opts.Search.MinScore
	follow := len(q.Only) > 0
	switch {
	case a.outside != nil && !follow && !(len(cands) > 0 && a.outside.overruledBy(cands[0])):
		ans.Decline = a.outside.kind
		if ans.Decline == DeclineOtherArea {
			ans.AreaNamed = a.outside.word
		}
	case len(cands) == 0:
		ans.Decline = DeclineNotCovered
		if a.referral != nil {
			ans.Decline = DeclineReferral
		}
	case follow:
		ans.Answered = true
	case a.referral == nil && ix.gen.absentMatter(ctx, q.Text, a, cands) != "":
		// It names a programme no disclosure speaks of (廉租房申请条件
		// where none is about 廉租房): what it shares is the rest.
		ans.Decline, ans.Matter = DeclineNotCovered, ix.gen.absentMatter(ctx, q.Text, a, cands)
	case !confident(cands[0], a, minScore) ||
		!ix.gen.distinctive(ctx, a, cands[0], ix.opts.Search.DistinctShare) ||
		inPassing(a, cands[0]): // its words only in passing (decline.go)
		ans.Decline = DeclineLowScore
		if a.referral != nil {
			ans.Decline = DeclineReferral
		}
	default:
		// On the matter, but is what was asked stated (next year's
		// change, a facility yet to be built)? If not by the best, by a
		// close runner-up that is about the question as much?
		u := unstated(q.Text, cands[0], now)
		if u != "" {
			if i := ix.stating(cands, a, q.Text, now, minScore); i > 0 {
				cands[0], cands[i] = cands[i], cands[0]
				ans.Hits[0], ans.Hits[i] = ans.Hits[i], ans.Hits[0]
				ans.Confidence = round3(cands[0].coverage)
				u = ""
			}
		}
		if u != "" {
			ans.Decline, ans.Unstated = DeclineNotStated, u
		} else {
			ans.Answered = true
		}
	}
	if (ans.Decline == DeclineLowScore || ans.Decline == DeclineNotCovered) && ix.gen.unpublished(a, first(cands)) {
		// Nothing published answers it, and a withheld disclosure is
		// about it: say so (nothing of it is told); the hit test names
		// the reason beside the withheld disclosure.
		ans.Decline = DeclineUnpublished
	}
	if ans.Answered {
		ans.Agency, ans.Matter = "", ""
		if a.referral != nil {
			ans.Agency, ans.Matter = a.referral.agency, a.referral.word
		}
		top := cands[0]
		ans.Near = q.Geo != nil && top.distance != nil
		if ans.Near {
			ans.RadiusKm = ix.opts.Search.GeoRadiusKm
		}
		for i := 1; i < len(cands); i++ {
			c := cands[i]
			ans.Hits[i].Related = c.coverage >= minScore && c.rank >= 0.5*top.rank
		}
		if len(cands) > 1 {
			ans.Decisive = ix.gen.decisive(a, cands[0], cands[1])
		}
	}
	if q.Explain {
		ans.Skipped = ix.skipped(cands, a, ans)
	}
	return ans
}

// skipped lists the disclosures left out of the answer and why.
func (ix *Index) skipped(cands []*candidate, a analyzed, ans Answer) []Skipped {
	out := []Skipped{}
	for i, c := range cands {
		reason := ""
		switch {
		case i == 0 && ans.Answered:
			continue
		case c.supBy != "" && (i > 0 || !ans.Answered):
			reason = "superseded"
		case c.status == content.Expired && i > 0:
			reason = "expired"
		case !ans.Answered && ans.Decline == DeclineReferral:
			reason = "referral"
		case c.coverage < ix.opts.Search.MinScore || !ans.Answered:
			reason = "low_score"
		default:
			continue
		}
		out = append(out, Skipped{ID: c.doc.ID, Title: c.doc.Title, Reason: reason})
	}
	out = append(out, ix.gen.withheldFor(a, ix.opts.Search.MinScore)...)
	return out
}

// confident decides whether the best candidate answers the question: enough
// of what was asked must be found in it (and, checked beside it, something
// distinctive: see distinctive); and for a matter another agency
// handles (护照, 离婚), the disclosure must speak of that matter and be
// about the question by its title, not by a lone character.
func confident(c *candidate, a analyzed, minScore float64) bool {
	if c.coverage < minScore {
		return false
	}
	if r := a.referral; r != nil {
		// Another agency's matter: answer only from a disclosure that
		// speaks of it and is about the question at all.
		text := normalize(c.doc.Title + " " + strings.Join(c.doc.Keywords, " ") + " " + c.doc.Body)
		return c.headWord && strings.Contains(text, r.word)
	}
	return true
}

// first is the best candidate, or nil.
func first(cands []*candidate) *candidate {
	if len(cands) == 0 {
		return nil
	}
	return cands[0]
}

func round3(v float64) float64 { return math.Round(v*1000) / 1000 }

// hitOf describes a candidate: its source, status and place.
func (ix *Index) hitOf(ctx context.Context, c *candidate) Hit {
	d := c.doc
	h := Hit{
		ID:         d.ID,
		Score:      round3(math.Max(0, math.Min(1, c.rank))),
		Title:      d.Title,
		Department: d.Department,
		Date:       c.info.published,
		URL:        d.URL,
		Category:   d.Category,
		Status:     Current,
		Coverage:   round3(c.coverage),
		DistanceKm: c.distance,
	}
	h.Effective, h.Ended = c.info.effective, c.info.expires
	switch c.status {
	case content.Expired:
		h.Status = Ended
	case content.NotYetEffective:
		h.Status = Upcoming
	}
	if c.supBy != "" && c.status != content.Expired {
		h.Status = Superseded
		h.SupersededBy = &Ref{ID: c.supBy}
		if n, ok := ix.gen.document(ctx, c.supBy); ok {
			h.SupersededBy.Title = n.doc.Title
			h.SupersededBy.Effective = n.effective
		}
	}
	if d.Location != nil {
		h.Place = &Place{Name: d.Location.Name, Address: d.Location.Address}
	}
	return h
}

// nearest answers a bare shared location: the service places nearby.
func (ix *Index) nearest(ctx context.Context, p Point, q Query, now time.Time) (Answer, error) {
	radius := ix.opts.Search.GeoRadiusKm
	gq := bleve.NewGeoDistanceQuery(p.Lon, p.Lat, fmt.Sprintf("%gkm", radius))
	gq.SetField(fGeo)
	req := bleve.NewSearchRequestOptions(gq, 20, 0, false)
	req.SortByCustom(search.SortOrder{&search.SortGeoDistance{Field: fGeo, Lon: p.Lon, Lat: p.Lat, Unit: "km"}})
	res, err := ix.gen.bi.SearchInContext(ctx, req)
	if err != nil {
		return Answer{}, err
	}
	day := clock.DateOf(now)
	excluded := setOf(q.Exclude)
	var cands []*candidate
	for _, h := range res.Hits {
		if excluded[h.ID] {
			continue
		}
		di, err := ix.gen.info(h.ID)
		if err != nil || di.doc.Location == nil {
			continue
		}
		d := &di.doc
		c := &candidate{info: di, doc: d, status: d.StatusOn(day), coverage: 1, rank: 1}
		if c.status == content.Expired {
			continue
		}
		dist := distanceKm(p, Point{d.Location.Lat, d.Location.Lon})
		c.distance = &dist
		cands = append(cands, c)
	}
	sort.SliceStable(cands, func(i, j int) bool { return *cands[i].distance < *cands[j].distance })
	ans := Answer{Hits: []Hit{}, RadiusKm: radius}
	for _, c := range cands {
		ans.Hits = append(ans.Hits, ix.hitOf(ctx, c))
	}
	if len(cands) == 0 {
		ans.Decline = DeclineNoPlace
		return ans, nil
	}
	ans.Answered, ans.Near, ans.AnyPlace, ans.Confidence = true, true, true, 1
	return ans, nil
}

func setOf(ids []string) map[string]bool {
	if len(ids) == 0 {
		return nil
	}
	m := make(map[string]bool, len(ids))
	for _, id := range ids {
		m[id] = true
	}
	return m
}
