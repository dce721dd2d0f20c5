package bot

import (
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/yingpu/govbot/index"
)

func hitFor(id, title string) index.Hit {
	return index.Hit{ID: id, Title: title, Department: "社区服务办", Date: "2026-03-10", URL: "https://gk.example/" + id + ".html", Status: index.Current}
}

func TestRenderAnswer(t *testing.T) {
	std := hitFor("ben-002", "关于2023年提高城乡居民最低生活保障标准的公告")
	std.Passage = &index.Passage{Text: "一、新标准\n从每人每月1420元提高到每人每月1510元。"}
	old := hitFor("ben-001", "关于调整2022年最低生活保障标准的通知")
	old.Status, old.SupersededBy = index.Superseded, &index.Ref{ID: "ben-002", Title: std.Title, Effective: "2023-07-01"}
	old.Passage = &index.Passage{Text: "每人每月1420元。", Whole: true}
	warn := hitFor("emg-001", "台风预警")
	warn.Category, warn.Status, warn.Ended = "emergency", index.Ended, "2024-09-17"
	warn.Passage = &index.Passage{Text: "台风蓝色预警。", Whole: true}
	live := warn
	live.Status, live.Ended = index.Current, "2026-11-28"
	next := hitFor("chd-009", "托育补贴")
	next.Status, next.Effective = index.Upcoming, "2027-01-01"
	rel := hitFor("ben-003", "低保申请指南")
	rel.Related = true
	unrelated := hitFor("ben-004", "无关")

	cases := []struct {
		name    string
		a       index.Answer
		want    []string
		not     []string
		choices []string
	}{
		{"passage with source, related numbered", index.Answer{Answered: true, Hits: []index.Hit{std, rel, unrelated}},
			[]string{"【" + std.Title + "】", "每人每月1510元", "来源：社区服务办，2026-03-10发布", "原文：" + std.URL, fullTextHint, "2. 低保申请指南"},
			[]string{"无关", "替代"}, []string{"ben-002", "ben-003"}},
		{"whole passage: no 全文 hint", index.Answer{Answered: true, Hits: []index.Hit{old}},
			[]string{"已被新标准替代", "《" + std.Title + "》", "2023年7月1日起执行"}, []string{fullTextHint}, []string{"ben-001"}},
		{"ended warning", index.Answer{Answered: true, Hits: []index.Hit{warn}},
			[]string{"已于2024年9月17日结束", "不在生效期"}, nil, []string{"emg-001"}},
		{"warning in force says until when", index.Answer{Answered: true, Hits: []index.Hit{live}},
			[]string{"有效期至2026年11月28日"}, []string{"结束"}, []string{"emg-001"}},
		{"upcoming", index.Answer{Answered: true, Hits: []index.Hit{next}},
			[]string{"自2027年1月1日起施行"}, nil, []string{"chd-009"}},
		{"referral", index.Answer{Decline: index.DeclineReferral, Agency: "出入境管理部门", Matter: "护照", Hits: []index.Hit{std}},
			[]string{"“护照”相关事项一般由出入境管理部门办理", "12345"}, []string{std.Title}, nil},
		{"low score", index.Answer{Decline: index.DeclineLowScore},
			[]string{"没有找到", "12345", "我能回答这些方面的问题"}, nil, nil},
		{"other area", index.Answer{Decline: index.DeclineOtherArea, AreaNamed: "汕头"},
			[]string{"只能解答盈浦街道", "“汕头”", "12345"}, nil, nil},
		{"personal case", index.Answer{Decline: index.DeclinePersonal},
			[]string{"看不到个人的申请和办理进度", "一网通办", "12345"}, nil, nil},
		{"weather", index.Answer{Decline: index.DeclineWeather}, []string{"不提供天气预报", "12345"}, nil, nil},
		{"business", index.Answer{Decline: index.DeclineBusiness}, []string{"商家", "12345"}, nil, nil},
		{"nothing near", index.Answer{Decline: index.DeclineNoPlace, RadiusKm: 10}, []string{"10公里内", "12345"}, nil, nil},
		{"not stated: next year", index.Answer{Decline: index.DeclineNotStated, Unstated: index.UnstatedFuture, Hits: []index.Hit{std, rel}},
			[]string{"没有后续的调整安排", "1. " + std.Title + "（社区服务办，2026-03-10发布）", "回复「1」查看", "12345"},
			[]string{rel.Title, "我能回答这些方面的问题", "每人每月1510元"}, []string{"ben-002"}},
		{"not stated: a place to be built", index.Answer{Decline: index.DeclineNotStated, Unstated: index.UnstatedPlan, Hits: []index.Hit{std}},
			[]string{"没有新建的计划和选址", "回复「1」查看", "12345"}, nil, []string{"ben-002"}},
		{"not stated: opening hours", index.Answer{Decline: index.DeclineNotStated, Unstated: index.UnstatedHours, Hits: []index.Hit{std}},
			[]string{"没有这里的开放时间", "回复「1」查看", "12345"}, nil, []string{"ben-002"}},
		{"not covered: a programme", index.Answer{Decline: index.DeclineNotCovered, Matter: "廉租房", Hits: []index.Hit{std}},
			[]string{"没有关于“廉租房”的内容", "社区事务受理服务中心", "12345", "我能回答这些方面的问题"}, []string{std.Title}, nil},
		{"unpublished", index.Answer{Decline: index.DeclineUnpublished, Hits: []index.Hit{std}},
			[]string{"没有正式公开的信息", "12345"}, []string{std.Title, "回复「1」"}, nil},
		{"not stated: hiring", index.Answer{Decline: index.DeclineNotStated, Unstated: index.UnstatedHiring, Hits: []index.Hit{std}},
			[]string{"没有这里招聘用人的信息", "回复「1」查看", "12345"}, nil, []string{"ben-002"}},
	}
	r := NewRenderer(RenderOptions{Related: 2, Area: "盈浦街道"})
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			text, choices := r.Numbered(c.a)
			for _, w := range c.want {
				if !strings.Contains(text, w) {
					t.Errorf("reply lacks %q:\n%s", w, text)
				}
			}
			for _, w := range c.not {
				if strings.Contains(text, w) {
					t.Errorf("reply has %q:\n%s", w, text)
				}
			}
			if !reflect.DeepEqual(choices, c.choices) {
				t.Errorf("choices %v, want %v", choices, c.choices)
			}
			if r.AnswerText(c.a) != text || r.Answer(c.a).Kind != TextReply {
				t.Error("Answer, AnswerText and Numbered disagree")
			}
		})
	}
}

// A passage that points to another disclosure the reply numbers says
// which number shows it; one it does not number is left as it is.
func TestRenderPointsToTheNumberedDisclosure(t *testing.T) {
	top := hitFor("eld-001", "长者食堂就餐指南")
	top.Passage = &index.Passage{Text: "【补贴】80周岁以上老人刷敬老卡就餐可抵扣助餐补贴，具体标准见《老年助餐补贴政策解读》。\n另见《长者食堂名录》。"}
	std := hitFor("eld-009", "老年助餐补贴政策解读")
	std.Related = true
	list := hitFor("eld-010", "长者食堂名录")
	r := NewRenderer(RenderOptions{Related: 2})
	text, choices := r.Numbered(index.Answer{Answered: true, Hits: []index.Hit{top, std, list}})
	if !strings.Contains(text, "具体标准见《老年助餐补贴政策解读》（回复「2」查看）。") {
		t.Errorf("the pointer does not name its number:\n%s", text)
	}
	if strings.Contains(text, "《长者食堂名录》（回复") {
		t.Errorf("a disclosure the reply does not number is given a number:\n%s", text)
	}
	if !reflect.DeepEqual(choices, []string{"eld-001", "eld-009"}) {
		t.Errorf("choices %v", choices)
	}
	// Without room for the related titles, nothing is numbered.
	small := NewRenderer(RenderOptions{Related: 2, MaxReplyBytes: 250})
	short := top
	short.Passage = &index.Passage{Text: "具体标准见《老年助餐补贴政策解读》。"}
	text, choices = small.Numbered(index.Answer{Answered: true, Hits: []index.Hit{short, std}})
	if len(choices) != 1 || !strings.Contains(text, "具体标准见") {
		t.Fatalf("want the passage without related titles, got %v:\n%s", choices, text)
	}
	if strings.Contains(text, "回复「2」") {
		t.Errorf("numbered with no related titles shown:\n%s", text)
	}
}

func TestRenderPlaces(t *testing.T) {
	var hits []index.Hit
	names := []string{"甲", "乙", "丙", "丁"}
	for i, km := range []float64{0.25, 1.26, 3, 4} {
		h := hitFor("eld-00"+string(rune('1'+i)), "长者食堂"+names[i])
		d := km
		h.DistanceKm, h.Place = &d, &index.Place{Name: "食堂" + names[i], Address: "路" + string(rune('1'+i)) + "号"}
		hits = append(hits, h)
	}
	r := NewRenderer(RenderOptions{})
	text, choices := r.Numbered(index.Answer{Answered: true, Near: true, Hits: hits})
	for _, w := range []string{"离您最近的服务点", "1. 食堂甲（约250米）", "2. 食堂乙（约1.3公里）", "地址：路1号", "详见《长者食堂甲》"} {
		if !strings.Contains(text, w) {
			t.Errorf("reply lacks %q:\n%s", w, text)
		}
	}
	if strings.Contains(text, "食堂丁") || !reflect.DeepEqual(choices, []string{"eld-001", "eld-002", "eld-003"}) {
		t.Errorf("want the 3 nearest numbered, got %v:\n%s", choices, text)
	}
	if strings.Contains(text, "想找特定的场所") {
		t.Error("a place question gets the hint for a bare location")
	}
	text, _ = r.Numbered(index.Answer{Answered: true, Near: true, AnyPlace: true, Hits: hits})
	if !strings.Contains(text, "想找特定的场所") {
		t.Errorf("a bare location lacks the hint:\n%s", text)
	}
}

func TestRenderKeepsWithinLimit(t *testing.T) {
	long := hitFor("x-1", strings.Repeat("很长的标题", 10))
	long.Passage = &index.Passage{Text: strings.Repeat("第一行内容，说明办理事项。\n", 200)}
	full := long
	full.Passage = &index.Passage{Text: long.Passage.Text, Whole: true}
	for _, limit := range []int{200, 300, 600, 2048} {
		r := NewRenderer(RenderOptions{MaxReplyBytes: limit})
		for name, h := range map[string]index.Hit{"passage": long, "full text": full} {
			text := r.AnswerText(index.Answer{Answered: true, Hits: []index.Hit{h}})
			if len(text) > limit || !utf8.ValidString(text) {
				t.Errorf("%s, limit %d: %d bytes", name, limit, len(text))
			}
			if limit >= 600 && !strings.Contains(text, h.URL) {
				t.Errorf("%s, limit %d: the link was cut:\n%s", name, limit, text)
			}
		}
		if limit >= 600 {
			text := r.Full(full).Text
			if !strings.Contains(text, fullCutHint) || strings.Contains(text, fullTextHint) {
				t.Errorf("limit %d: a cut 全文 should say so, not offer 全文 again:\n%s", limit, text)
			}
		}
	}
}
