package adminapi

import (
	"errors"
	"net/http"
	"strconv"
	"time"
)

// Syncer runs syncs of configured sources in the background (a sync
// fetches politely, so it lasts longer than a request may).
type Syncer interface {
	// Start begins a sync of source by actor and returns its status at
	// once; with dry nothing changes. ErrUnknownSource (wrapped) when no
	// source with a site has that name, ErrSyncRunning when one is already
	// running for it.
	Start(source, actor string, dry bool) (SyncStatus, error)
	// Status is the source's running or last sync.
	Status(source string) (SyncStatus, error)
}

// Errors of a Syncer.
var (
	ErrUnknownSource = errors.New("unknown source")
	ErrSyncRunning   = errors.New("a sync of this source is running")
)

// Sync states.
const (
	SyncIdle    = "idle"    // never synced since the server started
	SyncRunning = "running" // started, not finished
	SyncDone    = "done"    // finished: Report says what changed
	SyncFailed  = "failed"  // could not run: Error says why
)

// SyncStatus is what POST and GET /api/sources/{name}/sync answer.
type SyncStatus struct {
	Source   string      `json:"source"`
	State    string      `json:"state"`
	Actor    string      `json:"actor,omitempty"`
	DryRun   bool        `json:"dry_run"`
	Started  *time.Time  `json:"started,omitempty"`
	Finished *time.Time  `json:"finished,omitempty"`
	Error    string      `json:"error,omitempty"`
	Report   *SyncReport `json:"report,omitempty"`
}

// SyncReport is what POST /api/sources/{name}/sync answers.
type SyncReport struct {
	Source    string       `json:"source"`
	DryRun    bool         `json:"dry_run"`
	New       []SyncChange `json:"new"`
	Changed   []SyncChange `json:"changed"`
	Withdrawn []SyncChange `json:"withdrawn"`
	Restored  []SyncChange `json:"restored"`
	Approved  []SyncChange `json:"approved"`
	Unchanged int          `json:"unchanged"`
	// Failed lists the pages that could not be read, with the reason.
	Failed []SyncFailure `json:"failed"`
	// Missing, Notes and Blocked as the command line prints them: fields
	// no page or configuration states, attachments that could not be read,
	// disclosures the privacy check withholds.
	Missing    []string `json:"missing"`
	Notes      []string `json:"notes"`
	Blocked    []string `json:"blocked"`
	Drafts     int      `json:"drafts"`
	Reindexed  string   `json:"reindexed,omitempty"`
	ReindexErr string   `json:"reindex_error,omitempty"`
	Summary    string   `json:"summary"`
	Requests   int      `json:"requests"`
}

// SyncChange is one page in a SyncReport.
type SyncChange struct {
	ID    string `json:"id"`
	Title string `json:"title"`
	URL   string `json:"url"`
}

// SyncFailure is a page that could not be read.
type SyncFailure struct {
	URL    string `json:"url"`
	Reason string `json:"reason"`
}

// sourceSync: POST /api/sources/{name}/sync[?dry_run=true] (admin):
// start a sync; 202 with its status.
func (a *api) sourceSync(w http.ResponseWriter, r *http.Request, c *call) error {
	if err := a.requireAdmin(c); err != nil {
		return err
	}
	if a.opts.Syncer == nil {
		return ErrNotFound.with("未配置可同步的来源（sources:）")
	}
	dry := false
	if v := r.URL.Query().Get("dry_run"); v != "" {
		b, err := strconv.ParseBool(v)
		if err != nil {
			return ErrBadQuery.with("dry_run 应为 true 或 false")
		}
		dry = b
	}
	name := r.PathValue("name")
	st, err := a.opts.Syncer.Start(name, c.actor.Name, dry)
	switch {
	case errors.Is(err, ErrUnknownSource):
		return ErrNotFound.with("没有名为 " + name + " 的可同步来源")
	case errors.Is(err, ErrSyncRunning):
		return ErrSyncBusy
	case err != nil:
		return ErrSync.with("同步失败：" + err.Error())
	}
	if dry {
		c.note = "dry run"
	}
	return c.reply(w, http.StatusAccepted, st)
}

// sourceSyncStatus: GET /api/sources/{name}/sync (admin): the running or
// last sync, with its report when done.
func (a *api) sourceSyncStatus(w http.ResponseWriter, r *http.Request, c *call) error {
	if err := a.requireAdmin(c); err != nil {
		return err
	}
	if a.opts.Syncer == nil {
		return ErrNotFound.with("未配置可同步的来源（sources:）")
	}
	name := r.PathValue("name")
	st, err := a.opts.Syncer.Status(name)
	if errors.Is(err, ErrUnknownSource) {
		return ErrNotFound.with("没有名为 " + name + " 的可同步来源")
	}
	if err != nil {
		return ErrInternal
	}
	return c.reply(w, http.StatusOK, st)
}
