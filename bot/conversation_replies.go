package bot

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/yingpu/govbot/index"
)

// What residents read in a conversation beyond the answers themselves.

const (
	clarifyHead      = "您想了解的是："
	pickHint         = "回复数字查看"
	otherChoicesHead = "其他（回复数字查看）："

	noChoicesText       = "请直接输入您想了解的问题，例如“低保标准是多少”“长者食堂在哪里”。"
	choiceGoneText      = "抱歉，这条信息已经更新或下线，请重新提问。"
	noFullText          = "请先提问，我找到相关信息后，回复「全文」可查看全文。"
	noMoreText          = "暂时没有找到更多相关的公开信息。您可以换个说法再问，或说说您想办的事。"
	rephraseText        = "抱歉没有答对。请换个说法告诉我您想了解的事，例如“我问的是……”。"
	feedbackThanksText  = "感谢您的反馈！还有其他问题可以随时问我。"
	feedbackNothingText = "感谢您的反馈！有问题可以直接问我。"
	feedbackSorryOffer  = "抱歉没能帮到您，已记录您的反馈。您想了解的是否是："
	fullMoreHint        = "回复「全文」继续查看"
)

func numbered(n int, title string) string { return fmt.Sprintf("%d. %s", n, title) }

// The clarifying reply (您想了解的是：) shows under each choice's title the
// line of that disclosure that best answers the question, so that a
// resident whose answer is in choice 1 reads it without a second message.
const (
	// answerLineRunes bounds the line under a choice: about two lines of
	// a phone screen.
	answerLineRunes = 60
	// answerLineIndent sets the line under its title.
	answerLineIndent = "   "
)

// clarifyText asks which of cands is meant: each numbered title, with the
// line of its passage that answers (Passage.Best) under it, shortened;
// within limit bytes, the lines of the last choices are left out first,
// the titles never.
func clarifyText(cands []index.Hit, limit int) string {
	titles := make([]string, len(cands))
	lines := make([]string, len(cands))
	for i, h := range cands {
		titles[i] = numbered(i+1, h.Title)
		if p := h.Passage; p != nil {
			lines[i] = answerLine(p.Best, answerLineRunes)
		}
	}
	layout := func() string {
		var b strings.Builder
		b.WriteString(clarifyHead)
		for i := range cands {
			b.WriteString("\n" + titles[i])
			if lines[i] != "" {
				b.WriteString("\n" + answerLineIndent + lines[i])
			}
		}
		b.WriteString("\n" + pickHint)
		return b.String()
	}
	text := layout()
	for i := len(lines) - 1; i >= 0 && len(text) > limit; i-- {
		if lines[i] != "" {
			lines[i] = ""
			text = layout()
		}
	}
	return fit(text, limit)
}

var (
	// reLineMark is what opens a line of a disclosure but says nothing
	// under a title: a list number (1. , （四）, 三、, ①) or 问：, 答：.
	reLineMark = regexp.MustCompile(`^([问答]\s*[0-9０-９]*\s*[:：]|[0-9０-９]{1,2}\s*[.、．)）]|[(（][一二三四五六七八九十0-9０-９]{1,3}[)）]|[一二三四五六七八九十]{1,3}[、．.]|[①-⑳])\s*`)
	// reAnswerMark is the 答： between a question and its answer on one
	// line (问：…？答：…): the question mark sets them apart already.
	reAnswerMark = regexp.MustCompile(`([？?])\s*答\s*[:：]\s*`)
	// reLabel is a bracketed label (【办理时限】…), read as 办理时限：….
	reLabel = regexp.MustCompile(`^【([^】]{1,12})】\s*`)
	// reDecimal: a line opening with a number like 1.5 (1.5公里范围内…),
	// not a list number.
	reDecimal = regexp.MustCompile(`^[0-9０-９]{1,2}[.．][0-9０-９]`)
	// reCell separates the cells of a table row (| 项目 | 件数 |).
	reCell = regexp.MustCompile(`\s*[|｜]\s*`)
)

// clauseEnds end a clause: a line is shortened after one of them.
const clauseEnds = "，。；：！？、,;:!?"

// answerLine shortens line to about max runes for reading under a title:
// without its list number, a table row's cells set apart, cut after the
// last clause that fits (…), or, when the first clause alone is too long,
// within it.
func answerLine(line string, max int) string {
	line = strings.TrimSpace(line)
	if strings.HasPrefix(line, "|") || strings.HasPrefix(line, "｜") {
		line = strings.Trim(reCell.ReplaceAllString(line, "，"), "，")
	}
	if m := reLineMark.FindString(line); m != "" && !reDecimal.MatchString(line) {
		line = strings.TrimSpace(line[len(m):])
	}
	line = reAnswerMark.ReplaceAllString(line, "$1")
	line = reLabel.ReplaceAllString(line, "$1：")
	line = strings.TrimRight(line, "，；：、,;:")
	rs := []rune(line)
	if len(rs) <= max {
		return line
	}
	cut := -1
	for i := max - 1; i >= max/3; i-- {
		if strings.ContainsRune(clauseEnds, rs[i]) {
			cut = i
			break
		}
	}
	if cut < 0 {
		return string(rs[:max-1]) + "…"
	}
	return strings.TrimRight(string(rs[:cut+1]), clauseEnds) + "…"
}

// choiceRangeText answers a number beyond the choices of the last reply:
// it says so and numbers again what can be picked (their titles, where
// known), so that a resident need not scroll back.
func choiceRangeText(asked int, choices []string, titles map[string]string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "上一条回复里没有第%d条。", asked)
	listed := 0
	for i, id := range choices {
		if t := titles[id]; t != "" {
			if listed == 0 {
				b.WriteString("可以查看的有：")
			}
			b.WriteString("\n" + numbered(i+1, t))
			listed++
		}
	}
	switch {
	case listed > 0:
		b.WriteString("\n" + pickHint + "，或直接输入您想了解的问题。")
	case len(choices) == 1:
		b.WriteString("请回复数字 1 查看，或直接输入您想了解的问题。")
	default:
		fmt.Fprintf(&b, "请回复 1 到 %d 之间的数字查看，或直接输入您想了解的问题。", len(choices))
	}
	return b.String()
}

func feedbackSorryText(hotline string) string {
	return fmt.Sprintf("抱歉没能帮到您，已记录您的反馈。您可以换个说法再问，或拨打%s市民服务热线咨询。", hotline)
}

// rumourText answers 听说明年…是真的吗 when nothing published says so.
func rumourText(hotline string) string {
	return fmt.Sprintf("目前公开的信息里还没有关于今后调整的内容，一切以街道正式发布的为准，我不敢乱说。现行的规定可以直接问我；想了解进展，可拨打%s市民服务热线咨询。", hotline)
}

func courtesyText(k courtesyKind) string {
	switch k {
	case courtesyHello:
		return "您好！请直接输入您想了解的问题，例如“低保标准是多少”“长者食堂在哪里”。"
	case courtesyOK:
		return "好的。还有其他问题可以随时问我。"
	case courtesyBye:
		return "再见，祝您生活愉快！"
	}
	return "不客气！还有其他问题可以随时问我。"
}

// fullPage words the lines of h's body from line from on, as many as fit,
// and returns how many lines have been shown after it. Shown to the end, a
// further 全文 starts over.
func (d *talk) fullPage(h index.Hit, from int) (string, int) {
	body := ""
	if h.Passage != nil {
		body = h.Passage.Text
	}
	lines := strings.Split(strings.TrimSpace(body), "\n")
	if from >= len(lines) {
		from = 0
	}
	limit := d.render.o.MaxReplyBytes
	head := "【" + h.Title + "】"
	if from > 0 {
		head += "（续）"
	}
	src := sourceLines(h)
	room := limit - len(head) - len(src) - len(fullMoreHint) - 3
	var b strings.Builder
	n := from
	for ; n < len(lines); n++ {
		l := lines[n]
		if b.Len()+len(l)+1 > room {
			break
		}
		b.WriteString(l)
		b.WriteByte('\n')
	}
	if n == from { // one line longer than a reply
		b.WriteString(fit(lines[n], room) + "\n")
		n++
	}
	text := head + "\n" + b.String()
	if n < len(lines) {
		text += fullMoreHint + "\n"
	}
	return fit(text+src, limit), n
}
