package notice

import (
	"errors"
	"fmt"

	"github.com/yingpu/govbot/audit"
	"github.com/yingpu/govbot/outbox"
	bolt "go.etcd.io/bbolt"
)

// Resolver decides the deliveries the outbox holds as uncertain
// (*outbox.Outbox): interrupted by an abrupt stop while being sent, they
// may have arrived.
type Resolver interface {
	Resolve(noticeID string, resend bool) (int, error)
}

// Interrupted records, in the notice's history and the audit log, that
// deliveries of notice id were being sent when the service stopped
// abruptly: held of them are held as uncertain for staff to decide, resent
// were sent again by policy (they may arrive twice). The outbox calls it
// (Options.OnUncertain).
func (s *Service) Interrupted(id string, held, resent int) {
	now := s.now()
	note := fmt.Sprintf("发送中途服务中断：%d 个对象可能已收到，已按策略重发 %d 个（可能收到两次），保留 %d 个待工作人员决定是否重发", held+resent, resent, held)
	_, err := s.update(id, func(tx *bolt.Tx, k []byte, n *Notice) error {
		n.record(ActionUncertain, SystemActor, now, note)
		return nil
	})
	if err != nil {
		s.log.Error("notice: record interrupted deliveries", "notice", id, "err", err)
	}
	s.audit(ActionUncertain, id, audit.ResultOK, note)
}

// ResolveUncertain decides the uncertain deliveries of a sending notice:
// resend sends them again (a target that got the notice before the stop
// gets it twice), otherwise they are left as unconfirmed. The author, a
// reviewer or an admin may decide. It returns the notice and how many
// deliveries it decided.
func (s *Service) ResolveUncertain(actor Actor, id string, resend bool) (Notice, int, error) {
	r, ok := s.opts.Outbox.(Resolver)
	if !ok {
		return Notice{}, 0, errf(CodeStatus, "本服务的发送队列不支持处理不确定的发送")
	}
	n, err := s.Get(id)
	if err != nil {
		return Notice{}, 0, err
	}
	if n.Author != actor.Name && !actor.reviewer() {
		return Notice{}, 0, errf(CodeForbidden, "只有作者 %s、审核人或管理员可以处理通知 %s 的不确定发送", n.Author, n.ID)
	}
	if n.Status != StatusSending {
		return Notice{}, 0, errf(CodeStatus, "通知 %s 的状态是 %s，没有待处理的不确定发送", n.ID, n.Status)
	}
	count, err := r.Resolve(id, resend)
	switch {
	case errors.Is(err, outbox.ErrNothingUncertain):
		return Notice{}, 0, errf(CodeStatus, "通知 %s 没有待处理的不确定发送", n.ID)
	case err != nil:
		return Notice{}, 0, err
	}
	action, note := ActionLeave, fmt.Sprintf("%d 个可能已收到的对象不再重发", count)
	if resend {
		action, note = ActionResend, fmt.Sprintf("重发 %d 个可能已收到的对象", count)
	}
	now := s.now()
	n, err = s.update(id, func(tx *bolt.Tx, k []byte, n *Notice) error {
		n.record(action, actor.Name, now, note)
		return nil
	})
	return n, count, err
}
