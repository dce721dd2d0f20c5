package adminapi

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/yingpu/govbot/indexjobs"
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

// Jobs runs reindexes in the background (*indexjobs.Runner, bound to the
// server's lifetime): a rebuild takes longer than a request may.
type Jobs interface {
	// Start begins a reindex by actor; indexjobs.ErrBusy (with the
	// running job) when one is running.
	Start(actor string) (indexjobs.Job, error)
	Get(id uint64) (indexjobs.Job, bool, error)
	History(limit int) ([]indexjobs.Job, error)
}

// ReindexJob is the answer of POST and GET /api/reindex/…: the job, and
// where to follow it.
type ReindexJob struct {
	indexjobs.Job
	// Running is true until the job has finished (state done, failed,
	// refused or interrupted).
	Running bool `json:"running"`
	// Location is the path that tells the job's progress.
	Location string `json:"location"`
}

func reindexJob(j indexjobs.Job) ReindexJob {
	return ReindexJob{Job: j, Running: j.State == indexjobs.StateRunning, Location: "/api/reindex/" + strconv.FormatUint(j.ID, 10)}
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

// reindex: POST /api/reindex (admin): start rebuilding the index from the
// data directory in the background; the answer (202) is the job, at once.
// The outcome is in the audit log (index.reindex.done) when it ends.
func (a *api) reindex(w http.ResponseWriter, r *http.Request, c *call) error {
	if err := a.requireAdmin(c); err != nil {
		return err
	}
	if a.opts.Jobs == nil {
		return ErrNotFound.with("重建索引未启用")
	}
	j, err := a.opts.Jobs.Start(c.actor.Name)
	if errors.Is(err, indexjobs.ErrBusy) {
		return ErrReindexBusy.with(fmt.Sprintf("已有重建任务 %d 正在进行（%s 开始），请等它完成", j.ID, j.Started.Format(time.RFC3339)))
	}
	if err != nil {
		return err
	}
	c.note = "任务 " + strconv.FormatUint(j.ID, 10)
	w.Header().Set("Location", "/api/reindex/"+strconv.FormatUint(j.ID, 10))
	return c.reply(w, http.StatusAccepted, reindexJob(j))
}

// reindexGet: GET /api/reindex/{id} (admin): a job's progress or outcome.
func (a *api) reindexGet(w http.ResponseWriter, r *http.Request, c *call) error {
	if err := a.requireAdmin(c); err != nil {
		return err
	}
	if a.opts.Jobs == nil {
		return ErrNotFound.with("重建索引未启用")
	}
	id, err := strconv.ParseUint(r.PathValue("id"), 10, 64)
	if err != nil {
		return ErrNotFound.with("没有重建任务 " + r.PathValue("id"))
	}
	j, ok, err := a.opts.Jobs.Get(id)
	if err != nil {
		return err
	}
	if !ok {
		return ErrNotFound.with("没有重建任务 " + r.PathValue("id"))
	}
	return c.reply(w, http.StatusOK, reindexJob(j))
}

// reindexList: GET /api/reindex (admin): the latest jobs, newest first.
func (a *api) reindexList(w http.ResponseWriter, r *http.Request, c *call) error {
	if err := a.requireAdmin(c); err != nil {
		return err
	}
	if a.opts.Jobs == nil {
		return ErrNotFound.with("重建索引未启用")
	}
	limit, err := queryInt(r, "limit", 100)
	if err != nil {
		return err
	}
	if limit == 0 {
		limit = 20
	}
	js, err := a.opts.Jobs.History(limit)
	if err != nil {
		return err
	}
	out := make([]ReindexJob, len(js))
	for i, j := range js {
		out[i] = reindexJob(j)
	}
	return c.reply(w, http.StatusOK, map[string]any{"jobs": out})
}
