package bot

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/yingpu/govbot/index"
)

// Each choice of a clarifying reply carries, under its title, the line of
// its disclosure that answers; a choice whose disclosure holds nothing of
// the question is its title alone.
func TestClarifyShowsEachChoicesAnswerLine(t *testing.T) {
	a := hitFor("ben-002", "城乡居民最低生活保障申请办事指南")
	a.Passage = &index.Passage{Text: "四、救助金发放\n低保金每月15日前发放。", Best: "低保金每月15日前发放。"}
	b := hitFor("ben-003", "关于2026年调整最低生活保障标准的公告")
	b.Passage = &index.Passage{Text: "一、新标准\n每人每月1600元。", Best: "（一）城乡低保标准：每人每月1600元；"}
	c := hitFor("eld-001", "居家养老服务补贴申请办事指南")
	c.Passage = &index.Passage{Text: "一、服务对象"}
	got := clarifyText([]index.Hit{a, b, c}, 2048)
	want := "您想了解的是：\n" +
		"1. 城乡居民最低生活保障申请办事指南\n   低保金每月15日前发放。\n" +
		"2. 关于2026年调整最低生活保障标准的公告\n   城乡低保标准：每人每月1600元\n" +
		"3. 居家养老服务补贴申请办事指南\n" +
		"回复数字查看"
	if got != want {
		t.Errorf("clarifying reply:\n%s\nwant:\n%s", got, want)
	}
}

// The line under a title is shortened at a clause boundary, with …; a
// first clause too long is cut within it; list numbers, 问/答 marks and
// table bars go.
func TestAnswerLineShortened(t *testing.T) {
	long := "失业保险稳岗返还：上年度未裁员或裁员率不高于规定比例的参保企业，按规定返还部分失业保险费，中小微企业返还比例为60%，多数企业“免申即享”，由系统直接拨付。"
	for _, tc := range []struct{ in, want string }{
		{"每月15日前发放。", "每月15日前发放。"},
		{"1. " + long, "失业保险稳岗返还：上年度未裁员或裁员率不高于规定比例的参保企业，按规定返还部分失业保险费，中小微企业返还比例为60%…"},
		{"（四）调查：街道会同居委会在10个工作日内入户调查；", "调查：街道会同居委会在10个工作日内入户调查"},
		{"答：收到分户评估报告之日起10日内，可以申请复核。", "收到分户评估报告之日起10日内，可以申请复核。"},
		{"问：有没有育儿补贴？答：3周岁以下婴幼儿每孩每年3600元。", "有没有育儿补贴？3周岁以下婴幼儿每孩每年3600元。"},
		{"【办理时限】受理后15个工作日内完成审核。", "办理时限：受理后15个工作日内完成审核。"},
		{"1.5公里范围内送餐上门。", "1.5公里范围内送餐上门。"},
		{"三、价格：标准套餐每份15元。", "价格：标准套餐每份15元。"},
		{"| 第1至12个月 | 2260元 | 2200元 |", "第1至12个月，2260元，2200元"},
		{strings.Repeat("很长的一句话没有任何标点", 8), strings.Repeat("很长的一句话没有任何标点", 8)[:len("很")*(answerLineRunes-1)] + "…"},
	} {
		got := answerLine(tc.in, answerLineRunes)
		if got != tc.want {
			t.Errorf("answerLine(%q)\n got %q\nwant %q", tc.in, got, tc.want)
		}
		if n := utf8.RuneCountInString(got); n > answerLineRunes {
			t.Errorf("answerLine(%q): %d runes, over %d", tc.in, n, answerLineRunes)
		}
	}
}

// Within a small reply limit the lines of the last choices go first, the
// titles and the hint stay; the reply is never over the limit.
func TestClarifyWithinTheReplyLimit(t *testing.T) {
	var cands []index.Hit
	for i, id := range []string{"a", "b", "c"} {
		h := hitFor(id, "社区长者食堂服务公告"+strings.Repeat("（第"+string(rune('一'+i))+"版）", 1))
		h.Passage = &index.Passage{Text: "x", Best: "长者食堂每天11:00开始供餐，每客14元，八十周岁以上老人每客10元，送餐上门每次另加3元。"}
		cands = append(cands, h)
	}
	full := clarifyText(cands, 2048)
	var bare []index.Hit
	for _, h := range cands {
		h.Passage = nil
		bare = append(bare, h)
	}
	titles := clarifyText(bare, 2048)
	for limit := len(full); limit >= 40; limit-- {
		got := clarifyText(cands, limit)
		if len(got) > limit || !utf8.ValidString(got) {
			t.Fatalf("limit %d: %d bytes (valid UTF-8: %v)", limit, len(got), utf8.ValidString(got))
		}
		if limit >= len(titles) && (strings.Count(got, "食堂服务公告") != 3 || !strings.HasSuffix(got, pickHint)) {
			t.Errorf("limit %d: a title or the hint was cut:\n%s", limit, got)
		}
	}
	if got := clarifyText(cands, len(full)-1); strings.Count(got, "11:00") != 2 || strings.Contains(strings.SplitN(got, "\n3. ", 2)[1], "11:00") {
		t.Errorf("one byte short: the last choice's line should go first:\n%s", got)
	}
	if got := clarifyText(cands, len(titles)); got != titles {
		t.Errorf("room for the titles only:\n%s\nwant:\n%s", got, titles)
	}
}
