package bot

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// What residents read. Kept together so that the wording is consistent.

const (
	capabilities = "我可以根据街道公开发布的政务信息，解答就业创业、社保救助、养老助餐、托育服务、应急预警、办事指南等方面的问题。"

	usageAsk      = "· 直接输入问题或发语音，如“长者食堂在哪里”“就业见习补贴怎么申请”；\n· 发送位置（点输入框旁的“+”→“位置”），查询离您最近的服务点。"
	voiceNotHeard = "抱歉，没能识别您的语音。请直接输入文字问题，我马上为您查询。"
	unsupported   = "抱歉，我目前只能看懂文字、语音和位置消息。请直接输入您的问题，例如“长者食堂在哪里”，或发送位置查询附近的服务点。回复“帮助”查看用法。"
	badLocation   = "抱歉，没能读取您发送的位置，请重新发送一次。"
	locationTip   = "\n\n发送您的位置（点输入框旁的“+”→“位置”），我可以告诉您离您最近的地点。"
	workNoSubs    = "企业微信中的通知由街道工作人员按部门和标签统一发送，无需自行订阅。如需调整接收范围，请联系街道工作人员。"
	noTopics      = "目前暂无可订阅的通知主题。"
	failedSub     = "抱歉，订阅操作暂时没有成功，请稍后再试。"
)

func apology(hotline string) string {
	return fmt.Sprintf("抱歉，系统暂时无法回答，请稍后再试，或拨打热线 %s 咨询。", hotline)
}

func topicList(topics []string) string { return strings.Join(topics, "、") }

func quoteList(items []string) string {
	q := make([]string, len(items))
	for i, s := range items {
		q[i] = "“" + s + "”"
	}
	return strings.Join(q, "、")
}

// subscribeHow explains subscriptions on the Official Account.
func subscribeHow(topics []string) string {
	if len(topics) == 0 {
		return ""
	}
	return fmt.Sprintf("· 订阅通知：回复“订阅 %s”即可，可订阅的主题有：%s；回复“我的订阅”查看，“退订 %s”取消。",
		topics[0], topicList(topics), topics[0])
}

func (b *Bot) helpText(p Platform) string {
	var s strings.Builder
	s.WriteString("您可以这样使用：\n")
	s.WriteString(usageAsk)
	if p == OfficialAccount {
		if how := subscribeHow(b.topics); how != "" {
			s.WriteString("\n" + how)
		}
	}
	fmt.Fprintf(&s, "\n答复依据街道政务公开信息，如需进一步帮助，请拨打热线 %s。", b.hotline)
	return s.String()
}

func (b *Bot) welcomeText(p Platform) string {
	return "您好，欢迎关注！" + capabilities + "\n\n" + b.helpText(p)
}

func (b *Bot) availableTopics() string {
	if len(b.topics) == 0 {
		return noTopics
	}
	return fmt.Sprintf("可订阅的主题有：%s。例如回复“订阅 %s”。", topicList(b.topics), b.topics[0])
}

// fit cuts s to at most max bytes on a UTF-8 boundary, marking the cut.
func fit(s string, max int) string {
	if len(s) <= max {
		return s
	}
	const ellipsis = "…"
	mark := ellipsis
	if max < 2*len(ellipsis) {
		mark = ""
	}
	cut := max - len(mark)
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return strings.TrimRight(s[:cut], " \n") + mark
}

// withTip appends tip to answer, shortening the answer (not the tip) to
// keep within max bytes.
func withTip(answer, tip string, max int) string {
	if len(answer)+len(tip) <= max {
		return answer + tip
	}
	room := max - len(tip)
	if room < max/2 {
		return fit(answer, max)
	}
	return fit(answer, room) + tip
}
