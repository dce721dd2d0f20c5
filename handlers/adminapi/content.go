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

// Doubts tells which answers residents said were wrong or of no use, the
// most confident first; *querylog.Log implements it.
type Doubts interface {
	Doubted(from, to time.Time) ([]querylog.Record, error)
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
	from, to, err := a.period(r)
	if err != nil {
		return err
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

// period reads ?from=&to= (YYYY-MM-DD); without from, the 30 days up to
// to (or now).
func (a *api) period(r *http.Request) (from, to time.Time, err error) {
	q := r.URL.Query()
	if from, err = parseBound("from", q.Get("from"), false); err != nil {
		return from, to, err
	}
	if to, err = parseBound("to", q.Get("to"), true); err != nil {
		return from, to, err
	}
	if from.IsZero() {
		end := to
		if end.IsZero() {
			end = a.opts.Clock.Now()
		}
		from = end.AddDate(0, 0, -30)
	}
	if !to.IsZero() && !from.Before(to) {
		return from, to, ErrBadQuery.with("from 须早于 to")
	}
	return from, to, nil
}

// doubted: GET /api/queries/doubted?from=&to= (admin): the answers
// residents said were wrong or of no use (不对, 没用), with the question,
// the disclosure and the confidence, the most confident first. Default: the
// last 30 days.
func (a *api) doubted(w http.ResponseWriter, r *http.Request, c *call) error {
	if err := a.requireAdmin(c); err != nil {
		return err
	}
	if a.opts.Doubts == nil {
		return ErrNotFound.with("问题记录未启用")
	}
	from, to, err := a.period(r)
	if err != nil {
		return err
	}
	rs, err := a.opts.Doubts.Doubted(from, to)
	if err != nil {
		return err
	}
	if rs == nil {
		rs = []querylog.Record{}
	}
	return c.reply(w, http.StatusOK, DoubtedList{From: from, To: to, Answers: rs})
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
