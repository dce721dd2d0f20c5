package adminapi

import (
	"context"
	"errors"
	"net/http"
	"strconv"
)

// Syncer syncs a configured source's site (the import service of serve).
type Syncer interface {
	// Sync fetches what is new or changed on source's site as actor, and
	// reindexes; with dry nothing changes. ErrUnknownSource (wrapped) when
	// no synced source has that name.
	Sync(ctx context.Context, source, actor string, dry bool) (SyncReport, error)
}

// ErrUnknownSource is returned by a Syncer for a name not configured.
var ErrUnknownSource = errors.New("unknown source")

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

// sourceSync: POST /api/sources/{name}/sync[?dry_run=true] (admin).
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
	rep, err := a.opts.Syncer.Sync(r.Context(), name, c.actor.Name, dry)
	if errors.Is(err, ErrUnknownSource) {
		return ErrNotFound.with("没有名为 " + name + " 的可同步来源")
	}
	if err != nil {
		return ErrSync.with("同步失败：" + err.Error())
	}
	c.note = rep.Summary
	return c.reply(w, http.StatusOK, rep)
}
