package adminapi

import (
	"time"

	"github.com/yingpu/govbot/audit"
	"github.com/yingpu/govbot/notice"
	"github.com/yingpu/govbot/outbox"
	"github.com/yingpu/govbot/querylog"
)

// The request and response bodies of the API. The server encodes these and
// clients (govbot notice) decode the same types, so the two cannot drift.

// NoticeInput is the body of POST /api/notices (create) and PATCH
// /api/notices/{id} (edit: absent fields are left as they are).
type NoticeInput struct {
	Title     *string   `json:"title,omitempty"`
	Body      *string   `json:"body,omitempty"`
	Audiences *[]string `json:"audiences,omitempty"`
	Urgent    *bool     `json:"urgent,omitempty"`
	Public    *bool     `json:"public,omitempty"`
	Markdown  *bool     `json:"markdown,omitempty"`
	Expires   *string   `json:"expires,omitempty"`
	SendAt    *string   `json:"send_at,omitempty"`
}

// NoteInput is the optional body of submit, approve and cancel ({"note"}),
// and the required body of reject ({"reason"}).
type NoteInput struct {
	Reason string `json:"reason,omitempty"`
	Note   string `json:"note,omitempty"`
}

// UncertainInput is the body of POST /api/notices/{id}/uncertain: resend
// the deliveries held as uncertain (true), or leave them (false).
type UncertainInput struct {
	Resend *bool `json:"resend"`
}

// NoticeView is a notice as answered: the notice, its history and its
// delivery report (robot keys in failures shortened).
type NoticeView struct {
	notice.Notice
	Report outbox.Report `json:"report"`
}

// NoticeList is the answer of GET /api/notices.
type NoticeList struct {
	Notices []notice.Notice `json:"notices"`
}

// AudienceList is the answer of GET /api/audiences.
type AudienceList struct {
	Audiences []notice.AudienceInfo `json:"audiences"`
}

// AuditList is the answer of GET /api/audit.
type AuditList struct {
	Records []audit.Record `json:"records"`
}

// UserView is a user as answered by GET /api/me and GET /api/users.
type UserView struct {
	Name       string   `json:"name"`
	Roles      []string `json:"roles"`
	Department string   `json:"department,omitempty"`
}

// UserList is the answer of GET /api/users.
type UserList struct {
	Users []UserView `json:"users"`
}

// DoubtedList is the answer of GET /api/queries/doubted: feedback records
// (querylog.Record with feedback, q, answer, confidence).
type DoubtedList struct {
	From    time.Time         `json:"from"`
	To      time.Time         `json:"to"`
	Answers []querylog.Record `json:"answers"`
}

// UnansweredList is the answer of GET /api/queries/unanswered.
type UnansweredList struct {
	From      time.Time         `json:"from"`
	To        time.Time         `json:"to"`
	Questions []querylog.Demand `json:"questions"`
}
