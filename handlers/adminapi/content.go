package adminapi

import (
	"context"
	"net/http"
	"time"

	"github.com/yingpu/govbot/querylog"
)

// Queries tells what residents asked that nothing answered (需求驱动).
type Queries interface {
	Unanswered(from, to time.Time) ([]querylog.Demand, error)
}

// Reindexer rebuilds the index from the data directory and swaps it in.
type Reindexer interface {
	Reindex(ctx context.Context) (ReindexResult, error)
}

// ReindexResult summarizes a rebuild.
type ReindexResult struct {
	Generation string   `json:"generation"`
	Indexed    int      `json:"indexed"`
	Drafts     int      `json:"drafts"`
	Blocked    int      `json:"blocked"`
	Errors     int      `json:"errors"`
	Problems   []string `json:"problems"` // drafts, blocked and errors, each with where and why
}

// unanswered: GET /api/queries/unanswered?from=&to= (admin). Default: the
// last 30 days.
func (a *api) unanswered(w http.ResponseWriter, r *http.Request, c *call) error {
	if err := a.requireAdmin(c); err != nil {
		return err
	}
	if a.opts.Queries == nil {
		return ErrNotFound.with("问题记录未启用")
	}
	q := r.URL.Query()
	from, err := parseBound("from", q.Get("from"), false)
	if err != nil {
		return err
	}
	to, err := parseBound("to", q.Get("to"), true)
	if err != nil {
		return err
	}
	if from.IsZero() {
		end := to
		if end.IsZero() {
			end = a.opts.Clock.Now()
		}
		from = end.AddDate(0, 0, -30)
	}
	if !to.IsZero() && !from.Before(to) {
		return ErrBadQuery.with("from 须早于 to")
	}
	ds, err := a.opts.Queries.Unanswered(from, to)
	if err != nil {
		return err
	}
	if ds == nil {
		ds = []querylog.Demand{}
	}
	return c.reply(w, http.StatusOK, UnansweredList{From: from, To: to, Questions: ds})
}

// reindex: POST /api/reindex (admin): rebuild from the data directory and
// swap the new index in without downtime.
func (a *api) reindex(w http.ResponseWriter, r *http.Request, c *call) error {
	if err := a.requireAdmin(c); err != nil {
		return err
	}
	if a.opts.Reindexer == nil {
		return ErrNotFound.with("重建索引未启用")
	}
	res, err := a.opts.Reindexer.Reindex(r.Context())
	if err != nil {
		return ErrReindex.with("重建索引失败，线上索引未变：" + err.Error())
	}
	c.note = res.Generation
	return c.reply(w, http.StatusOK, res)
}
