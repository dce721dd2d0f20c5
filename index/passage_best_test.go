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
