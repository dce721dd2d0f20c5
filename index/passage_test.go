package index

import (
	"strings"
	"testing"

	"github.com/yingpu/govbot/content"
)

// A section that names what was asked but not the value the intent asks
// for (an address, a date, an amount) brings the line that holds it, with
// its heading, from elsewhere in the disclosure.
func TestPassageBringsTheIntentValueLine(t *testing.T) {
	filler := strings.Repeat("社区助餐服务由街道统一组织，居委会协助登记，服务对象按规定享受相应服务。", 3)
	body := strings.Join([]string{
		"一、服务内容",
		"助餐服务内容包括堂食和送餐，到服务窗口登记后即可使用。",
		filler,
		"二、服务对象",
		"本街道常住的老年人。" + filler,
		"三、其他事项",
		"社区食堂设在青浦区清风路88号。",
		"本指南自2026年12月31日起停止执行。",
		"每客14元。",
	}, "\n")
	di := newDocInfo(content.Disclosure{ID: "t-1", Title: "社区助餐服务指南", Body: body})
	topic := []unit{{text: "助餐服务内容", weight: 2}}
	for _, tc := range []struct {
		intent     Intent
		want, head string
	}{
		{Where, "清风路88号", "三、其他事项"},
		{When, "2026年12月31日", "三、其他事项"},
		{Amount, "14元", "三、其他事项"},
	} {
		p := passage(di, analyzed{intent: tc.intent, units: topic}, passageRunes)
		if p == nil {
			t.Fatalf("%v: no passage", tc.intent)
		}
		if !strings.Contains(p.Text, tc.want) || !strings.Contains(p.Text, tc.head) || !p.Intent {
			t.Errorf("%v: passage lacks %q under %q (intent=%v):\n%s", tc.intent, tc.want, tc.head, p.Intent, p.Text)
		}
		if !strings.Contains(p.Text, "助餐服务内容包括") {
			t.Errorf("%v: passage lost the section asked about:\n%s", tc.intent, p.Text)
		}
		if n := len([]rune(p.Text)); n > 2*passageRunes {
			t.Errorf("%v: passage of %d runes", tc.intent, n)
		}
	}
	// Without an intent the passage is the section asked about alone.
	if p := passage(di, analyzed{units: topic}, passageRunes); strings.Contains(p.Text, "清风路88号") {
		t.Errorf("no intent, yet the address came along:\n%s", p.Text)
	}
}

func TestFeeQuestionsAskForAnAmount(t *testing.T) {
	for _, q := range []string{"办这个要交钱吗", "体检收费吗", "场地免费吗", "会不会收钱", "要自费吗"} {
		if got := questionIntent(q); got != Amount {
			t.Errorf("%q: intent %q, want %q", q, got, Amount)
		}
	}
}
