package adminapi

import (
	"encoding/json"
	"errors"
	"net/http"

	"github.com/yingpu/govbot/notice"
)

// Error is an API error as rendered: {"code": 40002, "http": 400, "error":
// "…"}. Code is stable and documented (docs/notices.md); Message is safe to
// show to the client.
type Error struct {
	Code    int    `json:"code"`
	HTTP    int    `json:"http"`
	Message string `json:"error"`
}

func (e *Error) Error() string { return e.Message }

// with returns a copy of e with a more specific message.
func (e *Error) with(msg string) *Error {
	c := *e
	c.Message = msg
	return &c
}

// The catalogue of API errors.
var (
	ErrBadJSON         = &Error{40001, http.StatusBadRequest, "请求体不是有效的 JSON"}
	ErrInvalid         = &Error{40002, http.StatusBadRequest, "字段值无效"}
	ErrUnknownAudience = &Error{40003, http.StatusBadRequest, "未知的受众"}
	ErrTooLong         = &Error{40004, http.StatusBadRequest, "内容超过渠道长度上限"}
	ErrPrivacy         = &Error{40005, http.StatusBadRequest, "通知含个人信息"}
	ErrStatus          = &Error{40006, http.StatusBadRequest, "通知当前状态不允许此操作"}
	ErrReasonRequired  = &Error{40007, http.StatusBadRequest, "请填写理由"}
	ErrBadQuery        = &Error{40008, http.StatusBadRequest, "查询参数无效"}
	ErrUnavailable     = &Error{40009, http.StatusBadRequest, "受众所需的发送渠道未配置"}
	ErrUnauthorized    = &Error{40101, http.StatusUnauthorized, "未认证：请在 Authorization 头中提供有效的 Bearer 令牌"}
	ErrForbidden       = &Error{40301, http.StatusForbidden, "没有执行此操作的权限"}
	ErrNotAuthor       = &Error{40302, http.StatusForbidden, "只有作者可以执行此操作"}
	ErrSelfReview      = &Error{40303, http.StatusForbidden, "不能审核自己撰写的通知"}
	ErrNotFound        = &Error{40401, http.StatusNotFound, "未找到"}
	ErrMethod          = &Error{40501, http.StatusMethodNotAllowed, "不支持此请求方法"}
	ErrSyncBusy        = &Error{40901, http.StatusConflict, "该来源正在同步，请稍后查看结果"}
	ErrTooLarge        = &Error{41301, http.StatusRequestEntityTooLarge, "请求体过大"}
	ErrTooManyRefused  = &Error{42901, http.StatusTooManyRequests, "此地址被拒绝的请求过多，请稍后再试"}
	ErrInternal        = &Error{50001, http.StatusInternalServerError, "服务器内部错误，请稍后重试或联系管理员"}
	ErrReindexBusy     = &Error{40902, http.StatusConflict, "已有重建任务正在进行"}
	ErrSync            = &Error{50003, http.StatusInternalServerError, "同步失败，已导入的内容未变"}
)

var byCode = map[notice.Code]*Error{
	notice.CodeInvalid:         ErrInvalid,
	notice.CodeUnknownAudience: ErrUnknownAudience,
	notice.CodeTooLong:         ErrTooLong,
	notice.CodePrivacy:         ErrPrivacy,
	notice.CodeStatus:          ErrStatus,
	notice.CodeReasonRequired:  ErrReasonRequired,
	notice.CodeUnavailable:     ErrUnavailable,
	notice.CodeForbidden:       ErrForbidden,
	notice.CodeNotAuthor:       ErrNotAuthor,
	notice.CodeSelfReview:      ErrSelfReview,
	notice.CodeNotFound:        ErrNotFound,
}

// toAPIError maps any error to the catalogue: an *Error as is, a notice
// error by its code with its own message, anything else to ErrInternal
// (whose message never reveals the cause).
func toAPIError(err error) (e *Error, internal bool) {
	if errors.As(err, &e) {
		return e, false
	}
	var ne *notice.Error
	if errors.As(err, &ne) {
		if base, ok := byCode[ne.Code]; ok {
			return base.with(ne.Msg), false
		}
	}
	return ErrInternal, true
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(v)
}
