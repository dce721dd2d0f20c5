// Package notice is the workflow of targeted notices (定点、定向公开): staff
// write a notice for named audiences, a reviewer who is not its author
// approves it (一事一审, 先审查、后公开), and it is then handed to the
// delivery outbox, at once or at its scheduled time, addressed to exactly
// the targets of its audiences. Every step is recorded on the notice and in
// the audit log.
//
// Notices live in bbolt buckets prefixed "notice/".
package notice

import (
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/yingpu/govbot/config"
	"github.com/yingpu/govbot/content"
)

// Status of a notice.
type Status string

// The statuses, in lifecycle order.
const (
	StatusDraft     Status = "draft"     // being written; editable by its author
	StatusSubmitted Status = "submitted" // waiting for review
	StatusApproved  Status = "approved"  // approved, waiting for its send time
	StatusRejected  Status = "rejected"  // sent back; editable and resubmittable
	StatusSending   Status = "sending"   // handed to the outbox
	StatusDone      Status = "done"      // every delivery sent, failed or unreachable
	StatusCancelled Status = "cancelled" // withdrawn before sending
)

// Statuses lists every status.
var Statuses = []Status{StatusDraft, StatusSubmitted, StatusApproved, StatusRejected, StatusSending, StatusDone, StatusCancelled}

// Valid reports whether s is a known status.
func (s Status) Valid() bool { return slices.Contains(Statuses, s) }

// Actions recorded in a notice's history and in the audit log (prefixed
// "notice.").
const (
	ActionCreate        = "create"
	ActionEdit          = "edit"
	ActionSubmit        = "submit"
	ActionApprove       = "approve"
	ActionReject        = "reject"
	ActionCancel        = "cancel"
	ActionSend          = "send"
	ActionSendFailed    = "send_failed"
	ActionDone          = "done"
	ActionPublish       = "publish"
	ActionPublishFailed = "publish_failed"
	// ActionUncertain: deliveries were being sent when the service
	// stopped abruptly (held or resent by policy); ActionResend and
	// ActionLeave: staff resent the held ones or left them.
	ActionUncertain = "uncertain"
	ActionResend    = "resend_uncertain"
	ActionLeave     = "leave_uncertain"
)

// SystemActor is the actor of the steps the scheduler and the outbox take.
const SystemActor = "system"

// Event is one step in a notice's history.
type Event struct {
	Action string    `json:"action"`
	By     string    `json:"by"`
	At     time.Time `json:"at"`
	Note   string    `json:"note,omitempty"`
}

// Notice is a notice and its whole history.
type Notice struct {
	ID        string   `json:"id"`
	Title     string   `json:"title"`
	Body      string   `json:"body"`
	Audiences []string `json:"audiences"`
	// Urgent notices (emergency warnings) go ahead of others in the
	// delivery queues. They still need approval.
	Urgent bool `json:"urgent"`
	// Public notices (a warning for everyone) are also published as a
	// disclosure, searchable until Expires.
	Public   bool         `json:"public"`
	Markdown bool         `json:"markdown"`
	Expires  content.Date `json:"expires"`
	// SendAt is the scheduled send time; zero: at approval.
	SendAt time.Time `json:"send_at,omitzero"`

	Status     Status    `json:"status"`
	Author     string    `json:"author"`
	Reviewer   string    `json:"reviewer,omitempty"`
	Created    time.Time `json:"created"`
	Updated    time.Time `json:"updated"`
	ReviewedAt time.Time `json:"reviewed_at,omitzero"`
	SentAt     time.Time `json:"sent_at,omitzero"`
	DoneAt     time.Time `json:"done_at,omitzero"`
	// Recipients is the number of targets the notice was addressed to.
	Recipients int `json:"recipients"`

	// Failed hand-overs to the outbox (approved notices only): how many,
	// the last error, and when the scheduler tries again.
	SendAttempts int       `json:"send_attempts,omitempty"`
	LastError    string    `json:"last_error,omitempty"`
	NextAttempt  time.Time `json:"next_attempt,omitzero"`
	// Published: a public notice has been handed to the search index.
	Published bool `json:"published,omitempty"`

	History []Event `json:"history"`
}

// Actor is the user performing an action.
type Actor struct {
	Name  string
	Roles []string
}

// Has reports whether a has role.
func (a Actor) Has(role string) bool { return slices.Contains(a.Roles, role) }

func (a Actor) reviewer() bool { return a.Has(config.RoleReviewer) || a.Has(config.RoleAdmin) }

// Code classifies an Error.
type Code string

// Error codes. The admin API maps each to an HTTP status.
const (
	CodeInvalid         Code = "invalid"          // bad field value
	CodeUnknownAudience Code = "unknown_audience" // an audience not in config
	CodeUnavailable     Code = "unavailable"      // an audience needs a channel not configured
	CodeTooLong         Code = "too_long"         // over a channel's length limit
	CodePrivacy         Code = "privacy"          // personal data in the text
	CodeStatus          Code = "status"           // not allowed in the notice's status
	CodeReasonRequired  Code = "reason_required"  // a rejection without a reason
	CodeForbidden       Code = "forbidden"        // the actor's roles do not allow it
	CodeNotAuthor       Code = "not_author"       // only the author may
	CodeSelfReview      Code = "self_review"      // an author reviewing their own notice
	CodeNotFound        Code = "not_found"        // no such notice
)

// Error is a refused action. Msg is safe to show (Simplified Chinese, for
// staff).
type Error struct {
	Code Code
	Msg  string
}

func (e *Error) Error() string { return e.Msg }

func errf(code Code, format string, a ...any) *Error {
	return &Error{Code: code, Msg: fmt.Sprintf(format, a...)}
}

// CodeOf returns the Code of err, or "" when err is not an *Error.
func CodeOf(err error) Code {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return ""
}
