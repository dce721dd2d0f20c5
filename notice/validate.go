package notice

import (
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/yingpu/govbot/channel"
	"github.com/yingpu/govbot/clock"
	"github.com/yingpu/govbot/config"
	"github.com/yingpu/govbot/content"
	"github.com/yingpu/govbot/privacy"
	"github.com/yingpu/govbot/push"
)

// Draft is the content of a new notice.
type Draft struct {
	Title     string
	Body      string
	Audiences []string
	Urgent    bool
	Public    bool
	Markdown  bool
	// Expires is YYYY-MM-DD; required when Public.
	Expires string
	// SendAt is an RFC 3339 time; "" sends at approval.
	SendAt string
}

// Patch changes some fields of a notice; nil fields stay as they are. An
// empty Expires or SendAt clears it.
type Patch struct {
	Title     *string
	Body      *string
	Audiences *[]string
	Urgent    *bool
	Public    *bool
	Markdown  *bool
	Expires   *string
	SendAt    *string
}

// Limits of a notice's text.
const (
	MaxTitleRunes = 64
	// MaxBodyBytes bounds the body whatever the channels (each channel's
	// own, lower limit is checked too).
	MaxBodyBytes = 16 << 10
	// OATextMaxBytes is the limit applied to Official Account
	// customer-service text (title and body as sent).
	OATextMaxBytes = channel.OATextMaxBytes
	// MaxScheduleAhead is how far ahead a notice may be scheduled.
	MaxScheduleAhead = 366 * 24 * time.Hour
	maxNoteRunes     = 500
)

// fields is a notice's content parsed and normalised.
type fields struct {
	title, body string
	audiences   []string
	urgent      bool
	public      bool
	markdown    bool
	expires     content.Date
	sendAt      time.Time
}

func (n *Notice) draft() Draft {
	d := Draft{
		Title: n.Title, Body: n.Body, Audiences: n.Audiences,
		Urgent: n.Urgent, Public: n.Public, Markdown: n.Markdown,
		Expires: n.Expires.String(),
	}
	if !n.SendAt.IsZero() {
		d.SendAt = n.SendAt.Format(time.RFC3339)
	}
	return d
}

func (p Patch) apply(d Draft) Draft {
	set := func(dst *string, v *string) {
		if v != nil {
			*dst = *v
		}
	}
	setB := func(dst *bool, v *bool) {
		if v != nil {
			*dst = *v
		}
	}
	set(&d.Title, p.Title)
	set(&d.Body, p.Body)
	if p.Audiences != nil {
		d.Audiences = *p.Audiences
	}
	setB(&d.Urgent, p.Urgent)
	setB(&d.Public, p.Public)
	setB(&d.Markdown, p.Markdown)
	set(&d.Expires, p.Expires)
	set(&d.SendAt, p.SendAt)
	return d
}

func (f fields) setOn(n *Notice) {
	n.Title, n.Body, n.Audiences = f.title, f.body, f.audiences
	n.Urgent, n.Public, n.Markdown = f.urgent, f.public, f.markdown
	n.Expires, n.SendAt = f.expires, f.sendAt
}

// parse checks a draft's own fields (not the send time, which depends on
// when it is checked) and normalises them.
func (s *Service) parse(d Draft) (fields, error) {
	f := fields{
		title:    strings.TrimSpace(d.Title),
		body:     strings.TrimSpace(d.Body),
		urgent:   d.Urgent,
		public:   d.Public,
		markdown: d.Markdown,
	}
	switch {
	case f.title == "":
		return f, errf(CodeInvalid, "标题（title）不能为空")
	case !utf8.ValidString(f.title) || !utf8.ValidString(f.body):
		return f, errf(CodeInvalid, "标题或正文含有无效的 UTF-8 字符")
	case strings.ContainsAny(f.title, "\r\n"):
		return f, errf(CodeInvalid, "标题（title）不能换行")
	case utf8.RuneCountInString(f.title) > MaxTitleRunes:
		return f, errf(CodeInvalid, "标题（title）不能超过 %d 个字，现有 %d 个字", MaxTitleRunes, utf8.RuneCountInString(f.title))
	case f.body == "":
		return f, errf(CodeInvalid, "正文（body）不能为空")
	case len(f.body) > MaxBodyBytes:
		return f, errf(CodeTooLong, "正文（body）不能超过 %d 字节，现有 %d 字节", MaxBodyBytes, len(f.body))
	}
	seen := map[string]bool{}
	for _, name := range d.Audiences {
		name = strings.TrimSpace(name)
		if name == "" || seen[name] {
			continue
		}
		seen[name] = true
		f.audiences = append(f.audiences, name)
	}
	if len(f.audiences) == 0 {
		return f, errf(CodeInvalid, "请至少选择一个受众（audiences），可选：%s", s.audienceNames())
	}
	var err error
	if f.expires, err = content.ParseDate(strings.TrimSpace(d.Expires)); err != nil {
		return f, errf(CodeInvalid, "有效期（expires）%q 不是 YYYY-MM-DD 格式的日期", d.Expires)
	}
	if f.public && f.expires.IsZero() {
		return f, errf(CodeInvalid, "公开发布（public）的通知须填写有效期（expires，YYYY-MM-DD）")
	}
	if at := strings.TrimSpace(d.SendAt); at != "" {
		t, err := time.Parse(time.RFC3339, at)
		if err != nil {
			return f, errf(CodeInvalid, "定时发送时间（send_at）%q 须为 RFC 3339 时间，例如 2024-06-01T08:00:00+08:00", d.SendAt)
		}
		f.sendAt = t.In(clock.Shanghai)
	}
	if err := s.checkAudiences(f); err != nil {
		return f, err
	}
	if err := checkPrivacy(f); err != nil {
		return f, err
	}
	return f, nil
}

// checkTimes checks the send time and expiry against now: the send time
// may not be past (unless allowPastSendAt: at approval, a time passed during
// review means "at once"), nor too far ahead; a public notice may not
// expire before it is sent.
func checkTimes(f fields, now time.Time, allowPastSendAt bool) error {
	if !f.sendAt.IsZero() {
		if !allowPastSendAt && !f.sendAt.After(now) {
			return errf(CodeInvalid, "定时发送时间（send_at）%s 已过，现在是 %s", fmtTime(f.sendAt), fmtTime(now))
		}
		if f.sendAt.Sub(now) > MaxScheduleAhead {
			return errf(CodeInvalid, "定时发送时间（send_at）%s 太远，最多可提前 366 天", fmtTime(f.sendAt))
		}
	}
	if !f.expires.IsZero() {
		sendDay := clock.DateOf(now)
		if f.sendAt.After(now) {
			sendDay = clock.DateOf(f.sendAt)
		}
		if f.expires.Time().Before(sendDay) {
			return errf(CodeInvalid, "有效期（expires）%s 早于发送日期 %s", f.expires, sendDay.Format("2006-01-02"))
		}
	}
	return nil
}

func fmtTime(t time.Time) string { return t.In(clock.Shanghai).Format("2006-01-02 15:04:05") }

func (s *Service) audienceNames() string {
	names := make([]string, len(s.audiences))
	for i, a := range s.audiences {
		names[i] = a.Name
	}
	if len(names) == 0 {
		return "（未配置任何受众）"
	}
	return strings.Join(names, "、")
}

// channelsOf lists the channels an audience's targets use, in registry
// order: those of the kinds it lists, and the Official Account for its
// followers and tags.
func channelsOf(a config.Audience) []string {
	var out []string
	for _, ch := range channel.All() {
		used := ch.Name == channel.OA && (a.Followers || len(a.OATags) > 0)
		for _, k := range ch.Kinds {
			used = used || k.Field != "" && len(a.IDs(k.Field)) > 0
		}
		if used {
			out = append(out, ch.Name)
		}
	}
	return out
}

// unavailable explains why an audience cannot be reached with the channels
// configured, or returns "".
func (s *Service) unavailable(a config.Audience) string {
	for _, ch := range channelsOf(a) {
		if !s.channelReady(ch) {
			return fmt.Sprintf("受众“%s”含%s对象，但本服务未配置%s", a.Name, channel.Label(ch), channel.Label(ch))
		}
	}
	if len(a.OATags) > 0 && s.tags == nil {
		return fmt.Sprintf("受众“%s”含公众号用户标签，但本服务未配置公众号接口", a.Name)
	}
	return ""
}

func (s *Service) channelReady(ch string) bool {
	return s.opts.ChannelReady == nil || s.opts.ChannelReady(ch)
}

// checkAudiences: every audience is known and reachable, and the text as
// composed fits every channel the audiences use.
func (s *Service) checkAudiences(f fields) error {
	msg := push.Message{Title: f.title, Body: f.body, Markdown: f.markdown}
	for _, name := range f.audiences {
		a, ok := s.audience(name)
		if !ok {
			return errf(CodeUnknownAudience, "未知的受众“%s”，可选：%s", name, s.audienceNames())
		}
		if why := s.unavailable(a); why != "" {
			return errf(CodeUnavailable, "%s", why)
		}
		for _, ch := range channelsOf(a) {
			if err := checkLength(a.Name, ch, msg); err != nil {
				return err
			}
		}
	}
	return nil
}

// checkLength checks the text as the push adapters compose it (title, an
// empty line, the body; the title in bold for markdown) against the
// channel's byte limit.
func checkLength(audience, ch string, m push.Message) error {
	kind, n, max := channelText(ch, m)
	if n > max {
		return errf(CodeTooLong, "标题和正文过长：受众“%s”经%s发送，%s消息上限为 %d 字节，本通知（标题加正文）为 %d 字节",
			audience, channel.Label(ch), kind, max, n)
	}
	return nil
}

var kindNames = map[string]string{
	privacy.KindIDCard:   "身份证号",
	privacy.KindMobile:   "手机号",
	privacy.KindBankCard: "银行卡号",
}

var fieldNames = map[string]string{"title": "标题", "body": "正文"}

// checkPrivacy refuses a notice with an identity card, mobile or bank card
// number in it: a notice must not spread a resident's personal data to a
// group, let alone publish it.
func checkPrivacy(f fields) error {
	findings := append(privacy.Scan("title", f.title), privacy.Scan("body", f.body)...)
	if len(findings) == 0 {
		return nil
	}
	parts := make([]string, len(findings))
	for i, x := range findings {
		kind := kindNames[x.Kind]
		if kind == "" {
			kind = x.Kind
		}
		parts[i] = fmt.Sprintf("%s第 %d 行第 %d 字有%s（%s）", fieldNames[x.Field], x.Line, x.Column, kind, x.Masked)
	}
	return errf(CodePrivacy, "通知含个人信息，请删除或打码后再提交：%s", strings.Join(parts, "；"))
}

func checkNote(note string, required bool, what string) (string, error) {
	note = strings.TrimSpace(note)
	switch {
	case required && note == "":
		return "", errf(CodeReasonRequired, "请填写%s（reason）", what)
	case utf8.RuneCountInString(note) > maxNoteRunes:
		return "", errf(CodeInvalid, "%s不能超过 %d 个字", what, maxNoteRunes)
	}
	return note, nil
}
