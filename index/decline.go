package index

import (
	"context"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/yingpu/govbot/clock"
	"github.com/yingpu/govbot/content"
)

// Questions no published disclosure may answer: a resident's own case,
// another area, the weather, a private business, what no subdistrict
// publishes (markets, lotteries). They are told so, with where to ask
// (package bot words it).

var (
	// A resident asking after their own application: a first person and
	// the state of a case.
	reFirstPerson = mustPattern(`我|俺|咱|阿拉|伲`)
	reCaseState   = mustPattern(`到哪一步|到哪步|到哪了|进度|批了没|批下来没|批了吗|批没批|批好了没|审核到哪|审到哪|审核通过了没|通过了没|通过没有|有没有通过|结果出来了?没|怎么还没(批|到账|通过|下来|办好)|还没批|还没到账|到账了没|到账没|办好了没|办好没|办下来没|为什么没批|为什么不批|被拒了|查一下我的|查查我的`)
	// What a resident was paid of a benefit, and what went wrong with it
	// (我的养老金为什么少发了): their own case, as an application is.
	rePersonalPay = mustPattern(`(养老金|退休金|退休工资|低保金|救助金|失业金|失业保险金|补贴|津贴|补助)[^，。？?]{0,6}(少发|少了|没发|没到账|没有到账|扣了|被扣|停发了|被停|算错)`)
	// Which one to choose (哪家幼儿园好, 哪家最便宜): a subdistrict ranks
	// no businesses.
	reChoose = mustPattern(`哪家[^，。？?]{0,8}(好|便宜|靠谱|专业|正规|实惠)`)
	// Asking for other people's personal data (a list of who received
	// assistance, someone's ID or phone number).
	rePersonalData = mustPattern(`(名单|身份证号|手机号|家庭住址|住在哪)[^，。？?]{0,6}(发我|给我|告诉我|发给我|看看)|(救助|补助|补贴|资助)了?(哪些人|哪几户|谁家|哪几家)`)
	// A place name that is a road or a building, not an area (北京路).
	reStreetAfter = mustPattern(`^(东|西|南|北|中)?(路|街|大道|弄|巷|号|广场|公园|中学|小学|大厦|花园|新村|小区)`)
	reWarning     = mustPattern(`预警|警报|警告|防汛|防台|台风|暴雨|寒潮|高温|大风`)
	// Advice for the weather (天气这么热老人要注意什么) is what warnings
	// and notices give: no forecast is asked.
	reWeatherAdvice = mustPattern(`注意什么|注意啥|要注意|怎么防|预防|防范|防暑|防寒|防冻|降温|怎么办|小心`)
)

// outside is a matter the disclosures do not speak of, found in a question.
type outside struct {
	kind Decline
	word string
}

// classify finds what in a question no disclosure may answer; its word
// (area, weather, business) lets a disclosure that names it answer after
// all (see overrules).
func (ix *Index) classify(text string) *outside {
	norm := normalize(text)
	if reFirstPerson.MatchString(norm) && (reCaseState.MatchString(norm) || rePersonalPay.MatchString(norm)) || rePersonalData.MatchString(norm) {
		return &outside{kind: DeclinePersonal}
	}
	if reChoose.MatchString(norm) {
		return &outside{kind: DeclineBusiness}
	}
	own := ix.ownPlaces()
	for _, o := range ix.gen.seg.Lexicon().Outside {
		for _, w := range o.Words {
			if !strings.Contains(norm, w) {
				continue
			}
			switch o.Kind {
			case "weather":
				if !reWarning.MatchString(norm) && !reWeatherAdvice.MatchString(norm) {
					return &outside{kind: DeclineWeather, word: w}
				}
			case "business":
				return &outside{kind: DeclineBusiness, word: w}
			case "other":
				return &outside{kind: DeclineNotCovered, word: w}
			case "area":
				if areaNamed(norm, w, own) {
					return &outside{kind: DeclineOtherArea, word: w}
				}
			}
		}
	}
	for _, w := range ix.opts.Area.Nearby {
		if w = normalize(w); w != "" && areaNamed(norm, w, own) {
			return &outside{kind: DeclineOtherArea, word: w}
		}
	}
	return nil
}

// ownPlaces are the names of the area answered for.
func (ix *Index) ownPlaces() []string {
	a := ix.opts.Area
	var own []string
	for _, w := range []string{a.Name, a.District, a.City} {
		if w = normalize(w); w != "" {
			own = append(own, w)
			for _, suffix := range []string{"街道", "区", "市", "镇"} {
				if s := strings.TrimSuffix(w, suffix); s != w && len([]rune(s)) >= 2 {
					own = append(own, s)
				}
			}
		}
	}
	return own
}

// areaNamed reports whether text names area w as a place (not 北京路, not
// part of one of the own names).
func areaNamed(text, w string, own []string) bool {
	for _, o := range own {
		if strings.Contains(o, w) {
			return false
		}
	}
	for i := 0; ; {
		j := strings.Index(text[i:], w)
		if j < 0 {
			return false
		}
		after := text[i+j+len(w):]
		if !reStreetAfter.MatchString(after) {
			return true
		}
		i += j + len(w)
	}
}

// overrules reports whether the best candidate speaks of the outside word
// in its title or keywords (a notice about a partner city, a disclosure
// on 物业费): then it answers after all.
func (o *outside) overruledBy(c *candidate) bool {
	return o.word != "" && c != nil && strings.Contains(c.info.head, o.word)
}

// What a question may ask that a disclosure on its matter does not state.
// A subdistrict publishes the standard in force and the places that exist;
// whether a standard will change next year, or where a new place will be
// built, is stated only by a disclosure that speaks of that year or of
// building; when a place opens, only by one that gives its hours; whether
// it takes on staff, only by a recruitment. Asked of one that does not,
// govbot says it is not published (and which disclosure is) rather than
// answer with what holds now as if it were the plan.
var (
	// A year to come, and a change or a figure in it: 明年会提高吗,
	// 下一年还调整吗, 2027年的标准是多少.
	reFutureYear = mustPattern(`明年|下一年|下年度|来年|后年|今后几年|未来几年`)
	reChange     = mustPattern(`提高|提升|上调|调高|调整|涨|增加|加大|降低|下调|减少|取消|停止|变化|变|改`)
	// A claim to check (听说明年涨到…，是真的吗) is answered by what holds
	// now: the standard in force confirms or refutes it.
	reClaim = mustPattern(`是真的吗|是不是真的|真的假的|真的吗|听说|网上说|有人说|传言|谣言`)
	// A place to be built: 准备建在哪里, 什么时候能建个, 新建几个.
	reToBuild = mustPattern(`建在|建个|建一[个家座所处]|建几|建好|建成|新建|新造|新盖|筹建|选址|造好|盖好|再开一|再建|还建|要建|准备建|打算建|计划建|规划建|会建|将建|能建`)
	// A disclosure that speaks of building (a project, a plan, an opening).
	reBuilding = mustPattern(`新建|建设|规划|选址|筹建|在建|拟建|开工|竣工|建成|施工|动工|投用|投入使用|启用|开业|试运营`)
	// When a place opens and closes (几点开门, 开放时间) …
	// (几点开会 asks for a time, not for opening hours; a bare 几点开 may
	// ask either, and any time of day states it.)
	reAsksOpening  = mustPattern(`开门|关门|开放时间|营业时间|办公时间|服务时间|上班时间|几点开放|几点到几点`)
	reAsksTimeOpen = mustPattern(`几点(开|关)([吗呢啊？?]|$)`)
	reTimeOfDay    = mustPattern(`\d{1,2}[:：]\d{2}`)
	// … is stated by opening hours: a heading or a span of hours.
	reOpening = mustPattern(`开放时间|营业时间|服务时间|办公时间|供餐时间|就餐时间|接待时间|工作时间|受理时间|开放|开门|关门|营业|\d{1,2}[:：]\d{2}\s*[-—–~至到]+\s*\d{1,2}[:：]\d{2}`)
	// Whether a place takes on staff (食堂招不招厨师, 还缺不缺人) …
	reAsksHiring = mustPattern(`(招不招|还招|在招|缺不缺|要不要|招不招收)[^，。？?]{0,4}(人|工|员|师|手|保安|保洁)|招聘吗|招工吗`)
	// … is stated by a recruitment.
	reHiring = mustPattern(`招聘|招募|招用|岗位|录用|用工|聘用|招工|招人|聘请`)
)

// unstated tells what question text asks that c, the best candidate,
// does not state: one of the Unstated kinds, or "".
func unstated(text string, c *candidate, now time.Time) string {
	k := asksFor(text, c, now)
	switch {
	case k.kind == "" || k.statedBy(c, true):
		return ""
	case k.kind == unstatedTime:
		return UnstatedHours
	}
	return k.kind
}

// asked is what a question asks that a disclosure may not state.
type asked struct {
	kind  string       // an Unstated kind, or "" when nothing of the sort
	years map[int]bool // UnstatedFuture: the years to come asked of
}

// asksFor tells what question text asks that only some disclosures state;
// best is its best candidate (whether its standard is one of a year).
func asksFor(text string, best *candidate, now time.Time) asked {
	norm := normalize(text)
	switch {
	case reToBuild.MatchString(norm):
		return asked{kind: UnstatedPlan}
	case reAsksHiring.MatchString(norm):
		return asked{kind: UnstatedHiring}
	case reAsksOpening.MatchString(norm):
		return asked{kind: UnstatedHours}
	case reAsksTimeOpen.MatchString(norm):
		return asked{kind: unstatedTime}
	}
	year := now.In(clock.Shanghai).Year()
	years := map[int]bool{} // the years to come asked of
	if reFutureYear.MatchString(norm) {
		years[year+1] = true
	}
	for y := range questionYears(text, now) {
		if y > year {
			years[y] = true // named (2028年会涨吗)
		}
	}
	if len(years) == 0 || reClaim.MatchString(norm) {
		return asked{}
	}
	// A change in it; or its figure (2027年低保标准是多少) when the best
	// is a standard issued for a year (its title names one: 关于2026年
	// 调整…): that is not the year asked of. A standing policy (育儿补贴
	// 政策问答) holds on.
	if !reChange.MatchString(norm) && (questionIntent(text) != Amount || !reYear4.MatchString(best.info.doc.Title)) {
		return asked{}
	}
	return asked{kind: UnstatedFuture, years: years}
}

// unstatedTime: a bare 几点开: opening hours, or the time of an event;
// reported as UnstatedHours.
const unstatedTime = "time"

// statedBy reports whether c states what is asked. best: c is the best
// candidate, whose being of the year asked (2027年春季插班) is enough; a
// runner-up must state the change.
func (k asked) statedBy(c *candidate, best bool) bool {
	has := func(re *pattern) bool { return re.MatchString(c.info.head) || re.MatchString(c.info.body) }
	switch k.kind {
	case UnstatedPlan:
		return has(reBuilding)
	case UnstatedHiring:
		return has(reHiring)
	case UnstatedHours:
		return has(reOpening)
	case unstatedTime:
		return has(reOpening) || has(reTimeOfDay)
	case UnstatedFuture:
		if c.status == content.NotYetEffective || best && docYearMatches(&c.info.doc, k.years) {
			return true // itself to come, or of that year
		}
		next := []string{"明年", "下一年", "来年"}
		for y := range k.years {
			next = append(next, strconv.Itoa(y)+"年")
		}
		return statesChangeIn(c.info.head, next...) || statesChangeIn(c.info.body, next...)
	}
	return true
}

// reChangeAfter: a change or a standard said just after a year (2027年1月
// 1日起, 明年起调整为…), not a mere date in it (2027年春季插班).
var reChangeAfter = mustPattern(`^[^。；;\n]{0,12}?(起|调整|提高|上调|下调|增加|降低|减少|取消|标准|执行|实施)`)

// statesChangeIn reports whether doc says what changes in one of years.
func statesChangeIn(doc string, years ...string) bool {
	for _, y := range years {
		for i := 0; ; {
			j := strings.Index(doc[i:], y)
			if j < 0 {
				break
			}
			i += j + len(y)
			if reChangeAfter.MatchString(doc[i:]) {
				return true
			}
		}
	}
	return false
}

// statingRunnersUp: how many candidates after the best one may state what
// it does not, and how close they must rank (a share of the best's rank).
const (
	statingRunnersUp = 2
	statingRank      = 0.6
)

// stating finds a runner-up close to the best candidate that states what
// the question asks and the best does not (the building project when the
// best is the place as it is now): its index in cands, or 0. Only a plan
// or a change to come is looked for so: the hours or the staff of another
// place are no answer about this one.
func (ix *Index) stating(cands []*candidate, a analyzed, text string, now time.Time, minScore float64) int {
	k := asksFor(text, cands[0], now)
	if k.kind != UnstatedPlan && k.kind != UnstatedFuture {
		return 0
	}
	for i := 1; i < len(cands) && i <= statingRunnersUp; i++ {
		c := cands[i]
		if c.rank < statingRank*cands[0].rank || !confident(c, a, minScore) {
			break
		}
		if k.statedBy(c, false) {
			return i
		}
	}
	return 0
}

// A short question names a programme (a benefit, a card, a kind of
// housing or school) by a word that no disclosure holds at all: 廉租房 in
// 廉租房申请条件, 乘车 in 老年人免费乘车卡. The best candidate shares the rest
// of the question (申请条件, 老年人, 卡) and is about another programme;
// the question is declined as not covered, the programme named. A long
// question describes a situation in words no disclosure uses (隔壁, 家里,
// 一部分…) and is left to coverage.
const absentMaxWords = 3 // at most this many words of two characters or more, not intent words

// absentMinWeight: a word that tells less (a common word of general
// Chinese) names no programme; reDeictic: nor does one that points
// (那种救助, 这个补贴).
const absentMinWeight = 7.0

var reDeictic = mustPattern(`^(那|这|哪|什么|某|各|每|其他|别的|有的|所有)`)

// reProgramme: how the name of a programme ends.
var reProgramme = mustPattern(`(补贴|津贴|补助|奖励|救助|保险|卡|证|费|金|房|公寓|大学|学校|奖|券)$`)

// absentMatter is the name of the programme question text names that no
// disclosure speaks of, or "".
func (g *generation) absentMatter(ctx context.Context, text string, a analyzed, cands []*candidate) string {
	words := 0
	for _, u := range a.units {
		if utf8.RuneCountInString(u.text) >= 2 && questionIntent(u.text) == AnyIntent {
			words++
		}
	}
	if words == 0 || words > absentMaxWords {
		return ""
	}
	norm := normalize(text)
	// Where each unit is in the question, to follow a name's words.
	start := make([]int, len(a.units))
	at := map[int]int{} // start offset → unit
	for i, u := range a.units {
		start[i] = strings.Index(norm, u.text)
		if start[i] >= 0 {
			if _, ok := at[start[i]]; !ok {
				at[start[i]] = i
			}
		}
	}
	for i, u := range a.units {
		if start[i] < 0 || i >= 64 || !g.absent(ctx, u, cands) {
			continue
		}
		// The name runs on from u over the words right after it, to
		// one that ends it as a programme's name.
		for j, end := i, start[i]+len(u.text); ; {
			if reProgramme.MatchString(a.units[j].text) {
				return norm[start[i]:end]
			}
			k, ok := at[end]
			if !ok {
				break
			}
			j, end = k, end+len(a.units[k].text)
		}
	}
	return ""
}

// absent reports whether question unit u is a word no
// disclosure holds: no candidate (as written or as a synonym), and no
// index term. A word general Chinese does not know (a typo such as
// 会农补贴, dialect) is not taken for one: the homophone match may not
// reach it.
func (g *generation) absent(ctx context.Context, u unit, cands []*candidate) bool {
	if utf8.RuneCountInString(u.text) < 2 || questionIntent(u.text) != AnyIntent {
		return false
	}
	if g.seg.GeneralIDF(u.text) >= unknownIDF || u.weight < absentMinWeight || reDeictic.MatchString(u.text) {
		return false
	}
	// Held as written or as a synonym: a homophone found for a word
	// general Chinese knows is no match for it.
	for _, c := range cands {
		if containsAny(&c.info.headRunes, c.info.head, u.text, u.alts) || containsAny(&c.info.bodyRunes, c.info.body, u.text, u.alts) {
			return false
		}
	}
	alts := u.alts
	if len(alts) == 0 {
		alts = []string{u.text}
	}
	for _, w := range alts {
		if g.df.docFreq(ctx, fBody, w) > 0 || g.df.docFreq(ctx, fTitle, w) > 0 {
			return false
		}
	}
	return true
}

// A disclosure may hold the question's words only in passing: each in one
// line of its body, none in its title, keywords or a heading, no two in
// one line (老年人坐公交免费吗 answered from a service centre whose body
// says once that a bus stops nearby and, elsewhere, that blood pressure is
// measured free). What it dwells on is something else: the question is
// declined rather than answered with it.
const (
	// passingMinWords: the matter words (two characters or more, no
	// intent word) the question must share with the disclosure for
	// their scattering to tell; one word alone tells nothing.
	passingMinWords = 2
	// passingMaxLines: a word in more lines than this is dwelt on.
	passingMaxLines = 1
)

// inPassing reports whether candidate c holds the question's matter words
// only in passing: at least passingMinWords of them, every one scattered
// (in one line of the body, not in the title, keywords, a heading or a
// question of a FAQ), no two in one line. One word the disclosure dwells
// on, or two in one line, and it is about the question.
func inPassing(a analyzed, c *candidate) bool {
	anchored, scattered, together := passingWords(a, c, passingMaxLines)
	return anchored == 0 && scattered >= passingMinWords && !together
}

// passingWords reports, for candidate c, how the question's matter words
// lie in it: anchored (in the title or keywords, in a heading, in more
// than passingMaxLines lines, or found only by sound), or scattered words
// each in one line, and whether two scattered ones share a line.
func passingWords(a analyzed, c *candidate, maxLines int) (anchored, scattered int, together bool) {
	var words []int
	for i, u := range a.units {
		if i >= 64 || c.found&(1<<i) == 0 || utf8.RuneCountInString(u.text) < 2 ||
			questionIntent(u.text) != AnyIntent || reDeictic.MatchString(u.text) {
			continue
		}
		words = append(words, i)
	}
	// A word inside another one found (垃圾 in 垃圾分类) is that one.
	inner := func(i int) bool {
		for _, j := range words {
			if j != i && len(a.units[j].text) > len(a.units[i].text) && strings.Contains(a.units[j].text, a.units[i].text) {
				return true
			}
		}
		return false
	}
	sh := c.info.shape()
	lineOf := map[int]int{} // scattered word → its line
	for _, i := range words {
		if inner(i) {
			continue
		}
		u := a.units[i]
		if containsAny(&c.info.headRunes, c.info.head, u.text, u.alts) {
			anchored++
			continue
		}
		lines, line, heading := 0, -1, false
		for l, s := range sh.norm {
			if strings.Contains(s, u.text) || containsOne(s, u.alts) {
				lines++
				line = l
				heading = heading || sh.heading[l] || sh.ask[l] != ""
			}
		}
		if lines == 0 || lines > maxLines || heading {
			anchored++
			continue
		}
		for _, l := range lineOf {
			together = together || l == line
		}
		lineOf[i] = line
		scattered++
	}
	return anchored, scattered, together
}

// containsOne reports whether s holds one of words.
func containsOne(s string, words []string) bool {
	for _, w := range words {
		if w != "" && strings.Contains(s, w) {
			return true
		}
	}
	return false
}
