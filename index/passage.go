package index

import (
	"math"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/yingpu/govbot/clock"
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
var intentValues = map[Intent]*pattern{
	Amount:      mustPattern(`[0-9０-９]+(\.[0-9]+)?(元|万元|块|%|％|倍)|[一二三四五六七八九十百千万]+元|[一二三四五六七八九十]+分之[一二三四五六七八九十]+|半数|免费|不收费`),
	Where:       mustPattern(`[路街弄巷村道]\d+(弄\d+)?号|\d+号楼|\d+室|地址|地点[:：在]|位于`),
	Hours:       mustPattern(`\d{1,2}[:：]\d{2}|(^|[^\d])\d{1,2}时|[上下]午\d|周[一二三四五六日]至周|工作日|节假日|全天|24小时`),
	Materials:   mustPattern(`身份证|户口簿|户口本|证明|复印件|照片|申请表|材料[:：]|证书|银行卡|借记卡|合同`),
	Process:     mustPattern(`登录|一网通办|随申办|提交|窗口|线上|线下|网上|扫码|小程序|报名方式|申请方式|办理方式|到[^，。；]{2,24}(申请|办理|提出|登记|报名)`),
	Eligibility: mustPattern(`年满|符合|户籍|条件[:：]|对象[:：]|不满|以上的|以下的|须|应当`),
	Phone:       mustPattern(`\d{3,4}-\d{7,8}|(^|[^\d])\d{8}([^\d]|$)|电话[:：]|热线`),
	When:        mustPattern(`\d{1,2}月\d{1,2}日|\d{4}年\d{1,2}月|\d{1,2}[日号]\d{1,2}时|截止|之日起|\d+个(工作)?日|\d+个月|期限|有效期|届时|每月\d{1,2}[日号]`),
	Duration:    reDuration,
	advice:      mustPattern(`不要|请勿|切勿|尽量|及时|避免|立即|注意|严禁`),
}

// advice is no question's intent: what a disclosure tells residents to do
// (居民提示, 防御措施, 注意事项), one of a matter's key facts.
const advice Intent = "advice"

// reDuration: a time limit or a length of time (15个工作日, 60日内, 24小时,
// 最长12个月, 当场办结).
var reDuration = mustPattern(`[0-9０-９]{1,3}(至[0-9０-９]{1,3})?(个工作日|个自然日|个小时|小时|个月|天|周)|[0-9０-９]{1,3}(个)?(日|年)(内|以内|之内)|当场|即时办结|立等可取`)

var intentWords = map[Intent]*pattern{
	Amount:      mustPattern(`标准|金额|额度|补贴|补助|资助|奖励|费用|收费|价格`),
	Where:       mustPattern(`地址|地点|窗口|服务点|站点|场所|中心`),
	Hours:       mustPattern(`时间|开放|上午|下午`),
	Materials:   mustPattern(`材料|证件|携带|提供|准备`),
	Process:     mustPattern(`流程|步骤|程序|办理|申请|受理|审核|领取`),
	Eligibility: mustPattern(`条件|对象|范围|适用|具备|具有`),
	Phone:       mustPattern(`电话|咨询|联系`),
	When:        mustPattern(`时间|日期|期间|起|前|结束|解除|到期`),
	Duration:    mustPattern(`时限|期限|办结|完成|审核|发放|答复|时间`),
	advice:      mustPattern(`提示|提醒|注意|建议`),
}

// intentHeads are the heading words of the section that answers an intent.
var intentHeads = map[Intent]*pattern{
	Amount:      mustPattern(`标准|金额|额度|限额|补贴|补助|费用|收费|价格|待遇|资助|奖励|津贴`),
	Where:       mustPattern(`地址|地点|位置|场所|站点|服务点|窗口|分布`),
	Hours:       mustPattern(`时间`),
	Materials:   mustPattern(`材料|证件|携带|准备`),
	Process:     mustPattern(`流程|步骤|程序|方式|办理|申请|报名|怎么办|如何`),
	Eligibility: mustPattern(`条件|对象|范围|哪些人|什么人|谁可以|什么情况`),
	Phone:       mustPattern(`电话|联系|咨询`),
	When:        mustPattern(`时间|截止|期限|日期|时限`),
	Duration:    mustPattern(`时限|期限|时间|办结|流程|程序`),
	advice:      mustPattern(`提示|提醒|注意|须知|措施|防御|应对|怎么办`),
}

// factKinds are the key facts of a disclosure, for a question that names a
// matter and asks nothing in particular: an amount or ratio, a time limit,
// a date, a place, a time of day, a phone number, a count.
var factKinds = []*pattern{
	mustPattern(`[0-9０-９]+(\.[0-9]+)?(元|万元|%|％|倍)|[一二三四五六七八九十百千万]+元|[一二三四五六七八九十]+分之[一二三四五六七八九十]+`),
	reDuration,
	mustPattern(`\d{1,2}月\d{1,2}日|\d{4}年\d{1,2}月`),
	mustPattern(`[路街弄巷村道]\d+(弄\d+)?号|\d+号楼|\d+室`),
	mustPattern(`\d{1,2}[:：]\d{2}|(^|[^\d])\d{1,2}时`),
	mustPattern(`\d{3,4}-\d{7,8}|(^|[^\d])\d{8}([^\d]|$)`),
	mustPattern(`[0-9０-９]+(人|户|个|件|条|份|名|次|所|家|处|台|张|周岁|岁)`),
}

var (
	reAsk      = regexp.MustCompile(`^(问|Q)\s*[0-9０-９]*\s*[:：、.．]`)
	reTableRow = regexp.MustCompile(`^[|｜]`)
	// reLineAsk: a line's opening question, short, then its answer.
	reLineAsk = regexp.MustCompile(`^[^？?。；]{2,24}[？?]`)
	// reItem: an item of a list (1. …, （一）…, ①…).
	reItem      = regexp.MustCompile(`^([0-9０-９]+[.、．)）]|[(（][一二三四五六七八九十0-9０-９]+[)）]|[①-⑳])`)
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

// bareHeadingRunes: a heading without number or colon (an HTML <h3>
// imported as a line: 办理地点) is at most this long.
const bareHeadingRunes = 12

// bareHeading: line i is a short phrase without punctuation between
// longer lines (办理地点 above the address), not one of a run of short
// lines (身份证 / 户口簿: a list).
func (sh *shape) bareHeading(i int) bool {
	bare := func(j int) bool {
		return j >= 0 && j < len(sh.segs) && utf8.RuneCountInString(sh.segs[j]) <= bareHeadingRunes &&
			!reTableRow.MatchString(sh.segs[j]) && !strings.ContainsAny(sh.segs[j], "，。；：:,.;！？!?、（）()0123456789")
	}
	return bare(i) && !bare(i-1) && i+1 < len(sh.segs) && !bare(i+1)
}

// isLongHeading: a numbered line too long for isHeading that is still a
// heading, not a sentence: 三、2027年春季公益课程安排（3月至6月）：.
func isLongHeading(line string) bool {
	if utf8.RuneCountInString(line) > 2*headingRunes || !reSectionNo.MatchString(line) {
		return false
	}
	t := strings.TrimRight(line, "：:")
	return !strings.ContainsAny(t, "。；，,;：:")
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
	title      string // normalized
	segs, norm []string
	runes      []int
	heading    []bool
	pre        []bool // an introduction (…现公布如下)
	whole      bool   // the body is short enough to show whole
	// faq: the body is questions and answers (问1：… 答：…); each 问 line
	// heads its answer.
	faq bool
	// heads marks the lines that head a section for the passage: the
	// headings, a numbered line too long for one (三、2027年春季公益课程
	// 安排（3月至6月）：), a 问 line.
	heads []bool
	// parent is what each line comes under: its section's heading, or a
	// line leading a list (…符合以下条件：); -1: none. section is the
	// heading of its section.
	parent, section []int

	// header marks a table's first row, tableHead each row's table
	// header (-1: not a table row).
	header    []bool
	tableHead []int
	// facts is how many kinds of key facts each line holds (factKinds).
	facts []int
	// cites is, for a line that names an item of the disclosure's table by
	// its number (第4项涉及…), that row; -1: none.
	cites []int
	// sign marks the closing signature: the issuing office and the date
	// alone at the end (夏阳街道社区服务办 / 2026年3月10日), which the
	// source line says already.
	sign []bool
	// ask is, for a line that opens with a question (二、谁可以报名？…),
	// that question, normalized: it heads the line's answer.
	ask   []string
	mu    sync.Mutex
	cues  map[Intent]*lineCues
	scan  lineScan    // which characters each line holds
	dates rowDateScan // the dates each line names
}

// lineCues are, for one intent, which lines hold its value (an amount, an
// address…), a weaker cue word, a label naming it, or are a heading naming
// it; and the disclosure's kind score for it.
type lineCues struct {
	value, word, label, head []bool
	// names: the line names what the intent asks for (its heading words),
	// heading or not. holds: the line, or one under it, holds a value.
	names, holds []bool
	// figure: the value itself has a figure (100元, 某某路500号,
	// 021-12345678), not only a word (不收费, 电话：).
	figure []bool
	kind   float64
}

func newShape(d *docInfo) *shape {
	body := strings.TrimSpace(d.doc.Body)
	sh := &shape{doc: d, cues: map[Intent]*lineCues{}, title: normalize(d.doc.Title)}
	sh.whole = utf8.RuneCountInString(body) <= wholeRunes
	sh.segs = segments(body)
	n := len(sh.segs)
	sh.norm = make([]string, n)
	sh.runes = make([]int, n)
	sh.heading = make([]bool, n)
	sh.pre = make([]bool, n)
	sh.heads = make([]bool, n)
	sh.parent = make([]int, n)
	sh.section = make([]int, n)
	sh.header = make([]bool, n)
	sh.tableHead = make([]int, n)
	sh.facts = make([]int, n)
	sh.ask = make([]string, n)
	sh.cites = make([]int, n)
	sh.sign = make([]bool, n)
	asks := 0
	for _, s := range sh.segs {
		if reAsk.MatchString(s) {
			asks++
		}
	}
	sh.faq = asks >= 2
	head, lead, table := -1, -1, -1
	for i, s := range sh.segs {
		sh.norm[i] = normalize(s)
		sh.runes[i] = utf8.RuneCountInString(s)
		sh.heading[i] = isHeading(s)
		sh.heads[i] = sh.heading[i] || sh.faq && reAsk.MatchString(s) || isLongHeading(s) || sh.bareHeading(i)
		sh.pre[i] = rePreamble.MatchString(s)
		sh.tableHead[i] = -1
		if reTableRow.MatchString(s) {
			if table < 0 {
				table = i
				sh.header[i] = true
			} else {
				sh.tableHead[i] = table
			}
		} else {
			table = -1
		}
		sh.parent[i], sh.section[i] = head, head
		switch {
		case sh.heads[i] || reBracket.MatchString(s) || reSectionNo.MatchString(s):
			// A heading, or a line that opens a section with its
			// label (【地址】…, 三、价格：…).
			head, lead = i, -1
			sh.parent[i], sh.section[i] = -1, i
		case lead >= 0 && reItem.MatchString(s):
			sh.parent[i] = lead
		default:
			lead = -1
		}
		if !sh.heads[i] && (strings.HasSuffix(s, "：") || strings.HasSuffix(s, ":")) {
			lead = i
		}
		if m := reLineAsk.FindString(s); m != "" {
			sh.ask[i] = normalize(m)
		}
		for _, re := range factKinds {
			if re.MatchString(s) {
				sh.facts[i]++
			}
		}
	}
	sh.citeRows()
	sh.markSignature()
	return sh
}

var (
	reItemCited = regexp.MustCompile(`第([0-9]{1,2}|[一二三四五六七八九十]{1,3})项`)
	reRowNumber = regexp.MustCompile(`^[|｜]\s*([0-9]{1,2})\s*[|｜]`)
)

// citeRows finds the table rows that lines name by number: 第4项 is the
// row whose first cell is 4.
func (sh *shape) citeRows() {
	rows := map[int]int{}
	for i, s := range sh.segs {
		sh.cites[i] = -1
		if sh.tableHead[i] < 0 {
			continue
		}
		if m := reRowNumber.FindStringSubmatch(s); m != nil {
			n, _ := strconv.Atoi(m[1])
			if _, dup := rows[n]; !dup {
				rows[n] = i
			}
		}
	}
	if len(rows) == 0 {
		return
	}
	for i, s := range sh.segs {
		if sh.tableHead[i] >= 0 || sh.header[i] {
			continue
		}
		if m := reItemCited.FindStringSubmatch(s); m != nil {
			if r, ok := rows[itemNumber(m[1])]; ok {
				sh.cites[i] = r
			}
		}
	}
}

var reDateLine = regexp.MustCompile(`^[0-9]{4}年[0-9]{1,2}月[0-9]{1,2}日。?$`)

// markSignature marks a body's closing signature: its last line when it is
// a date alone, and the issuer's name just above it (a short line without
// punctuation).
func (sh *shape) markSignature() {
	n := len(sh.segs)
	if n < 3 || !reDateLine.MatchString(sh.segs[n-1]) {
		return
	}
	sh.sign[n-1] = true
	if s := sh.segs[n-2]; sh.runes[n-2] <= headingRunes && !reTableRow.MatchString(s) &&
		!strings.ContainsAny(s, "，。；：:,.;！？!?、（）()0123456789") {
		sh.sign[n-2] = true
	}
}

// itemNumber reads 4 or 四 (up to 九十九); 0 when it cannot.
func itemNumber(s string) int {
	if n, err := strconv.Atoi(s); err == nil {
		return n
	}
	digit := func(r rune) int { return strings.IndexRune("零一二三四五六七八九", r) / len("一") }
	rs := []rune(s)
	switch {
	case len(rs) == 1 && rs[0] == '十':
		return 10
	case len(rs) == 1:
		return digit(rs[0])
	case len(rs) == 2 && rs[0] == '十':
		return 10 + digit(rs[1])
	case len(rs) == 2 && rs[1] == '十':
		return 10 * digit(rs[0])
	case len(rs) == 3 && rs[1] == '十':
		return 10*digit(rs[0]) + digit(rs[2])
	}
	return 0
}

// cuesFor returns the line cues of intent in (not AnyIntent).
func (sh *shape) cuesFor(in Intent) *lineCues {
	sh.mu.Lock()
	defer sh.mu.Unlock()
	if c, ok := sh.cues[in]; ok {
		return c
	}
	n := len(sh.segs)
	c := &lineCues{value: make([]bool, n), word: make([]bool, n), label: make([]bool, n), head: make([]bool, n), figure: make([]bool, n), names: make([]bool, n)}
	for i, s := range sh.segs {
		values := intentValues[in].FindAllString(s, -1) // none when it does not match
		c.value[i] = len(values) > 0
		for _, m := range values {
			c.figure[i] = c.figure[i] || reDigit.MatchString(m)
		}
		c.word[i] = intentWords[in].MatchString(s)
		if lb := label(s); lb != "" && intentHeads[in].MatchString(lb) {
			c.label[i] = true
		}
		c.names[i] = intentHeads[in].MatchString(s)
		c.head[i] = sh.heading[i] && c.names[i]
	}
	c.holds = make([]bool, n)
	for i := range sh.segs {
		if !c.value[i] {
			continue
		}
		c.holds[i] = true
		for j := sh.parent[i]; j >= 0; j = sh.parent[j] {
			c.holds[j] = true
		}
	}
	if _, ok := kindCues[in]; ok {
		c.kind = kindScore(sh.doc, in, c.value)
	}
	sh.cues[in] = c
	return c
}

// startPassage is what both passages begin with: the disclosure's shape and
// the line cues of the question's intent (nil for none). done: the passage
// is decided already, whole (nil for an empty body, else a short body
// shown whole).
func startPassage(di *docInfo, a analyzed) (sh *shape, cue *lineCues, done bool, whole *Passage) {
	sh = di.shape()
	if len(sh.segs) == 0 {
		return sh, nil, true, nil
	}
	if a.intent != AnyIntent {
		cue = sh.cuesFor(a.intent)
	}
	if sh.whole {
		hit := false
		for i := range sh.segs {
			hit = hit || cue != nil && (cue.value[i] || cue.label[i])
		}
		all := make([]int, len(sh.segs))
		for i := range all {
			all[i] = i
		}
		scores, _, words, also := sh.lineScores(a, cue)
		return sh, cue, true, &Passage{Text: strings.TrimSpace(di.doc.Body), Whole: true, Intent: hit,
			Best: sh.bestLine(all, scores, words, also, a, cue)}
	}
	return sh, cue, false, nil
}

// passage picks the part of a disclosure that answers the question: the
// lines that hold most of what was asked and what the intent asks for (or,
// for a question that names only a matter, its key facts: amounts, time
// limits, ratios, dates, places, phones), each under the heading of its
// section, in the disclosure's order, within about budget characters. A
// short body is the whole passage.
func passage(di *docInfo, a analyzed, budget int) *Passage {
	sh, cue, done, early := startPassage(di, a)
	if done {
		return early
	}
	segs := sh.segs
	scores, intentLine, words, also := sh.lineScores(a, cue)
	chosen := sh.choose(scores, budget, nil)
	if cue != nil && sh.runesOf(chosen) < budget/2 && !anyOf(chosen, intentLine) {
		// Little of the disclosure answers what was asked, and nothing
		// of what the intent asks for: its key facts come along (the
		// time and place of an event asked whether one can still
		// attend).
		facts, _, _, _ := sh.lineScores(analyzed{units: a.units, now: a.now}, nil)
		chosen = sh.choose(facts, budget, chosen)
	}
	var b strings.Builder
	hit, whole := false, len(chosen) == len(segs)
	for _, i := range chosen {
		if b.Len() > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(segs[i])
		hit = hit || intentLine[i]
	}
	return &Passage{Text: b.String(), Whole: whole, Intent: hit, Best: sh.bestLine(chosen, scores, words, also, a, cue)}
}

// bestLine is the one line among lines that best answers the question: the
// top-scoring line that speaks of the way of doing it asked about (a.means:
// 不受理电话申请 for 可以打电话申请吗), else that holds the intent's value
// (an amount, a date, an address…), else that holds what else the question
// asks for (asked: the price of 最便宜的…), else that holds a word of the
// question; "" when no line holds anything of the question.
func (sh *shape) bestLine(lines []int, scores, words []float64, asked []bool, a analyzed, cue *lineCues) string {
	tier := func(i int) int {
		switch {
		case sh.saysMeans(i, a.means):
			return 3
		case cue != nil && cue.value[i]:
			return 2
		case asked[i]:
			return 1
		}
		return 0
	}
	best, bestTier := -1, -1
	for _, i := range lines {
		t := tier(i)
		if math.IsInf(scores[i], -1) || t == 0 && words[i] <= 0 {
			continue // a heading alone, or nothing of the question
		}
		if t > bestTier || t == bestTier && scores[i] > scores[best]+1e-9 {
			best, bestTier = i, t
		}
	}
	if best < 0 {
		return ""
	}
	return sh.segs[best]
}

func anyOf(lines []int, marked []bool) bool {
	for _, i := range lines {
		if marked[i] {
			return true
		}
	}
	return false
}

func (sh *shape) runesOf(lines []int) int {
	n := 0
	for _, i := range lines {
		n += sh.runes[i]
	}
	return n
}

// Line score parts (see lineScores).
const (
	wordsScore   = 4    // a line holding all the question's words
	headWords    = 1    // share of its heading's words a line inherits
	leadWords    = 0.5  // of the words of the line that leads its list
	titleWords   = 0.25 // a word of the title: the matter, not the line
	pairWords    = 1.0  // the same for the answer of a 问/答 pair
	valueScore   = 3    // it holds what the intent asks for
	cueWordScore = 1    // a weaker cue word of the intent
	sectionScore = 2.5  // under a heading that names the intent
	alsoScore    = 2.5  // what the intent also wants (how to → the papers)
	plainScore   = 2.5  // what a question without intent asks in plain words
	factScore    = 1    // a key fact, for a question with no intent
	factEach     = 0.5  // each further kind of fact on the line
	factMax      = 2.5
	keyScore     = 0.5 // under the heading of a standard or of who may apply
	pastRow      = 3   // a table row whose date has passed
	bestSection  = 0.5 // the best line's section reads as one
	minShare     = 0.3
)

// alsoWanted: what a question with an intent also needs from a guide: how
// to apply needs the papers and the time limits.
var alsoWanted = map[Intent][]Intent{
	Process: {Materials, Duration},
}

// alsoCues are the plain words that ask for one more thing in a question
// that asks for two (在哪里办，多少钱一期): stricter than the intent's own
// patterns, whose 多少 in 电话多少 asks for no amount.
var alsoCues = []struct {
	intent Intent
	re     *pattern
}{
	{Phone, rePhoneAsk},
	{Materials, mustPattern(`带什么|带啥|什么材料|哪些材料|材料`)},
	{Hours, mustPattern(`几点|开放时间|营业时间|开门`)},
	{Where, mustPattern(`在哪|哪里|哪儿|地址|地点`)},
	{Duration, mustPattern(`多久|多长时间|几个工作日`)},
	{When, mustPattern(`什么时候|啥时候|截止|几号`)},
	{Amount, mustPattern(`多少钱|几块钱|几钿|收费|费用|价格|免费|要钱|交钱|出钱|花钱|便宜|太贵|贵不贵|补贴多少|补多少`)},
	{Eligibility, mustPattern(`什么条件|条件|资格|谁能|谁可以`)},
	{Process, mustPattern(`怎么申请|怎么办理|如何办理|如何申请|流程|手续|怎么报名`)},
}

// plainCues are the plain words by which a question that asks nothing in
// particular (no intent) still says what it is after: a place (附近, 什么
// 地方), a time of day (晚上, 周末), a price (便宜, 出钱).
var plainCues = []struct {
	intent Intent
	re     *pattern
}{
	{Where, mustPattern(`地方|附近|在哪|哪里|哪儿|地址|地点`)},
	{Hours, mustPattern(`晚上|夜里|半夜|白天|早上|上午|下午|周末|几点|开门`)},
	{Amount, mustPattern(`便宜|太贵|贵不贵|出钱|花钱|要钱|交钱|多少钱|收费|费用|价格|免费`)},
}

// alsoAsked are the intents a question asks for besides primary; for a
// question without one, those its plain words ask for (plainCues).
func alsoAsked(text string, primary Intent) []Intent {
	var out []Intent
	if primary == AnyIntent {
		for _, c := range plainCues {
			if c.re.MatchString(text) {
				out = append(out, c.intent)
			}
		}
		return out
	}
	for _, c := range alsoCues {
		if c.intent != primary && c.re.MatchString(text) {
			out = append(out, c.intent)
		}
	}
	return out
}

// lineScores scores each line for the question; intentLine says which
// lines hold what its intent asks for, words how much of the question's
// own words each line holds (0: none), asked which hold what else it asks
// for (alsoAsked: 在哪里办，多少钱 → an amount; 最便宜的 → a price).
func (sh *shape) lineScores(a analyzed, cue *lineCues) (scores []float64, intentLine []bool, words []float64, asked []bool) {
	segs := sh.segs
	// A question word that most lines hold (the matter itself, in its own
	// disclosure) tells little about which line answers.
	words = make([]float64, len(segs))
	top := 0.0
	for _, u := range lineUnits(sh.doc, a.units) {
		n := 0
		holds := make([]bool, len(segs))
		for i := range sh.norm {
			if sh.holds(i, u) {
				holds[i] = true
				n++
			}
		}
		if n == 0 {
			continue // a word the disclosure lacks tells no line from another
		}
		w := u.weight * math.Log(1+float64(len(segs))/float64(1+n))
		top += w
		if unitIn(sh.title, u) {
			w *= titleWords
		}
		for i := range segs {
			if holds[i] {
				words[i] += w
				if sh.ask[i] != "" && unitIn(sh.ask[i], u) {
					words[i] += pairWords * w // the question it answers
				}
			}
		}
	}
	if top > 0 {
		for i := range words {
			words[i] = wordsScore * words[i] / top
		}
	}
	var also []*lineCues
	if cue != nil {
		seen := map[Intent]bool{a.intent: true}
		for _, in := range append(append([]Intent{}, a.also...), alsoWanted[a.intent]...) {
			if !seen[in] {
				seen[in] = true
				also = append(also, sh.cuesFor(in))
			}
		}
	}
	var key, plain []*lineCues
	var dates *lineCues
	if cue == nil {
		key = []*lineCues{sh.cuesFor(Amount), sh.cuesFor(Eligibility), sh.cuesFor(advice)}
		dates = sh.cuesFor(When)
		for _, in := range a.also {
			plain = append(plain, sh.cuesFor(in))
		}
	}
	past := sh.pastRows(a.now)
	scores = make([]float64, len(segs))
	intentLine = make([]bool, len(segs))
	asked = make([]bool, len(segs))
	for i := range segs {
		h := sh.parent[i]
		score := words[i]
		share := 1.0
		for j := h; j >= 0; j = sh.parent[j] {
			switch {
			case sh.faq && sh.heads[j]:
				score += share * pairWords * words[j]
			case sh.heads[j]:
				score += share * headWords * words[j]
			default:
				score += share * leadWords * words[j]
			}
			share /= 2
		}
		if sh.pre[i] {
			score -= 1 // an introduction (…现公布如下) holds no fact
		}
		if past[i] {
			score -= pastRow
		}
		if sh.saysMeans(i, a.means) {
			// 本机关不受理电话申请 for 可以打电话申请吗: whether and how.
			score += valueScore
			intentLine[i] = true
		}
		if cue != nil {
			switch {
			case cue.value[i] && cue.word[i] && a.intent == Duration:
				// 30个工作日内办结: the time limit of the whole matter.
				score += valueScore + cueWordScore
				intentLine[i] = true
			case cue.value[i]:
				score += valueScore
				intentLine[i] = true
			case cue.word[i]:
				score += cueWordScore
			}
			if cue.label[i] {
				// 地址：…; a label without the value (营业场所证明：)
				// is a cue word.
				if cue.value[i] {
					score += valueScore
				} else {
					score += cueWordScore
				}
				intentLine[i] = true
			}
			if sh.under(i, cue) {
				score += sectionScore
			}
			for _, c := range also {
				if c.figure[i] || sh.under(i, c) && c.value[i] {
					score += alsoScore
					asked[i] = asked[i] || c.figure[i]
				}
			}
		} else {
			if k := sh.facts[i]; k > 0 {
				score += min(factMax, factScore+factEach*float64(k-1))
			}
			// What a matter is, first: its standard, who may have it,
			// its dates (its period, its deadline: 公示时间：11月5日至
			// 12月4日; not a time of day, 供餐时间), what residents are
			// told to do.
			inKey := dates != nil && (sh.under(i, dates) || dates.label[i]) && dates.figure[i]
			for _, c := range key {
				inKey = inKey || sh.under(i, c) || c.label[i]
			}
			if inKey {
				score += keyScore
			}
			// What its plain words ask for (附近 → an address).
			for _, c := range plain {
				if c.figure[i] || sh.under(i, c) && c.value[i] {
					score += plainScore
					asked[i] = asked[i] || c.figure[i]
				}
			}
		}
		scores[i] = score
	}
	// Headings and table headers come with their lines, not alone (but
	// 【咨询电话】021-12345678 says something); a row past on the day
	// asked that holds no word of the question is not shown.
	for i := range segs {
		if sh.heads[i] && sh.facts[i] == 0 || sh.header[i] || past[i] && words[i] == 0 || sh.sign[i] {
			scores[i] = math.Inf(-1)
		}
	}
	best := argmax(scores)
	if best >= 0 {
		for i := range segs {
			if i != best && sh.section[i] >= 0 && sh.section[i] == sh.section[best] {
				scores[i] += bestSection
			}
		}
	}
	return scores, intentLine, words, asked
}

// partShare is how much the known parts of a word the disclosure lacks
// count together (全天班 → 全天, 班): less than the word.
const partShare = 0.5

// lineUnits are the question's units the body holds, and for a word it
// lacks, its known parts that it holds.
func lineUnits(di *docInfo, units []unit) []unit {
	var out []unit
	for _, u := range units {
		if containsAny(&di.bodyRunes, di.body, u.text, u.alts) {
			out = append(out, u)
			continue
		}
		var parts []string
		for _, p := range u.parts {
			if utf8.RuneCountInString(p) >= 2 && containsAny(&di.bodyRunes, di.body, p, nil) {
				parts = append(parts, p)
			}
		}
		for _, p := range parts {
			out = append(out, unit{text: p, weight: partShare * u.weight / float64(len(u.parts))})
		}
	}
	return out
}

// saysMeans tells whether line i speaks of one of the ways of doing it a
// question asks about (a.means); a line labelled with it that gives a
// number (咨询电话：021-…) says how to reach someone, not a way of doing it.
func (sh *shape) saysMeans(i int, means []string) bool {
	if len(means) == 0 {
		return false
	}
	lb := ""
	if reNumber.MatchString(sh.segs[i]) {
		lb = label(sh.segs[i])
	}
	for _, w := range means {
		if strings.Contains(sh.segs[i], w) && !strings.Contains(lb, w) {
			return true
		}
	}
	return false
}

// under tells whether line i comes under a heading or a lead line that
// names what c's intent asks for (二、所需材料, 【办理地点】…：) and holds
// it (三、场所要求 names a place but gives no address).
func (sh *shape) under(i int, c *lineCues) bool {
	for j := sh.parent[i]; j >= 0; j = sh.parent[j] {
		if c.names[j] && c.holds[j] && (sh.heads[j] || c.label[j]) {
			return true
		}
	}
	return false
}

func argmax(xs []float64) int {
	best := -1
	for i, x := range xs {
		if best < 0 || x > xs[best]+1e-9 {
			best = i
		}
	}
	return best
}

// choose picks the lines to show: the best ones first, each with its
// heading (and a table row with the table's header), while they fit in
// budget runes; in the disclosure's order. The best line is always shown.
func (sh *shape) choose(scores []float64, budget int, shown []int) []int {
	order := make([]int, len(scores))
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(x, y int) bool { return scores[order[x]] > scores[order[y]]+1e-9 })
	picked := make([]bool, len(scores))
	runes := 0
	for _, i := range shown {
		picked[i] = true
		runes += sh.runes[i]
	}
	floor := math.Max(0.5, minShare*scores[order[0]])
	take := func(i int, always bool) bool {
		if picked[i] {
			return true // shown already, as the line another one comes under
		}
		with := []int{i}
		for h := sh.parent[i]; h >= 0; h = sh.parent[h] {
			if !picked[h] {
				with = append(with, h)
			}
		}
		// The row of the table a line names by number (第4项) comes
		// with it, under the table's header.
		if r := sh.cites[i]; r >= 0 && !picked[r] {
			with = append(with, r)
		}
		for _, j := range with {
			if hd := sh.tableHead[j]; hd >= 0 && !picked[hd] && !slices.Contains(with, hd) {
				with = append(with, hd)
			}
		}
		cost := 0
		for _, j := range with {
			cost += sh.runes[j]
		}
		if !always && runes+cost > budget {
			return false
		}
		// A line that leads a list (同时具备以下条件：) says nothing
		// without it: its items come along when they all fit.
		if items, n := sh.itemsOf(with, picked); len(items) > 0 && runes+cost+n <= budget {
			with = append(with, items...)
			cost += n
		}
		for _, j := range with {
			picked[j] = true
		}
		runes += cost
		return true
	}
	for n, i := range order {
		if math.IsInf(scores[i], -1) || n > 0 && scores[i] < floor {
			break
		}
		take(i, n == 0 && len(shown) == 0)
	}
	// A passage under half its size: the lines that follow those shown,
	// in their section, give them context.
	for more := runes < budget/2; more; {
		more = false
		next := -1
		for j := 1; j < len(scores); j++ {
			if !picked[j] && picked[j-1] && !math.IsInf(scores[j], -1) && sh.section[j] == sh.section[j-1] &&
				runes+sh.runes[j] <= budget && (next < 0 || scores[j] > scores[next]) {
				next = j
			}
		}
		if next >= 0 {
			more = take(next, false)
		}
	}
	// A list read with holes (1., 3., 4.) reads wrong: a line or two
	// left out between two shown lines of one section come in, room
	// permitting.
	last := -1
	for i := range picked {
		if !picked[i] {
			continue
		}
		if last >= 0 && i-last > 1 && i-last <= 3 && sh.section[i] == sh.section[last] {
			gap, shown := 0, true
			for j := last + 1; j < i; j++ {
				gap += sh.runes[j]
				shown = shown && (sh.heads[j] || !math.IsInf(scores[j], -1))
			}
			if shown && runes+gap <= budget {
				for j := last + 1; j < i; j++ {
					picked[j] = true
				}
				runes += gap
			}
		}
		last = i
	}
	var out []int
	for i, p := range picked {
		if p {
			out = append(out, i)
		}
	}
	return out
}

// itemsOf are the list items not yet picked of the lines in with that
// lead a list (…符合以下条件：, then 1. …), and their runes.
func (sh *shape) itemsOf(with []int, picked []bool) (items []int, runes int) {
	for _, l := range with {
		if sh.heads[l] || !strings.HasSuffix(sh.segs[l], "：") && !strings.HasSuffix(sh.segs[l], ":") {
			continue // a heading's section is not its list
		}
		for j := l + 1; j < len(sh.segs) && sh.parent[j] == l; j++ {
			if !picked[j] && !slices.Contains(with, j) {
				items = append(items, j)
				runes += sh.runes[j]
			}
		}
	}
	return items, runes
}

// pastRows marks the rows of a table, or the lines of a run of three or
// more lines that each name a date (1. 11月7日…, 日期：11月7日；…: a table
// imported as lines), whose dates have all passed on the day asked: an
// event list answers with what is still to come. A list all past stays as
// it was.
func (sh *shape) pastRows(now time.Time) []bool {
	past := make([]bool, len(sh.segs))
	if now.IsZero() {
		return past
	}
	today := clock.DateOf(now)
	n := len(sh.segs)
	dated := make([]bool, n)
	state := make([]int, n) // 0: no date, 1: past, 2: to come
	for i := range sh.segs {
		if sh.header[i] {
			continue
		}
		ds := sh.rowDates(i, now)
		if len(ds) == 0 {
			continue
		}
		dated[i] = true
		state[i] = 1
		for _, d := range ds {
			if !d.Before(today) {
				state[i] = 2
			}
		}
	}
	// A group is a table, or a run of dated lines.
	for i := 0; i < n; {
		j := i + 1
		switch {
		case sh.tableHead[i] >= 0 || sh.header[i]:
			for j < n && sh.tableHead[j] >= 0 && !sh.header[j] {
				j++
			}
		case dated[i]:
			for j < n && dated[j] && sh.tableHead[j] < 0 && !sh.header[j] {
				j++
			}
			if j-i < 3 {
				i = j
				continue
			}
		default:
			i = j
			continue
		}
		ahead := false
		for k := i; k < j; k++ {
			ahead = ahead || state[k] == 2
		}
		for k := i; k < j && ahead; k++ {
			past[k] = state[k] == 1
		}
		i = j
	}
	return past
}

var (
	reRowDate = regexp.MustCompile(`(?:(\d{4})年)?(\d{1,2})月(\d{1,2})日`)
)

// rowDates are the dates a table row names; a date without a year is in
// the disclosure's year (or, without one, the year asked).
func (sh *shape) rowDates(i int, now time.Time) []time.Time {
	year := now.In(clock.Shanghai).Year()
	if p := sh.doc.doc.Published; !p.IsZero() {
		year = p.Time().Year()
	}
	var out []time.Time
	for _, rd := range sh.namedDates(i) {
		y := year
		if rd.yearNamed {
			y = rd.year
		}
		out = append(out, time.Date(y, time.Month(rd.month), rd.day, 0, 0, 0, 0, clock.Shanghai))
	}
	return out
}

var reDigit = regexp.MustCompile(`[0-9０-９]`)

// reNumber: a phone number (021-59283011, 59283011, 12345).
var reNumber = regexp.MustCompile(`\d{3,4}-\d{7,8}|\d{5,}`)

var rePreamble = mustPattern(`(如下|以下)[：:。]?$|特此公告|现予公示|现将.*(公布|公示|公告)`)

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
