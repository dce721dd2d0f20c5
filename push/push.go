// Package push sends messages through WeChat's and WeCom's APIs: WeCom group
// robots, WeCom app messages (users, departments, tags), WeCom app group
// chats (应用群聊), and Official Account customer-service and template
// messages. Each adapter wraps silenceper/wechat/v2 behind a small
// interface so that the notice outbox can be tested with fakes; every API
// call goes to Config.APIBaseURL when set.
package push

import (
	"context"
	"errors"
	"fmt"
)

// Message is the content of a notice as sent.
type Message struct {
	Title string
	Body  string
	// Markdown asks for markdown where the channel supports it (robots,
	// WeCom app); plain text otherwise.
	Markdown bool
	// Key, when set, identifies the notice: template messages carry it as
	// client_msg_id so WeChat drops a repeat to the same follower within
	// ten minutes (a retry after a lost answer). Optional.
	Key string
}

// Error is an API answer with a non-zero errcode, or a transport failure
// (Code 0). Transient errors may succeed when retried.
type Error struct {
	Code      int
	Msg       string
	Transient bool

	cause error
}

func (e *Error) Error() string {
	if e.Code == 0 {
		return "push: " + e.Msg
	}
	return fmt.Sprintf("push: errcode %d: %s", e.Code, e.Msg)
}

// WorkAppResult lists the recipients WeCom refused in an errcode-0 answer
// (invaliduser, invalidparty, invalidtag): those are permanent failures.
type WorkAppResult struct {
	InvalidUsers []string
	InvalidDepts []string
	InvalidTags  []string
}

// Robot sends to a WeCom group robot (群机器人) by its webhook key.
type Robot interface {
	SendRobot(ctx context.Context, key string, m Message) error
}

// WorkApp sends WeCom app messages (at most 1000 users, 100 departments and
// 100 tags a call) and app group chat messages.
type WorkApp interface {
	SendApp(ctx context.Context, users, depts, tags []string, m Message) (WorkAppResult, error)
	SendChat(ctx context.Context, chatID string, m Message) error
}

// OfficialAccount sends customer-service messages (only to followers who
// messaged within 48 hours) and template messages, and lists followers by
// user tag.
type OfficialAccount interface {
	SendCustom(ctx context.Context, openID string, m Message) error
	SendTemplate(ctx context.Context, openID string, m Message) error
	// HasTemplate reports whether a template message is configured.
	HasTemplate() bool
	TagFollowers(ctx context.Context, tagID int) ([]string, error)
}

// Unwrap returns the cause of a transport failure (for example
// context.DeadlineExceeded), or the sentinel of a rejected message
// (ErrTooLong, ErrTooManyRecipients, ErrBadInput); nil for API answers.
func (e *Error) Unwrap() error { return e.cause }

// IsTransient reports whether err may succeed when the same call is made
// again later. Only a *Error marked Transient is; everything else (a
// permanent errcode, a rejected message, a missing template) is not.
func IsTransient(err error) bool {
	var pe *Error
	return errors.As(err, &pe) && pe.Transient
}
