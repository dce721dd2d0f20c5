package admin

import (
	"net/http"

	"github.com/yingpu/govbot/config"
)

func (c *Console) registerMe() {
	c.Handle(Page{Pattern: "GET /admin/me", Serve: c.me})
}

// me shows who is signed in, their roles and what those allow, and their
// live sessions.
func (c *Console) me(q *Request) error {
	sessions, err := c.opts.Sessions.List(q.User.Name)
	if err != nil {
		return err
	}
	var can []string
	if q.User.Has(config.RoleStaff) {
		can = append(can, "撰写通知并提交审核", "撤销自己尚未发送的通知")
	}
	if q.User.Has(config.RoleReviewer) {
		can = append(can, "审核他人提交的通知：批准或退回（不能审核自己撰写的通知）", "撤销尚未发送的通知")
	}
	if q.User.Has(config.RoleAdmin) {
		can = append(can, "查看和导出操作记录（审计日志）", "查看用户和受众配置")
	}
	return q.Render(http.StatusOK, "me", "我的账号", map[string]any{
		"User": q.User, "Session": q.Session, "Sessions": sessions, "Can": can,
		"Idle": durText(c.opts.Sessions.Options().Idle),
	})
}
