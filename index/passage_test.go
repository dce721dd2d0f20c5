package index

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/yingpu/govbot/clock"
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

// unitsOf makes question units of words, each of weight 1.
func unitsOf(words ...string) []unit {
	us := make([]unit, len(words))
	for i, w := range words {
		us[i] = unit{text: w, weight: 1}
	}
	return us
}

// A question that names only a matter gets its key facts (the amount, the
// time limit, the place), each under its heading, not the first section.
func TestPassageKeyFactsWithoutIntent(t *testing.T) {
	body := strings.Join([]string{
		"一、适用情形",
		"因意外事件或突发重大疾病导致基本生活暂时出现严重困难的家庭，可以申请社区帮扶。",
		"因教育等必需支出突然增加，超出家庭承受能力的家庭，也可以申请社区帮扶。",
		"遭遇其他特殊困难、经居委会核实的家庭，可以向街道提出申请，由街道研究决定。",
		"二、帮扶标准",
		"根据困难程度一次性给予帮扶，一般在当月低保标准的3倍以内。",
		"三、申请材料",
		"身份证或居住证、申请书、困难情况说明。",
		"四、办理时限",
		"材料齐全的，街道在5个工作日内作出决定。",
		"五、办理地点",
		"社区事务受理服务中心（清风路88号），电话021-59281234。",
	}, "\n")
	di := newDocInfo(content.Disclosure{ID: "t-2", Title: "社区帮扶办事指南", Body: body})
	p := passage(di, analyzed{units: unitsOf("社区帮扶")}, passageRunes)
	for _, want := range []string{"二、帮扶标准", "3倍", "5个工作日", "清风路88号"} {
		if !strings.Contains(p.Text, want) {
			t.Errorf("key facts lack %q:\n%s", want, p.Text)
		}
	}
	if n := len([]rune(p.Text)); n > passageRunes+passageRunes/8 {
		t.Errorf("passage of %d runes, over the budget %d", n, passageRunes)
	}
	// Its lines keep the disclosure's order.
	if strings.Index(p.Text, "3倍") > strings.Index(p.Text, "清风路88号") {
		t.Errorf("lines out of order:\n%s", p.Text)
	}
}

// A disclosure of questions and answers answers with the pair whose
// question holds the resident's words, 问 line included.
func TestPassageQuestionAnswerPair(t *testing.T) {
	body := strings.Join([]string{
		"问1：托育补贴怎么领？",
		"答：符合条件的家庭每孩每年可领取托育补贴3600元，通过“随申办”在线申请，也可以到社区事务受理服务中心窗口申请，申请时需要提供出生医学证明和父母身份证。",
		"问2：托育补贴要交税吗？",
		"答：托育补贴免征个人所得税，不计入家庭收入，不影响低保等社会救助资格认定，也不影响其他补贴的领取。",
		"问3：社区托育点在哪里？",
		"答：社区托育点设在清风路88号二楼，周一至周五7:30—17:30开放，可以先电话预约参观。",
		"问4：孩子生病住院，医保能报吗？",
		"答：新生儿出生后90天内参保的，自出生之日起享受医保待遇。",
	}, "\n")
	di := newDocInfo(content.Disclosure{ID: "t-3", Title: "托育服务政策问答", Body: body})
	p := passage(di, analyzed{intent: Where, units: unitsOf("托育点")}, passageRunes)
	if !strings.Contains(p.Text, "问3：社区托育点在哪里？") || !strings.Contains(p.Text, "清风路88号") {
		t.Errorf("the matching pair is missing:\n%s", p.Text)
	}
	if strings.Index(p.Text, "问3") > strings.Index(p.Text, "清风路88号") {
		t.Errorf("the answer comes before its question:\n%s", p.Text)
	}
}

// An event table answers, as of the day asked, with the rows still to
// come: the rows whose date has passed give way.
func TestPassageTableRowsStillToCome(t *testing.T) {
	rows := []string{"| 日期 | 时间 | 活动内容 | 地点 |"}
	for _, d := range []string{"11月7日", "11月14日", "11月21日", "11月28日", "12月5日"} {
		rows = append(rows, "| "+d+"（星期六） | 9:30—11:00 | 走进社区事务受理服务中心，体验帮办服务和自助终端 | 清风路88号三楼 |")
	}
	body := "为让居民走进街道、了解街道工作，街道开展开放日活动，活动安排如下：\n" + strings.Join(rows, "\n") +
		"\n报名方式：每场限20人，请在活动日前3天拨打021-59281234报名。"
	published, _ := content.ParseDate("2026-10-20")
	di := newDocInfo(content.Disclosure{ID: "t-4", Title: "街道开放日活动安排", Body: body, Published: published})
	now := time.Date(2026, 11, 26, 12, 0, 0, 0, clock.Shanghai)
	p := passage(di, analyzed{units: unitsOf("开放日"), now: now}, passageRunes)
	for _, want := range []string{"| 日期 |", "11月28日", "12月5日"} {
		if !strings.Contains(p.Text, want) {
			t.Errorf("lacks %q:\n%s", want, p.Text)
		}
	}
	if strings.Contains(p.Text, "11月7日") && !strings.Contains(p.Text, "12月5日") {
		t.Errorf("a past row shown before the ones to come:\n%s", p.Text)
	}
	// Before the events, the first rows answer.
	early := passage(di, analyzed{units: unitsOf("开放日"), now: now.AddDate(0, -1, 0)}, passageRunes)
	if !strings.Contains(early.Text, "11月7日") {
		t.Errorf("a month earlier, the first row is missing:\n%s", early.Text)
	}
}

// A line that leads a list (…同时具备以下条件：) brings its items.
func TestPassageListComesWithItsLead(t *testing.T) {
	body := strings.Join([]string{
		"【认定对象】同时具备以下条件的本市户籍老年人、残疾人和未成年人，可认定为特困人员：",
		"1. 无劳动能力；",
		"2. 无生活来源；",
		"3. 无法定赡养、扶养、抚养义务人。",
		"【供养内容】提供基本生活条件，对生活不能自理的给予照料，提供疾病治疗，办理丧葬事宜。",
		"【供养形式】分散供养或者集中供养，由本人自愿选择，集中供养的费用由政府承担。",
		"【办理流程】本人向社区事务受理服务中心提出，街道核查并公示7天，全程一般不超过20个工作日。",
		"【办理地点】社区事务受理服务中心社会救助窗口（清风路88号）。",
	}, "\n")
	di := newDocInfo(content.Disclosure{ID: "t-5", Title: "特困人员救助供养办事指南", Body: body})
	p := passage(di, analyzed{intent: Eligibility, units: unitsOf("特困", "条件")}, passageRunes)
	for _, want := range []string{"以下条件", "1. 无劳动能力", "2. 无生活来源", "3. 无法定"} {
		if !strings.Contains(p.Text, want) {
			t.Errorf("lacks %q:\n%s", want, p.Text)
		}
	}
}

// 多久, 多长时间 ask for a time limit; the line with the time the whole
// matter takes answers.
func TestDurationQuestions(t *testing.T) {
	for _, q := range []string{"要多久才能办好", "审批要多长时间", "几个工作日能拿到"} {
		if got := questionIntent(q); got != Duration {
			t.Errorf("%q: intent %q, want %q", q, got, Duration)
		}
	}
	body := strings.Join([]string{
		"一、办理流程",
		"（一）受理：材料齐全的当场受理，出具受理回执；",
		"（二）调查：街道会同居委会在10个工作日内入户调查，了解实际生活状况；",
		"（三）公示：拟批准的家庭在居委会公示栏公示7天；",
		"（四）审批：公示无异议的，由街道审核确认，自受理之日起一般30个工作日内办结。",
		"二、发放",
		"补助金按月发放至本人社会保障卡金融账户，发放标准按本市当年公布的标准执行。",
		"三、咨询",
		"社区事务受理服务中心社会救助窗口，周一至周五8:30—17:00，电话021-59281234。",
		"四、其他",
		"享受补助的家庭每年复核一次，家庭人口、收入发生变化的，应在变化之日起1个月内告知街道。",
	}, "\n")
	di := newDocInfo(content.Disclosure{ID: "t-6", Title: "生活补助申请办事指南", Body: body})
	p := passage(di, analyzed{intent: Duration, units: unitsOf("补助", "审批")}, passageRunes)
	if !strings.Contains(p.Text, "30个工作日内办结") || !p.Intent {
		t.Errorf("the time limit is missing (intent=%v):\n%s", p.Intent, p.Text)
	}
}

// 能领…吗 asks whether one may have it; 怎么参与 how to take part.
func TestMayAndHowQuestions(t *testing.T) {
	for q, want := range map[string]Intent{
		"外地户口的老人能领老年津贴吗": Eligibility,
		"我能申请住房补贴吗？":     Eligibility,
		"居民怎么参与重大决策":     Process,
		"如何预约体检":         Process,
	} {
		if got := questionIntent(q); got != want {
			t.Errorf("%q: intent %q, want %q", q, got, want)
		}
	}
}

// A question that names only a matter is first told what it is: its
// standard and who may have it, before the other facts.
func TestPassageStandardFirstWithoutIntent(t *testing.T) {
	body := strings.Join([]string{
		"一、服务内容",
		"生活照料、基础护理和精神慰藉等，由签约服务机构派人员上门提供，每次服务不少于1小时。",
		"助浴服务每月不少于2次，由服务机构提前1天电话预约上门时间。",
		"助洁服务每周1次，包括居室清洁、衣物洗涤和生活用品整理，由同一名护理员固定上门。",
		"助行服务按需预约，陪同就医、外出办事的，服务机构在2个工作日内安排人员。",
		"二、申请流程",
		"本人或家属向居委会提出申请，街道在10个工作日内确定补贴比例，签约服务机构按月上门服务。",
		"三、办理地点",
		"社区事务受理服务中心9号窗口（清风路88号），周一至周五8:30—17:00。",
		"四、补贴对象",
		"本市户籍、年满60周岁，经统一需求评估达到照护二级至六级的独居老人。",
		"五、其他",
		"服务机构名单在街道网站公布，居民可以自行选择，对服务不满意的每季度可以更换一次，更换后1个月内生效。",
	}, "\n")
	di := newDocInfo(content.Disclosure{ID: "t-7", Title: "居家照护补贴申请办事指南", Body: body})
	p := passage(di, analyzed{units: unitsOf("居家照护补贴")}, passageRunes)
	if !strings.Contains(p.Text, "二级至六级") {
		t.Errorf("who may have it is missing:\n%s", p.Text)
	}
}

// A question that asks two things (在哪里办，多少钱) gets both.
func TestPassageTwoThingsAsked(t *testing.T) {
	body := strings.Join([]string{
		"一、招收对象：本街道户籍或居住证登记在本街道的小学在校学生，每期招收80人。",
		"二、办班时间：第一期7月6日至7月31日，第二期8月3日至8月21日，每周一至周五8:30—16:30。",
		"三、活动内容：作业辅导、阅读、体育、手工和安全教育，由志愿者和专业社工共同带班，每天安排午休。",
		"四、办班地点：清风路小学（清风路300号）。",
		"五、报名方式：家长携带户口簿或居住证、孩子学生证到居委会报名，额满即止。",
		"六、注意事项：请家长按时接送孩子，因故不能参加的提前一天告知带班老师，连续3天无故缺席的取消资格。",
		"七、收费：每期收取伙食和保险费用200元，低保家庭子女免费。",
		"八、咨询电话：021-59281234。",
	}, "\n")
	di := newDocInfo(content.Disclosure{ID: "t-8", Title: "暑期托管班报名通知", Body: body})
	q := "暑期托管班在哪里办的，多少钱一期？"
	a := analyzed{intent: questionIntent(q), also: alsoAsked(q, questionIntent(q)), units: unitsOf("托管班")}
	p := passage(di, a, passageRunes)
	for _, want := range []string{"清风路300号", "200元"} {
		if !strings.Contains(p.Text, want) {
			t.Errorf("lacks %q:\n%s", want, p.Text)
		}
	}
	// 电话多少 asks for a phone number only.
	if got := alsoAsked("电话多少", Phone); len(got) != 0 {
		t.Errorf("电话多少 also asks %v", got)
	}
}

// 经营场所 names a place without giving one: a question of where to go is
// answered by the line with the address.
func TestPassageWhereIsAnAddress(t *testing.T) {
	body := strings.Join([]string{
		"一、可以办理的事项",
		"个体工商户设立登记、变更登记（名称、经营者、经营范围、经营场所等）、注销登记，以及营业执照遗失补领。",
		"二、所需材料",
		"1. 登记申请书；",
		"2. 经营者身份证；",
		"3. 经营场所使用证明：自有房屋提供产权证明，租赁房屋提供租赁合同和出租方产权证明；",
		"三、经营场所要求",
		"经营场所应为商业、办公等非住宅用房。利用住宅从事经营的，须符合法律法规和管理规约，并征得有利害关系业主同意。",
		"住宅内不得从事餐饮、歌舞娱乐、生产加工、危险化学品经营等活动，经营场所的消防、环保等须符合有关规定。",
		"同一经营场所登记多个个体工商户的，应分别提供经营场所使用证明，并在场所显著位置悬挂营业执照。",
		"四、办理方式",
		"（一）线上：登录“一网通办”，进入“个体工商户登记”栏目在线提交；",
		"（二）线下：企业服务中心（清风路260号一楼）帮办窗口，工作人员可以指导网上申报。",
		"五、办理时限和费用",
		"材料齐全、符合法定形式的，1个工作日内办结，不收取任何费用。",
	}, "\n")
	di := newDocInfo(content.Disclosure{ID: "t-9", Title: "个体工商户登记办事指南", Body: body})
	p := passage(di, analyzed{intent: Where, units: unitsOf("执照")}, passageRunes)
	if !strings.Contains(p.Text, "清风路260号") {
		t.Errorf("the address is missing:\n%s", p.Text)
	}
}

// A page imported from HTML: its headings are bare lines (办理地点), its
// table rows are "name：value；…" lines. The section under a bare heading
// answers, and the rows still to come are shown.
func TestPassageImportedPage(t *testing.T) {
	body := strings.Join([]string{
		"为方便居民办事，街道社区事务受理服务中心提供综合窗口服务，现将有关事项告知如下。",
		"服务内容",
		"社会救助、养老服务、就业登记、医保参保等183项个人事项，实行一窗受理、全区通办。",
		"办理地点",
		"青浦区清风路88号一楼大厅，地铁17号线清风站2号口出步行约300米。",
		"周末服务安排",
		"日期：11月7日；时间：9:00—12:00；内容：医保参保、敬老卡办理",
		"日期：11月14日；时间：9:00—12:00；内容：就业登记、社保卡补办",
		"日期：11月21日；时间：9:00—12:00；内容：居住证办理、积分咨询",
		"日期：11月28日；时间：9:00—12:00；内容：医保参保、敬老卡办理",
		"日期：12月5日；时间：9:00—12:00；内容：就业登记、社保卡补办",
		"其他事项",
		"办理前可以通过“随申办”预约，预约成功的优先办理；没有预约的现场取号，工作人员会提供帮办服务。",
	}, "\n")
	published, _ := content.ParseDate("2026-10-20")
	di := newDocInfo(content.Disclosure{ID: "t-10", Title: "社区事务受理服务中心服务告知", Body: body, Published: published})
	now := time.Date(2026, 11, 26, 12, 0, 0, 0, clock.Shanghai)
	p := passage(di, analyzed{intent: Where, units: unitsOf("受理中心"), now: now}, passageRunes)
	if !strings.Contains(p.Text, "办理地点\n青浦区清风路88号") {
		t.Errorf("the address is not under its heading:\n%s", p.Text)
	}
	p = passage(di, analyzed{units: unitsOf("周末服务"), now: now}, passageRunes)
	if !strings.Contains(p.Text, "11月28日") || !strings.Contains(p.Text, "12月5日") {
		t.Errorf("the weekend rows still to come are missing:\n%s", p.Text)
	}
	if strings.Contains(p.Text, "11月7日") {
		t.Errorf("a past weekend shown:\n%s", p.Text)
	}
}

// A line shown because another comes under it counts once against the
// budget, however well it scores itself.
func TestPassageLineCountsOnce(t *testing.T) {
	long := "报名人数超过名额的，按本街道户籍、双职工家庭、二孩及以上家庭的顺序优先，同等条件下公开摇号，录取结果于12月22日前电话通知，1月4日入托，未录取的进入候补名单并按顺序递补，名单在园内公示。"
	body := strings.Join([]string{
		"一、招收对象：2023年9月1日至2025年3月31日出生的婴幼儿。",
		"二、收托时间：周一至周五7:30—17:15，提供全日托，寒暑假各休整2周。",
		"三、收费：保育费每月1950元（普惠价格），伙食费每天16元，按实际出勤结算，享受育儿补贴的家庭不影响入托。",
		"四、录取：" + long,
		"地址：青浦区清风路260号。咨询电话：021-59281234。",
	}, "\n")
	di := newDocInfo(content.Disclosure{ID: "t-11", Title: "托育点插班招生公告", Body: body})
	p := passage(di, analyzed{units: unitsOf("清风路", "双职工")}, passageRunes)
	for _, want := range []string{"1950元", "7:30—17:15", "清风路260号"} {
		if !strings.Contains(p.Text, want) {
			t.Errorf("lacks %q:\n%s", want, p.Text)
		}
	}
}

// When nothing in a disclosure answers the intent (还能参加吗 of a job
// fair that states no conditions), its key facts come along: when and
// where.
func TestPassageKeyFactsWhenTheIntentFindsNothing(t *testing.T) {
	body := strings.Join([]string{
		"为帮助未就业毕业生尽早落实工作，街道将举办高校毕业生秋季专场招聘会。",
		"一、时间：2026年9月19日（星期六）13:30—16:30。",
		"二、地点：社区党群服务中心二楼（清风路128号）。",
		"三、岗位：约30家企业提供软件测试、新媒体运营、会计、质量工程师、储备店长等岗位约350个，其中本科及以上学历岗位占六成，部分企业为应届生提供人才公寓或租房补贴。",
		"四、注意事项：请携带多份简历和学历证明复印件，着装整洁，按现场指引有序入场，现场设有简历修改和职业指导服务台，就业服务专员提供政策咨询。",
		"五、其他：不能到场的，可以在线上查看参会企业岗位并投递简历，企业将在5个工作日内回复。",
	}, "\n")
	di := newDocInfo(content.Disclosure{ID: "t-12", Title: "高校毕业生秋季专场招聘会", Body: body})
	p := passage(di, analyzed{intent: Eligibility, units: unitsOf("毕业生", "招聘会")}, passageRunes)
	for _, want := range []string{"9月19日", "清风路128号"} {
		if !strings.Contains(p.Text, want) {
			t.Errorf("lacks %q:\n%s", want, p.Text)
		}
	}
}

// A warning asked about by name shows what residents are told to do, not
// only its figures.
func TestPassageWarningShowsWhatToDo(t *testing.T) {
	body := strings.Join([]string{
		"【预警信息】区气象台2026年8月12日15时10分发布暴雨黄色预警信号：预计未来3小时内本区将出现50毫米以上的降水，局部伴有雷电和8级短时大风。",
		"【街道措施】街道防汛防台指挥部启动防汛IV级响应；",
		"城运中心和排水养护单位对下立交、路口、地下车库出入口等易积水点进行值守，必要时临时封闭交通；",
		"居委会提醒低洼地区居民做好防涝准备，物业公司检查小区排水设施，清理雨水口和排水沟。",
		"16:00起抢险队伍在清风路88号集结待命，排水泵车预置在3处易积水点，街道值班领导24小时在岗。",
		"在建工地15日20:00起停止户外作业，塔吊落钩，脚手架和围挡加固，施工人员撤至安全区域。",
		"公园湖区自17:00起暂停游船和水上项目，关闭湖心岛步道，园内游客由工作人员引导离开。",
		"公交线路遇积水路段临时绕行，绕行信息由公交公司在站点张贴，地铁站出入口增设挡水板3处。",
		"【居民提示】",
		"1. 暴雨期间尽量不要外出，不要在地下通道、下立交等低洼处停留；",
		"2. 不要在积水中行走或驾车通过，注意路面窨井；",
		"3. 地下车库车主及时将车辆移至高处；",
		"【求助电话】积水、倒树请拨打12345或街道防汛防台值班电话021-59281234。",
		"本预警有效期至8月13日8时，如有变化另行通知。",
	}, "\n")
	di := newDocInfo(content.Disclosure{ID: "t-13", Title: "暴雨黄色预警信号及防御提示", Body: body})
	p := passage(di, analyzed{units: unitsOf("暴雨", "防御")}, passageRunes)
	if !strings.Contains(p.Text, "【居民提示】") || !strings.Contains(p.Text, "地下通道") {
		t.Errorf("what to do is missing:\n%s", p.Text)
	}
}

// A how-to question that shows the line leading a list of conditions
// (…同时具备以下条件：) shows the whole list under it, not the lead alone.
func TestPassageLeadComesWithItsList(t *testing.T) {
	body := strings.Join([]string{
		"【认定对象】同时具备以下条件的本市户籍老年人、残疾人和未满18周岁的未成年人，可认定为困难对象：",
		"1. 无劳动能力；",
		"2. 无生活来源；",
		"3. 无法定赡养、扶养、抚养义务人，或者其法定义务人无履行义务能力。",
		"【帮扶内容】提供基本生活条件；对生活不能自理的给予照料；提供疾病治疗；办理丧葬事宜。",
		"【帮扶形式】分散帮扶或者集中帮扶，由本人自愿选择，集中帮扶的费用由政府承担。",
		"【申请材料】户口簿、身份证，残疾人提供残疾人证，无法定义务人的情况说明。",
		"【办理流程】本人或委托居委会向社区事务受理服务中心提出，街道核查并公示7天，全程一般不超过20个工作日。",
		"【办理地点】社区事务受理服务中心社会救助窗口（清风路88号）。",
	}, "\n")
	di := newDocInfo(content.Disclosure{ID: "t-11", Title: "困难对象帮扶办事指南", Body: body})
	q := "困难帮扶怎么申请"
	p := passage(di, analyzed{intent: questionIntent(q), units: unitsOf("困难", "帮扶", "申请")}, passageRunes)
	if !strings.Contains(p.Text, "以下条件") {
		t.Fatalf("the lead is not shown:\n%s", p.Text)
	}
	for _, want := range []string{"1. 无劳动能力", "2. 无生活来源", "3. 无法定"} {
		if !strings.Contains(p.Text, want) {
			t.Errorf("the list's lead without %q:\n%s", want, p.Text)
		}
	}
	if !strings.Contains(p.Text, "清风路88号") || !strings.Contains(p.Text, "【办理流程】") {
		t.Errorf("the how-to lines are missing:\n%s", p.Text)
	}
}

// A question that asks nothing in particular may say what it is after in
// plain words: 附近/什么地方 an address (even in the introduction), 晚上
// a time of day (22时至次日5时), 出钱 an amount.
func TestPassagePlainWordsAskForAValue(t *testing.T) {
	body := strings.Join([]string{
		"街道社区托养中心位于清风路500号，建筑面积约2800平方米，为辖区老年人提供一站式养老服务。",
		"一、开放时间：每天8:00—17:30。",
		"二、服务项目",
		"1. 日间照护：设托位30个，为家中无人照顾的老人提供午餐、午休和康复锻炼，收费每月1500元，需接受能力评估；",
		"2. 短期托养：设床位26张，提供短期住养和喘息服务，收费根据照护等级每月4800元至7200元；",
		"3. 康复服务：康复室提供理疗、康复训练，每周一、三、五由社区卫生服务中心康复医生坐诊；",
		"4. 助浴服务：为失能、半失能老人提供助浴，每次60元，需提前3天预约；",
		"5. 养老顾问：提供养老政策咨询，帮助申请居家养老服务补贴、长期护理保险评估和适老化改造。",
		"三、本中心不设食堂，需就餐的老人可前往长者食堂或就近社区助餐点。",
		"咨询电话：021-59283570",
	}, "\n")
	di := newDocInfo(content.Disclosure{ID: "t-12", Title: "社区托养中心服务项目", Body: body})
	q := "老人白天家里没人照顾，有没有能送过去的地方"
	a := analyzed{intent: questionIntent(q), also: alsoAsked(q, questionIntent(q)), units: unitsOf("照顾", "老人")}
	if a.intent != AnyIntent {
		t.Fatalf("%q: intent %q, want none", q, a.intent)
	}
	p := passage(di, a, passageRunes)
	for _, want := range []string{"清风路500号", "1500元"} {
		if !strings.Contains(p.Text, want) {
			t.Errorf("lacks %q:\n%s", want, p.Text)
		}
	}

	road := strings.Join([]string{
		"因雨污水管道改造工程施工需要，经公安交警部门同意，对清风路（云湖路至丰泽路段）实施临时交通管制。",
		"一、管制时间：2026年11月16日0时至2026年12月31日24时。",
		"二、管制措施：",
		"1. 清风路（云湖路至丰泽路段）由北向南方向封闭施工，机动车借用南向北车道单车道通行，禁止大型货车通行；",
		"2. 每天22时至次日5时，该路段实施全封闭，机动车请绕行云湖路、丰泽路；",
		"3. 非机动车和行人在施工围挡西侧的临时通道通行；",
		"4. 清风路沿线禁止停车。",
		"三、公交调整：12路在管制期间临时绕行云湖路、丰泽路，暂停“清风路柳溪路”站，临时站点设在云湖路柳溪路口。",
		"四、施工单位：某市政工程有限公司，现场负责人联系电话021-59281046。",
		"请过往车辆和行人服从现场交通管理人员指挥，给您出行带来的不便，敬请谅解。如工期调整，将另行通告。",
	}, "\n")
	di = newDocInfo(content.Disclosure{ID: "t-13", Title: "清风路施工临时交通管制通告", Body: road})
	q = "清风路晚上还能开过去吗"
	a = analyzed{intent: questionIntent(q), also: alsoAsked(q, questionIntent(q)), units: unitsOf("清风路")}
	if p := passage(di, a, passageRunes); !strings.Contains(p.Text, "22时至次日5时") {
		t.Errorf("%q (intent %q, also %v): the night-time line is missing:\n%s", q, a.intent, a.also, p.Text)
	}
	if got := alsoAsked("清风路施工", AnyIntent); len(got) != 0 {
		t.Errorf("a bare matter asks for %v", got)
	}
}

// A question that names only a matter gets its dates too (the period of a
// consultation, a deadline), not every line labelled 时间 (开放时间).
func TestPassageKeyFactsHoldTheMattersDates(t *testing.T) {
	body := strings.Join([]string{
		"根据《城乡规划条例》有关规定，区规划资源局组织编制了《清风片区单元规划（草案）》，现予以公示，公开征求社会公众意见。",
		"一、公示时间：2026年11月5日至2026年12月4日，共30日。",
		"二、规划范围：东至丰泽路，南至桂荷路，西至西湾路，北至柳溪路，总面积约6.8平方公里。",
		"三、主要内容：片区功能定位、用地布局、公共服务设施、道路交通、蓝绿空间等。草案提出新增中小学2所、社区卫生服务站1处、公共绿地约12公顷，规划轨道交通站点1处。",
		"四、查阅方式：",
		"1. 现场查阅：社区事务受理服务中心一楼大厅（清风路1099号），工作日8:30—17:00；",
		"2. 网上查阅：区规划资源局网站“规划公示”栏目。",
		"五、意见提交方式：",
		"1. 现场填写意见表投入意见箱；",
		"2. 邮寄至清风路1099号社区管理办，信封注明“单元规划意见”，以邮戳日期为准；",
		"3. 发送电子邮件至规划意见邮箱。",
		"提交意见时请注明姓名和联系方式，以便沟通。",
		"联系电话：021-59283362。",
	}, "\n")
	di := newDocInfo(content.Disclosure{ID: "t-14", Title: "清风片区单元规划（草案）公开征求意见公告", Body: body})
	p := passage(di, analyzed{units: unitsOf("片区", "规划", "征求意见")}, 150)
	if !strings.Contains(p.Text, "2026年12月4日") {
		t.Errorf("the period of the consultation is missing:\n%s", p.Text)
	}
}

// 便宜 asks for a price, beside what else the question asks.
func TestPassageCheaperAsksForThePrice(t *testing.T) {
	if got := alsoAsked("我奶奶85了，在食堂吃饭能不能便宜点", Eligibility); !slices.Contains(got, Amount) {
		t.Errorf("能不能便宜点 also asks %v, want an amount", got)
	}
}

// A line that names an item of the disclosure's own table by number
// (第4项…) comes with that row, under the table's header.
func TestPassageCitedRowComesAlong(t *testing.T) {
	body := strings.Join([]string{
		"经街道党工委会议研究，现将清风街道2026年度重大行政决策事项目录公布如下。",
		"| 序号 | 事项名称 | 承办部门 | 计划完成时间 | 是否听证 |",
		"| 1 | 清风街道2026年美丽家园住宅小区综合改造实施方案 | 社区管理办 | 2026年3月 | 否 |",
		"| 2 | 清风街道老年助餐服务提升三年行动方案（2026—2028年） | 社区服务办 | 2026年6月 | 否 |",
		"| 3 | 清风街道住宅小区电动自行车集中充电设施建设管理办法 | 社区平安办 | 2026年12月 | 否 |",
		"| 4 | 清风湖公园周边区域停车管理和交通组织方案 | 社区管理办 | 2026年第四季度 | 是 |",
		"| 5 | 南片地块征收后土地复绿利用方案 | 农业农村服务中心 | 2026年9月 | 否 |",
		"说明：",
		"一、目录内事项按照公众参与、专家论证、风险评估、合法性审查、集体讨论决定的程序作出决策。",
		"二、第四项涉及周边居民和商户切身利益，将召开听证会，听证会时间、地点和报名方式另行公告。",
		"三、各事项在决策前将通过街道网站公开征求意见，征求意见期一般不少于30日。",
		"四、对目录事项有意见建议的，可以通过街道党政办公室反映：地址清风路101号，电话021-59283011。",
	}, "\n")
	di := newDocInfo(content.Disclosure{ID: "t-15", Title: "清风街道2026年度重大行政决策事项目录", Body: body})
	p := passage(di, analyzed{units: unitsOf("重大行政决策", "听证")}, passageRunes)
	for _, want := range []string{"第四项", "| 4 | 清风湖公园周边区域停车管理和交通组织方案", "| 序号 |"} {
		if !strings.Contains(p.Text, want) {
			t.Errorf("lacks %q:\n%s", want, p.Text)
		}
	}
	for in, want := range map[string]int{"4": 4, "四": 4, "十": 10, "十二": 12, "二十": 20, "二十三": 23, "第": 0} {
		if got := itemNumber(in); got != want {
			t.Errorf("itemNumber(%q) = %d, want %d", in, got, want)
		}
	}
}

// The closing signature (the issuing office, then the date alone) is no
// fact: the source line names both.
func TestPassageLeavesOutTheSignature(t *testing.T) {
	body := strings.Join([]string{
		"各居民委员会、辖区各见习基地：",
		"现就2026年青年就业见习工作通知如下。",
		"一、见习对象：离校2年内未就业的高校毕业生。",
		"二、见习待遇：见习基地按月发放见习生活补贴，标准不低于本市最低工资标准的80%。",
		"三、工作要求：各居委会要结合就业服务站点，摸清辖区离校未就业青年情况，逐一上门或电话联系；见习基地须指定带教人员，不得安排见习人员从事高空、有毒有害等危险作业。",
		"四、报名方式：本人携带身份证、毕业证书到社区事务受理服务中心就业窗口登记，也可在“随申办”搜索“就业见习”在线报名，报名后10个工作日内，就业服务专员将电话联系、推荐岗位。",
		"咨询电话：021-59283125（工作日8:30—17:00）。",
		"清风街道社区服务办",
		"2026年3月10日",
	}, "\n")
	di := newDocInfo(content.Disclosure{ID: "t-16", Title: "关于做好2026年青年就业见习工作的通知", Body: body})
	sh := di.shape()
	if !sh.sign[7] || !sh.sign[8] || sh.sign[6] {
		t.Fatalf("signature marks %v", sh.sign)
	}
	p := passage(di, analyzed{units: unitsOf("见习")}, passageRunes)
	if p.Whole || !strings.Contains(p.Text, "021-59283125") {
		t.Errorf("want a passage with the phone:\n%s", p.Text)
	}
	if strings.Contains(p.Text, "2026年3月10日") || strings.Contains(p.Text, "清风街道社区服务办") {
		t.Errorf("the signature is shown:\n%s", p.Text)
	}
	// A date that ends a sentence is not a signature.
	di = newDocInfo(content.Disclosure{ID: "t-17", Title: "通知", Body: "一、报名：请于月底前报名。\n二、地点：清风路1号。\n截止日期：2026年3月10日"})
	if di.shape().sign[2] {
		t.Errorf("a labelled date taken for a signature")
	}
}

// A heading that asks who may apply (什么情况可以申请, 哪些人可以申请,
// 谁可以申请) heads the conditions, as 申请条件 does.
func TestPassageWhoMayApplyHeading(t *testing.T) {
	body := strings.Join([]string{
		"一、什么情况可以申请",
		"（一）急难型：因火灾、交通事故等意外事件，或家庭成员突发重大疾病，导致基本生活暂时出现严重困难的家庭或个人；",
		"（二）支出型：因医疗、教育等必需支出突然增加，超出家庭承受能力，导致基本生活暂时出现严重困难的家庭；",
		"（三）遭遇其他特殊困难的家庭或个人。",
		"非本市户籍、在本街道居住的人员遭遇急难情形的，可以向居住地街道申请，由街道给予急难型临时帮扶；生活无着的流浪乞讨人员，由街道协助送区救助管理站。",
		"二、救助标准",
		"根据困难程度一次性给予救助，一般在当月本市低保标准的3倍以内，最高可达低保标准的12倍。",
		"三、申请材料",
		"身份证或居住证、临时救助申请书、困难情况证明（如医疗费用票据、事故证明、火灾证明等）。",
		"四、办理地点和电话",
		"社区事务受理服务中心社会救助窗口（清风路1099号），电话021-59283138；也可以先向所在居委会反映，由社工协助申请。",
	}, "\n")
	di := newDocInfo(content.Disclosure{ID: "t-18", Title: "临时帮扶办事指南", Body: body})
	q := "家里遇到急事能申请临时帮扶吗"
	p := passage(di, analyzed{intent: questionIntent(q), units: unitsOf("遇到", "急事", "临时帮扶", "申请")}, passageRunes)
	for _, want := range []string{"（一）急难型", "（二）支出型", "（三）遭遇其他"} {
		if !strings.Contains(p.Text, want) {
			t.Errorf("%q (intent %q) lacks %q:\n%s", q, questionIntent(q), want, p.Text)
		}
	}
	for _, h := range []string{"一、什么情况可以申请", "二、哪些人可以申请", "【谁可以申请】"} {
		di := newDocInfo(content.Disclosure{ID: "t-19", Title: "指南", Body: h + "\n本市户籍、年满60周岁的老年人。\n" + strings.Repeat("其他说明。", 60)})
		if c := di.shape().cuesFor(Eligibility); !c.names[0] {
			t.Errorf("%q does not name who may apply", h)
		}
	}
}
