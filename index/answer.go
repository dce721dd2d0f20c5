package index

import (
	"context"
	"fmt"
	"math"
	"sort"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/search"

	"github.com/yingpu/govbot/clock"
	"github.com/yingpu/govbot/content"
)

// categoryNames are the topics residents are told govbot can answer.
var categoryNames = []struct{ code, name string }{
	{"employment", "就业创业"},
	{"benefits", "社保救助"},
	{"elderly", "养老助餐"},
	{"childcare", "托育服务"},
	{"emergency", "应急预警"},
	{"business", "企业服务"},
	{"culture", "文化活动"},
	{"planning", "城市建设"},
	{"resources", "征收与农业补贴"},
	{"participation", "12345与公众参与"},
	{"decision", "重大决策"},
	{"disclosure", "政务公开"},
}

// compose turns ranked candidates into the reply a resident reads.
func (ix *Index) compose(cands []*candidate, a analyzed, q Query, now time.Time) Answer {
	ans := Answer{Hits: make([]Hit, 0, len(cands))}
	for _, c := range cands {
		ans.Hits = append(ans.Hits, hitOf(c))
	}
	if len(cands) > 0 {
		ans.Confidence = math.Round(cands[0].coverage*1000) / 1000
	}
	if len(cands) == 0 || !confident(cands[0], a, ix.opts.Search.MinScore) ||
		!ix.gen.distinctive(context.Background(), a, cands[0], ix.opts.Search.DistinctShare) {
		ans.Text = ix.declineText(a.referral)
		return ans
	}
	ans.Answered = true
	limit := ix.opts.Search.MaxReplyBytes
	top := cands[0]
	if q.Geo != nil && top.distance != nil {
		ans.Text = ix.placesText(cands, limit)
		return ans
	}
	ans.Text = ix.answerText(top, cands, a, now, limit)
	return ans
}

// answerText lays out an answer within limit bytes. The source (department,
// date, link) is never cut: the related titles go first, then the passage
// shrinks, then the title.
func (ix *Index) answerText(top *candidate, cands []*candidate, a analyzed, now time.Time, limit int) string {
	head := "【" + top.doc.Title + "】\n"
	if s := ix.statusLine(top, now); s != "" {
		head += s + "\n"
	}
	src := sourceLines(top.doc)
	if len(src) >= limit {
		return truncateUTF8(src, limit)
	}
	if len(head)+len(src) > limit {
		return truncateUTF8(head, limit-len(src)-1) + "\n" + src
	}
	avail := limit - len(head) - len(src) - 1 // the passage's newline
	rel := ix.related(cands)
	const minPassage = 120
	if rel != "" && avail-len(rel)-1 >= minPassage {
		avail -= len(rel) + 1
	} else {
		rel = ""
	}
	text := head
	if p := passage(top.doc.Body, a, avail); p != "" {
		text += p + "\n"
	}
	text += src
	if rel != "" {
		text += "\n" + rel
	}
	return text
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

func hitOf(c *candidate) Hit {
	return Hit{
		ID:         c.doc.ID,
		Score:      math.Round(c.rank*1000) / 1000,
		Title:      c.doc.Title,
		Department: c.doc.Department,
		Date:       c.doc.Published.String(),
		URL:        c.doc.URL,
		Status:     c.status,
		DistanceKm: c.distance,
	}
}

// statusLine says plainly when the answer is not (or no longer) in force.
func (ix *Index) statusLine(c *candidate, now time.Time) string {
	d := c.doc
	if c.supBy != "" {
		if n, ok := ix.gen.document(context.Background(), c.supBy); ok {
			return fmt.Sprintf("（注意：此标准已被新标准替代，现行标准见《%s》，%s起执行。）", n.doc.Title, dateCN(n.doc.Effective))
		}
		return "（注意：此标准已被新标准替代。）"
	}
	switch c.status {
	case content.Expired:
		if d.Category == "emergency" {
			return fmt.Sprintf("⚠️ 此预警/通告已于%s结束，目前不在生效期内，请以最新发布为准。", dateCN(d.Expires))
		}
		return fmt.Sprintf("（此信息有效期至%s，已结束，仅供参考。）", dateCN(d.Expires))
	case content.NotYetEffective:
		return fmt.Sprintf("（此信息自%s起施行。）", dateCN(d.Effective))
	}
	if !d.Expires.IsZero() && d.Category == "emergency" {
		return fmt.Sprintf("（目前生效中，有效期至%s。）", dateCN(d.Expires))
	}
	return ""
}

func dateCN(d content.Date) string {
	if d.IsZero() {
		return ""
	}
	t := d.Time()
	return fmt.Sprintf("%d年%d月%d日", t.Year(), int(t.Month()), t.Day())
}

func sourceLines(d *content.Disclosure) string {
	s := "来源：" + d.Department
	if !d.Published.IsZero() {
		s += "，" + d.Published.String() + "发布"
	}
	return s + "\n原文：" + d.URL
}

// related lists up to Search.Related more titles that also answer well.
func (ix *Index) related(cands []*candidate) string {
	n := ix.opts.Search.Related
	var lines []string
	for _, c := range cands[1:] {
		if len(lines) >= n {
			break
		}
		if c.coverage < ix.opts.Search.MinScore || c.rank < 0.5*cands[0].rank {
			continue
		}
		line := "· " + c.doc.Title
		if c.status == content.Expired {
			line += "（已结束）"
		} else if c.supBy != "" {
			line += "（已替代）"
		}
		lines = append(lines, line)
	}
	if len(lines) == 0 {
		return ""
	}
	return "相关信息：\n" + strings.Join(lines, "\n")
}

func (ix *Index) declineText(ref *referralMatch) string {
	var topics []string
	for _, c := range categoryNames {
		topics = append(topics, c.name)
	}
	var b strings.Builder
	b.WriteString("抱歉，街道公开的信息里没有找到能回答您问题的内容，不敢乱说。\n")
	if ref != nil {
		fmt.Fprintf(&b, "“%s”相关事项一般由%s办理，建议向其咨询。\n", ref.word, ref.agency)
	}
	fmt.Fprintf(&b, "您可以换个说法再问，或拨打%s市民服务热线咨询。", ix.opts.Search.Hotline)
	topicsLine := "\n我能回答这些方面的问题：" + strings.Join(topics, "、") + "。"
	limit := ix.opts.Search.MaxReplyBytes
	if b.Len()+len(topicsLine) <= limit {
		b.WriteString(topicsLine)
	}
	return truncateUTF8(b.String(), limit)
}

// placesText lists the nearest places that answer a location question.
func (ix *Index) placesText(cands []*candidate, limit int) string {
	var b strings.Builder
	b.WriteString("离您最近的服务点：\n")
	foot := "来源：" + cands[0].doc.Department
	n := 0
	for _, c := range cands {
		if c.distance == nil || n >= 3 {
			continue
		}
		loc := c.doc.Location
		entry := fmt.Sprintf("%d. %s（约%s）\n   地址：%s\n   详见《%s》%s\n", n+1, loc.Name, distanceCN(*c.distance), loc.Address, c.doc.Title, c.doc.URL)
		if b.Len()+len(entry)+len(foot) > limit {
			if n == 0 { // at least the nearest place, cut if it must be
				b.WriteString(truncateUTF8(entry, limit-b.Len()-len(foot)-1) + "\n")
			}
			break
		}
		b.WriteString(entry)
		n++
	}
	b.WriteString(foot)
	return truncateUTF8(b.String(), limit)
}

func distanceCN(km float64) string {
	if km < 1 {
		return fmt.Sprintf("%d米", int(math.Round(km*1000/10))*10)
	}
	return fmt.Sprintf("%.1f公里", km)
}

// nearest answers a bare shared location: the service places nearby.
func (ix *Index) nearest(ctx context.Context, p Point, now time.Time) (Answer, error) {
	radius := ix.opts.Search.GeoRadiusKm
	q := bleve.NewGeoDistanceQuery(p.Lon, p.Lat, fmt.Sprintf("%gkm", radius))
	q.SetField(fGeo)
	req := bleve.NewSearchRequestOptions(q, 20, 0, false)
	req.Fields = []string{fSource}
	req.SortByCustom(search.SortOrder{&search.SortGeoDistance{Field: fGeo, Lon: p.Lon, Lat: p.Lat, Unit: "km"}})
	res, err := ix.gen.bi.SearchInContext(ctx, req)
	if err != nil {
		return Answer{}, err
	}
	day := clock.DateOf(now)
	var cands []*candidate
	for _, h := range res.Hits {
		src, _ := h.Fields[fSource].(string)
		di, err := ix.gen.docs.get(h.ID, src)
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
	ans := Answer{Hits: []Hit{}}
	for _, c := range cands {
		ans.Hits = append(ans.Hits, hitOf(c))
	}
	if len(cands) == 0 {
		ans.Text = fmt.Sprintf("您附近%g公里内暂时没有登记的服务场所。可以直接告诉我您想找什么，例如“附近的长者食堂”，或拨打%s热线咨询。", radius, ix.opts.Search.Hotline)
		return ans, nil
	}
	ans.Answered = true
	hint := "\n想找特定的场所，可以发文字，例如“附近的长者食堂”“最近的避难场所”。"
	limit := ix.opts.Search.MaxReplyBytes
	ans.Text = ix.placesText(cands, limit-len(hint))
	if len(ans.Text) < 200 { // too tight for the hint: the places first
		ans.Text = ix.placesText(cands, limit)
	} else {
		ans.Text += hint
	}
	return ans, nil
}

// passage picks the part of the body that answers the question: the line
// (or sentence) that holds most of what was asked, and what follows it,
// within budget bytes.
func passage(body string, a analyzed, budget int) string {
	if budget < 20 {
		return ""
	}
	var segs []string
	for _, line := range strings.Split(body, "\n") {
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		if len(line) <= 240 {
			segs = append(segs, line)
			continue
		}
		for _, s := range splitSentences(line) {
			segs = append(segs, s)
		}
	}
	if len(segs) == 0 {
		return ""
	}
	best, bestScore := 0, -1.0
	for i, s := range segs {
		n := normalize(s)
		score := 0.0
		for _, u := range a.units {
			for _, alt := range append([]string{u.text}, u.alts...) {
				if strings.Contains(n, alt) {
					score += u.weight
					break
				}
			}
		}
		if score > bestScore {
			best, bestScore = i, score
		}
	}
	// A short heading just before the best line gives it context.
	start := best
	if best > 0 && utf8.RuneCountInString(segs[best-1]) <= 16 {
		start = best - 1
	}
	var b strings.Builder
	for i := start; i < len(segs); i++ {
		if b.Len()+len(segs[i])+1 > budget {
			if b.Len() == 0 {
				b.WriteString(truncateUTF8(segs[i], budget-len("…")) + "…")
			}
			break
		}
		if b.Len() > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(segs[i])
		if b.Len() > budget/2 && i > best {
			break
		}
	}
	return b.String()
}

func splitSentences(s string) []string {
	var out []string
	start := 0
	for i, r := range s {
		if r == '。' || r == '；' || r == '！' || r == '？' {
			end := i + utf8.RuneLen(r)
			out = append(out, s[start:end])
			start = end
		}
	}
	if start < len(s) {
		out = append(out, s[start:])
	}
	return out
}

// truncateUTF8 cuts s to at most n bytes on a character boundary.
func truncateUTF8(s string, n int) string {
	if len(s) <= n {
		return s
	}
	if n <= 0 {
		return ""
	}
	cut := n
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut]
}
