package index

import (
	"strings"
	"testing"

	"github.com/yingpu/govbot/content"
)

// Passage.Best is the one line that answers: the line holding what the
// intent asks for over a line that only repeats the question's words; for
// a question without intent, the top line holding its words; nothing when
// no line holds anything of the question. A short body shown whole has
// its best line too.
func TestPassageBestLine(t *testing.T) {
	filler := strings.Repeat("社区助餐服务由街道统一组织，居委会协助登记，服务对象按规定享受相应服务。", 6)
	long := newDocInfo(content.Disclosure{ID: "t-1", Title: "社区助餐服务指南", Body: strings.Join([]string{
		"一、服务内容",
		"助餐服务内容包括堂食和送餐，到服务窗口登记后即可使用。",
		filler,
		"二、收费标准",
		"堂食每客14元，送餐每客另加3元。",
		"三、服务地点",
		"社区食堂设在青浦区清风路88号。",
		"咨询电话：021-59281234。",
	}, "\n")})
	short := newDocInfo(content.Disclosure{ID: "t-2", Title: "长者食堂供餐公告", Body: "长者食堂每天11:00开始供餐。\n地址：青浦区清风路88号。"})
	for _, tc := range []struct {
		name   string
		di     *docInfo
		a      analyzed
		want   string
		whole  bool
		absent bool
	}{
		{name: "amount", di: long, a: analyzed{intent: Amount, units: unitsOf("助餐")}, want: "堂食每客14元，送餐每客另加3元。"},
		{name: "where", di: long, a: analyzed{intent: Where, units: unitsOf("助餐")}, want: "社区食堂设在青浦区清风路88号。"},
		{name: "phone", di: long, a: analyzed{intent: Phone, units: unitsOf("助餐")}, want: "咨询电话：021-59281234。"},
		{name: "no intent", di: long, a: analyzed{units: unitsOf("送餐")}, want: "堂食每客14元，送餐每客另加3元。"},
		{name: "no intent, a price in plain words", di: long, a: analyzed{units: unitsOf("食堂"), also: []Intent{Amount}}, want: "堂食每客14元，送餐每客另加3元。"},
		{name: "whole, hours", di: short, a: analyzed{intent: Hours, units: unitsOf("食堂")}, want: "长者食堂每天11:00开始供餐。", whole: true},
		{name: "nothing of the question", di: long, a: analyzed{units: unitsOf("游泳")}, absent: true},
	} {
		p := passage(tc.di, tc.a, passageRunes)
		if p == nil {
			t.Fatalf("%s: no passage", tc.name)
		}
		if tc.absent {
			if p.Best != "" {
				t.Errorf("%s: best line %q, want none", tc.name, p.Best)
			}
			continue
		}
		if p.Best != tc.want || p.Whole != tc.whole {
			t.Errorf("%s: best %q (whole %v), want %q (whole %v)", tc.name, p.Best, p.Whole, tc.want, tc.whole)
		}
		if !strings.Contains(p.Text, p.Best) {
			t.Errorf("%s: best line %q is not in the passage:\n%s", tc.name, p.Best, p.Text)
		}
	}
}

// A phone intent is a request for the number; the word 电话 alone, as a
// way of applying or in a story of a call, is not.
func TestPhoneIntentNeedsARequestForTheNumber(t *testing.T) {
	for _, tc := range []struct {
		q    string
		want Intent
	}{
		{"电话多少", Phone},
		{"街道自己的电话多少", Phone},
		{"投诉打哪个电话", Phone},
		{"柳溪助餐点订餐电话", Phone},
		{"受理中心的联系方式", Phone},
		{"有没有电话可以问", Phone},
		{"怎么联系社区医生", Phone},
		{"12345热线", Phone},
		{"可以打电话申请吗", Process},
		{"可以电话预约吗", Process},
		{"能不能电话预约", Eligibility},
		{"材料可以邮寄办理吗", Materials},
		{"能网上办吗", Process},
		{"有人打电话说帮我代办年报收三百块，靠谱吗", AnyIntent},
	} {
		if got := questionIntent(tc.q); got != tc.want {
			t.Errorf("%q: intent %q, want %q", tc.q, got, tc.want)
		}
	}
}

// A question whether a way of doing it will do (可以打电话申请吗) is
// answered by the line that speaks of that way (不受理电话申请), not by
// the line with the phone number nor by the other ways alone.
func TestPassageWayAskedAbout(t *testing.T) {
	filler := strings.Repeat("申请人应当如实填写申请表，并对所填内容的真实性负责。", 6)
	di := newDocInfo(content.Disclosure{ID: "t-3", Title: "政府信息依申请公开办事指南", Body: strings.Join([]string{
		"一、受理点",
		"受理点：街道办事处一楼（青浦区秀泽路101号）；",
		"咨询电话：021-59283011。",
		"二、申请方式",
		"（一）当面申请：到受理点填写申请表，并出示有效身份证件；",
		"（二）网上申请：登录街道网站在线填写提交。",
		"本机关不受理电话申请，但可以通过电话提供咨询。",
		"三、其他",
		filler,
	}, "\n")})
	for _, tc := range []struct{ q, want string }{
		{"可以打电话申请吗", "本机关不受理电话申请，但可以通过电话提供咨询。"},
		{"能网上申请吗", "（二）网上申请：登录街道网站在线填写提交。"},
		{"能不能电话申请", "本机关不受理电话申请，但可以通过电话提供咨询。"},
	} {
		a := analyzed{intent: questionIntent(tc.q), units: unitsOf("申请")}
		if reWayAsked.MatchString(tc.q) {
			a.means = meansAsked(tc.q)
		}
		p := passage(di, a, passageRunes)
		if p.Best != tc.want || !strings.Contains(p.Text, tc.want) {
			t.Errorf("%q: best %q, want %q; passage:\n%s", tc.q, p.Best, tc.want, p.Text)
		}
	}
}
