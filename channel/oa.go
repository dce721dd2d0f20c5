package channel

import (
	"context"
	"errors"
	"time"

	"github.com/yingpu/govbot/push"
)

// KindFollower is the kind of the Official Account channel.
const KindFollower = "follower"

// OATextMaxBytes is the limit applied to Official Account text (WeChat
// allows more in a customer-service message, but a notice that long does
// not read on a phone, and it keeps the limit of every channel alike).
const OATextMaxBytes = 2048

// ReasonNoWindow is the reason recorded for a follower who cannot be
// reached: no customer-service window and no template message.
const ReasonNoWindow = "no message from the follower within 48 hours and no template configured"

// Official Account errcodes after which a customer-service message is
// retried as a template message: the 48-hour window closed (45015) or the
// follower's customer-service quota is used up (45047).
const (
	codeOutOfWindow   = 45015
	codeCustomerQuota = 45047
)

// officialAccount: Official Account followers by openid, reached with a
// customer-service message within 48 hours of their last message, else a
// template message if one is configured. Customer-service messages have no
// duplicate check (template messages carry client_msg_id, which WeChat
// checks for ten minutes, but which of the two a delivery used is decided
// when it is sent).
func officialAccount() Channel {
	return Channel{
		Name:           OA,
		Label:          "公众号",
		Kinds:          []Kind{{Name: KindFollower, Label: "公众号粉丝"}},
		TextMaxBytes:   OATextMaxBytes,
		Configured:     func(a Adapters) bool { return a.OA != nil },
		DuplicateCheck: func(Adapters) time.Duration { return 0 },
		Send: func(ctx context.Context, a Adapters, to []Target, m push.Message) []Result {
			out := make([]Result, len(to))
			for i, t := range to {
				out[i] = sendOA(ctx, a, t.ID, m)
			}
			return out
		},
	}
}

func sendOA(ctx context.Context, a Adapters, openid string, m push.Message) Result {
	oa := a.OA
	var last time.Time
	seen := false
	if a.LastSeen != nil {
		last, seen = a.LastSeen(openid)
	}
	if seen && a.Now().Sub(last) < a.OAWindow {
		err := oa.SendCustom(ctx, openid, m)
		var pe *push.Error
		closed := errors.As(err, &pe) && (pe.Code == codeOutOfWindow || pe.Code == codeCustomerQuota)
		if !closed || !oa.HasTemplate() {
			return Result{Err: err, Via: "custom"}
		}
	} else if !oa.HasTemplate() {
		return Result{Unreachable: ReasonNoWindow}
	}
	return Result{Err: oa.SendTemplate(ctx, openid, m), Via: "template"}
}
