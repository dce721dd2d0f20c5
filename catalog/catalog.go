// Package catalog keeps the disclosures made, uploaded or edited in the
// console, and their review (先审查、后公开, 一事一审), in bbolt: each with its
// status, its privacy findings, its history (who did what, when) and the
// version residents see. Staff write or upload a disclosure; it enters as
// awaiting review; a reviewer who did not write it approves or rejects it
// with a reason; only an approved version is published, with the reviewer
// and the date in its review record.
//
// The files in data_dir stay the source of what ships. What the console
// published is written, after every change, as JSONL into ExportDir (which
// the index reads before data_dir, so an approved edit replaces the shipped
// version), and the 常见问法 (ways residents ask) of every disclosure into
// AsksFile, keyed by disclosure id, so that they survive a re-import of the
// same disclosure from wherever it comes. Both files are derived: the
// database is the record, and a reindex run by another process (govbot
// reindex, while serve holds the database) reads the files.
package catalog

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	bolt "go.etcd.io/bbolt"

	"github.com/yingpu/govbot/clock"
	"github.com/yingpu/govbot/content"
	"github.com/yingpu/govbot/privacy"
)

// Bucket names; every bucket of this package starts with "catalog/".
var (
	bucketEntries = []byte("catalog/disclosures") // id → JSON Entry
	bucketAsks    = []byte("catalog/asks")        // id → JSON []Ask
)

// Status of a disclosure in the console.
type Status string

const (
	StatusDraft     Status = "draft"     // saved, not yet submitted for review
	StatusPending   Status = "pending"   // awaiting review (待审核)
	StatusRejected  Status = "rejected"  // the reviewer sent it back with a reason
	StatusBlocked   Status = "blocked"   // the privacy check found personal data
	StatusPublished Status = "published" // approved and live
	StatusEnded     Status = "ended"     // was published, and has ended
)

// Roles, as in config.
const (
	RoleStaff    = "staff"
	RoleReviewer = "reviewer"
	RoleAdmin    = "admin"
)

// Actor is who acts.
type Actor struct {
	Name  string
	Roles []string
}

// Has reports whether the actor has role.
func (a Actor) Has(role string) bool { return slices.Contains(a.Roles, role) }

func (a Actor) any(roles ...string) bool {
	for _, r := range roles {
		if a.Has(r) {
			return true
		}
	}
	return false
}

// Code classifies an Error.
type Code string

// Error codes; the API maps each to an HTTP status.
const (
	CodeInvalid        Code = "invalid"         // a field or file is not valid
	CodePrivacy        Code = "privacy"         // blocked by the privacy check
	CodeStatus         Code = "status"          // not allowed in the current status
	CodeReasonRequired Code = "reason_required" // a rejection without a reason
	CodeForbidden      Code = "forbidden"       // the actor's roles do not allow it
	CodeSelfReview     Code = "self_review"     // reviewing what one wrote
	CodeNotFound       Code = "not_found"       // no such disclosure
	CodeDuplicate      Code = "duplicate"       // the 常见问法 is already there
)

// Error is a refusal with a message for the person acting (Chinese).
type Error struct {
	Code Code
	Msg  string
	// Problems are the field problems of an invalid disclosure; Findings
	// the personal data of a blocked one.
	Problems []content.Problem
	Findings []Finding
}

func (e *Error) Error() string { return e.Msg }

func errf(code Code, format string, a ...any) *Error {
	return &Error{Code: code, Msg: fmt.Sprintf(format, a...)}
}

// Finding is a piece of personal data found by the privacy check: its kind,
// where (field, line, column) and the number masked (3101**********1234).
type Finding struct {
	Kind   string `json:"kind"`
	Field  string `json:"field"`
	Line   int    `json:"line"`
	Column int    `json:"column"`
	Masked string `json:"masked"`
}

// KindName is the Chinese name of a finding's kind.
func KindName(kind string) string {
	switch kind {
	case privacy.KindIDCard:
		return "身份证号"
	case privacy.KindMobile:
		return "手机号"
	case privacy.KindBankCard:
		return "银行卡号"
	}
	return kind
}

func findingsOf(d *content.Disclosure) []Finding {
	var out []Finding
	for _, f := range content.CheckPrivacy(d) {
		out = append(out, Finding{Kind: f.Kind, Field: f.Field, Line: f.Line, Column: f.Column, Masked: f.Masked})
	}
	return out
}

// Event is one step in a disclosure's history.
type Event struct {
	At       time.Time `json:"at"`
	Actor    string    `json:"actor"`
	Action   string    `json:"action"` // create, upload, edit, submit, approve, reject, end, ask.add, ask.remove
	Note     string    `json:"note,omitempty"`
	Revision int       `json:"revision"`
}

// Entry is one disclosure as the console keeps it.
type Entry struct {
	ID     string `json:"id"`
	Status Status `json:"status"`
	// Disclosure is the working version: the one being written or
	// reviewed. Its review record says draft until it is approved.
	Disclosure content.Disclosure `json:"disclosure"`
	// Live is the version residents see (the last approved one), nil
	// before the first approval. It stays live while a newer version is
	// written and reviewed.
	Live *content.Disclosure `json:"live,omitempty"`
	// Revision counts the saves.
	Revision int `json:"revision"`
	// Creator made the first version; Editors wrote the working version
	// since it was last approved (none of them may approve it).
	Creator string   `json:"creator"`
	Editors []string `json:"editors"`
	// Source is how the entry came: "form", "upload" or "data" (a shipped
	// disclosure edited in the console).
	Source   string    `json:"source"`
	Findings []Finding `json:"findings,omitempty"`
	// Reason is the last rejection's reason.
	Reason  string    `json:"reason,omitempty"`
	Created time.Time `json:"created"`
	Updated time.Time `json:"updated"`
	History []Event   `json:"history"`
}

// Ask is one 常见问法 of a disclosure.
type Ask struct {
	Text string    `json:"text"`
	By   string    `json:"by"`
	At   time.Time `json:"at"`
}

// Options configure a Catalog.
type Options struct {
	DB *bolt.DB
	// ExportDir receives console.jsonl: every published (or ended) version.
	ExportDir string
	// AsksFile receives the 常见问法 of every disclosure, keyed by id.
	AsksFile string
	// SourceDirs hold the disclosures that do not come from the console
	// (data_dir, imported pages, sent public notices), listed beside the
	// console's own. They are only read.
	SourceDirs []string
	Clock      clock.Clock
}

// Catalog is the console's disclosure store. It is safe for concurrent use.
type Catalog struct {
	opts  Options
	mu    sync.Mutex // serializes writes and the export files
	cache shippedCache
}

// ExportFile is the name of the file written in ExportDir.
const ExportFile = "console.jsonl"

// New opens the catalog in opts.DB, creating its buckets, and writes the
// export files (so they match the database after a restore).
func New(opts Options) (*Catalog, error) {
	if opts.DB == nil {
		return nil, errors.New("catalog: nil database")
	}
	if opts.Clock == nil {
		opts.Clock = clock.System{}
	}
	err := opts.DB.Update(func(tx *bolt.Tx) error {
		for _, b := range [][]byte{bucketEntries, bucketAsks} {
			if _, err := tx.CreateBucketIfNotExists(b); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("catalog: create buckets: %w", err)
	}
	c := &Catalog{opts: opts}
	c.mu.Lock()
	defer c.mu.Unlock()
	if err := c.export(); err != nil {
		return nil, err
	}
	return c, nil
}

// maxAskRunes bounds one 常见问法.
const maxAskRunes = 100

// Save writes a disclosure from a form (source "form") or an edit of a
// shipped one (source "data"): a new entry, or a new revision of an
// existing one. The privacy check runs on every save: with findings the
// entry is blocked (and cannot be approved until fixed); otherwise it is
// awaiting review when submit, else a draft. Staff and admins may save.
func (c *Catalog) Save(actor Actor, d content.Disclosure, source string, submit bool) (Entry, error) {
	if !actor.any(RoleStaff, RoleAdmin) {
		return Entry{}, errf(CodeForbidden, "%s 不是工作人员（staff），不能撰写或修改公开信息", actor.Name)
	}
	if source == "" {
		source = "form"
	}
	action := "create"
	if source == "upload" {
		action = "upload"
	}
	return c.save(actor, d, source, action, submit)
}

func (c *Catalog) save(actor Actor, d content.Disclosure, source, action string, submit bool) (Entry, error) {
	d.ID = strings.TrimSpace(d.ID)
	if d.ID == "" {
		d.ID = c.newID()
	}
	d.Review = content.Review{Status: "draft"}
	d.Asks = nil
	if err := d.Validate(); err != nil {
		var ve *content.ValidationError
		e := errf(CodeInvalid, "公开信息有误：%v", err)
		if errors.As(err, &ve) {
			e.Problems = ve.Problems
			e.Msg = "公开信息有误：" + problemsCN(ve.Problems)
		}
		return Entry{}, e
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	now := c.opts.Clock.Now()
	var out Entry
	err := c.opts.DB.Update(func(tx *bolt.Tx) error {
		e, found, err := getEntry(tx, d.ID)
		if err != nil {
			return err
		}
		if !found {
			e = Entry{ID: d.ID, Creator: actor.Name, Source: source, Created: now}
		} else {
			if action == "create" {
				action = "edit"
			}
		}
		e.Disclosure = d
		e.Revision++
		if !slices.Contains(e.Editors, actor.Name) {
			e.Editors = append(e.Editors, actor.Name)
		}
		e.Findings = findingsOf(&d)
		e.Reason = ""
		switch {
		case len(e.Findings) > 0:
			e.Status = StatusBlocked
		case submit:
			e.Status = StatusPending
		default:
			e.Status = StatusDraft
		}
		e.Updated = now
		note := ""
		if len(e.Findings) > 0 {
			note = "保密审查发现 " + findingsCN(e.Findings)
		} else if submit {
			note = "提交审核"
		}
		e.History = append(e.History, Event{At: now, Actor: actor.Name, Action: action, Note: note, Revision: e.Revision})
		out = e
		return putEntry(tx, e)
	})
	if err != nil {
		return Entry{}, fmt.Errorf("catalog: save: %w", err)
	}
	return out, nil
}

// UploadResult is what an upload made, and what it could not read.
type UploadResult struct {
	Saved  []Entry             `json:"saved"`
	Errors []content.LoadError `json:"errors"`
}

// Upload reads a JSONL or Markdown file (by name) and saves each of its
// disclosures as awaiting review (blocked when the privacy check finds
// personal data). A review record in the file is ignored: only a review in
// the console publishes. Records that cannot be read are listed and saved
// nothing; the others are saved.
func (c *Catalog) Upload(actor Actor, name string, data []byte) (UploadResult, error) {
	if !actor.any(RoleStaff, RoleAdmin) {
		return UploadResult{}, errf(CodeForbidden, "%s 不是工作人员（staff），不能上传公开信息", actor.Name)
	}
	ext := strings.ToLower(filepath.Ext(name))
	if ext != ".jsonl" && ext != ".md" && ext != ".json" {
		return UploadResult{}, errf(CodeInvalid, "只能上传 .jsonl（每行一条）或 .md（带 YAML 头）文件，收到的是 %q", filepath.Base(name))
	}
	docs, errs := content.Parse(filepath.Base(name), data)
	res := UploadResult{Errors: errs}
	if len(docs) == 0 && len(errs) == 0 {
		return res, errf(CodeInvalid, "文件 %s 中没有公开信息", filepath.Base(name))
	}
	for _, d := range docs {
		e, err := c.save(actor, d, "upload", "upload", true)
		if err != nil {
			var ce *Error
			if errors.As(err, &ce) {
				res.Errors = append(res.Errors, content.LoadError{File: filepath.Base(name), ID: d.ID, Problem: ce.Msg})
				continue
			}
			return res, err
		}
		res.Saved = append(res.Saved, e)
	}
	if res.Saved == nil {
		res.Saved = []Entry{}
	}
	if res.Errors == nil {
		res.Errors = []content.LoadError{}
	}
	return res, nil
}

// Submit sends a draft or a rejected entry for review.
func (c *Catalog) Submit(actor Actor, id string) (Entry, error) {
	return c.transition(actor, id, "submit", "", func(e *Entry) error {
		if !actor.any(RoleStaff, RoleAdmin) {
			return errf(CodeForbidden, "%s 不是工作人员（staff），不能提交审核", actor.Name)
		}
		switch e.Status {
		case StatusDraft, StatusRejected:
		case StatusBlocked:
			return blockedError(e)
		default:
			return errf(CodeStatus, "“%s”当前为%s，不能提交审核", e.Disclosure.Title, StatusName(e.Status))
		}
		e.Status = StatusPending
		return nil
	})
}

func blockedError(e *Entry) *Error {
	err := errf(CodePrivacy, "“%s”含个人信息（%s），请修改后再提交", e.Disclosure.Title, findingsCN(e.Findings))
	err.Findings = e.Findings
	return err
}

// Approve publishes the working version (一事一审): only a reviewer (or an
// admin) who wrote none of it, only while it awaits review, never while it
// holds personal data. The published version's review record names the
// reviewer and the day.
func (c *Catalog) Approve(actor Actor, id, note string) (Entry, error) {
	return c.transition(actor, id, "approve", strings.TrimSpace(note), func(e *Entry) error {
		if !actor.any(RoleReviewer, RoleAdmin) {
			return errf(CodeForbidden, "%s 不是审核人（reviewer），不能批准公开", actor.Name)
		}
		if e.Status == StatusBlocked || len(e.Findings) > 0 {
			return blockedError(e)
		}
		if e.Status != StatusPending {
			return errf(CodeStatus, "“%s”当前为%s，只有待审核的才能批准", e.Disclosure.Title, StatusName(e.Status))
		}
		if slices.Contains(e.Editors, actor.Name) {
			return errf(CodeSelfReview, "“%s”由 %s 撰写或修改，须由另一位审核人审核（一事一审）", e.Disclosure.Title, actor.Name)
		}
		live := e.Disclosure
		live.Review = content.Review{Status: "approved", Reviewer: actor.Name, Date: content.NewDate(c.opts.Clock.Now())}
		e.Disclosure.Review = live.Review
		e.Live = &live
		e.Status = StatusPublished
		e.Editors = nil
		e.Reason = ""
		return nil
	})
}

// Reject sends the working version back to its author with a reason.
func (c *Catalog) Reject(actor Actor, id, reason string) (Entry, error) {
	reason = strings.TrimSpace(reason)
	return c.transition(actor, id, "reject", reason, func(e *Entry) error {
		if !actor.any(RoleReviewer, RoleAdmin) {
			return errf(CodeForbidden, "%s 不是审核人（reviewer），不能驳回", actor.Name)
		}
		if reason == "" {
			return errf(CodeReasonRequired, "驳回须写明理由，以便作者修改")
		}
		if e.Status != StatusPending && e.Status != StatusBlocked {
			return errf(CodeStatus, "“%s”当前为%s，只有待审核的才能驳回", e.Disclosure.Title, StatusName(e.Status))
		}
		if slices.Contains(e.Editors, actor.Name) {
			return errf(CodeSelfReview, "“%s”由 %s 撰写或修改，须由另一位审核人审核（一事一审）", e.Disclosure.Title, actor.Name)
		}
		e.Status = StatusRejected
		e.Reason = reason
		return nil
	})
}

// End takes a published disclosure out of force from today: it stays
// indexed as ended (so it is never presented as current) until removed
// from wherever it came from.
func (c *Catalog) End(actor Actor, id, note string) (Entry, error) {
	return c.transition(actor, id, "end", strings.TrimSpace(note), func(e *Entry) error {
		if !actor.any(RoleReviewer, RoleAdmin) {
			return errf(CodeForbidden, "%s 不是审核人（reviewer）或管理员，不能结束公开", actor.Name)
		}
		if e.Live == nil || e.Status == StatusEnded {
			return errf(CodeStatus, "“%s”当前为%s，只有已公开的才能结束", e.Disclosure.Title, StatusName(e.Status))
		}
		end := content.NewDate(c.opts.Clock.Now().AddDate(0, 0, -1))
		live := *e.Live
		live.Expires = end
		if !live.Effective.IsZero() && live.Effective.After(end) {
			live.Effective = end
		}
		if !live.Published.IsZero() && live.Published.After(end) {
			live.Published = end
		}
		e.Live = &live
		e.Status = StatusEnded
		return nil
	})
}

func (c *Catalog) transition(actor Actor, id, action, note string, fn func(*Entry) error) (Entry, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	var out Entry
	published := false
	err := c.opts.DB.Update(func(tx *bolt.Tx) error {
		e, found, err := getEntry(tx, id)
		if err != nil {
			return err
		}
		if !found {
			return errf(CodeNotFound, "没有编号为 %s 的公开信息（只有在控制台撰写、上传或修改过的才有审核记录）", id)
		}
		before := e.Live
		if err := fn(&e); err != nil {
			return err
		}
		now := c.opts.Clock.Now()
		e.Updated = now
		e.History = append(e.History, Event{At: now, Actor: actor.Name, Action: action, Note: note, Revision: e.Revision})
		published = e.Live != before
		out = e
		return putEntry(tx, e)
	})
	if err != nil {
		var ce *Error
		if errors.As(err, &ce) {
			return Entry{}, ce
		}
		return Entry{}, fmt.Errorf("catalog: %s: %w", action, err)
	}
	if published {
		if err := c.export(); err != nil {
			return out, err
		}
	}
	return out, nil
}

// Get returns the entry with id.
func (c *Catalog) Get(id string) (Entry, error) {
	var e Entry
	var found bool
	err := c.opts.DB.View(func(tx *bolt.Tx) error {
		var err error
		e, found, err = getEntry(tx, id)
		return err
	})
	if err != nil {
		return Entry{}, fmt.Errorf("catalog: get: %w", err)
	}
	if !found {
		return Entry{}, errf(CodeNotFound, "没有编号为 %s 的公开信息", id)
	}
	return e, nil
}

// Entries returns every entry, most recently changed first.
func (c *Catalog) Entries() ([]Entry, error) {
	out := []Entry{}
	err := c.opts.DB.View(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketEntries).ForEach(func(k, v []byte) error {
			var e Entry
			if err := json.Unmarshal(v, &e); err != nil {
				return fmt.Errorf("entry %s: %w", k, err)
			}
			out = append(out, e)
			return nil
		})
	})
	if err != nil {
		return nil, fmt.Errorf("catalog: list: %w", err)
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Updated.After(out[j].Updated) })
	return out, nil
}

// AddAsk adds a 常见问法 to the disclosure id (admins). It need not have an
// entry: asks of shipped and imported disclosures are kept the same way.
// The text must be new for it, short, and free of personal data.
func (c *Catalog) AddAsk(actor Actor, id, text string) ([]Ask, error) {
	if !actor.Has(RoleAdmin) {
		return nil, errf(CodeForbidden, "%s 不是管理员（admin），不能添加常见问法", actor.Name)
	}
	id, text = strings.TrimSpace(id), strings.Join(strings.Fields(text), " ")
	switch {
	case id == "":
		return nil, errf(CodeInvalid, "请指明公开信息编号")
	case text == "":
		return nil, errf(CodeInvalid, "常见问法不能为空")
	case utf8.RuneCountInString(text) > maxAskRunes:
		return nil, errf(CodeInvalid, "常见问法最多 %d 字", maxAskRunes)
	}
	if fs := privacy.Scan("ask", text); len(fs) > 0 {
		return nil, errf(CodePrivacy, "常见问法含个人信息（%s），不能保存", fs[0].Masked)
	}
	return c.changeAsks(id, func(asks []Ask) ([]Ask, error) {
		for _, a := range asks {
			if normalizeAsk(a.Text) == normalizeAsk(text) {
				return nil, errf(CodeDuplicate, "“%s”已是 %s 的常见问法", text, id)
			}
		}
		return append(asks, Ask{Text: text, By: actor.Name, At: c.opts.Clock.Now()}), nil
	}, actor, "ask.add", text)
}

// RemoveAsk removes a 常见问法 (admins).
func (c *Catalog) RemoveAsk(actor Actor, id, text string) ([]Ask, error) {
	if !actor.Has(RoleAdmin) {
		return nil, errf(CodeForbidden, "%s 不是管理员（admin），不能删除常见问法", actor.Name)
	}
	return c.changeAsks(id, func(asks []Ask) ([]Ask, error) {
		for i, a := range asks {
			if a.Text == text {
				return slices.Delete(asks, i, i+1), nil
			}
		}
		return nil, errf(CodeNotFound, "%s 没有常见问法“%s”", id, text)
	}, actor, "ask.remove", text)
}

func normalizeAsk(s string) string {
	return strings.ToLower(strings.Join(strings.FieldsFunc(s, func(r rune) bool {
		return strings.ContainsRune(" 　?？!！。，,、", r)
	}), ""))
}

func (c *Catalog) changeAsks(id string, fn func([]Ask) ([]Ask, error), actor Actor, action, note string) ([]Ask, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	var out []Ask
	err := c.opts.DB.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketAsks)
		var asks []Ask
		if v := b.Get([]byte(id)); v != nil {
			if err := json.Unmarshal(v, &asks); err != nil {
				return err
			}
		}
		asks, err := fn(asks)
		if err != nil {
			return err
		}
		out = asks
		if len(asks) == 0 {
			if err := b.Delete([]byte(id)); err != nil {
				return err
			}
		} else {
			v, err := json.Marshal(asks)
			if err != nil {
				return err
			}
			if err := b.Put([]byte(id), v); err != nil {
				return err
			}
		}
		// The disclosure's own history records it, when it has one.
		e, found, err := getEntry(tx, id)
		if err != nil || !found {
			return err
		}
		e.History = append(e.History, Event{At: c.opts.Clock.Now(), Actor: actor.Name, Action: action, Note: note, Revision: e.Revision})
		return putEntry(tx, e)
	})
	if err != nil {
		var ce *Error
		if errors.As(err, &ce) {
			return nil, ce
		}
		return nil, fmt.Errorf("catalog: asks: %w", err)
	}
	if out == nil {
		out = []Ask{}
	}
	return out, c.export()
}

// Asks returns the 常见问法 of id.
func (c *Catalog) Asks(id string) ([]Ask, error) {
	all, err := c.allAsks()
	if err != nil {
		return nil, err
	}
	if a := all[id]; a != nil {
		return a, nil
	}
	return []Ask{}, nil
}

func (c *Catalog) allAsks() (map[string][]Ask, error) {
	out := map[string][]Ask{}
	err := c.opts.DB.View(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketAsks).ForEach(func(k, v []byte) error {
			var asks []Ask
			if err := json.Unmarshal(v, &asks); err != nil {
				return fmt.Errorf("asks of %s: %w", k, err)
			}
			out[string(k)] = asks
			return nil
		})
	})
	if err != nil {
		return nil, fmt.Errorf("catalog: asks: %w", err)
	}
	return out, nil
}

// ExportJSONL writes the console's disclosures in the import format, one a
// line, sorted by id: the live version of each published or ended one (with
// its review record), else the working version (review status draft),
// each with its 常见问法. It is what can be put into data_dir to ship.
func (c *Catalog) ExportJSONL(liveOnly bool) ([]byte, error) {
	entries, err := c.Entries()
	if err != nil {
		return nil, err
	}
	asks, err := c.allAsks()
	if err != nil {
		return nil, err
	}
	sort.Slice(entries, func(i, j int) bool { return entries[i].ID < entries[j].ID })
	var buf bytes.Buffer
	for _, e := range entries {
		d := e.Disclosure
		if e.Live != nil && (liveOnly || e.Status == StatusPublished || e.Status == StatusEnded) {
			d = *e.Live
		} else if liveOnly {
			continue
		}
		d.Asks = askTexts(asks[e.ID])
		b, err := json.Marshal(d)
		if err != nil {
			return nil, err
		}
		buf.Write(b)
		buf.WriteByte('\n')
	}
	return buf.Bytes(), nil
}

func askTexts(asks []Ask) []string {
	var out []string
	for _, a := range asks {
		out = append(out, a.Text)
	}
	return out
}

// export rewrites ExportDir/console.jsonl and AsksFile. c.mu is held.
func (c *Catalog) export() error {
	if c.opts.ExportDir != "" {
		b, err := c.ExportJSONL(true)
		if err != nil {
			return err
		}
		if err := writeAtomic(filepath.Join(c.opts.ExportDir, ExportFile), b); err != nil {
			return fmt.Errorf("catalog: export: %w", err)
		}
	}
	if c.opts.AsksFile != "" {
		all, err := c.allAsks()
		if err != nil {
			return err
		}
		m := map[string][]string{}
		for id, a := range all {
			m[id] = askTexts(a)
		}
		b, err := json.MarshalIndent(m, "", "  ")
		if err != nil {
			return err
		}
		if err := writeAtomic(c.opts.AsksFile, append(b, '\n')); err != nil {
			return fmt.Errorf("catalog: asks file: %w", err)
		}
	}
	return nil
}

// ReadAsksFile reads the 常见问法 written to AsksFile (id → texts); a missing
// file is none. It is what the index calls at every rebuild.
func ReadAsksFile(path string) (map[string][]string, error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return map[string][]string{}, nil
	}
	if err != nil {
		return nil, err
	}
	m := map[string][]string{}
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return m, nil
}

func writeAtomic(path string, b []byte) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return err
	}
	if _, err := tmp.Write(b); err != nil {
		tmp.Close()
		os.Remove(tmp.Name())
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		os.Remove(tmp.Name())
		return err
	}
	if err := tmp.Close(); err != nil {
		os.Remove(tmp.Name())
		return err
	}
	return os.Rename(tmp.Name(), path)
}

func getEntry(tx *bolt.Tx, id string) (Entry, bool, error) {
	v := tx.Bucket(bucketEntries).Get([]byte(id))
	if v == nil {
		return Entry{}, false, nil
	}
	var e Entry
	if err := json.Unmarshal(v, &e); err != nil {
		return Entry{}, false, fmt.Errorf("entry %s: %w", id, err)
	}
	return e, true, nil
}

func putEntry(tx *bolt.Tx, e Entry) error {
	v, err := json.Marshal(e)
	if err != nil {
		return err
	}
	return tx.Bucket(bucketEntries).Put([]byte(e.ID), v)
}

// newID names a disclosure written without an id: console-YYYYMMDD-N.
func (c *Catalog) newID() string {
	day := c.opts.Clock.Now().In(clock.Shanghai).Format("20060102")
	n := 1
	_ = c.opts.DB.View(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketEntries)
		for {
			if b.Get([]byte(fmt.Sprintf("console-%s-%d", day, n))) == nil {
				return nil
			}
			n++
		}
	})
	return fmt.Sprintf("console-%s-%d", day, n)
}

// StatusName is the Chinese name of a status.
func StatusName(s Status) string {
	switch s {
	case StatusDraft:
		return "草稿"
	case StatusPending:
		return "待审核"
	case StatusRejected:
		return "已驳回"
	case StatusBlocked:
		return "保密审查未通过"
	case StatusPublished:
		return "已公开"
	case StatusEnded:
		return "已结束"
	}
	return string(s)
}

// FieldName is the Chinese name of a disclosure field.
func FieldName(f string) string {
	switch f {
	case "id":
		return "编号"
	case "title":
		return "标题"
	case "body":
		return "正文"
	case "url":
		return "链接"
	case "keywords":
		return "关键词"
	case "audience":
		return "适用对象"
	case "department":
		return "发布部门"
	case "location", "location.lat", "location.lon":
		return "地点"
	case "location.name":
		return "地点名称"
	case "location.address":
		return "地点地址"
	case "expires":
		return "失效日期"
	case "effective":
		return "生效日期"
	case "published":
		return "发布日期"
	case "supersedes":
		return "替代"
	}
	return f
}

func findingsCN(fs []Finding) string {
	parts := make([]string, len(fs))
	for i, f := range fs {
		where := "第 %d 行第 %d 字"
		if f.Field == "keywords" || f.Field == "audience" {
			where = "第 %d 项第 %d 字"
		}
		parts[i] = fmt.Sprintf("%s%s：%s %s", FieldName(f.Field), fmt.Sprintf(where, f.Line, f.Column), KindName(f.Kind), f.Masked)
	}
	return strings.Join(parts, "；")
}

// FindingsText describes findings in Chinese, each with its place.
func FindingsText(fs []Finding) string { return findingsCN(fs) }

func problemsCN(ps []content.Problem) string {
	parts := make([]string, len(ps))
	for i, p := range ps {
		switch {
		case strings.HasPrefix(p.Message, "missing "):
			parts[i] = "缺少" + FieldName(p.Field)
		case p.Field == "url":
			parts[i] = "链接须为 http(s):// 开头的完整网址"
		case p.Field == "id":
			parts[i] = "编号不能含空格"
		default:
			parts[i] = FieldName(p.Field) + "：" + p.Message
		}
	}
	return strings.Join(parts, "；")
}
