package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"sort"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/yingpu/govbot/clock"
)

const noticeUsage = `govbot notice: write, review and follow notices through a running server's admin API.

Usage:
  govbot notice [--server URL] [--token T] COMMAND [ARGS] [FLAGS]

Commands:
  create    --title T (--body B | --body-file F) --audience A [--audience B ...]
            [--urgent] [--markdown] [--public --expires YYYY-MM-DD] [--send-at RFC3339] [--submit]
  edit ID   [--title T] [--body B | --body-file F] [--audience A ...] [--urgent=false] ...
  submit ID                 send a draft (or a rejected notice) for review
  approve ID [--note N]     approve (reviewers; not your own notice)
  reject ID --reason R      send back to the author
  cancel ID [--note N]      withdraw before sending
  get ID [--json]           a notice, its history and its delivery report
  list [--status S] [--author A] [--limit N] [--json]
  audiences [--json]        the audiences and their recipients
  audit [--limit N] [--actor A] [--action X] [--notice ID] [--from D] [--to D] [--json]   (admins)
  whoami                    the user the token belongs to
  unanswered [--from D] [--to D] [--json]   what residents asked that nothing answered (admins; default: 30 days)
  reindex [--json]          rebuild the index from the data directory and swap it in (admins)

The server is --server, or GOVBOT_SERVER, or http://127.0.0.1:8080.
The token is --token, or GOVBOT_TOKEN (prefer the variable: command lines are visible to others).
--body-file - reads the body from standard input.
`

// noticeClient talks to the admin API.
type noticeClient struct {
	server, token string
	http          *http.Client
}

// apiError is the admin API's error JSON.
type apiError struct {
	Code    int    `json:"code"`
	HTTP    int    `json:"http"`
	Message string `json:"error"`
}

func (e *apiError) Error() string {
	return fmt.Sprintf("%s（错误码 %d，HTTP %d）", e.Message, e.Code, e.HTTP)
}

func (c *noticeClient) call(ctx context.Context, method, path string, body any, out any) error {
	var rd io.Reader
	if body != nil {
		data, err := json.Marshal(body)
		if err != nil {
			return err
		}
		rd = bytes.NewReader(data)
	}
	req, err := http.NewRequestWithContext(ctx, method, strings.TrimRight(c.server, "/")+path, rd)
	if err != nil {
		return fmt.Errorf("server address %q: %w", c.server, err)
	}
	req.Header.Set("Authorization", "Bearer "+c.token)
	req.Header.Set("Accept", "application/json")
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return fmt.Errorf("无法连接服务器 %s：%w", c.server, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, 32<<20))
	if err != nil {
		return fmt.Errorf("读取服务器应答失败：%w", err)
	}
	if resp.StatusCode >= 300 {
		var e apiError
		if json.Unmarshal(data, &e) == nil && e.Code != 0 {
			return &e
		}
		return fmt.Errorf("服务器应答 HTTP %d：%s", resp.StatusCode, strings.TrimSpace(string(data)))
	}
	if out == nil {
		return nil
	}
	if raw, ok := out.(*json.RawMessage); ok {
		*raw = data
		return nil
	}
	if err := json.Unmarshal(data, out); err != nil {
		return fmt.Errorf("服务器应答不是预期的 JSON：%w", err)
	}
	return nil
}

// Wire shapes of the admin API, as far as the client shows them.
type wireEvent struct {
	Action string    `json:"action"`
	By     string    `json:"by"`
	At     time.Time `json:"at"`
	Note   string    `json:"note"`
}

type wireChannel struct {
	Total, Sent, Failed, Pending, Unreachable int
}

type wireReport struct {
	Total       int                    `json:"total"`
	Sent        int                    `json:"sent"`
	Failed      int                    `json:"failed"`
	Pending     int                    `json:"pending"`
	Unreachable int                    `json:"unreachable"`
	ByChannel   map[string]wireChannel `json:"by_channel"`
	Failures    []struct {
		Channel, Kind, ID string
		Code              int
		Reason            string
		At                time.Time
	} `json:"failures"`
}

type wireNotice struct {
	ID          string      `json:"id"`
	Title       string      `json:"title"`
	Body        string      `json:"body"`
	Audiences   []string    `json:"audiences"`
	Urgent      bool        `json:"urgent"`
	Public      bool        `json:"public"`
	Markdown    bool        `json:"markdown"`
	Expires     string      `json:"expires"`
	SendAt      time.Time   `json:"send_at"`
	Status      string      `json:"status"`
	Author      string      `json:"author"`
	Reviewer    string      `json:"reviewer"`
	Created     time.Time   `json:"created"`
	Updated     time.Time   `json:"updated"`
	ReviewedAt  time.Time   `json:"reviewed_at"`
	SentAt      time.Time   `json:"sent_at"`
	DoneAt      time.Time   `json:"done_at"`
	Recipients  int         `json:"recipients"`
	LastError   string      `json:"last_error"`
	NextAttempt time.Time   `json:"next_attempt"`
	Published   bool        `json:"published"`
	History     []wireEvent `json:"history"`
	Report      wireReport  `json:"report"`
}

var statusNames = map[string]string{
	"draft": "草稿", "submitted": "待审核", "approved": "已批准，待发送", "rejected": "已退回",
	"sending": "发送中", "done": "已完成", "cancelled": "已撤销",
}

var actionNames = map[string]string{
	"create": "创建", "edit": "修改", "submit": "提交审核", "approve": "批准", "reject": "退回",
	"cancel": "撤销", "send": "交付发送", "send_failed": "交付失败", "done": "发送完成",
	"publish": "公开发布", "publish_failed": "公开发布失败",
}

func zh(m map[string]string, k string) string {
	if v, ok := m[k]; ok {
		return v + "（" + k + "）"
	}
	return k
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

// parseInterspersed parses flags anywhere among the arguments (Go's flag
// package stops at the first non-flag) and returns the positional ones.
func parseInterspersed(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		args = fs.Args()
		if len(args) == 0 {
			return pos, nil
		}
		if args[0] == "--" {
			return append(pos, args[1:]...), nil
		}
		pos = append(pos, args[0])
		args = args[1:]
	}
}

type multiFlag []string

func (m *multiFlag) String() string     { return strings.Join(*m, ",") }
func (m *multiFlag) Set(v string) error { *m = append(*m, v); return nil }

func usageErr(format string, a ...any) error {
	return &exitError{code: 2, err: fmt.Errorf(format, a...)}
}

func runNotice(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	server := os.Getenv("GOVBOT_SERVER")
	if server == "" {
		server = "http://127.0.0.1:8080"
	}
	token := os.Getenv("GOVBOT_TOKEN")
	global := func(fs *flag.FlagSet) {
		fs.StringVar(&server, "server", server, "admin API `URL` of the running govbot")
		fs.StringVar(&token, "token", token, "bearer `token` (default $GOVBOT_TOKEN)")
	}
	gfs := flag.NewFlagSet("govbot notice", flag.ContinueOnError)
	gfs.SetOutput(stderr)
	gfs.Usage = func() { fmt.Fprint(stderr, noticeUsage) }
	global(gfs)
	if err := gfs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return &exitError{code: 2, err: errors.New("")}
	}
	rest := gfs.Args()
	if len(rest) == 0 {
		fmt.Fprint(stderr, noticeUsage)
		return &exitError{code: 2, err: errors.New("")}
	}
	cmd, rest := rest[0], rest[1:]
	if cmd == "help" {
		fmt.Fprint(stdout, noticeUsage)
		return nil
	}

	fs := flag.NewFlagSet("govbot notice "+cmd, flag.ContinueOnError)
	fs.SetOutput(stderr)
	global(fs)
	jsonOut := fs.Bool("json", false, "print the server's JSON")
	var (
		title, body, bodyFile, expires, sendAt, note, reason, status, author, actor, action, noticeID, from, to string
		audiences                                                                                               multiFlag
		urgent, public, markdown, submit                                                                        bool
		limit                                                                                                   int
	)
	contentFlags := func() {
		fs.StringVar(&title, "title", "", "title")
		fs.StringVar(&body, "body", "", "body text")
		fs.StringVar(&bodyFile, "body-file", "", "read the body from `file` (- for standard input)")
		fs.Var(&audiences, "audience", "audience `name` (repeat for several)")
		fs.BoolVar(&urgent, "urgent", false, "urgent: ahead of other notices in the delivery queues")
		fs.BoolVar(&public, "public", false, "also publish as a disclosure (needs --expires)")
		fs.BoolVar(&markdown, "markdown", false, "markdown body (WeCom robots and app messages)")
		fs.StringVar(&expires, "expires", "", "last day the public notice is in force, `YYYY-MM-DD`")
		fs.StringVar(&sendAt, "send-at", "", "scheduled send `time`, RFC 3339 (2024-06-01T08:00:00+08:00)")
	}
	wantID := 0
	switch cmd {
	case "create":
		contentFlags()
		fs.BoolVar(&submit, "submit", false, "submit for review at once")
	case "edit":
		contentFlags()
		wantID = 1
	case "submit", "get":
		wantID = 1
	case "approve", "cancel":
		fs.StringVar(&note, "note", "", "a note recorded with the action")
		wantID = 1
	case "reject":
		fs.StringVar(&reason, "reason", "", "why the notice is sent back (required)")
		wantID = 1
	case "list":
		fs.StringVar(&status, "status", "", "only notices in this `status` (draft, submitted, approved, rejected, sending, done, cancelled)")
		fs.StringVar(&author, "author", "", "only notices by this `user`")
		fs.IntVar(&limit, "limit", 0, "at most `N` notices (default 50)")
	case "audiences", "whoami", "reindex":
	case "unanswered":
		fs.StringVar(&from, "from", "", "from this `date` (YYYY-MM-DD) or RFC 3339 time")
		fs.StringVar(&to, "to", "", "up to this `date` (YYYY-MM-DD, inclusive) or RFC 3339 time")
	case "audit":
		fs.IntVar(&limit, "limit", 0, "at most `N` records (default 100)")
		fs.StringVar(&actor, "actor", "", "only records by this `user`")
		fs.StringVar(&action, "action", "", "only this `action` (notice.approve, ...)")
		fs.StringVar(&noticeID, "notice", "", "only records about this notice `ID`")
		fs.StringVar(&from, "from", "", "from this `date` (YYYY-MM-DD) or RFC 3339 time")
		fs.StringVar(&to, "to", "", "up to this `date` (YYYY-MM-DD, inclusive) or RFC 3339 time")
	default:
		return usageErr("unknown notice command %q (see: govbot notice help)", cmd)
	}
	pos, err := parseInterspersed(fs, rest)
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return &exitError{code: 2, err: errors.New("")}
	}
	if len(pos) != wantID {
		if wantID == 1 {
			return usageErr("%s needs one notice ID, got %d arguments", cmd, len(pos))
		}
		return usageErr("%s takes no arguments, got %q", cmd, pos)
	}
	id := ""
	if wantID == 1 {
		id = pos[0]
	}
	if strings.TrimSpace(token) == "" {
		return usageErr("no token: set GOVBOT_TOKEN or pass --token")
	}
	c := &noticeClient{server: server, token: strings.TrimSpace(token), http: &http.Client{Timeout: 2 * time.Minute}}
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })

	// printNotice shows a notice answer, as JSON or for a person.
	printNotice := func(raw json.RawMessage, headline string) error {
		if *jsonOut {
			return printJSON(stdout, raw)
		}
		var n wireNotice
		if err := json.Unmarshal(raw, &n); err != nil {
			return fmt.Errorf("服务器应答不是预期的 JSON：%w", err)
		}
		if headline != "" {
			fmt.Fprintf(stdout, headline+"\n", n.ID, zh(statusNames, n.Status))
			if n.LastError != "" {
				fmt.Fprintf(stdout, "注意：交付发送失败（%s），将于 %s 重试\n", n.LastError, fmtWhen(n.NextAttempt))
			}
			return nil
		}
		writeNotice(stdout, n)
		return nil
	}

	switch cmd {
	case "create", "edit":
		in := map[string]any{}
		if set["body"] && set["body-file"] {
			return usageErr("give --body or --body-file, not both")
		}
		if set["body-file"] {
			b, err := readBody(bodyFile, stdin)
			if err != nil {
				return err
			}
			body = b
			set["body"] = true
		}
		if cmd == "create" {
			if title == "" || body == "" || len(audiences) == 0 {
				return usageErr("create needs --title, --body (or --body-file) and at least one --audience")
			}
		}
		put := func(flagName, key string, v any) {
			if cmd == "create" || set[flagName] {
				in[key] = v
			}
		}
		put("title", "title", title)
		put("body", "body", body)
		if cmd == "create" || set["audience"] {
			in["audiences"] = []string(audiences)
		}
		put("urgent", "urgent", urgent)
		put("public", "public", public)
		put("markdown", "markdown", markdown)
		put("expires", "expires", expires)
		put("send-at", "send_at", sendAt)
		if cmd == "edit" && len(in) == 0 {
			return usageErr("edit: nothing to change")
		}
		var raw json.RawMessage
		if cmd == "create" {
			if err := c.call(ctx, "POST", "/api/notices", in, &raw); err != nil {
				return err
			}
			if !submit {
				return printNotice(raw, "已创建通知 %s，状态：%s。提交审核：govbot notice submit <ID>")
			}
			var n wireNotice
			if err := json.Unmarshal(raw, &n); err != nil {
				return err
			}
			if err := c.call(ctx, "POST", "/api/notices/"+url.PathEscape(n.ID)+"/submit", nil, &raw); err != nil {
				return fmt.Errorf("通知 %s 已创建为草稿，但提交审核失败：%w", n.ID, err)
			}
			return printNotice(raw, "已创建并提交通知 %s，状态：%s")
		}
		if err := c.call(ctx, "PATCH", "/api/notices/"+url.PathEscape(id), in, &raw); err != nil {
			return err
		}
		return printNotice(raw, "已修改通知 %s，状态：%s")

	case "submit", "approve", "reject", "cancel":
		var in map[string]string
		switch {
		case cmd == "reject":
			in = map[string]string{"reason": reason}
		case note != "":
			in = map[string]string{"note": note}
		}
		var raw json.RawMessage
		var payload any
		if in != nil {
			payload = in
		}
		if err := c.call(ctx, "POST", "/api/notices/"+url.PathEscape(id)+"/"+cmd, payload, &raw); err != nil {
			return err
		}
		done := map[string]string{"submit": "已提交", "approve": "已批准", "reject": "已退回", "cancel": "已撤销"}[cmd]
		return printNotice(raw, done+"通知 %s，状态：%s")

	case "get":
		var raw json.RawMessage
		if err := c.call(ctx, "GET", "/api/notices/"+url.PathEscape(id), nil, &raw); err != nil {
			return err
		}
		return printNotice(raw, "")

	case "list":
		q := url.Values{}
		if status != "" {
			q.Set("status", status)
		}
		if author != "" {
			q.Set("author", author)
		}
		if limit > 0 {
			q.Set("limit", strconv.Itoa(limit))
		}
		var raw json.RawMessage
		if err := c.call(ctx, "GET", "/api/notices"+query(q), nil, &raw); err != nil {
			return err
		}
		if *jsonOut {
			return printJSON(stdout, raw)
		}
		var out struct{ Notices []wireNotice }
		if err := json.Unmarshal(raw, &out); err != nil {
			return err
		}
		if len(out.Notices) == 0 {
			fmt.Fprintln(stdout, "没有通知。")
			return nil
		}
		tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "编号\t状态\t紧急\t作者\t更新时间\t标题")
		for _, n := range out.Notices {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", n.ID, n.Status, yesNo(n.Urgent), n.Author, fmtWhen(n.Updated), n.Title)
		}
		return tw.Flush()

	case "audiences":
		var raw json.RawMessage
		if err := c.call(ctx, "GET", "/api/audiences", nil, &raw); err != nil {
			return err
		}
		if *jsonOut {
			return printJSON(stdout, raw)
		}
		var out struct {
			Audiences []struct {
				Name        string
				Channels    []string
				Counts      map[string]int
				Unavailable string
			}
		}
		if err := json.Unmarshal(raw, &out); err != nil {
			return err
		}
		if len(out.Audiences) == 0 {
			fmt.Fprintln(stdout, "没有配置受众（config: audiences）。")
			return nil
		}
		kindNames := map[string]string{
			"followers": "订阅的公众号粉丝", "oa_tags": "公众号标签", "work_users": "企业微信成员",
			"work_depts": "企业微信部门", "work_tags": "企业微信标签", "work_chats": "应用群聊", "work_robots": "群机器人",
		}
		for _, a := range out.Audiences {
			var parts []string
			keys := make([]string, 0, len(a.Counts))
			for k := range a.Counts {
				keys = append(keys, k)
			}
			sort.Strings(keys)
			for _, k := range keys {
				name := kindNames[k]
				if name == "" {
					name = k
				}
				parts = append(parts, fmt.Sprintf("%s %d", name, a.Counts[k]))
			}
			fmt.Fprintf(stdout, "%s：%s\n", a.Name, strings.Join(parts, "，"))
			if a.Unavailable != "" {
				fmt.Fprintf(stdout, "  不可用：%s\n", a.Unavailable)
			}
		}
		return nil

	case "audit":
		q := url.Values{}
		for k, v := range map[string]string{"actor": actor, "action": action, "notice": noticeID, "from": from, "to": to} {
			if v != "" {
				q.Set(k, v)
			}
		}
		if limit > 0 {
			q.Set("limit", strconv.Itoa(limit))
		}
		var raw json.RawMessage
		if err := c.call(ctx, "GET", "/api/audit"+query(q), nil, &raw); err != nil {
			return err
		}
		if *jsonOut {
			return printJSON(stdout, raw)
		}
		var out struct {
			Records []struct {
				Seq      uint64
				At       time.Time
				Actor    string
				Action   string
				NoticeID string `json:"notice_id"`
				Remote   string
				Result   string
				Status   int
				Code     int
				Message  string
			}
		}
		if err := json.Unmarshal(raw, &out); err != nil {
			return err
		}
		tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "序号\t时间\t用户\t操作\t通知\t来源\t结果\t说明")
		for _, r := range out.Records {
			actor := r.Actor
			if actor == "" {
				actor = "（未认证）"
			}
			result := r.Result
			if r.Code != 0 {
				result = fmt.Sprintf("%s %d", r.Result, r.Code)
			}
			fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", r.Seq, r.At.In(clock.Shanghai).Format("2006-01-02 15:04:05"),
				actor, r.Action, dash(r.NoticeID), dash(r.Remote), result, oneLine(r.Message))
		}
		return tw.Flush()

	case "unanswered":
		q := url.Values{}
		for k, v := range map[string]string{"from": from, "to": to} {
			if v != "" {
				q.Set(k, v)
			}
		}
		var raw json.RawMessage
		if err := c.call(ctx, "GET", "/api/queries/unanswered"+query(q), nil, &raw); err != nil {
			return err
		}
		if *jsonOut {
			return printJSON(stdout, raw)
		}
		var out struct {
			Questions []struct {
				Example string
				Count   int
				Senders int
				Last    time.Time
			}
		}
		if err := json.Unmarshal(raw, &out); err != nil {
			return err
		}
		if len(out.Questions) == 0 {
			fmt.Fprintln(stdout, "这段时间没有未能回答的问题。")
			return nil
		}
		tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "次数	人数	最近	问题")
		for _, q := range out.Questions {
			fmt.Fprintf(tw, "%d\t%d\t%s\t%s\n", q.Count, q.Senders, q.Last.In(clock.Shanghai).Format("2006-01-02"), oneLine(q.Example))
		}
		return tw.Flush()

	case "reindex":
		var raw json.RawMessage
		if err := c.call(ctx, "POST", "/api/reindex", nil, &raw); err != nil {
			return err
		}
		if *jsonOut {
			return printJSON(stdout, raw)
		}
		var out struct {
			Generation                       string
			Indexed, Drafts, Blocked, Errors int
			Problems                         []string
		}
		if err := json.Unmarshal(raw, &out); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "已重建索引 %s：收录 %d 条，草稿 %d 条，隐私检查拦截 %d 条，错误 %d 条\n", out.Generation, out.Indexed, out.Drafts, out.Blocked, out.Errors)
		for _, p := range out.Problems {
			fmt.Fprintln(stdout, "  "+p)
		}
		return nil

	case "whoami":
		var out struct {
			Name  string
			Roles []string
		}
		if err := c.call(ctx, "GET", "/api/me", nil, &out); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "%s（%s）\n", out.Name, strings.Join(out.Roles, "、"))
		return nil
	}
	return nil
}

func query(q url.Values) string {
	if len(q) == 0 {
		return ""
	}
	return "?" + q.Encode()
}

func dash(s string) string {
	if s == "" {
		return "—"
	}
	return s
}

func oneLine(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if r := []rune(s); len(r) > 60 {
		return string(r[:60]) + "…"
	}
	return s
}

func readBody(path string, stdin io.Reader) (string, error) {
	var data []byte
	var err error
	if path == "-" {
		data, err = io.ReadAll(io.LimitReader(stdin, 1<<20))
	} else {
		data, err = os.ReadFile(path)
	}
	if err != nil {
		return "", fmt.Errorf("read body: %w", err)
	}
	return string(data), nil
}

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

// writeNotice prints a notice for a person.
func writeNotice(w io.Writer, n wireNotice) {
	fmt.Fprintf(w, "通知 %s：%s\n", n.ID, n.Title)
	fmt.Fprintf(w, "状态：%s\n", zh(statusNames, n.Status))
	fmt.Fprintf(w, "受众：%s\n", strings.Join(n.Audiences, "、"))
	fmt.Fprintf(w, "紧急：%s  公开：%s", yesNo(n.Urgent), yesNo(n.Public))
	if n.Public {
		fmt.Fprintf(w, "（有效期至 %s", dash(n.Expires))
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
	chans := make([]string, 0, len(r.ByChannel))
	for ch := range r.ByChannel {
		chans = append(chans, ch)
	}
	sort.Strings(chans)
	channelNames := map[string]string{"robot": "群机器人", "work_chat": "应用群聊", "work_app": "应用消息", "oa": "公众号"}
	for _, ch := range chans {
		c := r.ByChannel[ch]
		name := channelNames[ch]
		if name == "" {
			name = ch
		}
		fmt.Fprintf(w, "  %s：共 %d，已送达 %d，失败 %d，待发送 %d，无法送达 %d\n", name, c.Total, c.Sent, c.Failed, c.Pending, c.Unreachable)
	}
	if len(r.Failures) > 0 {
		fmt.Fprintln(w, "失败明细：")
		for _, f := range r.Failures {
			fmt.Fprintf(w, "  %s/%s/%s  %d  %s\n", f.Channel, f.Kind, f.ID, f.Code, f.Reason)
		}
	}
	fmt.Fprintln(w, "\n记录：")
	for _, h := range n.History {
		line := fmt.Sprintf("  %s  %s  %s", fmtWhen(h.At), zh(actionNames, h.Action), h.By)
		if h.Note != "" {
			line += "  " + h.Note
		}
		fmt.Fprintln(w, line)
	}
	fmt.Fprintf(w, "\n正文：\n%s\n", n.Body)
}
