package bot

import (
	"fmt"
	"strings"
)

// isTopic reports whether s is a configured topic (ASCII case ignored).
func (b *Bot) isTopic(s string) bool {
	_, ok := b.topic(s)
	return ok
}

// topic returns the configured spelling of s.
func (b *Bot) topic(s string) (string, bool) {
	for _, t := range b.topics {
		if strings.EqualFold(t, s) {
			return t, true
		}
	}
	return "", false
}

func (b *Bot) onCommand(m Message, cmd command) string {
	switch cmd.kind {
	case cmdHelp:
		return b.helpText(m.Platform)
	case cmdSubscribe, cmdUnsubscribe, cmdMine:
		// WeCom recipients are chosen by department and tag by the
		// subdistrict's staff; self-service subscription is for
		// Official Account followers only.
		if m.Platform != OfficialAccount {
			return workNoSubs
		}
	}
	switch cmd.kind {
	case cmdSubscribe:
		return b.subscribe(m.FromUser, cmd)
	case cmdUnsubscribe:
		return b.unsubscribe(m.FromUser, cmd)
	case cmdMine:
		return b.mine(m.FromUser)
	}
	return b.helpText(m.Platform)
}

func (b *Bot) subscribe(openid string, cmd command) string {
	if len(b.topics) == 0 {
		return noTopics
	}
	want := cmd.args
	if cmd.all {
		want = b.topics
	}
	if len(want) == 0 {
		return "请告诉我要订阅的主题。" + b.availableTopics()
	}
	var added, already, unknown []string
	for _, a := range dedupe(want) {
		t, ok := b.topic(a)
		if !ok {
			unknown = append(unknown, a)
			continue
		}
		ok, err := b.subs.Subscribe(openid, t)
		if err != nil {
			b.log.Error("bot: subscribe", "topic", t, "err", err)
			return failedSub
		}
		if ok {
			added = append(added, t)
		} else {
			already = append(already, t)
		}
	}
	var lines []string
	if len(added) > 0 {
		lines = append(lines, fmt.Sprintf("订阅成功：%s。有相关通知时会第一时间发给您。", topicList(added)))
	}
	if len(already) > 0 {
		lines = append(lines, fmt.Sprintf("您已订阅过：%s。", topicList(already)))
	}
	if len(unknown) > 0 {
		lines = append(lines, fmt.Sprintf("暂无%s这个通知主题。%s", quoteList(unknown), b.availableTopics()))
	} else {
		lines = append(lines, fmt.Sprintf("回复“我的订阅”查看，回复“退订 %s”取消。", firstOr(added, already)))
	}
	return strings.Join(lines, "\n")
}

func (b *Bot) unsubscribe(openid string, cmd command) string {
	if cmd.all {
		topics, err := b.subs.UnsubscribeAll(openid)
		if err != nil {
			b.log.Error("bot: unsubscribe all", "err", err)
			return failedSub
		}
		if len(topics) == 0 {
			return "您目前没有订阅任何通知。"
		}
		return fmt.Sprintf("已退订全部通知：%s。", topicList(topics))
	}
	if len(cmd.args) == 0 {
		return "请告诉我要退订的主题，例如回复“退订 " + firstOr(b.topics, []string{"防汛"}) + "”；回复“退订 全部”可全部退订。"
	}
	var removed, absent []string
	for _, a := range dedupe(cmd.args) {
		// Topics no longer configured can still be left.
		t, ok := b.topic(a)
		if !ok {
			t = a
		}
		ok, err := b.subs.Unsubscribe(openid, t)
		if err != nil {
			b.log.Error("bot: unsubscribe", "topic", t, "err", err)
			return failedSub
		}
		if ok {
			removed = append(removed, t)
		} else {
			absent = append(absent, t)
		}
	}
	var lines []string
	if len(removed) > 0 {
		lines = append(lines, fmt.Sprintf("已退订：%s，今后不再发送相关通知。", topicList(removed)))
	}
	if len(absent) > 0 {
		lines = append(lines, fmt.Sprintf("您没有订阅%s。", quoteList(absent)))
		lines = append(lines, b.mine(openid))
	}
	return strings.Join(lines, "\n")
}

func (b *Bot) mine(openid string) string {
	topics, err := b.subs.Topics(openid)
	if err != nil {
		b.log.Error("bot: list subscriptions", "err", err)
		return failedSub
	}
	if len(topics) == 0 {
		if len(b.topics) == 0 {
			return "您还没有订阅通知。" + noTopics
		}
		return "您还没有订阅通知。" + b.availableTopics()
	}
	return fmt.Sprintf("您已订阅：%s。回复“退订 %s”可取消。", topicList(topics), topics[0])
}

func dedupe(items []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, s := range items {
		k := strings.ToLower(s)
		if !seen[k] {
			seen[k] = true
			out = append(out, s)
		}
	}
	return out
}

func firstOr(a, b []string) string {
	if len(a) > 0 {
		return a[0]
	}
	if len(b) > 0 {
		return b[0]
	}
	return ""
}
