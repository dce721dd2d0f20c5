package admin

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/yingpu/govbot/catalog"
	"github.com/yingpu/govbot/clock"
	"github.com/yingpu/govbot/demand"
)

func (c *Console) registerDemand() {
	c.AddNav(NavItem{Label: "需求", Href: "/admin/demand", Roles: adminRoles, Order: 45})
	for _, p := range []Page{
		{Pattern: "GET /admin/demand", Roles: adminRoles, Serve: c.demandPage},
		{Pattern: "GET /admin/demand.csv", Roles: adminRoles, Serve: c.demandCSV},
		{Pattern: "POST /admin/demand/ask", Roles: adminRoles, Serve: c.demandAsk},
		{Pattern: "POST /admin/demand/synonym", Roles: adminRoles, Serve: c.demandSynonym},
	} {
		c.Handle(p)
	}
}

// demandPeriod reads from/to (Beijing dates; default the last 28 days).
func (c *Console) demandPeriod(q *Request) (from, to time.Time, fromS, toS string, err error) {
	v := q.R.URL.Query()
	fromS, toS = strings.TrimSpace(v.Get("from")), strings.TrimSpace(v.Get("to"))
	today := clock.Today(c.clock)
	to = today.AddDate(0, 0, 1)
	from = today.AddDate(0, 0, -27)
	if toS != "" {
		d, perr := clock.ParseDate(toS)
		if perr != nil {
			return from, to, fromS, toS, ErrBadRequest.With("结束日期须为 YYYY-MM-DD。")
		}
		to = d.AddDate(0, 0, 1)
	}
	if fromS != "" {
		d, perr := clock.ParseDate(fromS)
		if perr != nil {
			return from, to, fromS, toS, ErrBadRequest.With("开始日期须为 YYYY-MM-DD。")
		}
		from = d
	}
	if !from.Before(to) {
		return from, to, fromS, toS, ErrBadRequest.With("开始日期须早于结束日期。")
	}
	if fromS == "" {
		fromS = from.Format("2006-01-02")
	}
	if toS == "" {
		toS = today.Format("2006-01-02")
	}
	return from, to, fromS, toS, nil
}

func (c *Console) demandReport(q *Request) (*demand.Report, string, string, error) {
	from, to, fromS, toS, err := c.demandPeriod(q)
	if err != nil {
		return nil, fromS, toS, err
	}
	rows, err := c.opts.Content.Catalog.List(catalog.Filter{Status: catalog.StatusPublished})
	if err != nil {
		return nil, fromS, toS, err
	}
	docs := make([]demand.Doc, len(rows))
	for i, r := range rows {
		docs[i] = demand.Doc{ID: r.ID, Title: r.Title, Category: r.Category}
	}
	rep, err := demand.Build(c.opts.Content.Queries, from, to, demand.Options{
		Docs: docs, LowConfidence: c.opts.Content.MinScore + 0.2,
	})
	return rep, fromS, toS, err
}

func (c *Console) demandPage(q *Request) error {
	rep, fromS, toS, err := c.demandReport(q)
	if err != nil {
		return err
	}
	return q.Render(http.StatusOK, "demand", "需求", map[string]any{
		"R": rep, "From": fromS, "To": toS, "Lists": demand.Lists, "Flash": q.R.URL.Query().Get("flash"),
	})
}

func (c *Console) demandCSV(q *Request) error {
	list := q.R.URL.Query().Get("list")
	known := false
	for _, l := range demand.Lists {
		known = known || l == list
	}
	if !known {
		return ErrBadRequest.With("未知的清单：" + list)
	}
	rep, fromS, toS, err := c.demandReport(q)
	if err != nil {
		return err
	}
	q.Audit("demand.export", "", "ok", list+" "+fromS+".."+toS)
	q.W.Header().Set("Content-Type", "text/csv; charset=utf-8")
	q.W.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="demand-%s-%s-%s.csv"`, list, fromS, toS))
	return demand.WriteCSV(q.W, rep, list)
}

// afterFix starts a reindex and sends the admin to the hit test of q,
// which reruns it when the reindex is done.
func (c *Console) afterFix(q *Request, question string) error {
	j, err := c.startReindex(q)
	if err != nil {
		return err
	}
	q.Redirect(fmt.Sprintf("/admin/hittest?q=%s&after=%d", url.QueryEscape(question), j.ID))
	return nil
}

// demandAsk adds the question as a 常见问法 of the disclosure that should
// have answered it, reindexes, and reruns it in the hit test.
func (c *Console) demandAsk(q *Request) error {
	question := strings.TrimSpace(q.R.PostFormValue("q"))
	id := strings.TrimSpace(q.R.PostFormValue("id"))
	if _, err := c.opts.Content.Catalog.Lookup(id); err != nil {
		if _, gerr := c.opts.Content.Catalog.Get(id); gerr != nil {
			return ErrBadRequest.With("没有编号为 " + id + " 的公开信息，请填写应当回答此问题的公开信息编号。")
		}
	}
	if _, err := c.opts.Content.Catalog.AddAsk(actorOf(q.User), id, question); err != nil {
		q.Audit("disclosure.ask.add", "", "error", id+"："+err.Error())
		return contentError(err)
	}
	q.Audit("disclosure.ask.add", "", "ok", id+"："+question)
	return c.afterFix(q, question)
}

// demandSynonym adds a wording to the synonym group of an expression the
// disclosures use, reindexes, and reruns the question in the hit test.
func (c *Console) demandSynonym(q *Request) error {
	if c.opts.Content.Lexicon == nil {
		return ErrNotFound
	}
	question := strings.TrimSpace(q.R.PostFormValue("q"))
	expr := strings.TrimSpace(q.R.PostFormValue("expr"))
	member := strings.TrimSpace(q.R.PostFormValue("member"))
	v, err := c.opts.Content.Lexicon.AddSynonym(q.User.Name, member, expr)
	if err != nil {
		q.Audit("lexicon.save", "", "error", "synonyms.txt："+err.Error())
		return contentError(err)
	}
	q.Audit("lexicon.save", "", "ok", fmt.Sprintf("synonyms.txt 第 %d 版：%s", v.N, v.Note))
	if question == "" {
		question = expr
	}
	return c.afterFix(q, question)
}
