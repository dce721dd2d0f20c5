package channel

import (
	"context"
	"strings"
	"time"

	"github.com/yingpu/govbot/push"
)

// Kinds of the WeCom app channel.
const (
	KindUser = "user"
	KindDept = "dept"
	KindTag  = "tag"
)

// workApp: WeCom app messages (message/send) to users, departments and tags,
// up to 1,000 users, 100 departments and 100 tags a call, with WeCom's
// duplicate check when the adapter turns it on.
func workApp() Channel {
	return Channel{
		Name:  WorkApp,
		Label: "企业微信应用消息",
		Kinds: []Kind{
			{Name: KindUser, Label: "企业微信成员", Field: "work_users", PerCall: push.MaxAppUsers},
			{Name: KindDept, Label: "企业微信部门", Field: "work_depts", Numeric: true, PerCall: push.MaxAppDepts},
			{Name: KindTag, Label: "企业微信标签", Field: "work_tags", Numeric: true, PerCall: push.MaxAppTags},
		},
		TextMaxBytes:     push.AppTextMaxBytes,
		MarkdownMaxBytes: push.AppMarkdownMaxBytes,
		Batched:          true,
		Configured:       func(a Adapters) bool { return a.WorkApp != nil },
		DuplicateCheck: func(a Adapters) time.Duration {
			if d, ok := a.WorkApp.(interface{ DuplicateCheck() time.Duration }); ok {
				return d.DuplicateCheck()
			}
			return 0
		},
		Send: sendApp,
	}
}

// sendApp sends one WeCom app message to the targets. Targets WeCom lists
// as invalid are refused; the rest are sent.
func sendApp(ctx context.Context, a Adapters, to []Target, m push.Message) []Result {
	var users, depts, tags []string
	for _, t := range to {
		switch t.Kind {
		case KindUser:
			users = append(users, t.ID)
		case KindDept:
			depts = append(depts, t.ID)
		case KindTag:
			tags = append(tags, t.ID)
		}
	}
	res, err := a.WorkApp.SendApp(ctx, users, depts, tags, m)
	out := make([]Result, len(to))
	if err != nil {
		for i := range out {
			out[i].Err = err
		}
		return out
	}
	invalid := map[string]*idSet{
		KindUser: newIDSet(res.InvalidUsers),
		KindDept: newIDSet(res.InvalidDepts),
		KindTag:  newIDSet(res.InvalidTags),
	}
	reasons := map[string]string{KindUser: "invaliduser", KindDept: "invalidparty", KindTag: "invalidtag"}
	for i, t := range to {
		if invalid[t.Kind].has(t.ID) {
			out[i].Refused = reasons[t.Kind]
		}
	}
	return out
}

// idSet matches IDs exactly, or else ignoring case (WeCom user IDs are
// case-insensitive and may come back lower-cased).
type idSet struct{ exact, folded map[string]bool }

func newIDSet(ids []string) *idSet {
	s := &idSet{exact: map[string]bool{}, folded: map[string]bool{}}
	for _, id := range ids {
		s.exact[id] = true
		s.folded[strings.ToLower(id)] = true
	}
	return s
}

func (s *idSet) has(id string) bool { return s.exact[id] || s.folded[strings.ToLower(id)] }
