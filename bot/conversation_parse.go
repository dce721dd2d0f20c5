package bot

import (
	"regexp"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/yingpu/govbot/querylog"
)

// What a message is, as far as the conversation goes. The words below are
// how residents write in any district (courtesies, pointing back, asking
// for more), not the names of services: telling a follow-up from a new
// question is left to what the index finds (see Dialogue).

type utterKind int

const (
	uQuestion   utterKind = iota // a question: a new matter or a follow-up
	uPick                        // a bare number or 第二个: a numbered choice
	uCourtesy                    // thanks, a greeting, 好的
	uFeedback                    // 有用 / 没用 / 不对 about the last answer
	uFull                        // 全文: the rest of the last disclosure
	uMore                        // 还有别的吗: the next relevant disclosures
	uCorrection                  // 不是这个，我问的是…
)

// Feedback values kept in the query log.
const (
	FeedbackUseful    = querylog.FeedbackUseful
	FeedbackNotUseful = querylog.FeedbackNotUseful
	FeedbackWrong     = querylog.FeedbackWrong
)

type courtesyKind int

const (
	courtesyThanks courtesyKind = iota
	courtesyHello
	courtesyOK
	courtesyBye
)

// utterance is a message taken apart.
type utterance struct {
	kind     utterKind
	pick     int          // uPick: 1-based
	rest     string       // uMore, uCorrection: the matter named, if any
	feedback string       // uFeedback
	courtesy courtesyKind // uCourtesy
	// Signals that a question continues the last matter (a question that
	// names no matter of its own does too: see Dialogue.question).
	deictic  bool // 那/那里/这个…: points back
	elliptic bool // …呢: the matter is left out
	// place: it points at a place (那边有床睡吗, 那里几点开门): the place
	// the last reply named, not a notice that mentions it.
	place bool
	// rumour: it asks whether something heard about the future is true
	// (听说明年奖励要提高，是真的吗).
	rumour bool
}

var rePick = regexp.MustCompile(`^(?:看|选|要|查看)?第?([0-9]{1,2}|[一二两三四五六七八九十])(?:个|条|项|号|种|家|处)?(?:吧|的|呢)?$`)

var cnDigits = map[string]int{"一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9, "十": 10}

// foldText makes full-width forms half-width, letters lower case, and
// drops spaces.
func foldText(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch {
		case r == 0x3000 || unicode.IsSpace(r):
			continue
		case r >= 0xFF01 && r <= 0xFF5E:
			r -= 0xFEE0
		}
		b.WriteRune(unicode.ToLower(r))
	}
	return b.String()
}

// isSep is punctuation between the parts of a message.
func isSep(r rune) bool {
	return unicode.IsPunct(r) || unicode.IsSymbol(r) || unicode.IsSpace(r)
}

// trimParticles drops punctuation and modal particles at both ends.
func trimParticles(s string) string {
	for {
		t := strings.TrimFunc(s, isSep)
		for _, p := range []string{"啊", "呀", "哈", "啦", "哦", "吧", "嘛", "哇", "喔"} {
			t = strings.TrimSuffix(t, p)
		}
		if t == s {
			return t
		}
		s = t
	}
}

var courtesyWords = []struct {
	w string
	k courtesyKind
}{
	{"非常感谢", courtesyThanks}, {"十分感谢", courtesyThanks}, {"谢谢你们", courtesyThanks}, {"谢谢您", courtesyThanks},
	{"谢谢你", courtesyThanks}, {"谢谢", courtesyThanks}, {"多谢", courtesyThanks}, {"感谢", courtesyThanks},
	{"谢了", courtesyThanks}, {"谢啦", courtesyThanks}, {"辛苦了", courtesyThanks}, {"辛苦", courtesyThanks},
	{"thanks", courtesyThanks}, {"thank you", courtesyThanks}, {"thx", courtesyThanks},
	{"你好", courtesyHello}, {"您好", courtesyHello}, {"在吗", courtesyHello}, {"在不在", courtesyHello},
	{"早上好", courtesyHello}, {"上午好", courtesyHello}, {"中午好", courtesyHello}, {"下午好", courtesyHello},
	{"晚上好", courtesyHello}, {"hello", courtesyHello}, {"hi", courtesyHello}, {"哈喽", courtesyHello}, {"嗨", courtesyHello},
	{"好的", courtesyOK}, {"好滴", courtesyOK}, {"好嘞", courtesyOK}, {"知道了", courtesyOK}, {"明白了", courtesyOK},
	{"了解了", courtesyOK}, {"懂了", courtesyOK}, {"收到", courtesyOK}, {"明白", courtesyOK}, {"了解", courtesyOK},
	{"可以", courtesyOK}, {"行", courtesyOK}, {"好", courtesyOK}, {"嗯嗯", courtesyOK}, {"嗯", courtesyOK},
	{"哦哦", courtesyOK}, {"噢", courtesyOK}, {"是的", courtesyOK}, {"对的", courtesyOK}, {"没事了", courtesyOK}, {"没有了", courtesyOK}, {"ok", courtesyOK}, {"okay", courtesyOK}, {"没问题", courtesyOK},
	{"再见", courtesyBye}, {"拜拜", courtesyBye}, {"bye", courtesyBye},
}

var feedbackWords = []struct{ w, v string }{
	{"很有用", FeedbackUseful}, {"有用", FeedbackUseful}, {"有帮助", FeedbackUseful}, {"很有帮助", FeedbackUseful},
	{"解决了", FeedbackUseful}, {"满意", FeedbackUseful}, {"👍", FeedbackUseful},
	{"没有用", FeedbackNotUseful}, {"没用", FeedbackNotUseful}, {"没帮助", FeedbackNotUseful}, {"没有帮助", FeedbackNotUseful},
	{"不满意", FeedbackNotUseful}, {"没解决", FeedbackNotUseful}, {"看不懂", FeedbackNotUseful},
	{"不对", FeedbackWrong}, {"错了", FeedbackWrong}, {"答非所问", FeedbackWrong}, {"不准确", FeedbackWrong},
	{"不是我要的", FeedbackWrong}, {"说错了", FeedbackWrong},
}

// onlyWords tells whether s is made only of the listed words (tried in
// order, so longer ones first), separators and particles, and returns the
// first word found.
func onlyWords(s string, words []string) (string, bool) {
	rest := s
	found := ""
	for changed := true; changed; {
		changed = false
		rest = trimParticles(rest)
		for _, w := range words {
			if strings.HasPrefix(rest, w) {
				if found == "" {
					found = w
				}
				rest = rest[len(w):]
				changed = true
				break
			}
		}
	}
	return found, found != "" && trimParticles(rest) == ""
}

var fullWords = map[string]bool{
	"全文": true, "查看全文": true, "看全文": true, "全部内容": true, "完整内容": true, "原文": true, "看原文": true,
	"详情": true, "详细": true, "详细内容": true, "展开": true, "看看全文": true, "发全文": true, "全文发我": true, "更多内容": true,
}

var moreMarkers = []string{
	"还有没有别的", "还有没有其他", "还有没有其它", "还有别的", "还有其他的", "还有其他", "还有其它",
	"其他的呢", "其它的呢", "别的呢", "还有呢", "还有吗", "还有哪些", "换一个", "下一个", "更多的", "其他的", "其它的", "别的",
}

var correctionNeg = []string{"不是这个", "不是这些", "不是这样", "不是这条", "不是这家", "不是那个", "不对", "错了", "不是"}

var correctionAsk = []string{"我问的是", "我说的是", "我想问的是", "我要问的是", "我想要问的是", "我是问", "我是说", "我想问", "我要问", "我想了解", "我要的是", "我找的是", "我要找"}

// deicticWords point back at what was just discussed.
var deicticWords = []string{
	"那里", "那边", "那儿", "那个", "那家", "那项", "那些", "那一", "那种", "那位",
	"这里", "这边", "这儿", "这个", "这家", "这项", "这些", "这一", "这种",
	"它", "其中", "上面", "刚才", "刚刚", "前面说", "该项", "该处", "该中心",
}

// placeWords point at a place just named (这里, 这边 often mean "in this
// text" or "in this district", so they do not).
var placeWords = []string{"那里", "那边", "那儿", "那个地方", "那地方", "该处", "去那", "到那"}

// rumourWords ask whether something heard is true; futureWords place it
// ahead of what is published.
var (
	rumourWords = []string{"听说", "据说", "听人说", "有人说", "网上说", "传言", "传闻", "是真的吗", "是不是真的", "真的假的", "真的吗"}
	futureWords = []string{"明年", "后年", "下个月", "下半年", "下一年", "明后年", "以后", "将来", "今后", "年底前", "即将", "快要", "马上要"}
)

// leadingConnectives start a message that continues the last one.
var leadingConnectives = []string{"那么", "那要", "那还", "那我", "那", "还有", "另外", "如果", "要是", "万一", "然后", "那请问", "请问那"}

func init() {
	// Longest first, so that 多少钱 goes before 多少.
	sortByLenDesc(moreMarkers)
	sortByLenDesc(correctionAsk)
}

func sortByLenDesc(s []string) {
	for i := 1; i < len(s); i++ {
		for j := i; j > 0 && len(s[j]) > len(s[j-1]); j-- {
			s[j], s[j-1] = s[j-1], s[j]
		}
	}
}

func courtesyList() []string {
	ws := make([]string, len(courtesyWords))
	for i, c := range courtesyWords {
		ws[i] = c.w
	}
	return ws
}

// parseUtterance classifies a message (as typed, or voice text).
func parseUtterance(text string) utterance {
	t := foldText(text)
	core := trimParticles(t)
	if m := rePick.FindStringSubmatch(core); m != nil {
		n, err := strconv.Atoi(m[1])
		if err != nil {
			n = cnDigits[m[1]]
		}
		if n > 0 {
			return utterance{kind: uPick, pick: n}
		}
	}
	if fullWords[core] {
		return utterance{kind: uFull}
	}
	// Feedback, possibly with a courtesy around it ("有用，谢谢").
	fbWords := make([]string, 0, len(feedbackWords)+len(courtesyWords))
	for _, f := range feedbackWords {
		fbWords = append(fbWords, f.w)
	}
	if v, ok := feedbackOf(core, fbWords); ok {
		return utterance{kind: uFeedback, feedback: v}
	}
	if w, ok := onlyWords(core, courtesyList()); ok {
		for _, c := range courtesyWords {
			if c.w == w {
				return utterance{kind: uCourtesy, courtesy: c.k}
			}
		}
	}
	if u, ok := parseCorrection(core); ok {
		return u
	}
	for _, m := range moreMarkers {
		if i := strings.Index(core, m); i >= 0 && (i == 0 || strings.HasPrefix(core, "还") || strings.HasPrefix(core, "有没有")) {
			rest := core[:i] + " " + core[i+len(m):]
			return utterance{kind: uMore, rest: strings.TrimSuffix(strings.TrimSpace(trimParticles(rest)), "吗")}
		}
	}
	u := utterance{kind: uQuestion}
	for _, w := range deicticWords {
		if strings.Contains(core, w) {
			u.deictic = true
			break
		}
	}
	for _, c := range leadingConnectives {
		if strings.HasPrefix(core, c) {
			u.deictic = true
			break
		}
	}
	u.elliptic = strings.HasSuffix(strings.TrimRightFunc(t, isSep), "呢")
	u.place = containsAny(core, placeWords)
	u.rumour = containsAny(core, rumourWords) && containsAny(core, futureWords)
	return u
}

// feedbackOf tells whether s is only feedback words (with courtesies).
func feedbackOf(s string, fb []string) (string, bool) {
	words := append(append([]string(nil), fb...), courtesyList()...)
	sortByLenDesc(words)
	rest := s
	val := ""
	for changed := true; changed; {
		changed = false
		rest = trimParticles(rest)
		for _, w := range words {
			if strings.HasPrefix(rest, w) {
				for _, f := range feedbackWords {
					if f.w == w && val == "" {
						val = f.v
					}
				}
				rest = rest[len(w):]
				changed = true
				break
			}
		}
	}
	return val, val != "" && trimParticles(rest) == ""
}

// parseCorrection recognizes 不是这个，我问的是X / 我问的是X / 不对，X.
func parseCorrection(s string) (utterance, bool) {
	rest := s
	neg := false
	for _, n := range correctionNeg {
		if strings.HasPrefix(rest, n) {
			after := rest[len(n):]
			r, _ := utf8.DecodeRuneInString(after)
			// 不是本地户口能办吗 is a question: the negation must stand
			// on its own (followed by a pause) or lead into 我问的是.
			if n == "不是" && after != "" && !isSep(r) && !hasAnyPrefix(after, correctionAsk) {
				break
			}
			if after != "" && !isSep(r) && !hasAnyPrefix(after, correctionAsk) && !hasAnyPrefix(after, []string{"啊", "呀", "哦", "的"}) {
				break
			}
			neg = true
			rest = trimParticles(after)
			break
		}
	}
	ask := false
	for _, a := range correctionAsk {
		if strings.HasPrefix(rest, a) {
			ask = true
			rest = strings.TrimLeftFunc(rest[len(a):], isSep)
			break
		}
	}
	if !neg && !ask {
		return utterance{}, false
	}
	if !neg && ask && strings.HasPrefix(s, "我想问") && !strings.HasPrefix(s, "我想问的是") {
		// 我想问低保怎么申请 is a plain question.
		return utterance{}, false
	}
	return utterance{kind: uCorrection, rest: strings.TrimFunc(rest, isSep)}, true
}

func containsAny(s string, ws []string) bool {
	for _, w := range ws {
		if strings.Contains(s, w) {
			return true
		}
	}
	return false
}

func hasAnyPrefix(s string, ps []string) bool {
	for _, p := range ps {
		if strings.HasPrefix(s, p) {
			return true
		}
	}
	return false
}
