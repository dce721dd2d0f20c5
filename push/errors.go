package push

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
)

// Sentinels wrapped by the *Error returned for a message rejected before
// any call: match them with errors.Is. Such errors are never transient.
var (
	// ErrTooLong: the content is over the channel's byte limit.
	ErrTooLong = errors.New("content too long")
	// ErrTooManyRecipients: more users, departments or tags than one call
	// takes.
	ErrTooManyRecipients = errors.New("too many recipients")
	// ErrBadInput: an empty message, key or recipient, or an ID that
	// contains '|'.
	ErrBadInput = errors.New("bad input")
	// ErrNoTemplate: SendTemplate without a configured template.
	ErrNoTemplate = errors.New("no template message configured")
)

// Errcodes with a meaning of their own in this package.
const (
	CodeBusy               = -1    // system busy
	CodeInvalidCredential  = 40001 // invalid credential / access_token (WeCom: invalid secret)
	CodeInvalidAccessToken = 40014 // invalid access_token
	CodeTokenExpired       = 42001 // access_token expired
	CodeContentTooLong     = 45002
	CodeQuotaLimit         = 45009 // API call limit reached (robots: 20 a minute)
	CodeMinuteLimit        = 45011 // API minute quota reached
	CodeConcurrencyLimit   = 45033 // WeCom: too many concurrent calls
	CodeNotFollowing       = 43004 // OA: the user does not follow the account
	CodeInvalidOpenID      = 40003
	CodeNoValidRecipient   = 81013 // WeCom: every recipient invalid
	CodeInvalidRobotKey    = 93000 // WeCom robot: invalid webhook key
)

// transientCodes are the errcodes worth retrying later: the platform was
// busy or a rate limit was hit. Every other non-zero errcode is permanent
// for this message and recipient: retrying the same call cannot help.
var transientCodes = map[int]bool{
	CodeBusy:             true,
	CodeQuotaLimit:       true,
	CodeMinuteLimit:      true,
	CodeConcurrencyLimit: true,
}

// isTokenError reports whether err is an answer that the access token used
// is invalid or expired; the call is retried once with a fresh token.
func isTokenError(err error) bool {
	var pe *Error
	if !errors.As(err, &pe) {
		return false
	}
	switch pe.Code {
	case CodeInvalidCredential, CodeInvalidAccessToken, CodeTokenExpired:
		return true
	}
	return false
}

// apiError maps a non-zero errcode of the named API to a *Error.
func apiError(api string, code int, msg string) *Error {
	return &Error{Code: code, Msg: api + ": " + msg, Transient: transientCodes[code]}
}

// transportError maps a failed HTTP exchange to a transient *Error. The
// request URL is left out of the message: it carries the access token or
// the robot key.
func transportError(api string, err error) *Error {
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	msg := err.Error()
	var ne net.Error
	switch {
	case errors.Is(err, context.DeadlineExceeded) || errors.As(err, &ne) && ne.Timeout():
		msg = "timed out: " + msg
	case errors.Is(err, context.Canceled):
		msg = "canceled: " + msg
	}
	return &Error{Msg: api + ": " + msg, Transient: true, cause: err}
}

// statusError maps a non-200 HTTP status. 5xx, 408 and 429 are transient
// (the gateway or platform is overloaded or restarting); other statuses mean
// a wrong base URL or a gateway that refuses the call, which retrying cannot
// fix.
func statusError(api string, status int) *Error {
	transient := status >= 500 || status == 408 || status == 429
	return &Error{Msg: fmt.Sprintf("%s: HTTP status %d", api, status), Transient: transient}
}

// rejectf returns the permanent error for a message refused before any
// call, wrapping the sentinel.
func rejectf(sentinel error, format string, args ...any) *Error {
	return &Error{Msg: fmt.Sprintf(format, args...), cause: sentinel}
}
