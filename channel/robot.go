package channel

import (
	"context"
	"errors"
	"time"

	"github.com/yingpu/govbot/push"
)

// RobotPerMinute is WeCom's limit of messages to one group robot in any 60
// seconds.
const RobotPerMinute = 20

// robot: a WeCom group robot (群机器人) by its webhook key; 20 messages a
// minute per key, no duplicate check.
func robot() Channel {
	return Channel{
		Name:             Robot,
		Label:            "企业微信群机器人",
		Kinds:            []Kind{{Name: "robot", Label: "群机器人", Field: "work_robots"}},
		TextMaxBytes:     push.RobotTextMaxBytes,
		MarkdownMaxBytes: push.RobotMarkdownMaxBytes,
		PerMinute:        RobotPerMinute,
		Configured:       func(a Adapters) bool { return a.Robot != nil },
		DuplicateCheck:   func(Adapters) time.Duration { return 0 },
		Send: func(ctx context.Context, a Adapters, to []Target, m push.Message) []Result {
			out := one(ctx, to, func(ctx context.Context, key string) error { return a.Robot.SendRobot(ctx, key, m) })
			for i := range out {
				var pe *push.Error
				if errors.As(out[i].Err, &pe) && (pe.Code == push.CodeQuotaLimit || pe.Code == push.CodeMinuteLimit) {
					out[i].Throttled = true
				}
			}
			return out
		},
	}
}
