package admin

import (
	"encoding/csv"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/yingpu/govbot/audit"
	"github.com/yingpu/govbot/clock"
	"github.com/yingpu/govbot/config"
)

var adminRoles = []string{config.RoleAdmin}

func (c *Console) registerAudit() {
	if c.opts.Audit == nil {
		return
	}
	c.AddNav(NavItem{Label: "操作记录", Href: "/admin/audit", Roles: adminRoles, Order: 50})
	c.Handle(Page{Pattern: "GET /admin/audit", Roles: adminRoles, Serve: c.auditPage})
	c.Handle(Page{Pattern: "GET /admin/audit.csv", Roles: adminRoles, Serve: c.auditCSV})
}

// auditQuery is the filter form of the audit page (and of its export).
type auditQuery struct {
	Actor, Action, From, To string
	Limit                   int
}

func (c *Console) auditFilter(q *Request) (auditQuery, audit.Filter, error) {
	v := q.R.URL.Query()
	aq := auditQuery{Actor: v.Get("actor"), Action: v.Get("action"), From: v.Get("from"), To: v.Get("to"), Limit: 200}
	f := audit.Filter{Actor: aq.Actor, Action: aq.Action, Limit: aq.Limit}
	if s := v.Get("limit"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > audit.MaxLimit {
			return aq, f, ErrBadRequest.With(fmt.Sprintf("条数须为 1 到 %d。", audit.MaxLimit))
		}
		aq.Limit, f.Limit = n, n
	}
	if aq.From != "" {
		d, err := clock.ParseDate(aq.From)
		if err != nil {
			return aq, f, ErrBadRequest.With("开始日期格式应为 年-月-日。")
		}
		f.From = d
	}
	if aq.To != "" {
		d, err := clock.ParseDate(aq.To)
		if err != nil {
			return aq, f, ErrBadRequest.With("结束日期格式应为 年-月-日。")
		}
		f.To = d.AddDate(0, 0, 1).Add(-time.Nanosecond)
	}
	return aq, f, nil
}

// chainView is the outcome of verifying the whole chain.
type chainView struct {
	OK      bool
	Records int
	Problem string
}

func (c *Console) auditPage(q *Request) error {
	aq, f, err := c.auditFilter(q)
	if err != nil {
		return err
	}
	recs, err := c.opts.Audit.List(f)
	if err != nil {
		return err
	}
	n, verr := c.opts.Audit.Verify()
	chain := chainView{OK: verr == nil, Records: n}
	if verr != nil {
		chain.Problem = verr.Error()
	}
	csvURL := "/admin/audit.csv?" + q.R.URL.RawQuery
	return q.Render(http.StatusOK, "audit", "操作记录", map[string]any{
		"Q": aq, "Records": recs, "Chain": chain, "CSV": csvURL, "Actions": knownActions,
		"Users": c.userNames(),
	})
}

// auditActionNames are the Chinese names of the audited actions.
var auditActionNames = map[string]string{
	"console.signin": "登录", "console.signout": "退出登录", "notice.create": "创建通知", "notice.update": "修改通知",
	"notice.submit": "提交审核", "notice.approve": "批准通知", "notice.reject": "退回通知", "notice.cancel": "撤销通知",
	"notice.send": "开始发送", "notice.send_failed": "交付发送失败", "notice.done": "发送完成", "notice.publish": "公开发布",
	"notice.publish_failed": "公开发布失败", "notice.get": "查看通知", "notice.list": "通知列表", "audience.list": "受众列表",
	"audit.list": "查看操作记录", "audit.export": "导出操作记录", "audit.rekey": "操作记录改用密钥签名",
	"user.list": "用户列表", "user.me": "查看本人", "index.reindex": "开始重建索引", "index.reindex.done": "重建索引结束",
	"index.rollback.done": "回滚索引", "api.refused": "接口请求被拒（汇总）", "api.not_found": "接口不存在", "api.method": "请求方法不支持",
	"queries.unanswered": "未答问题",
}

// knownActions are offered in the action filter.
var knownActions = []string{
	"console.signin", "console.signout", "notice.create", "notice.update", "notice.submit", "notice.approve",
	"notice.reject", "notice.cancel", "notice.send", "notice.done", "notice.publish", "audit.export",
	"index.reindex", "api.refused",
}

func (c *Console) userNames() []string {
	var out []string
	for _, u := range c.opts.Users {
		out = append(out, u.Name)
	}
	return out
}

// auditCSV exports the filtered records (at most audit.MaxLimit) as CSV
// with a BOM, which spreadsheet programs need to read UTF-8.
func (c *Console) auditCSV(q *Request) error {
	_, f, err := c.auditFilter(q)
	if err != nil {
		return err
	}
	if q.R.URL.Query().Get("limit") == "" {
		f.Limit = audit.MaxLimit
	}
	recs, err := c.opts.Audit.List(f)
	if err != nil {
		return err
	}
	q.Audit("audit.export", "", audit.ResultOK, fmt.Sprintf("导出 %d 条记录", len(recs)))
	w := q.W
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="govbot-audit-%s.csv"`, c.clock.Now().In(clock.Shanghai).Format("20060102-1504")))
	w.Write([]byte("\ufeff"))
	cw := csv.NewWriter(w)
	cw.Write([]string{"序号", "时间", "操作人", "操作", "通知", "地址", "请求", "结果", "状态码", "错误码", "说明", "哈希"})
	for _, r := range recs {
		cw.Write([]string{strconv.FormatUint(r.Seq, 10), r.At.In(clock.Shanghai).Format(time.RFC3339), csvSafe(r.Actor), csvSafe(r.Action),
			csvSafe(r.NoticeID), csvSafe(r.Remote), csvSafe(r.Request), r.Result, strconv.Itoa(r.Status), strconv.Itoa(r.Code),
			csvSafe(r.Message), r.Hash})
	}
	cw.Flush()
	return cw.Error()
}

// csvSafe keeps a spreadsheet from running a cell as a formula: a field
// starting with = + - @ (or a tab or CR) gets a leading apostrophe.
func csvSafe(s string) string {
	if s != "" && (s[0] == '=' || s[0] == '+' || s[0] == '-' || s[0] == '@' || s[0] == '\t' || s[0] == '\r') {
		return "'" + s
	}
	return s
}
