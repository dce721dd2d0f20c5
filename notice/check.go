package notice

import (
	"strings"

	"github.com/yingpu/govbot/channel"
	"github.com/yingpu/govbot/privacy"
	"github.com/yingpu/govbot/push"
)

// CheckResult is what Check finds in a draft before it is saved: the
// first problem that would refuse it, every personal number in its text,
// and the size of the text on each channel its audiences use.
type CheckResult struct {
	// Problem is the refusal Create would answer ("" when it would be
	// accepted now).
	Problem string `json:"problem"`
	// Code classifies Problem.
	Code Code `json:"code,omitempty"`
	// Privacy lists each identity card, mobile or bank card number, masked,
	// with its place.
	Privacy []PrivacyFinding `json:"privacy"`
	// Lengths: one per channel the chosen audiences use.
	Lengths []LengthCheck `json:"lengths"`
}

// PrivacyFinding is a personal number found in a notice's text.
type PrivacyFinding struct {
	Field  string `json:"field"` // 标题 or 正文
	Line   int    `json:"line"`
	Column int    `json:"column"`
	Kind   string `json:"kind"`   // 身份证号, 手机号, 银行卡号
	Masked string `json:"masked"` // 3101**********1234
}

// LengthCheck is the notice's size as sent on one channel.
type LengthCheck struct {
	Channel     string `json:"channel"`
	ChannelName string `json:"channel_name"`
	Format      string `json:"format"` // 文本 or markdown
	Bytes       int    `json:"bytes"`
	Max         int    `json:"max"`
	OK          bool   `json:"ok"`
}

// Check runs every check Create runs, without saving anything.
func (s *Service) Check(d Draft) CheckResult {
	r := CheckResult{Privacy: []PrivacyFinding{}, Lengths: []LengthCheck{}}
	f, err := s.parse(d)
	if err == nil {
		err = checkTimes(f, s.now(), false)
	}
	if err != nil {
		r.Problem, r.Code = err.Error(), CodeOf(err)
	}
	title, body := strings.TrimSpace(d.Title), strings.TrimSpace(d.Body)
	for _, x := range append(privacy.Scan("title", title), privacy.Scan("body", body)...) {
		kind := kindNames[x.Kind]
		if kind == "" {
			kind = x.Kind
		}
		r.Privacy = append(r.Privacy, PrivacyFinding{Field: fieldNames[x.Field], Line: x.Line, Column: x.Column, Kind: kind, Masked: x.Masked})
	}
	m := push.Message{Title: title, Body: body, Markdown: d.Markdown}
	seen := map[string]bool{}
	for _, name := range d.Audiences {
		a, ok := s.audience(strings.TrimSpace(name))
		if !ok {
			continue
		}
		for _, ch := range channelsOf(a) {
			if seen[ch] {
				continue
			}
			seen[ch] = true
			lc := LengthCheck{Channel: ch, ChannelName: channel.Label(ch)}
			lc.Format, lc.Bytes, lc.Max = channelText(ch, m)
			lc.OK = lc.Bytes <= lc.Max
			r.Lengths = append(r.Lengths, lc)
		}
	}
	return r
}

// channelText is the format, size and limit of m as sent on the channel
// called name (as checkLength measures it): a channel without markdown
// (the Official Account) sends text.
func channelText(name string, m push.Message) (format string, n, max int) {
	ch, ok := channel.Get(name)
	if !ok {
		return "文本", len(push.TextContent(m)), 0
	}
	msgtype, text, max := ch.Content(m)
	format = "文本"
	if msgtype == "markdown" {
		format = "markdown"
	}
	return format, len(text), max
}
