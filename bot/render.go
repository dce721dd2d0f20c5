package bot

import (
	"fmt"
	"math"
	"strings"

	"github.com/yingpu/govbot/clock"
	"github.com/yingpu/govbot/config"
	"github.com/yingpu/govbot/index"
)

// ReplyKind is how a reply is encoded for WeChat.
type ReplyKind string

const (
	// TextReply is a plain text message (the default).
	TextReply ReplyKind = "text"
)

// RenderOptions configure a Renderer.
type RenderOptions struct {
	// Hotline is named when govbot cannot help (default 12345).
	Hotline string
	// MaxReplyBytes caps a reply (default and WeChat's limit: 2048).
	MaxReplyBytes int
	// Related is how many related titles an answer lists (0..5).
	Related int
	// Area is the subdistrict govbot answers for (config area.name), named
	// when a question is about another area.
	Area string
	// Topics are the kinds of matters govbot can answer, named when it
	// cannot (default: the categories of the sample data).
	Topics []string
}

// RenderOptionsFor reads a Renderer's options from the configuration.
func RenderOptionsFor(cfg config.Config) RenderOptions {
	return RenderOptions{Hotline: cfg.Search.Hotline, MaxReplyBytes: cfg.Search.MaxReplyBytes, Related: cfg.Search.Related, Area: cfg.Area.Name}
}

// Renderer writes what a resident reads from an index.Answer. Every word of
// an answer a resident reads is written here.
type Renderer struct {
	o RenderOptions
}

// defaultTopics are the topics residents are told govbot can answer.
var defaultTopics = []string{"就业创业", "社保救助", "养老助餐", "托育服务", "应急预警", "企业服务", "文化活动", "城市建设", "征收与农业补贴", "12345与公众参与", "重大决策", "政务公开"}

// NewRenderer returns a Renderer with o's defaults filled in.
func NewRenderer(o RenderOptions) *Renderer {
	if o.Hotline == "" {
		o.Hotline = config.DefaultHotline
	}
	if o.MaxReplyBytes <= 0 || o.MaxReplyBytes > config.MaxReplyBytes {
		o.MaxReplyBytes = config.MaxReplyBytes
	}
	if o.Topics == nil {
		o.Topics = defaultTopics
	}
	return &Renderer{o: o}
}

// fullTextHint invites the resident to read the rest of a disclosure.
const fullTextHint = "回复「全文」查看全文"

// Answer words an answer: the passage with its source, the nearest places,
// or an honest decline.
func (r *Renderer) Answer(a index.Answer) Reply {
	return Reply{Kind: TextReply, Text: r.AnswerText(a)}
}

// AnswerText is Answer's text.
func (r *Renderer) AnswerText(a index.Answer) string {
	text, _ := r.Numbered(a)
	return text
}

// Numbered is Answer's text and the disclosures it numbers, in order: the
// answer itself is 1, the related titles under it 2, 3…; the places of a
// location answer 1, 2, 3. A decline numbers nothing.
func (r *Renderer) Numbered(a index.Answer) (text string, choices []string) {
	limit := r.o.MaxReplyBytes
	switch {
	case !a.Answered && a.Decline == index.DeclineNotStated && len(a.Hits) > 0:
		// What it does state can be looked at: it is numbered 1.
		return r.declineText(a), []string{a.Hits[0].ID}
	case !a.Answered || len(a.Hits) == 0:
		return r.declineText(a), nil
	case a.Near:
		return r.placesText(a, limit)
	}
	return r.disclosureText(a.Hits[0], a.Hits[1:], limit)
}

// Full words the whole of one disclosure (全文), cut to the reply limit.
func (r *Renderer) Full(h index.Hit) Reply {
	text, _ := r.disclosureText(h, nil, r.o.MaxReplyBytes)
	return Reply{Kind: TextReply, Text: text}
}

// fullCutHint ends a 全文 reply too long for one message.
const fullCutHint = "……（篇幅所限，完整内容请查看原文链接）"

func (r *Renderer) hintFor(p *index.Passage, cut bool) string {
	switch {
	case p.Whole && cut:
		return fullCutHint
	case !p.Whole:
		return fullTextHint
	}
	return ""
}

// disclosureText lays out one disclosure's passage within limit bytes. The
// source (department, date, link) is never cut: the related titles go
// first, then the passage shrinks, then the title.
func (r *Renderer) disclosureText(top index.Hit, others []index.Hit, limit int) (string, []string) {
	choices := []string{top.ID}
	head := "【" + top.Title + "】\n"
	if s := statusLine(top); s != "" {
		head += s + "\n"
	}
	src := sourceLines(top)
	if len(src) >= limit {
		return fit(src, limit), choices
	}
	if len(head)+len(src) > limit {
		return fit(head, limit-len(src)-1) + "\n" + src, choices
	}
	avail := limit - len(head) - len(src) - 1 // the passage's newline
	rel, relIDs := r.related(others)
	const minPassage = 120
	if rel != "" && avail-len(rel)-1 >= minPassage {
		avail -= len(rel) + 1
		choices = append(choices, relIDs...)
	} else {
		rel, relIDs = "", nil
	}
	text := head
	if p := top.Passage; p != nil && p.Text != "" {
		hint := r.hintFor(p, true)
		body, cut := fitLines(p.Text, avail-len(hint)-1)
		if hint = r.hintFor(p, cut); hint != "" {
			body += "\n" + hint
		}
		text += pointToChoices(body, others, relIDs, avail) + "\n"
	}
	text += src
	if rel != "" {
		text += "\n" + rel
	}
	return text, choices
}

// pointToChoices says, where a passage points to another disclosure that
// the reply numbers (具体标准见《老年助餐补贴政策解读》), which number shows
// it: 《…》（回复「2」查看）, room permitting within max bytes.
func pointToChoices(body string, others []index.Hit, numbered []string, max int) string {
	for k, id := range numbered {
		for _, h := range others {
			if h.ID != id {
				continue
			}
			ref := "《" + h.Title + "》"
			note := fmt.Sprintf("（回复「%d」查看）", k+2)
			if i := strings.Index(body, ref); i >= 0 && !strings.HasPrefix(body[i+len(ref):], note) && len(body)+len(note) <= max {
				body = body[:i+len(ref)] + note + body[i+len(ref):]
			}
			break
		}
	}
	return body
}

// fitLines keeps whole lines of s within max bytes (cutting the first line
// if it alone is longer); cut says whether anything was left out.
func fitLines(s string, max int) (string, bool) {
	if len(s) <= max {
		return s, false
	}
	if max <= 0 {
		return "", true
	}
	lines := strings.Split(s, "\n")
	var b strings.Builder
	for _, l := range lines {
		if b.Len()+len(l)+1 > max {
			break
		}
		if b.Len() > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(l)
	}
	if b.Len() == 0 {
		return fit(lines[0], max), true
	}
	return b.String(), true
}

// statusLine says plainly when the answer is not (or no longer) in force.
func statusLine(h index.Hit) string {
	switch h.Status {
	case index.Superseded:
		if n := h.SupersededBy; n != nil && n.Title != "" {
			if n.Effective != "" {
				return fmt.Sprintf("（注意：此标准已被新标准替代，现行标准见《%s》，%s起执行。）", n.Title, dateCN(n.Effective))
			}
			return fmt.Sprintf("（注意：此标准已被新标准替代，现行标准见《%s》。）", n.Title)
		}
		return "（注意：此标准已被新标准替代。）"
	case index.Ended:
		if h.Category == "emergency" {
			return fmt.Sprintf("⚠️ 此预警/通告已于%s结束，目前不在生效期内，请以最新发布为准。", dateCN(h.Ended))
		}
		return fmt.Sprintf("（此信息有效期至%s，已结束，仅供参考。）", dateCN(h.Ended))
	case index.Upcoming:
		return fmt.Sprintf("（此信息自%s起施行。）", dateCN(h.Effective))
	}
	if h.Ended != "" && h.Category == "emergency" {
		return fmt.Sprintf("（目前生效中，有效期至%s。）", dateCN(h.Ended))
	}
	return ""
}

// dateCN writes a YYYY-MM-DD date as 2026年11月26日.
func dateCN(s string) string {
	d, err := clock.ParseDate(s)
	if err != nil {
		return s
	}
	return fmt.Sprintf("%d年%d月%d日", d.Year(), int(d.Month()), d.Day())
}

func sourceLines(h index.Hit) string {
	s := "来源：" + h.Department
	if h.Date != "" {
		s += "，" + h.Date + "发布"
	}
	return s + "\n原文：" + h.URL
}

// related lists up to Related more titles that also answer well, numbered
// from 2 (the answer above them is 1).
func (r *Renderer) related(others []index.Hit) (string, []string) {
	var lines, ids []string
	for _, h := range others {
		if len(lines) >= r.o.Related {
			break
		}
		if !h.Related {
			continue
		}
		line := fmt.Sprintf("%d. %s", len(lines)+2, h.Title)
		switch h.Status {
		case index.Ended:
			line += "（已结束）"
		case index.Superseded:
			line += "（已替代）"
		}
		lines = append(lines, line)
		ids = append(ids, h.ID)
	}
	if len(lines) == 0 {
		return "", nil
	}
	return "相关信息（回复数字查看）：\n" + strings.Join(lines, "\n"), ids
}

// declineText says honestly why govbot cannot answer, where to go, and the
// hotline.
func (r *Renderer) declineText(a index.Answer) string {
	var b strings.Builder
	hotline := r.o.Hotline
	topics := true
	switch a.Decline {
	case index.DeclineNoPlace:
		return fit(fmt.Sprintf("您附近%g公里内暂时没有登记的服务场所。可以直接告诉我您想找什么，例如“附近的长者食堂”，或拨打%s热线咨询。", a.RadiusKm, hotline), r.o.MaxReplyBytes)
	case index.DeclineOtherArea:
		area := r.o.Area
		if area == "" {
			area = "本街道"
		}
		fmt.Fprintf(&b, "抱歉，我只能解答%s公开发布的信息。", area)
		if a.AreaNamed != "" {
			fmt.Fprintf(&b, "“%s”的相关政策和办理事项，请咨询当地政府部门或其政务服务网站，", a.AreaNamed)
		} else {
			b.WriteString("其他地区的相关政策和办理事项，请咨询当地政府部门，")
		}
		fmt.Fprintf(&b, "也可以拨打%s市民服务热线咨询。", hotline)
		topics = false
	case index.DeclinePersonal:
		fmt.Fprintf(&b, "抱歉，我看不到个人的申请和办理进度。您可以登录“一网通办”（随申办）“我的办件”查询，或带上身份证到街道社区事务受理服务中心窗口询问，也可以拨打%s市民服务热线咨询。", hotline)
		topics = false
	case index.DeclineWeather:
		fmt.Fprintf(&b, "抱歉，我不提供天气预报。天气请查看上海市气象局发布的预报（如“上海天气”公众号）；街道发布的预警和防汛通知可以直接问我，例如“现在有什么预警”。如需帮助请拨打%s。", hotline)
		topics = false
	case index.DeclineNotStated:
		what := "后续的调整安排"
		switch a.Unstated {
		case index.UnstatedPlan:
			what = "新建的计划和选址"
		case index.UnstatedHours:
			what = "这里的开放时间"
		case index.UnstatedHiring:
			what = "这里招聘用人的信息"
		}
		fmt.Fprintf(&b, "抱歉，街道公开的信息里没有%s，不敢乱说。", what)
		if len(a.Hits) > 0 {
			h := a.Hits[0]
			fmt.Fprintf(&b, "\n目前公开的相关信息是：\n1. %s（%s，%s发布）\n回复「1」查看。", h.Title, h.Department, h.Date)
		}
		fmt.Fprintf(&b, "\n以后有新的安排会另行公开；想先了解，可以拨打%s市民服务热线咨询。", hotline)
		topics = false
	case index.DeclineUnpublished:
		// Nothing of the withheld disclosure is told, not even that it
		// exists.
		fmt.Fprintf(&b, "抱歉，这件事目前没有正式公开的信息，不敢乱说。以正式公布的为准，公布后可以再来问我；想先了解，可以拨打%s市民服务热线咨询。", hotline)
		topics = false
	case index.DeclineBusiness:
		fmt.Fprintf(&b, "抱歉，我只能解答街道公开发布的政务信息，商家、企业的经营信息请通过地图或点评类应用查询。如需帮助请拨打%s市民服务热线。", hotline)
	case index.DeclineNotCovered:
		if a.Matter == "" {
			b.WriteString("抱歉，街道公开的信息里没有找到能回答您问题的内容，不敢乱说。\n")
			fmt.Fprintf(&b, "您可以换个说法再问，或拨打%s市民服务热线咨询。", hotline)
		} else {
			// A programme no disclosure speaks of (廉租房).
			fmt.Fprintf(&b, "抱歉，街道公开的信息里没有关于“%s”的内容，不敢乱说。\n可以到街道社区事务受理服务中心窗口咨询，或拨打%s市民服务热线。", a.Matter, hotline)
		}
	default:
		b.WriteString("抱歉，街道公开的信息里没有找到能回答您问题的内容，不敢乱说。\n")
		if a.Agency != "" {
			if a.Matter != "" {
				fmt.Fprintf(&b, "“%s”相关事项一般由%s办理，建议向其咨询。\n", a.Matter, a.Agency)
			} else {
				fmt.Fprintf(&b, "相关事项一般由%s办理，建议向其咨询。\n", a.Agency)
			}
		}
		fmt.Fprintf(&b, "您可以换个说法再问，或拨打%s市民服务热线咨询。", hotline)
	}
	limit := r.o.MaxReplyBytes
	if topics && len(r.o.Topics) > 0 {
		line := "\n我能回答这些方面的问题：" + strings.Join(r.o.Topics, "、") + "。"
		if b.Len()+len(line) <= limit {
			b.WriteString(line)
		}
	}
	return fit(b.String(), limit)
}

// placesText lists the nearest places that answer a location question.
func (r *Renderer) placesText(a index.Answer, limit int) (string, []string) {
	var choices []string
	var b strings.Builder
	b.WriteString("离您最近的服务点：\n")
	foot := "来源：" + a.Hits[0].Department
	hint := ""
	if a.AnyPlace {
		hint = "\n想找特定的场所，可以发文字，例如“附近的长者食堂”“最近的避难场所”。"
	}
	n := 0
	for _, h := range a.Hits {
		if h.DistanceKm == nil || h.Place == nil || n >= 3 {
			continue
		}
		entry := fmt.Sprintf("%d. %s（约%s）\n   地址：%s\n   详见《%s》%s\n", n+1, h.Place.Name, distanceCN(*h.DistanceKm), h.Place.Address, h.Title, h.URL)
		if b.Len()+len(entry)+len(foot)+len(hint) > limit {
			if n == 0 { // at least the nearest place, cut if it must be
				b.WriteString(fit(entry, limit-b.Len()-len(foot)-1) + "\n")
				choices = append(choices, h.ID)
			}
			break
		}
		b.WriteString(entry)
		choices = append(choices, h.ID)
		n++
	}
	b.WriteString(foot)
	if b.Len()+len(hint) <= limit {
		b.WriteString(hint)
	}
	return fit(b.String(), limit), choices
}

func distanceCN(km float64) string {
	if km < 1 {
		return fmt.Sprintf("%d米", int(math.Round(km*1000/10))*10)
	}
	return fmt.Sprintf("%.1f公里", km)
}
