package admin

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"

	"github.com/yingpu/govbot/lexicon"
)

func (c *Console) registerLexicon() {
	c.AddNav(NavItem{Label: "词表", Href: "/admin/lexicon", Roles: adminRoles, Order: 48})
	for _, p := range []Page{
		{Pattern: "GET /admin/lexicon", Roles: adminRoles, Serve: c.lexiconPage},
		{Pattern: "POST /admin/lexicon", Roles: adminRoles, Serve: c.lexiconSave},
		{Pattern: "POST /admin/lexicon/revert", Roles: adminRoles, Serve: c.lexiconRevert},
	} {
		c.Handle(p)
	}
}

func lexiconFile(name string) (lexicon.File, error) {
	if name == "" {
		return lexicon.Files[0], nil
	}
	f, ok := lexicon.FileNamed(name)
	if !ok {
		return f, ErrNotFound.With("没有这个词表：" + name)
	}
	return f, nil
}

// lexiconPage shows a file's current text in an editor, its versions, and
// the diff of two of them (?from=&to=).
func (c *Console) lexiconPage(q *Request) error {
	v := q.R.URL.Query()
	f, err := lexiconFile(v.Get("file"))
	if err != nil {
		return err
	}
	return c.renderLexicon(q, http.StatusOK, f, "", nil, v.Get("flash"))
}

func (c *Console) renderLexicon(q *Request, status int, f lexicon.File, text string, problem *lexicon.Error, flash string) error {
	lx := c.opts.Content.Lexicon
	cur, err := lx.Current(f.Name)
	if err != nil {
		return err
	}
	vs, err := lx.Versions(f.Name)
	if err != nil {
		return err
	}
	if text == "" {
		text = cur.Text
	}
	data := map[string]any{"Files": lexicon.Files, "File": f, "Current": cur, "Text": text, "Versions": vs,
		"Problem": problem, "Flash": flash, "Existing": lexicon.Validate(f, cur.Text)}
	v := q.R.URL.Query()
	if v.Get("from") != "" || v.Get("to") != "" {
		from, err1 := strconv.Atoi(v.Get("from"))
		to, err2 := strconv.Atoi(v.Get("to"))
		if err1 != nil || err2 != nil {
			return ErrBadRequest.With("请选择要比较的两个版本。")
		}
		a, err := lx.Get(f.Name, from)
		if err != nil {
			return contentError(err)
		}
		b, err := lx.Get(f.Name, to)
		if err != nil {
			return contentError(err)
		}
		data["Diff"], data["From"], data["To"] = lexicon.Diff(a.Text, b.Text), from, to
	}
	return q.Render(status, "lexicon", "词表", data)
}

func (c *Console) lexiconSave(q *Request) error {
	f, err := lexiconFile(q.R.PostFormValue("file"))
	if err != nil {
		return err
	}
	text := q.R.PostFormValue("text")
	v, err := c.opts.Content.Lexicon.Save(q.User.Name, f.Name, text, q.R.PostFormValue("note"))
	if err != nil {
		var le *lexicon.Error
		if errors.As(err, &le) {
			q.Audit("lexicon.save", "", "error", f.Name+"："+le.Error())
			return c.renderLexicon(q, http.StatusBadRequest, f, text, le, "")
		}
		return err
	}
	q.Audit("lexicon.save", "", "ok", fmt.Sprintf("%s 第 %d 版", f.Name, v.N))
	return c.lexiconDone(q, f.Name, "saved")
}

func (c *Console) lexiconRevert(q *Request) error {
	f, err := lexiconFile(q.R.PostFormValue("file"))
	if err != nil {
		return err
	}
	n, err := strconv.Atoi(q.R.PostFormValue("version"))
	if err != nil {
		return ErrBadRequest.With("请选择要恢复的版本。")
	}
	v, err := c.opts.Content.Lexicon.Revert(q.User.Name, f.Name, n)
	if err != nil {
		q.Audit("lexicon.revert", "", "error", f.Name+"："+err.Error())
		return contentError(err)
	}
	q.Audit("lexicon.revert", "", "ok", fmt.Sprintf("%s 第 %d 版（%s）", f.Name, v.N, v.Note))
	return c.lexiconDone(q, f.Name, "reverted")
}

// lexiconDone returns to the file, or starts the reindex asked for with
// the change ("保存并重建索引").
func (c *Console) lexiconDone(q *Request, file, flash string) error {
	if q.R.PostFormValue("reindex") == "1" && c.opts.Content.Jobs != nil {
		j, err := c.startReindex(q)
		if err != nil {
			return err
		}
		q.Redirect(fmt.Sprintf("/admin/reindex?job=%d", j.ID))
		return nil
	}
	q.Redirect("/admin/lexicon?file=" + url.QueryEscape(file) + "&flash=" + flash)
	return nil
}
