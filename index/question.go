package index

// Question analysis: what a question asks about (its words and concepts,
// with their weights), the years and months it names, the intent it asks
// with, and whether it names another agency's matter.

import (
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/yingpu/govbot/clock"
)

// unit is one thing a question asks about: a word, or a concept that the
// synonym list knows under several expressions.
type unit struct {
	text    string   // as the resident wrote it
	alts    []string // all expressions of the concept (synonyms), text first
	pinyin  string   // folded pinyin key of text, for homophone typos
	syl     []string // the syllables of pinyin
	weight  float64
	concept bool
	parts   []string // known sub-words of a longer word
	// situation: the concept is a life situation mapped to services
	// (data/situations.txt).
	situation bool
}

// analyzed is a question taken apart.
type analyzed struct {
	months   map[int]bool // months named (十月, 9月) when no year is
	referral *referralMatch
	units    []unit
	years    map[int]bool
	terms    []weightedTerm
	py       []string
	intent   Intent
	pay      bool      // an amount the resident pays (交多少, 收费吗), not one paid to them
	outside  *outside  // what no disclosure may answer (another area, a personal case…)
	now      time.Time // the moment asked
	also     []Intent  // what else it asks for (在哪办，多少钱: where, and an amount)
	// means are the words of the way of doing it that a question on how
	// asks about (可以打电话申请吗: 电话; 能邮寄吗: 邮寄, 信函…): the line
	// that speaks of that way says whether and how.
	means  []string
	places bool // it asks for places: a list of them, the nearest, where one is (有哪些…, 最近的…, …在哪), when one opens
}

type weightedTerm struct {
	term  string
	boost float64
}

var (
	reYear4 = mustPattern(`(19|20)\d{2}`)
	reYear2 = regexp.MustCompile(`(^|[^0-9])(\d{2})年`)
)

func (g *generation) analyze(text string, now time.Time) analyzed {
	a := analyzed{years: questionYears(text, now), intent: questionIntent(text), now: now}
	a.pay = a.intent == Amount && rePay.MatchString(text)
	a.also = alsoAsked(text, a.intent)
	if a.intent == Process || reWayAsked.MatchString(text) {
		a.means = meansAsked(text)
	}
	a.places = rePlaces.MatchString(text) || placeIntents[a.intent]
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
		u := unit{text: m.member, alts: g.syn.groups[m.group], concept: true, situation: g.syn.situation[m.group]}
		u.weight = g.conceptWeight(m.member, u.alts)
		if u.situation {
			// A situation is as telling as the rarest of its services
			// would be, but no more than a word the resident used.
			u.weight = min(u.weight, g.conceptWeight(u.alts[0], u.alts))
		}
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
		u.syl = strings.Fields(u.pinyin)
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
	return strings.HasSuffix(w, "月") && utf8.RuneCountInString(w) <= 3 && (reMonth.MatchString(w) || reMonthCN.MatchString(w)) && len(questionMonths(w)) > 0
}

func isYearWord(w string) bool {
	switch w {
	case "今年", "去年", "前年", "明年", "年":
		return true
	}
	if utf8.RuneCountInString(w) <= 5 && reYear4.MatchString(w) {
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
	for _, m := range yearsIn(text) {
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

// yearsIn are reYear2's matches (it needs 年).
func yearsIn(text string) [][]string {
	if !strings.Contains(text, "年") {
		return nil
	}
	return reYear2.FindAllStringSubmatch(text, -1)
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
	if !strings.Contains(text, "月") {
		return ms // both expressions need 月
	}
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

// rePhoneAsk: a request for a phone number or a way to reach someone
// (电话多少, 号码, 联系方式, 打哪个, 怎么联系, 订餐电话 ending the
// question), not the word 电话 alone: 可以打电话申请吗 asks whether the
// phone is a way to apply, 有人打电话说… tells of a call. A hotline (热线)
// is asked about as a number.
var rePhoneAsk = mustPattern(`号码|联系方式|联系电话|咨询电话|热线|打哪个|拨哪个|打什么|怎么联系|如何联系|怎样联系|联系谁|找谁联系|` +
	`电话(号码|号)?(是)?(多少|几|啥|什么)|(什么|啥|哪个|哪一个)电话|电话呢|有(没有)?(联系)?电话|电话有(吗|伐|没有)|留(个|下)?电话|` +
	`电话(号码|号)?[吗？?！!。，,\s]*$`)

// intentPatterns tell what a question asks for, in the order they are
// tried: 电话多少 asks for a phone number, not an amount.
var intentPatterns = []struct {
	intent Intent
	re     *pattern
}{
	{Phone, rePhoneAsk},
	{Materials, mustPattern(`带什么|带啥|材料|证件|准备什么|准备啥|需要什么|需要啥|要带|提供什么|要哪些|资料`)},
	{Hours, mustPattern(`几点|开放时间|营业时间|办公时间|上班时间|服务时间|开门|关门|什么时候开|几时开|周末开|礼拜[一二三四五六天日]|星期[一二三四五六天日]|周[一二三四五六日末](开|上班|有人)`)},
	{Where, mustPattern(`找谁|向谁|找哪个|哪个部门|在哪|哪里|哪儿|哪块|啥地方|什么地方|地址|地点|位置|怎么走|哪个窗口|几楼|几层|哪一层|哪层楼|去哪|到哪里|到哪儿|到哪去|到哪个|到哪家|到哪办|到哪领|到哪交|到哪$`)},
	{Duration, mustPattern(`多久|多长时间|多少天|几天|几个工作日|多少个工作日|多少工作日|时限|多快|要多长`)},
	{When, mustPattern(`什么时候|啥时候|截止|几号|哪天|哪一天|日期|期限|何时|几月|有效期`)},
	{Amount, mustPattern(`要交钱|交钱吗|收钱|要钱吗|花钱|掏钱|付费|交费|缴费|自费|收费吗|免费吗|是不是免费|多少钱|多少|额度|最多|最高|上限|几[块元千百万]|几钿|标准|涨|提高|调整|金额|收费|费用|价格|贵不贵|补多少|给多少`)},
	{Eligibility, mustPattern(`条件|谁能|谁可以|能不能|能否|可以申请吗|能申请吗|能办吗|符合|资格|够不够|要求|可以参加|能参加|可不可以|算不算|有没有份|(能|可以)(申请|领|享受|办理)[^？?，。]{0,12}[吗伐]`)},
	{Process, mustPattern(`怎么办|哪能办|流程|步骤|手续|怎么弄|哪能弄|网上|线上|在线|怎么操作|程序|(电话|邮寄|信函|传真|手机)[^，。？！,?!]{0,2}(申请|办理|办|报名|预约|登记|提交|挂号)|(怎么|怎样|如何|哪能)[^，。？！,?!]{0,6}(申请|办理|报名|领取|领|登记|预约|参与|参加|提交|反映|投诉|查询|使用)`)},
}

// meansWords are the ways of doing a matter a question may ask about, each
// with the words a disclosure says it in. Online ways (网上, 随申办, 小程序)
// are the process intent's own values already (intentValues).
var meansWords = []struct {
	asked *pattern
	said  []string
}{
	{mustPattern(`电话`), []string{"电话"}},
	{mustPattern(`邮寄|信函|寄过去|寄材料|快递`), []string{"邮寄", "信函", "快递", "邮政"}},
	{mustPattern(`传真`), []string{"传真"}},
}

// reWayAsked: a way of doing it named with what is done (电话预约, 网上办,
// 邮寄提交), whatever the question asks of it (能不能电话预约: whether).
var reWayAsked = regexp.MustCompile(`(电话|邮寄|信函|传真|手机|网上|线上|在线)[^，。？！,?!]{0,2}(申请|办理|办|报名|预约|登记|提交|挂号|缴费|交)`)

// meansAsked are the words of the ways of doing it that text asks about.
func meansAsked(text string) []string {
	var out []string
	for _, m := range meansWords {
		if m.asked.MatchString(text) {
			out = append(out, m.said...)
		}
	}
	return out
}

// rePlaces: a question asking for places: which there are (有哪些, 哪几家),
// the nearest (附近, 最近的), or where one is (在哪, 地址). What it asks
// for is a place only when some place's name holds what it names (see
// placeFeature): 有哪些补贴 asks for no place.
var rePlaces = mustPattern(`有哪些|有哪几|哪几家|哪几个|哪几处|附近|最近的|就近|离我最近|离家近|在哪|哪里|哪儿|什么地方|啥地方|地址|位置|怎么走|去哪|到哪`)

// placeIntents: the intents that ask about a place too: when it opens
// (南门食堂几点开饭 is about the 南门 canteen, not any canteen's hours).
// Chosen on 盈浦, checked on 夏阳 (its 14 questions of hours unchanged);
// a phone number is asked of services as often as of places, and changes
// nothing on either.
var placeIntents = map[Intent]bool{Hours: true}

// rePay: an amount question about what the resident pays (a fee, a
// contribution), which a charge or contribution notice answers rather than
// a benefit standard.
var rePay = mustPattern(`交(钱|费|多少|几|社保|医保|保险)|缴|收费|收钱|要钱|花钱|掏钱|付费|付钱|自费|贵不贵|价格|多少钱一`)

// questionIntent is what a question asks for ("" when it only names a
// matter).
func questionIntent(text string) Intent {
	for _, p := range intentPatterns {
		if p.re.MatchString(text) {
			return p.intent
		}
	}
	return AnyIntent
}

// Analysis is what a question asks, as far as a conversation needs to know.
type Analysis struct {
	// Intent is what it asks for (an amount, a place, the papers…).
	Intent Intent `json:"intent,omitempty"`
	// Topic are its words that name a matter: neither intent words (多少,
	// 材料, 在哪…) nor stopwords nor lone characters. A follow-up
	// (那要带什么材料) has none.
	Topic []string `json:"topic,omitempty"`
	// Decline is set for a question no disclosure may answer (another
	// area, a personal case, the weather…).
	Decline Decline `json:"decline,omitempty"`
}

// reFiller are words that name no matter in a follow-up (那, 要, 呢…);
// intent words are removed with intentPatterns.
var reFiller = mustPattern(`那么|那个|这个|那|还|要|呢|吗|啊|呀|吧|的|得|了|请问|一下|我|你|他|她|们|是|有|在|去|带|能|可以|什么|啥|怎么|如何|哪些|多少|几`)

// Analyze takes a question apart without searching.
func (ix *Index) Analyze(text string) Analysis {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	if ix.gen == nil {
		return Analysis{}
	}
	text = strings.TrimSpace(text)
	if ix.opts.AnswerCache < 0 {
		return ix.analyzeTopic(text)
	}
	if out, ok := ix.topics.get(ix.gen, text); ok {
		out.Topic = slices.Clone(out.Topic)
		return out
	}
	out := ix.analyzeTopic(text)
	ix.topics.put(ix.gen, text, out, analysesKept)
	out.Topic = slices.Clone(out.Topic)
	return out
}

// analyzeTopic is Analyze, without the cache.
func (ix *Index) analyzeTopic(text string) Analysis {
	out := Analysis{Intent: questionIntent(text)}
	rest := text
	for _, p := range intentPatterns {
		rest = p.re.ReplaceAllString(rest, " ")
	}
	rest = reFiller.ReplaceAllString(rest, " ")
	a := ix.gen.analyze(rest, ix.opts.Clock.Now())
	for _, u := range a.units {
		// A lone character (办, 弄) names no matter on its own.
		if utf8.RuneCountInString(u.text) >= 2 && hasWordRune(u.text) {
			out.Topic = append(out.Topic, u.text)
		}
	}
	if o := ix.classify(text); o != nil {
		out.Decline = o.kind
	}
	return out
}
