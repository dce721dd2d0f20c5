package admin

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/yingpu/govbot/catalog"
	"github.com/yingpu/govbot/config"
	"github.com/yingpu/govbot/content"
)

// maxUploadBytes bounds an uploaded disclosure file.
const maxUploadBytes = 8 << 20

func (c *Console) registerDisclosures() {
	c.AddNav(NavItem{Label: "公开信息", Href: "/admin/disclosures", Roles: readerRoles, Order: 30})
	for _, p := range []Page{
		{Pattern: "GET /admin/disclosures", Roles: readerRoles, Serve: c.disclosureList},
		{Pattern: "GET /admin/disclosures/new", Roles: authorRoles, Serve: c.disclosureNew},
		{Pattern: "POST /admin/disclosures", Roles: authorRoles, Serve: c.disclosureSave},
		{Pattern: "GET /admin/disclosures/upload", Roles: authorRoles, Serve: c.disclosureUploadPage},
		{Pattern: "POST /admin/disclosures/upload", Roles: authorRoles, Serve: c.disclosureUpload},
		{Pattern: "GET /admin/disclosures/export.jsonl", Roles: readerRoles, Serve: c.disclosureExport},
		{Pattern: "GET /admin/disclosures/{id}", Roles: readerRoles, Serve: c.disclosureDetail},
		{Pattern: "GET /admin/disclosures/{id}/edit", Roles: authorRoles, Serve: c.disclosureEdit},
		{Pattern: "POST /admin/disclosures/{id}/submit", Roles: authorRoles, Serve: c.disclosureAction("submit")},
		{Pattern: "POST /admin/disclosures/{id}/approve", Roles: reviewRoles, Serve: c.disclosureAction("approve")},
		{Pattern: "POST /admin/disclosures/{id}/reject", Roles: reviewRoles, Serve: c.disclosureAction("reject")},
		{Pattern: "POST /admin/disclosures/{id}/end", Roles: reviewRoles, Serve: c.disclosureAction("end")},
		{Pattern: "POST /admin/disclosures/{id}/asks", Roles: adminRoles, Serve: c.disclosureAsk},
		{Pattern: "POST /admin/disclosures/{id}/asks/remove", Roles: adminRoles, Serve: c.disclosureAskRemove},
	} {
		c.Handle(p)
	}
}

var listStatuses = []catalog.Status{catalog.StatusPending, catalog.StatusBlocked, catalog.StatusRejected,
	catalog.StatusDraft, catalog.StatusPublished, catalog.StatusEnded}

func (c *Console) disclosureList(q *Request) error {
	v := q.R.URL.Query()
	all, err := c.opts.Content.Catalog.List(catalog.Filter{})
	if err != nil {
		return err
	}
	f := catalog.Filter{Q: v.Get("q"), Status: catalog.Status(v.Get("status")), Category: v.Get("category"), Limit: 300}
	rows, err := c.opts.Content.Catalog.List(f)
	if err != nil {
		return err
	}
	counts := catalog.Counts(all)
	type tab struct {
		Status catalog.Status
		Name   string
		Count  int
		Active bool
	}
	tabs := []tab{{Name: "全部", Count: len(all), Active: f.Status == ""}}
	for _, s := range listStatuses {
		tabs = append(tabs, tab{Status: s, Name: catalog.StatusName(s), Count: counts[s], Active: f.Status == s})
	}
	return q.Render(http.StatusOK, "disclosures", "公开信息", map[string]any{
		"Rows": rows, "Tabs": tabs, "Q": f.Q, "Status": f.Status, "Category": f.Category,
		"Categories": catalog.Categories(all), "CanWrite": q.User.Has(config.RoleStaff),
		"Flash": v.Get("flash"),
	})
}

// formData is the disclosure form.
type formData struct {
	ID, Title, Category, Department, Published, Effective, Expires, URL, Body string
	Audience, Keywords, LocName, LocAddress, Lat, Lon                         string
	Editing                                                                   bool
	Problem                                                                   string
	Problems                                                                  []content.Problem
}

func formOf(d content.Disclosure) formData {
	f := formData{ID: d.ID, Title: d.Title, Category: d.Category, Department: d.Department,
		Published: d.Published.String(), Effective: d.Effective.String(), Expires: d.Expires.String(),
		URL: d.URL, Body: d.Body, Audience: strings.Join(d.Audience, "、"), Keywords: strings.Join(d.Keywords, "、")}
	if l := d.Location; l != nil {
		f.LocName, f.LocAddress = l.Name, l.Address
		f.Lat, f.Lon = strconv.FormatFloat(l.Lat, 'f', -1, 64), strconv.FormatFloat(l.Lon, 'f', -1, 64)
	}
	return f
}

func splitItems(s string) []string {
	var out []string
	for _, w := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == '，' || r == '、' || r == '\n' }) {
		if w = strings.TrimSpace(w); w != "" {
			out = append(out, w)
		}
	}
	return out
}

// disclosureOf reads the form; problems with dates and coordinates are
// returned with the field they concern.
func disclosureOf(r *http.Request) (content.Disclosure, formData, []content.Problem) {
	g := func(k string) string { return strings.TrimSpace(r.PostFormValue(k)) }
	f := formData{ID: g("id"), Title: g("title"), Category: g("category"), Department: g("department"),
		Published: g("published"), Effective: g("effective"), Expires: g("expires"), URL: g("url"),
		Body: strings.ReplaceAll(r.PostFormValue("body"), "\r\n", "\n"), Audience: g("audience"), Keywords: g("keywords"),
		LocName: g("loc_name"), LocAddress: g("loc_address"), Lat: g("lat"), Lon: g("lon"), Editing: g("editing") == "1"}
	var ps []content.Problem
	date := func(field, s string) content.Date {
		d, err := content.ParseDate(s)
		if err != nil {
			ps = append(ps, content.Problem{Field: field, Message: catalog.FieldName(field) + "须为 YYYY-MM-DD 格式的日期"})
		}
		return d
	}
	d := content.Disclosure{ID: f.ID, Title: f.Title, Category: f.Category, Department: f.Department,
		Published: date("published", f.Published), Effective: date("effective", f.Effective), Expires: date("expires", f.Expires),
		URL: f.URL, Body: f.Body, Audience: splitItems(f.Audience), Keywords: splitItems(f.Keywords)}
	if f.Lat != "" || f.Lon != "" || f.LocName != "" {
		lat, err1 := strconv.ParseFloat(f.Lat, 64)
		lon, err2 := strconv.ParseFloat(f.Lon, 64)
		if err1 != nil || err2 != nil {
			ps = append(ps, content.Problem{Field: "location", Message: "地点须填写纬度和经度（数字）"})
		} else {
			d.Location = &content.Location{Name: f.LocName, Address: f.LocAddress, Lat: lat, Lon: lon}
		}
	}
	return d, f, ps
}

func (c *Console) disclosureNew(q *Request) error {
	return q.Render(http.StatusOK, "disclosure_form", "撰写公开信息", formData{})
}

func (c *Console) disclosureEdit(q *Request) error {
	id := q.R.PathValue("id")
	var d content.Disclosure
	if e, err := c.opts.Content.Catalog.Get(id); err == nil {
		d = e.Disclosure
	} else if s, lerr := c.opts.Content.Catalog.Lookup(id); lerr == nil && s.Disclosure.Body != "" {
		d = s.Disclosure
	} else {
		return contentError(err)
	}
	f := formOf(d)
	f.Editing = true
	return q.Render(http.StatusOK, "disclosure_form", "修改公开信息", f)
}

func (c *Console) disclosureSave(q *Request) error {
	d, f, ps := disclosureOf(q.R)
	if len(ps) > 0 {
		f.Problems = ps
		return q.Render(http.StatusBadRequest, "disclosure_form", "撰写公开信息", f)
	}
	source := "form"
	if f.Editing {
		if _, err := c.opts.Content.Catalog.Get(d.ID); err != nil {
			source = "data" // the first console edit of a shipped disclosure
		}
	}
	submit := q.R.PostFormValue("do") != "draft"
	e, err := c.opts.Content.Catalog.Save(actorOf(q.User), d, source, submit)
	if err != nil {
		var ce *catalog.Error
		if errors.As(err, &ce) && ce.Code == catalog.CodeInvalid {
			f.Problem, f.Problems = ce.Msg, ce.Problems
			return q.Render(http.StatusBadRequest, "disclosure_form", "撰写公开信息", f)
		}
		q.Audit("disclosure.save", "", "error", d.ID+"："+err.Error())
		return contentError(err)
	}
	msg := e.ID + "：" + catalog.StatusName(e.Status)
	if len(e.Findings) > 0 {
		msg += "；" + catalog.FindingsText(e.Findings)
	}
	q.Audit("disclosure.save", "", "ok", msg)
	q.Redirect("/admin/disclosures/" + url.PathEscape(e.ID) + "?flash=saved")
	return nil
}

func (c *Console) disclosureUploadPage(q *Request) error {
	return q.Render(http.StatusOK, "disclosure_upload", "上传公开信息", uploadView(nil))
}

func (c *Console) disclosureUpload(q *Request) error {
	q.R.Body = http.MaxBytesReader(q.W, q.R.Body, maxUploadBytes+64<<10)
	file, hdr, err := q.R.FormFile("file")
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return ErrBadRequest.With(fmt.Sprintf("文件超过 %d MB 上限。", maxUploadBytes>>20))
		}
		return q.Render(http.StatusBadRequest, "disclosure_upload", "上传公开信息", uploadView(map[string]any{"Problem": "请选择一个 .jsonl 或 .md 文件。"}))
	}
	defer file.Close()
	data, err := io.ReadAll(io.LimitReader(file, maxUploadBytes+1))
	if err != nil {
		return err
	}
	if len(data) > maxUploadBytes {
		return ErrBadRequest.With(fmt.Sprintf("文件超过 %d MB 上限。", maxUploadBytes>>20))
	}
	res, err := c.opts.Content.Catalog.Upload(actorOf(q.User), hdr.Filename, data)
	if err != nil {
		var ce *catalog.Error
		if errors.As(err, &ce) && ce.Code == catalog.CodeInvalid {
			return q.Render(http.StatusBadRequest, "disclosure_upload", "上传公开信息", uploadView(map[string]any{"Problem": ce.Msg}))
		}
		q.Audit("disclosure.upload", "", "error", hdr.Filename+"："+err.Error())
		return contentError(err)
	}
	q.Audit("disclosure.upload", "", "ok", fmt.Sprintf("%s：保存 %d 条，%d 条有误", hdr.Filename, len(res.Saved), len(res.Errors)))
	return q.Render(http.StatusOK, "disclosure_upload", "上传公开信息", uploadView(map[string]any{"Result": res, "File": hdr.Filename}))
}

func uploadView(m map[string]any) map[string]any {
	if m == nil {
		m = map[string]any{}
	}
	m["MaxMB"] = maxUploadBytes >> 20
	return m
}

func (c *Console) disclosureExport(q *Request) error {
	b, err := c.opts.Content.Catalog.ExportJSONL(q.R.URL.Query().Get("live") == "1")
	if err != nil {
		return err
	}
	q.Audit("disclosure.export", "", "ok", "")
	q.W.Header().Set("Content-Type", "application/x-ndjson; charset=utf-8")
	q.W.Header().Set("Content-Disposition", `attachment; filename="console-disclosures.jsonl"`)
	_, err = q.W.Write(b)
	return err
}

// detailView is one disclosure's page.
type detailView struct {
	ID    string
	Entry *catalog.Entry
	// Shown is the version residents see (Live), else the working one.
	Shown    content.Disclosure
	Live     bool
	Status   catalog.Status
	Shipped  *catalog.Shipped
	Asks     []catalog.Ask
	Flash    string
	Findings []catalog.Finding
	// What the signed-in user may do, and why not.
	CanEdit, CanSubmit, CanReview, CanEnd, CanAsk bool
	ReviewNote                                    string
}

func (c *Console) disclosureDetail(q *Request) error {
	id := q.R.PathValue("id")
	v := detailView{ID: id, Flash: q.R.URL.Query().Get("flash")}
	e, err := c.opts.Content.Catalog.Get(id)
	switch {
	case err == nil:
		v.Entry, v.Status, v.Findings = &e, e.Status, e.Findings
		v.Shown = e.Disclosure
		if e.Live != nil && e.Status != catalog.StatusPending {
			v.Shown, v.Live = *e.Live, true
		}
	default:
		s, lerr := c.opts.Content.Catalog.Lookup(id)
		if lerr != nil {
			return contentError(err)
		}
		v.Shipped, v.Status, v.Findings, v.Shown = &s, s.Status, s.Findings, s.Disclosure
		v.Live = s.Status == catalog.StatusPublished || s.Status == catalog.StatusEnded
	}
	if v.Asks, err = c.opts.Content.Catalog.Asks(id); err != nil {
		return err
	}
	u := q.User
	v.CanEdit = u.Has(config.RoleStaff) && v.Shown.Body != ""
	v.CanAsk = slicesHas(u.Roles, config.RoleAdmin)
	if v.Entry != nil {
		v.CanSubmit = u.Has(config.RoleStaff) && (v.Status == catalog.StatusDraft || v.Status == catalog.StatusRejected)
		v.CanEnd = u.Has(config.RoleReviewer) && v.Entry.Live != nil && v.Status != catalog.StatusEnded
		if u.Has(config.RoleReviewer) && (v.Status == catalog.StatusPending || v.Status == catalog.StatusBlocked) {
			switch {
			case slicesHas(v.Entry.Editors, u.Name):
				v.ReviewNote = "此版本由您撰写或修改，须由另一位审核人审核（一事一审）。"
			case v.Status == catalog.StatusBlocked:
				v.ReviewNote = "保密审查未通过，修改前不能批准；可以驳回并写明需要删除的内容。"
				v.CanReview = true
			default:
				v.CanReview = true
			}
		}
	}
	return q.Render(http.StatusOK, "disclosure", v.Shown.Title, v)
}

func slicesHas(list []string, s string) bool { return contains(list, s) }

func (c *Console) disclosureAction(action string) func(*Request) error {
	return func(q *Request) error {
		id := q.R.PathValue("id")
		note := strings.TrimSpace(q.R.PostFormValue("note"))
		a := actorOf(q.User)
		cat := c.opts.Content.Catalog
		var err error
		switch action {
		case "submit":
			_, err = cat.Submit(a, id)
		case "approve":
			_, err = cat.Approve(a, id, note)
		case "reject":
			_, err = cat.Reject(a, id, note)
		case "end":
			_, err = cat.End(a, id, note)
		}
		msg := id
		if note != "" {
			msg += "：" + note
		}
		if err != nil {
			q.Audit("disclosure."+action, "", "error", id+"："+err.Error())
			return contentError(err)
		}
		q.Audit("disclosure."+action, "", "ok", msg)
		q.Redirect("/admin/disclosures/" + url.PathEscape(id) + "?flash=" + action)
		return nil
	}
}

func (c *Console) disclosureAsk(q *Request) error {
	id := q.R.PathValue("id")
	text := q.R.PostFormValue("text")
	if _, err := c.opts.Content.Catalog.AddAsk(actorOf(q.User), id, text); err != nil {
		q.Audit("disclosure.ask.add", "", "error", id+"："+err.Error())
		return contentError(err)
	}
	q.Audit("disclosure.ask.add", "", "ok", id+"："+text)
	q.Redirect("/admin/disclosures/" + url.PathEscape(id) + "?flash=ask")
	return nil
}

func (c *Console) disclosureAskRemove(q *Request) error {
	id := q.R.PathValue("id")
	text := q.R.PostFormValue("text")
	if _, err := c.opts.Content.Catalog.RemoveAsk(actorOf(q.User), id, text); err != nil {
		q.Audit("disclosure.ask.remove", "", "error", id+"："+err.Error())
		return contentError(err)
	}
	q.Audit("disclosure.ask.remove", "", "ok", id+"："+text)
	q.Redirect("/admin/disclosures/" + url.PathEscape(id) + "?flash=ask_removed")
	return nil
}
