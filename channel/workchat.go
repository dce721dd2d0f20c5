package channel

import (
	"context"
	"time"

	"github.com/yingpu/govbot/push"
)

// workChat: a WeCom app group chat (应用群聊) by its chatid; appchat/send has
// no duplicate check.
func workChat() Channel {
	return Channel{
		Name:             WorkChat,
		Label:            "企业微信应用群聊",
		Kinds:            []Kind{{Name: "chat", Label: "应用群聊", Field: "work_chats"}},
		TextMaxBytes:     push.AppTextMaxBytes,
		MarkdownMaxBytes: push.AppMarkdownMaxBytes,
		Configured:       func(a Adapters) bool { return a.WorkApp != nil },
		DuplicateCheck:   func(Adapters) time.Duration { return 0 },
		Send: func(ctx context.Context, a Adapters, to []Target, m push.Message) []Result {
			return one(ctx, to, func(ctx context.Context, id string) error { return a.WorkApp.SendChat(ctx, id, m) })
		},
	}
}
