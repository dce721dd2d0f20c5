package admin

import (
	"fmt"
	"net/http"
	"strconv"

	"github.com/yingpu/govbot/index"
)

func (c *Console) registerReindex() {
	c.AddNav(NavItem{Label: "索引", Href: "/admin/reindex", Roles: adminRoles, Order: 40})
	for _, p := range []Page{
		{Pattern: "GET /admin/reindex", Roles: adminRoles, Serve: c.reindexPage},
		{Pattern: "POST /admin/reindex", Roles: adminRoles, Serve: c.reindexStart},
		{Pattern: "POST /admin/reindex/rollback", Roles: adminRoles, Serve: c.reindexRollback},
		{Pattern: "GET /admin/reindex/jobs/{id}", Roles: readerRoles, Serve: c.reindexJob},
	} {
		c.Handle(p)
	}
}

func (c *Console) reindexPage(q *Request) error {
	jobs := c.opts.Content.Jobs
	hist, err := jobs.History(30)
	if err != nil {
		return err
	}
	cur, prev, err := index.Generations(c.opts.Content.IndexDir)
	if err != nil {
		return err
	}
	running, isRunning := jobs.Running()
	v := map[string]any{"History": hist, "Current": cur, "Previous": prev, "Now": c.clock.Now(), "Flash": q.R.URL.Query().Get("flash")}
	if isRunning {
		v["Running"] = running
	}
	if id, err := strconv.ParseUint(q.R.URL.Query().Get("job"), 10, 64); err == nil {
		if j, found, err := jobs.Get(id); err == nil && found {
			v["Job"] = j
		}
	}
	return q.Render(http.StatusOK, "reindex", "索引", v)
}

func (c *Console) reindexStart(q *Request) error {
	j, err := c.startReindex(q)
	if err != nil {
		return err
	}
	q.Redirect(fmt.Sprintf("/admin/reindex?job=%d", j.ID))
	return nil
}

func (c *Console) reindexRollback(q *Request) error {
	j, err := c.opts.Content.Jobs.Rollback(q.User.Name)
	if err != nil {
		q.Audit("index.rollback", "", "error", err.Error())
		return contentError(err)
	}
	q.Audit("index.rollback", "", "ok", j.From+" → "+j.Generation)
	q.Redirect(fmt.Sprintf("/admin/reindex?job=%d&flash=rollback", j.ID))
	return nil
}

// reindexJob answers a job as JSON (the page polls it while it runs).
func (c *Console) reindexJob(q *Request) error {
	id, err := strconv.ParseUint(q.R.PathValue("id"), 10, 64)
	if err != nil {
		return ErrNotFound
	}
	j, found, err := c.opts.Content.Jobs.Get(id)
	if err != nil {
		return err
	}
	if !found {
		return ErrNotFound.With("没有这个重建任务。")
	}
	return q.JSON(http.StatusOK, map[string]any{"job": j, "state_name": orKey(jobStates, j.State), "seconds": j.Seconds(c.clock.Now())})
}
