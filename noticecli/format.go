package noticecli

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strings"
	"time"

	"github.com/yingpu/govbot/channel"
	"github.com/yingpu/govbot/clock"
	"github.com/yingpu/govbot/handlers/adminapi"
	"github.com/yingpu/govbot/notice"
)

// statusName is a notice status in Chinese, with the API's word.
func statusName(s notice.Status) string {
	names := map[notice.Status]string{
		"draft": "草稿", "submitted": "待审核", "approved": "已批准，待发送", "rejected": "已退回",
		"sending": "发送中", "done": "已完成", "cancelled": "已撤销",
	}
	return withWord(names[s], string(s))
}

// actionName is a history action in Chinese, with the API's word.
func actionName(a string) string {
	names := map[string]string{
		"create": "创建", "edit": "修改", "submit": "提交审核", "approve": "批准", "reject": "退回",
		"cancel": "撤销", "send": "交付发送", "send_failed": "交付失败", "done": "发送完成",
		"publish": "公开发布", "publish_failed": "公开发布失败",
		"uncertain": "发送中断", "resend_uncertain": "重发中断的发送", "leave_uncertain": "中断的发送不再重发",
	}
	return withWord(names[a], a)
}

// channelName is a delivery channel in Chinese.
func channelName(ch string) string {
	return channel.Label(ch)
}

// targetKindName is a kind of audience target in Chinese.
func targetKindName(k string) string {
	names := map[string]string{"followers": "订阅的公众号粉丝", "oa_tags": "公众号标签"}
	for _, f := range channel.Fields() {
		names[f.Kind.Field] = f.Kind.Label
	}
	if n := names[k]; n != "" {
		return n
	}
	return k
}

func withWord(zh, word string) string {
	if zh == "" {
		return word
	}
	return zh + "（" + word + "）"
}

func fmtWhen(t time.Time) string {
	if t.IsZero() {
		return "—"
	}
	return t.In(clock.Shanghai).Format("2006-01-02 15:04")
}

func yesNo(b bool) string {
	if b {
		return "是"
	}
	return "否"
}

func dash(s string) string {
	if s == "" {
		return "—"
	}
	return s
}

// oneLine collapses white space and cuts s to 60 characters.
func oneLine(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if r := []rune(s); len(r) > 60 {
		return string(r[:60]) + "…"
	}
	return s
}

// printJSON prints the server's JSON, indented.
func printJSON(w io.Writer, raw json.RawMessage) error {
	var buf bytes.Buffer
	if err := json.Indent(&buf, raw, "", "  "); err != nil {
		_, err = w.Write(raw)
		return err
	}
	buf.WriteByte('\n')
	_, err := buf.WriteTo(w)
	return err
}

// printChanged prints the answer of an action on a notice: the JSON with
// --json, else headline (with the notice's ID and status) and any delivery
// problem.
func printChanged(w io.Writer, g *globals, raw json.RawMessage, headline string) error {
	if g.json {
		return printJSON(w, raw)
	}
	var n adminapi.NoticeView
	if err := decode(raw, &n); err != nil {
		return err
	}
	fmt.Fprintf(w, headline+"\n", n.ID, statusName(n.Status))
	if n.LastError != "" {
		fmt.Fprintf(w, "注意：交付发送失败（%s），将于 %s 重试\n", n.LastError, fmtWhen(n.NextAttempt))
	}
	return nil
}

// writeNotice prints a notice for a person.
func writeNotice(w io.Writer, n adminapi.NoticeView) {
	fmt.Fprintf(w, "通知 %s：%s\n", n.ID, n.Title)
	fmt.Fprintf(w, "状态：%s\n", statusName(n.Status))
	fmt.Fprintf(w, "受众：%s\n", strings.Join(n.Audiences, "、"))
	fmt.Fprintf(w, "紧急：%s  公开：%s", yesNo(n.Urgent), yesNo(n.Public))
	if n.Public {
		fmt.Fprintf(w, "（有效期至 %s", dash(n.Expires.String()))
		if n.Published {
			fmt.Fprint(w, "，已公开发布")
		}
		fmt.Fprint(w, "）")
	}
	fmt.Fprintf(w, "  Markdown：%s\n", yesNo(n.Markdown))
	fmt.Fprintf(w, "作者：%s  创建：%s\n", n.Author, fmtWhen(n.Created))
	if n.Reviewer != "" {
		fmt.Fprintf(w, "审核：%s  %s\n", n.Reviewer, fmtWhen(n.ReviewedAt))
	}
	if !n.SendAt.IsZero() {
		fmt.Fprintf(w, "定时发送：%s\n", fmtWhen(n.SendAt))
	}
	if !n.SentAt.IsZero() {
		fmt.Fprintf(w, "交付发送：%s，接收对象 %d 个\n", fmtWhen(n.SentAt), n.Recipients)
	}
	if n.LastError != "" {
		fmt.Fprintf(w, "交付失败：%s（将于 %s 重试）\n", n.LastError, fmtWhen(n.NextAttempt))
	}
	r := n.Report
	fmt.Fprintf(w, "\n送达情况：共 %d，已送达 %d，失败 %d，待发送 %d，无法送达 %d\n", r.Total, r.Sent, r.Failed, r.Pending, r.Unreachable)
	// Registry order, then any channel the registry no longer has.
	var chans, rest []string
	for _, c := range channel.All() {
		if _, ok := r.ByChannel[c.Name]; ok {
			chans = append(chans, c.Name)
		}
	}
	for ch := range r.ByChannel {
		if _, ok := channel.Get(ch); !ok {
			rest = append(rest, ch)
		}
	}
	sort.Strings(rest)
	chans = append(chans, rest...)
	for _, ch := range chans {
		c := r.ByChannel[ch]
		fmt.Fprintf(w, "  %s：共 %d，已送达 %d，失败 %d，待发送 %d，无法送达 %d\n", channelName(ch), c.Total, c.Sent, c.Failed, c.Pending, c.Unreachable)
	}
	if r.Uncertain+r.Unconfirmed+r.Resent > 0 {
		fmt.Fprintf(w, "发送中断：待决定 %d（可能已收到，见下），不再重发 %d，中断后重发 %d（可能收到两次）\n", r.Uncertain, r.Unconfirmed, r.Resent)
		for _, f := range r.Held {
			fmt.Fprintf(w, "  %s/%s/%s  %s\n", f.Channel, f.Kind, f.ID, f.Reason)
		}
	}
	if len(r.Failures) > 0 {
		fmt.Fprintln(w, "失败明细：")
		for _, f := range r.Failures {
			fmt.Fprintf(w, "  %s/%s/%s  %d  %s\n", f.Channel, f.Kind, f.ID, f.Code, f.Reason)
		}
	}
	fmt.Fprintln(w, "\n记录：")
	for _, h := range n.History {
		line := fmt.Sprintf("  %s  %s  %s", fmtWhen(h.At), actionName(h.Action), h.By)
		if h.Note != "" {
			line += "  " + h.Note
		}
		fmt.Fprintln(w, line)
	}
	fmt.Fprintf(w, "\n正文：\n%s\n", n.Body)
}
