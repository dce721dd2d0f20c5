package index

import (
	"math"
	"regexp"
	"strings"
	"sync"
	"unicode/utf8"
)

// The answering passage: the section of a disclosure that answers what the
// question asks for, from its heading on.
const (
	// passageRunes is the passage's size aim; a section is cut at a line
	// boundary past it.
	passageRunes = 285
	// wholeRunes: a body this short is shown whole.
	wholeRunes = 240
	// headingRunes: a line this short that ends in a colon, or is
	// numbered, heads a section.
	headingRunes = 20
	// reachBack is how many lines a passage reaches back for its heading.
	reachBack = 4
)

// intentValues mark the lines that hold what an intent asks for, in any
// disclosure: an amount (每人每月1510元), an address, opening hours, a
// phone number, a date, a list of papers. intentWords are weaker cues.
var intentValues = map[Intent]*regexp.Regexp{
	Amount:      regexp.MustCompile(`[0-9０-９]+(\.[0-9]+)?(元|万元|块|%|％)|[一二三四五六七八九十百千万]+元|免费|不收费`),
	Where:       regexp.MustCompile(`[路街弄巷村道]\d+(弄\d+)?号|\d+号楼|\d+室|地址|地点[:：在]|位于`),
	Hours:       regexp.MustCompile(`\d{1,2}[:：]\d{2}|[上下]午\d|周[一二三四五六日]至周|工作日|节假日|全天|24小时`),
	Materials:   regexp.MustCompile(`身份证|户口簿|户口本|证明|复印件|照片|申请表|材料[:：]|证书|银行卡|借记卡|合同`),
	Process:     regexp.MustCompile(`登录|一网通办|随申办|提交|窗口|线上|线下|网上|扫码|小程序|报名方式|申请方式|办理方式`),
	Eligibility: regexp.MustCompile(`年满|符合|户籍|条件[:：]|对象[:：]|不满|以上的|以下的|须|应当`),
	Phone:       regexp.MustCompile(`\d{3,4}-\d{7,8}|(^|[^\d])\d{8}([^\d]|$)|电话[:：]|热线`),
	When:        regexp.MustCompile(`\d{1,2}月\d{1,2}日|\d{4}年\d{1,2}月|\d{1,2}[日号]\d{1,2}时|截止|之日起|\d+个(工作)?日|\d+个月|期限|有效期|届时|每月\d{1,2}[日号]`),
}

var intentWords = map[Intent]*regexp.Regexp{
	Amount:      regexp.MustCompile(`标准|金额|额度|补贴|补助|资助|奖励|费用|收费|价格`),
	Where:       regexp.MustCompile(`地址|地点|窗口|服务点|站点|场所|中心`),
	Hours:       regexp.MustCompile(`时间|开放|上午|下午`),
	Materials:   regexp.MustCompile(`材料|证件|携带|提供|准备`),
	Process:     regexp.MustCompile(`流程|步骤|程序|办理|申请|受理|审核|领取`),
	Eligibility: regexp.MustCompile(`条件|对象|范围|适用|具备|具有`),
	Phone:       regexp.MustCompile(`电话|咨询|联系`),
	When:        regexp.MustCompile(`时间|日期|期间|起|前|结束|解除|到期`),
}

// intentHeads are the heading words of the section that answers an intent.
var intentHeads = map[Intent]*regexp.Regexp{
	Amount:      regexp.MustCompile(`标准|金额|额度|限额|补贴|补助|费用|收费|价格|待遇|资助|奖励|津贴`),
	Where:       regexp.MustCompile(`地址|地点|位置|场所|站点|服务点|窗口|分布`),
	Hours:       regexp.MustCompile(`时间`),
	Materials:   regexp.MustCompile(`材料|证件|携带|准备`),
	Process:     regexp.MustCompile(`流程|步骤|程序|方式|办理|申请|报名`),
	Eligibility: regexp.MustCompile(`条件|对象|范围`),
	Phone:       regexp.MustCompile(`电话|联系|咨询`),
	When:        regexp.MustCompile(`时间|截止|期限|日期|时限`),
}

var (
	reSectionNo = regexp.MustCompile(`^([一二三四五六七八九十]+[、．.]|第[一二三四五六七八九十]+[章条部分节])`)
	reBracket   = regexp.MustCompile(`^【([^】]{1,12})】`)
)

// isHeading tells whether a line heads a section: 一、所需材料, 【地址】,
// or a short line ending in a colon. Numbered items (1. …, （一）…) are
// lines of a section, not headings.
func isHeading(line string) bool {
	n := utf8.RuneCountInString(line)
	if n > headingRunes {
		return false
	}
	if strings.HasSuffix(line, "：") || strings.HasSuffix(line, ":") {
		return true
	}
	if strings.HasSuffix(line, "。") || strings.HasSuffix(line, "；") || strings.HasSuffix(line, "，") {
		return false
	}
	return reSectionNo.MatchString(line) || reBracket.MatchString(line)
}

// label is a line's heading part: a short heading line whole, 【地址】 of
// 【地址】青浦区…, or the text before the colon of a labelled line
// (地址：…, 三、价格：…).
func label(line string) string {
	if isHeading(line) {
		return line
	}
	if m := reBracket.FindStringSubmatch(line); m != nil {
		return m[1]
	}
	for _, sep := range []string{"：", ":"} {
		if i := strings.Index(line, sep); i > 0 && utf8.RuneCountInString(line[:i]) <= 12 {
			return line[:i]
		}
	}
	return ""
}

// segments splits a body into lines, long lines into sentences.
func segments(body string) []string {
	var segs []string
	for _, line := range strings.Split(body, "\n") {
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		if utf8.RuneCountInString(line) <= 100 {
			segs = append(segs, line)
			continue
		}
		segs = append(segs, splitSentences(line)...)
	}
	return segs
}

// shape is what passages are cut from, derived once per disclosure: its
// lines, normalized, which are headings and introductions, and, worked out
// on first need for each intent, which lines hold what it asks for.
type shape struct {
	doc        *docInfo
	segs, norm []string
	heading    []bool
	pre        []bool // an introduction (…现公布如下)
	whole      bool   // the body is short enough to show whole
	mu         sync.Mutex
	cues       map[Intent]*lineCues
}

// lineCues are, for one intent, which lines hold its value (an amount, an
// address…), a weaker cue word, a label naming it, or are a heading naming
// it; and the disclosure's kind score for it.
type lineCues struct {
	value, word, label, head []bool
	// figure: the value itself has a figure (100元, 清波路500号,
	// 021-59283000), not only a word (不收费, 电话：).
	figure []bool
	kind   float64
}

func newShape(d *docInfo) *shape {
	body := strings.TrimSpace(d.doc.Body)
	sh := &shape{doc: d, cues: map[Intent]*lineCues{}}
	sh.whole = utf8.RuneCountInString(body) <= wholeRunes
	sh.segs = segments(body)
	sh.norm = make([]string, len(sh.segs))
	sh.heading = make([]bool, len(sh.segs))
	sh.pre = make([]bool, len(sh.segs))
	for i, s := range sh.segs {
		sh.norm[i] = normalize(s)
		sh.heading[i] = isHeading(s)
		sh.pre[i] = rePreamble.MatchString(s)
	}
	return sh
}

// cuesFor returns the line cues of intent in (not AnyIntent).
func (sh *shape) cuesFor(in Intent) *lineCues {
	sh.mu.Lock()
	defer sh.mu.Unlock()
	if c, ok := sh.cues[in]; ok {
		return c
	}
	n := len(sh.segs)
	c := &lineCues{value: make([]bool, n), word: make([]bool, n), label: make([]bool, n), head: make([]bool, n), figure: make([]bool, n)}
	for i, s := range sh.segs {
		c.value[i] = intentValues[in].MatchString(s)
		for _, m := range intentValues[in].FindAllString(s, -1) {
			c.figure[i] = c.figure[i] || reDigit.MatchString(m)
		}
		c.word[i] = intentWords[in].MatchString(s)
		if lb := label(s); lb != "" && intentHeads[in].MatchString(lb) {
			c.label[i] = true
		}
		c.head[i] = sh.heading[i] && intentHeads[in].MatchString(s)
	}
	c.kind = kindScore(sh.doc, in, c.value)
	sh.cues[in] = c
	return c
}

// passage picks the part of a disclosure that answers the question: the
// line that holds most of what was asked and what the intent asks for,
// from the heading of its section to the section's end, within about
// budget characters. A short body is the whole passage.
func passage(di *docInfo, a analyzed, budget int) *Passage {
	sh := di.shape()
	segs := sh.segs
	if len(segs) == 0 {
		return nil
	}
	in := a.intent
	var cue *lineCues
	if in != AnyIntent {
		cue = sh.cuesFor(in)
	}
	if sh.whole {
		hit := false
		for i := range segs {
			hit = hit || cue != nil && (cue.value[i] || cue.label[i])
		}
		return &Passage{Text: strings.TrimSpace(di.doc.Body), Whole: true, Intent: hit}
	}
	// A question word that most lines hold (the matter itself, in its own
	// disclosure) tells little about which line answers.
	weights := make([]float64, len(a.units))
	holds := make([][]bool, len(a.units)) // holds[k][i]: line i holds unit k
	held := make([]bool, len(a.units)*len(segs))
	top := 0.0
	for k, u := range a.units {
		n := 0
		holds[k] = held[k*len(segs) : (k+1)*len(segs)]
		// A line holds no more than the body does: most question words
		// are in no line of most disclosures.
		for i, s := range sh.norm {
			if i == 0 && !containsAny(&di.bodyRunes, di.body, u.text, u.alts) {
				break
			}
			if unitIn(s, u) {
				holds[k][i] = true
				n++
			}
		}
		weights[k] = u.weight * math.Log(1+float64(len(segs))/float64(1+n))
		top += weights[k]
	}
	heading := -1      // index of the heading of the current section
	headMatch := false // it names what the intent asks for
	scores := make([]float64, len(segs))
	intentLine := make([]bool, len(segs))
	for i := range segs {
		if sh.heading[i] {
			heading, headMatch = i, cue != nil && cue.head[i]
		}
		score := 0.0
		for k := range a.units {
			if holds[k][i] {
				score += weights[k]
			}
		}
		if top > 0 {
			score = 4 * score / top
		}
		if sh.pre[i] {
			score -= 1 // an introduction (…现公布如下) holds no fact
		}
		if cue != nil {
			switch {
			case cue.value[i]:
				score += 3
				intentLine[i] = true
			case cue.word[i]:
				score += 1
			}
			if cue.label[i] {
				score += 3
				intentLine[i] = true
			}
			if headMatch && heading >= 0 && i-heading <= reachBack*2 {
				score += 2.5
			}
		}
		scores[i] = score
	}
	best, bestScore := 0, -1.0
	for i, s := range scores {
		if s > bestScore+1e-9 {
			best, bestScore = i, s
		}
	}
	start := best
	for j := best; j >= 0 && j >= best-reachBack; j-- {
		if sh.heading[j] {
			start = j
			break
		}
	}
	if start == best && best > 0 && utf8.RuneCountInString(segs[best-1]) <= 16 {
		start = best - 1 // a short line before it gives it context
	}
	var b strings.Builder
	runes := 0
	end := start
	hit := false
	for i := start; i < len(segs); i++ {
		r := utf8.RuneCountInString(segs[i])
		// The section ends at the next heading, unless it is short: then
		// the next one follows, within the budget.
		if i > best && (sh.heading[i] && runes >= budget/2 || runes+r > budget) {
			break
		}
		if i > start && runes+r > 2*budget {
			break
		}
		if b.Len() > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(segs[i])
		runes += r
		end = i
		hit = hit || intentLine[i]
	}
	whole := start == 0 && end == len(segs)-1
	if cue == nil {
		return &Passage{Text: b.String(), Whole: whole, Intent: hit}
	}
	// The section read holds no line with what the intent asks for (an
	// address, a date, an amount…) while another part of the disclosure
	// does: that line comes along, under its heading.
	// A value with a figure (100元, 清波路500号, 5个工作日) answers before
	// one without (不收费, 地址).
	extra := -1
	for _, strong := range []bool{true, false} {
		held := false
		for i := start; i <= end; i++ {
			held = held || cue.value[i] && (!strong || cue.figure[i])
		}
		if held {
			return &Passage{Text: b.String(), Whole: whole, Intent: hit}
		}
		for i := range segs {
			if !cue.value[i] || strong && !cue.figure[i] || i >= start && i <= end {
				continue
			}
			if extra < 0 || scores[i] > scores[extra]+1e-9 {
				extra = i
			}
		}
		if extra >= 0 {
			break
		}
	}
	if extra < 0 {
		return &Passage{Text: b.String(), Whole: whole, Intent: hit}
	}
	lines := []int{}
	for j := extra - 1; j >= 0 && j >= extra-reachBack && (j > end || j < start); j-- {
		if sh.heading[j] {
			lines = append(lines, j)
			break
		}
	}
	lines = append(lines, extra)
	extraRunes := 0
	for _, j := range lines {
		extraRunes += utf8.RuneCountInString(segs[j])
	}
	// Room for it: the section loses its last lines past the best one.
	keep := end
	for keep > best && runes+extraRunes > budget+budget/4 {
		runes -= utf8.RuneCountInString(segs[keep])
		keep--
	}
	if runes+extraRunes > 2*budget {
		return &Passage{Text: b.String(), Whole: whole, Intent: hit}
	}
	var order []int
	for i := start; i <= keep; i++ {
		order = append(order, i)
	}
	if extra < start {
		order = append(append([]int{}, lines[len(lines)-1:]...), order...)
		if len(lines) == 2 {
			order = append([]int{lines[0]}, order...)
		}
	} else {
		if len(lines) == 2 {
			order = append(order, lines[0])
		}
		order = append(order, extra)
	}
	texts := make([]string, len(order))
	for k, i := range order {
		texts[k] = segs[i]
	}
	return &Passage{Text: strings.Join(texts, "\n"), Intent: true}
}

var reDigit = regexp.MustCompile(`[0-9０-９]`)

var rePreamble = regexp.MustCompile(`(如下|以下)[：:。]?$|特此公告|现予公示|现将.*(公布|公示|公告)`)

// unitIn reports whether normalized text s holds question unit u.
func unitIn(s string, u unit) bool {
	if strings.Contains(s, u.text) {
		return true
	}
	for _, alt := range u.alts {
		if strings.Contains(s, alt) {
			return true
		}
	}
	return false
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
