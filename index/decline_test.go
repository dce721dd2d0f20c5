package index

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"

	"github.com/yingpu/govbot/content"
)

// guideCorpus is an index of n guides that each name, in their body, the
// office where they are handled, plus extra: the shape of a district's
// 办事指南 (a body word common to most disclosures, in the title of few).
func guideCorpus(t *testing.T, n int, extra ...content.Disclosure) *Index {
	t.Helper()
	dir := t.TempDir()
	var lines []string
	for i := range n {
		d := newDisclosure(t, fmt.Sprintf("g-%03d", i), fmt.Sprintf("第%d号专项补贴申请指南", i+1),
			fmt.Sprintf("一、申请条件\n符合第%d号专项规定的居民。\n二、办理地点\n社区事务受理服务中心综合窗口。", i+1))
		lines = append(lines, jsonLine(t, d))
	}
	for _, d := range extra {
		lines = append(lines, jsonLine(t, d))
	}
	writeJSONL(t, filepath.Join(dir, "disclosures", "guides.jsonl"), lines...)
	ix, err := OpenOrBuild(context.Background(), Options{Dir: t.TempDir(), DataDir: dir, LexiconDir: "../data"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ix.Close() })
	return ix
}

// Words that together are in the body of most disclosures but in the title
// of few are distinctive for a disclosure whose title holds them: the
// office's own guide answers a question naming the office, though every
// guide names it in its body.
func TestWordsTogetherInFewTitlesAreDistinctive(t *testing.T) {
	office := newDisclosure(t, "office", "社区事务受理服务中心办事指引",
		"社区事务受理服务中心地址：示例路1号。办公时间：周一至周五9:00-17:00。")
	ix := guideCorpus(t, 60, office)
	ans := askOn(t, ix, Query{Text: "社区事务受理服务中心", Now: evalDay})
	if !ans.Answered || len(ans.Hits) == 0 || ans.Hits[0].ID != "office" {
		t.Fatalf("社区事务受理服务中心: answered=%v decline=%q hits %v", ans.Answered, ans.Decline, hitIDs(ans))
	}
	// Words in every title and every body stay common: no answer.
	if ans := askOn(t, ix, Query{Text: "专项补贴申请指南", Now: evalDay}); ans.Answered {
		t.Errorf("专项补贴申请指南 answered from %v", hitIDs(ans))
	}
}

// A question asking what a disclosure on its matter does not state (next
// year's change, where a new place will be built) is not answered with
// what holds now as if it were the plan.
func TestUnstated(t *testing.T) {
	now := evalDay // 2026-11-26
	cases := []struct {
		q, title, body string
		status         content.Status
		want           string
	}{
		{"加装电梯的奖励明年会提高吗", "加装电梯办事指南", "街道对完成验收的项目给予每台2万元奖励。", content.InForce, UnstatedFuture},
		{"下一年度补贴标准还调整吗", "补贴标准", "每人每月200元。", content.InForce, UnstatedFuture},
		{"2028年会涨吗", "补贴标准", "每人每月200元。", content.InForce, UnstatedFuture},
		// The disclosure speaks of the year to come, or is itself to come.
		{"加装电梯的奖励明年会提高吗", "加装电梯办事指南", "2027年起奖励提高到每台3万元。", content.InForce, ""},
		{"补贴明年会提高吗", "补贴标准", "明年起每人每月250元。", content.InForce, ""},
		{"补贴明年会提高吗", "补贴标准", "每人每月250元。", content.NotYetEffective, ""},
		// A date in the year to come is no change stated for it …
		{"托育费明年会涨吗", "托育点春季插班招生公告", "2027年春季插班招生，每月收费3000元。", content.InForce, UnstatedFuture},
		// … but a disclosure of that year tells its figures.
		{"2027年春季插班收费多少", "托育点2027年春季插班招生公告", "每月收费3000元。", content.InForce, ""},
		{"2027年低保标准是多少", "关于2026年调整低保标准的公告", "2026年7月起每人每月1600元。", content.InForce, UnstatedFuture},
		{"明年育儿补贴多少", "育儿补贴政策问答", "每孩每年3600元，发放至3周岁。", content.InForce, ""},
		// A claim to check is answered by what holds now.
		{"听说明年低保要涨到2000了，是真的吗", "低保标准", "每人每月1600元。", content.InForce, ""},
		// A year to come without a change asked of it.
		{"孩子明年三月想入托，现在能报名吗", "托育点招生", "常年接受报名。", content.InForce, ""},
		{"今年涨了多少", "补贴标准", "每人每月200元。", content.InForce, ""},
		// A place to be built.
		{"第二个服务中心准备建在哪里", "服务中心开放时间", "地址：示例路1号，每天8:00开放。", content.InForce, UnstatedPlan},
		{"北边什么时候能建个卫生站", "生活圈项目清单", "规划新建社区卫生服务站1处。", content.InForce, ""},
		{"服务中心在哪里", "服务中心开放时间", "地址：示例路1号。", content.InForce, ""},
		// When a place opens, stated by its hours.
		{"湖边公园几点开门几点关门", "湖边公园周边夜间经营方案意见采纳情况", "夜间经营结束时间由23:00提前到22:00。", content.InForce, UnstatedHours},
		{"食堂几点开门", "长者食堂就餐指南", "供餐时间：周一至周五11:00—12:30。", content.InForce, ""},
		{"文化中心周六开门吗", "文化中心开放时间", "周二至周日开放。", content.InForce, ""},
		{"听证会几点开", "听证会公告", "听证会于12月5日14:00举行。", content.InForce, ""},
		// Whether a place takes on staff, stated by a recruitment.
		{"长者食堂招不招厨师", "助餐点服务公告", "每份套餐13元，请提前报名订餐。", content.InForce, UnstatedHiring},
		{"街道还缺不缺人", "公益性岗位招聘公告", "招聘保洁员5名。", content.InForce, ""},
		{"托育点还招不招小孩", "托育点招生公告", "春季插班招生10名。", content.InForce, ""},
	}
	for _, c := range cases {
		d := newDisclosure(t, "d", c.title, c.body)
		cand := &candidate{info: newDocInfo(d), status: c.status}
		if got := unstated(c.q, cand, now); got != c.want {
			t.Errorf("%q on %q: %q, want %q", c.q, c.body, got, c.want)
		}
	}
}

// Asked through the index: the best disclosure on the matter is named as
// what is published, and the question is not answered; a close runner-up
// that does state it answers instead.
func TestAskDeclinesWhatIsNotStated(t *testing.T) {
	guide := newDisclosure(t, "lift", "加装电梯办事指南", "符合条件的项目可申请补贴。街道对完成验收的加装电梯项目给予每台2万元的一次性奖励。")
	centre := newDisclosure(t, "centre", "为老服务中心服务项目及开放时间", "为老服务中心位于示例路1号，每天8:00—17:30开放，提供日间照护和助浴服务。")
	plan := newDisclosure(t, "plan", "社区生活圈行动项目清单", "为老服务中心（第二处）：规划新建，选址示例路北侧，2027年开工。", "为老服务中心")
	ix := guideCorpus(t, 60, guide, centre)
	ans := askOn(t, ix, Query{Text: "加装电梯奖励明年会提高吗", Now: evalDay})
	if ans.Answered || ans.Decline != DeclineNotStated || ans.Unstated != UnstatedFuture || len(ans.Hits) == 0 || ans.Hits[0].ID != "lift" {
		t.Fatalf("加装电梯奖励明年会提高吗: answered=%v decline=%q unstated=%q hits %v", ans.Answered, ans.Decline, ans.Unstated, hitIDs(ans))
	}
	if ans := askOn(t, ix, Query{Text: "加装电梯奖励是多少", Now: evalDay}); !ans.Answered || ans.Hits[0].ID != "lift" {
		t.Errorf("加装电梯奖励是多少: answered=%v decline=%q hits %v", ans.Answered, ans.Decline, hitIDs(ans))
	}
	q := "新的为老服务中心准备建在哪里"
	if ans := askOn(t, ix, Query{Text: q, Now: evalDay}); ans.Answered || ans.Decline != DeclineNotStated || ans.Unstated != UnstatedPlan {
		t.Errorf("%s without a plan: answered=%v decline=%q hits %v", q, ans.Answered, ans.Decline, hitIDs(ans))
	}
	ix = guideCorpus(t, 60, guide, centre, plan)
	if ans := askOn(t, ix, Query{Text: q, Now: evalDay}); !ans.Answered || ans.Hits[0].ID != "plan" {
		t.Errorf("%s with a plan published: answered=%v decline=%q hits %v", q, ans.Answered, ans.Decline, hitIDs(ans))
	}
}

// What only a withheld disclosure (a draft) speaks of is declined as
// unpublished, nothing of it told; what the published edition answers is
// answered, though the draft's title is closer to the question.
func TestAskUnpublished(t *testing.T) {
	notice := newDisclosure(t, "std", "关于提高助餐服务收费标准的公告", "自2026年1月起，助餐套餐每份15元。")
	draft := newDisclosure(t, "draft", "关于调整助餐服务收费标准和新设夜间食堂的方案（讨论稿）", "讨论稿，请勿外传。夜间食堂拟设于示例路9号，套餐每份18元。")
	draft.Review.Status = "draft"
	ix := guideCorpus(t, 60, notice, draft)
	ans := askOn(t, ix, Query{Text: "夜间食堂", Now: evalDay})
	if ans.Answered || ans.Decline != DeclineUnpublished {
		t.Fatalf("夜间食堂: answered=%v decline=%q hits %v", ans.Answered, ans.Decline, hitIDs(ans))
	}
	for _, h := range ans.Hits {
		if h.ID == "draft" {
			t.Fatalf("the draft is a hit: %+v", h)
		}
	}
	if ans := askOn(t, ix, Query{Text: "助餐服务收费标准调整", Now: evalDay}); !ans.Answered || ans.Hits[0].ID != "std" {
		t.Errorf("助餐服务收费标准调整: answered=%v decline=%q hits %v", ans.Answered, ans.Decline, hitIDs(ans))
	}
}

// What no disclosure may answer is told apart from what one may: the
// weather from a warning, a business or which one to choose, a
// resident's own payment, what no subdistrict publishes.
func TestClassify(t *testing.T) {
	ix := sampleIndex(t)
	cases := []struct {
		q    string
		want Decline // NotDeclined: a disclosure may answer
	}{
		{"明天会下雨吗", DeclineWeather},
		{"这周末天气好不好", DeclineWeather},
		{"明天要不要穿羽绒服", DeclineWeather},
		{"暴雨预警明天会下雨吗", NotDeclined},
		{"今天天气这么热，老人要注意什么", NotDeclined},
		{"附近哪家超市最便宜", DeclineBusiness},
		{"哪家幼儿园好", DeclineBusiness},
		{"推荐个装修公司", DeclineBusiness},
		{"幼儿园在哪", NotDeclined},
		{"今天股市怎么样", DeclineNotCovered},
		{"我的养老金为什么少发了", DeclinePersonal},
		{"我的低保金这个月没到账", DeclinePersonal},
		{"养老金什么时候发", NotDeclined},
		{"老板两个月没发我工资", NotDeclined},
		{"杭州的低保标准是多少", DeclineOtherArea},
		{"北京路长者食堂", NotDeclined},
	}
	for _, c := range cases {
		got := NotDeclined
		if o := ix.classify(c.q); o != nil {
			got = o.kind
		}
		if got != c.want {
			t.Errorf("%s: %q, want %q", c.q, got, c.want)
		}
	}
}

// A short question naming a programme by a word no disclosure holds is
// not covered, the programme named; once a disclosure holds it, it is
// answered.
func TestAskAbsentProgramme(t *testing.T) {
	dibao := newDisclosure(t, "dibao", "低保申请办事指南", "一、申请条件\n家庭月人均收入低于低保标准。\n二、办理地点\n社区事务受理服务中心。")
	ix := guideCorpus(t, 60, dibao)
	ans := askOn(t, ix, Query{Text: "廉租房申请条件", Now: evalDay})
	if ans.Answered || ans.Decline != DeclineNotCovered || ans.Matter != "廉租房" {
		t.Fatalf("廉租房申请条件: answered=%v decline=%q matter=%q hits %v", ans.Answered, ans.Decline, ans.Matter, hitIDs(ans))
	}
	if ans := askOn(t, ix, Query{Text: "低保申请条件", Now: evalDay}); !ans.Answered || ans.Hits[0].ID != "dibao" {
		t.Errorf("低保申请条件: answered=%v decline=%q hits %v", ans.Answered, ans.Decline, hitIDs(ans))
	}
	rent := newDisclosure(t, "rent", "廉租住房申请办事指南", "廉租房申请条件：本市户籍，家庭人均住房面积低于7平方米。")
	ix = guideCorpus(t, 60, dibao, rent)
	if ans := askOn(t, ix, Query{Text: "廉租房申请条件", Now: evalDay}); !ans.Answered || ans.Hits[0].ID != "rent" {
		t.Errorf("廉租房申请条件 with a disclosure on it: answered=%v decline=%q hits %v", ans.Answered, ans.Decline, hitIDs(ans))
	}
}

// A disclosure that holds the question's words only in passing (each in
// one line of its body, far apart, none in its title or a heading) is no
// answer: the question is declined. The same words in one line, or one of
// them in the title, and it answers.
func TestAskDeclinesWordsInPassing(t *testing.T) {
	centre := "一、服务项目\n提供日间照料、助浴和康复训练。\n二、健康小屋\n每天上午可免费测量血压、血糖。\n三、交通\n中心门口设有无障碍坡道，附近有公交站点。"
	cases := []struct {
		name, title, body string
		answered          bool
	}{
		{"scattered in the body", "社区综合为老服务中心服务项目", centre, false},
		{"in one line", "社区综合为老服务中心服务项目", centre + "\n四、出行\n持敬老卡的老人可免费乘坐公交。", true},
		{"one in a heading", "社区综合为老服务中心服务项目", "一、服务项目\n提供日间照料。\n二、公交出行\n每天上午可免费测量血压。\n附近有公交站点，往来便利。", true},
		{"one in the title", "老年人公交出行服务指南", centre, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ix := guideCorpus(t, 60, newDisclosure(t, "doc", tc.title, tc.body))
			ans := askOn(t, ix, Query{Text: "坐公交免费吗", Now: evalDay})
			if len(ans.Hits) == 0 || ans.Hits[0].ID != "doc" {
				t.Fatalf("hits %v, want doc first", hitIDs(ans))
			}
			if ans.Answered != tc.answered {
				t.Errorf("answered=%v decline=%q, want answered=%v", ans.Answered, ans.Decline, tc.answered)
			}
			if !tc.answered && ans.Decline != DeclineLowScore {
				t.Errorf("decline %q, want %q", ans.Decline, DeclineLowScore)
			}
		})
	}
}
