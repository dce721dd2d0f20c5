// Package indexjobs runs reindexes and rollbacks of the live index as jobs:
// a reindex returns its id at once and runs in the background, its
// progress (disclosures done, of how many, problems so far) can be
// followed, and every job, finished or not, is kept in a history in bbolt
// (who, when, counts, duration, outcome). One job runs at a time.
package indexjobs

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/yingpu/govbot/clock"
	"github.com/yingpu/govbot/content"
	"github.com/yingpu/govbot/index"
)

var bucketJobs = []byte("indexjobs/jobs") // seq(8) → JSON Job

// Kinds of job.
const (
	KindReindex  = "reindex"
	KindRollback = "rollback"
)

// States of a job.
const (
	StateRunning = "running"
	StateDone    = "done"
	StateFailed  = "failed"
	// StateRefused: the new index would have held less than half as many
	// disclosures as the live one; the live one was kept.
	StateRefused = "refused"
	// StateInterrupted: the server stopped while the job ran.
	StateInterrupted = "interrupted"
)

// Job is one reindex or rollback.
type Job struct {
	ID       uint64    `json:"id"`
	Kind     string    `json:"kind"`
	Actor    string    `json:"actor"`
	Started  time.Time `json:"started"`
	Finished time.Time `json:"finished,omitzero"`
	State    string    `json:"state"`
	// Done of Total disclosures indexed so far.
	Done  int `json:"done"`
	Total int `json:"total"`
	// What was read: drafts and blocked ones left out, records in error.
	Drafts  int `json:"drafts"`
	Blocked int `json:"blocked"`
	Errors  int `json:"errors"`
	Indexed int `json:"indexed"`
	// Generation made live; From the one it replaced.
	Generation string `json:"generation,omitempty"`
	From       string `json:"from,omitempty"`
	// Message says why a job failed or was refused.
	Message string `json:"message,omitempty"`
	// Problems are the first drafts, blocked disclosures and errors, each
	// with where and why.
	Problems []string `json:"problems,omitempty"`
}

// Seconds is how long the job ran (so far).
func (j Job) Seconds(now time.Time) float64 {
	end := j.Finished
	if end.IsZero() {
		end = now
	}
	return max(end.Sub(j.Started).Seconds(), 0)
}

// Index is the live index (*index.Index).
type Index interface {
	RebuildWatched(ctx context.Context, progress index.Progress, loaded func(*content.LoadResult)) (*index.BuildReport, error)
	Rollback() (from, to string, err error)
	Generation() string
}

// Options configure a Runner.
type Options struct {
	DB    *bolt.DB
	Index Index
	// Before runs before each reindex (the lexicon as edited is written
	// out); an error fails the job.
	Before func() error
	// OnFinish is told of every finished job (audit, metrics).
	OnFinish func(Job)
	Clock    clock.Clock
	Logger   *slog.Logger
}

// Runner starts and follows jobs. It is safe for concurrent use.
type Runner struct {
	opts    Options
	mu      sync.Mutex
	running *Job
	wg      sync.WaitGroup
}

// maxProblems bounds what a job keeps of the problems it met.
const maxProblems = 50

// New opens the runner's history in opts.DB. A job that was running when
// the server stopped is marked interrupted.
func New(opts Options) (*Runner, error) {
	if opts.DB == nil || opts.Index == nil {
		return nil, errors.New("indexjobs: a database and an index are needed")
	}
	if opts.Clock == nil {
		opts.Clock = clock.System{}
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	err := opts.DB.Update(func(tx *bolt.Tx) error {
		b, err := tx.CreateBucketIfNotExists(bucketJobs)
		if err != nil {
			return err
		}
		return b.ForEach(func(k, v []byte) error {
			var j Job
			if err := json.Unmarshal(v, &j); err != nil || j.State != StateRunning {
				return nil
			}
			j.State, j.Message = StateInterrupted, "服务在任务进行中停止，线上索引未变"
			nv, err := json.Marshal(j)
			if err != nil {
				return err
			}
			return b.Put(k, nv)
		})
	})
	if err != nil {
		return nil, fmt.Errorf("indexjobs: %w", err)
	}
	return &Runner{opts: opts}, nil
}

// ErrBusy is returned when a job is already running.
var ErrBusy = errors.New("indexjobs: a reindex is already running")

// Start begins a reindex by actor in the background and returns it. ctx
// bounds the job (the server's lifetime, not the request's).
func (r *Runner) Start(ctx context.Context, actor string) (Job, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.running != nil {
		return *r.running, ErrBusy
	}
	j := &Job{Kind: KindReindex, Actor: actor, Started: r.opts.Clock.Now(), State: StateRunning, From: r.opts.Index.Generation()}
	if err := r.put(j); err != nil {
		return Job{}, err
	}
	r.running = j
	r.wg.Add(1)
	go func() {
		defer r.wg.Done()
		r.run(ctx, j)
	}()
	return *j, nil
}

func (r *Runner) run(ctx context.Context, j *Job) {
	var err error
	var rep *index.BuildReport
	if r.opts.Before != nil {
		err = r.opts.Before()
	}
	if err == nil {
		rep, err = r.opts.Index.RebuildWatched(ctx, func(done, total int) {
			r.mu.Lock()
			j.Done, j.Total = done, total
			r.mu.Unlock()
		}, func(res *content.LoadResult) {
			r.mu.Lock()
			j.Drafts, j.Blocked, j.Errors = len(res.Drafts), len(res.Blocked), len(res.Errors)
			j.Problems = problems(res)
			r.mu.Unlock()
		})
	}
	r.mu.Lock()
	j.Finished = r.opts.Clock.Now()
	var shrink *index.ShrinkError
	switch {
	case errors.As(err, &shrink):
		j.State = StateRefused
		j.Indexed = shrink.New
		j.Message = fmt.Sprintf("新索引只有 %d 条公开信息，不到线上 %d 条的一半，已保留线上索引；请检查数据目录", shrink.New, shrink.Live)
	case err != nil:
		j.State = StateFailed
		j.Message = "重建失败，线上索引未变：" + err.Error()
	default:
		j.State = StateDone
		j.Indexed = rep.Indexed
		j.Generation = rep.Generation
		j.Done, j.Total = rep.Indexed, rep.Indexed
	}
	done := *j
	// Record the outcome before the job stops being the running one, so
	// that Get never reads the stored "running" of a finished job.
	if perr := r.put(&done); perr != nil {
		r.opts.Logger.Error("indexjobs: record job", "job", done.ID, "err", perr)
	}
	r.running = nil
	r.mu.Unlock()
	r.opts.Logger.Info("reindex job finished", "job", done.ID, "state", done.State, "indexed", done.Indexed, "generation", done.Generation)
	if r.opts.OnFinish != nil {
		r.opts.OnFinish(done)
	}
}

func problems(res *content.LoadResult) []string {
	var out []string
	add := func(s string) {
		if len(out) < maxProblems {
			out = append(out, s)
		}
	}
	for _, e := range res.Errors {
		add("错误 " + e.Error())
	}
	for _, b := range res.Blocked {
		add("保密审查未通过 " + b.String())
	}
	for _, d := range res.Drafts {
		add("未审核 " + d.String())
	}
	return out
}

// Rollback makes the previous generation live again, at once, as a job of
// its own in the history.
func (r *Runner) Rollback(actor string) (Job, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.running != nil {
		return *r.running, ErrBusy
	}
	j := &Job{Kind: KindRollback, Actor: actor, Started: r.opts.Clock.Now()}
	from, to, err := r.opts.Index.Rollback()
	j.Finished = r.opts.Clock.Now()
	j.From, j.Generation = from, to
	switch {
	case errors.Is(err, index.ErrNoPrevious):
		j.State, j.Message = StateRefused, "没有可回退的上一版索引"
	case err != nil:
		j.State, j.Message = StateFailed, "回退失败："+err.Error()
	default:
		j.State = StateDone
	}
	if perr := r.put(j); perr != nil {
		return *j, perr
	}
	if r.opts.OnFinish != nil {
		r.opts.OnFinish(*j)
	}
	if err != nil {
		return *j, err
	}
	return *j, nil
}

// Get returns job id: the running one as it is now, else from the history.
func (r *Runner) Get(id uint64) (Job, bool, error) {
	r.mu.Lock()
	if r.running != nil && r.running.ID == id {
		j := *r.running
		r.mu.Unlock()
		return j, true, nil
	}
	r.mu.Unlock()
	var j Job
	var found bool
	err := r.opts.DB.View(func(tx *bolt.Tx) error {
		v := tx.Bucket(bucketJobs).Get(key(id))
		if v == nil {
			return nil
		}
		found = true
		return json.Unmarshal(v, &j)
	})
	return j, found, err
}

// Running returns the running job, if any.
func (r *Runner) Running() (Job, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.running == nil {
		return Job{}, false
	}
	return *r.running, true
}

// History returns up to limit jobs, newest first (the running one as it is
// now).
func (r *Runner) History(limit int) ([]Job, error) {
	if limit <= 0 {
		limit = 50
	}
	out := []Job{}
	err := r.opts.DB.View(func(tx *bolt.Tx) error {
		c := tx.Bucket(bucketJobs).Cursor()
		for k, v := c.Last(); k != nil && len(out) < limit; k, v = c.Prev() {
			var j Job
			if err := json.Unmarshal(v, &j); err != nil {
				return err
			}
			out = append(out, j)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("indexjobs: history: %w", err)
	}
	if run, ok := r.Running(); ok {
		for i := range out {
			if out[i].ID == run.ID {
				out[i] = run
			}
		}
	}
	return out, nil
}

// Wait waits for the running job to finish (for shutdown and tests).
func (r *Runner) Wait() { r.wg.Wait() }

// put stores j, giving it an id when it has none.
func (r *Runner) put(j *Job) error {
	return r.opts.DB.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketJobs)
		if j.ID == 0 {
			seq, err := b.NextSequence()
			if err != nil {
				return err
			}
			j.ID = seq
		}
		v, err := json.Marshal(j)
		if err != nil {
			return err
		}
		return b.Put(key(j.ID), v)
	})
}

func key(id uint64) []byte {
	k := make([]byte, 8)
	binary.BigEndian.PutUint64(k, id)
	return k
}
