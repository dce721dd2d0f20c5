package admin

import (
	"context"
	"errors"
	"fmt"
	"html/template"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/yingpu/govbot/catalog"
	"github.com/yingpu/govbot/config"
	"github.com/yingpu/govbot/content"
	"github.com/yingpu/govbot/demand"
	"github.com/yingpu/govbot/hittest"
	"github.com/yingpu/govbot/index"
	"github.com/yingpu/govbot/indexjobs"
	"github.com/yingpu/govbot/lexicon"
	"github.com/yingpu/govbot/privacy"
)

// The content pages: disclosures reviewed in the browser (disclosures.go),
// reindex with progress and rollback (reindex.go), what residents need
// (demand.go), the hit test (hittest.go) and the lexicon (lexicon.go).

// Catalog is the console's disclosures (*catalog.Catalog).
type Catalog interface {
	Save(actor catalog.Actor, d content.Disclosure, source string, submit bool) (catalog.Entry, error)
	Upload(actor catalog.Actor, name string, data []byte) (catalog.UploadResult, error)
	Submit(actor catalog.Actor, id string) (catalog.Entry, error)
	Approve(actor catalog.Actor, id, note string) (catalog.Entry, error)
	Reject(actor catalog.Actor, id, reason string) (catalog.Entry, error)
	End(actor catalog.Actor, id, note string) (catalog.Entry, error)
	Get(id string) (catalog.Entry, error)
	Lookup(id string) (catalog.Shipped, error)
	List(f catalog.Filter) ([]catalog.Row, error)
	AddAsk(actor catalog.Actor, id, text string) ([]catalog.Ask, error)
	RemoveAsk(actor catalog.Actor, id, text string) ([]catalog.Ask, error)
	Asks(id string) ([]catalog.Ask, error)
	ExportJSONL(liveOnly bool) ([]byte, error)
}

// Jobs runs reindexes (*indexjobs.Runner).
type Jobs interface {
	Start(ctx context.Context, actor string) (indexjobs.Job, error)
	Rollback(actor string) (indexjobs.Job, error)
	Get(id uint64) (indexjobs.Job, bool, error)
	Running() (indexjobs.Job, bool)
	History(limit int) ([]indexjobs.Job, error)
}

// Lexicon is the live-edited lexicon (*lexicon.Store).
type Lexicon interface {
	Versions(file string) ([]lexicon.Version, error)
	Get(file string, n int) (lexicon.Version, error)
	Current(file string) (lexicon.Version, error)
	Save(by, file, text, note string) (lexicon.Version, error)
	Revert(by, file string, n int) (lexicon.Version, error)
	AddSynonym(by, member, expr string) (lexicon.Version, error)
}

// HitTester runs hit tests (*hittest.Tester).
type HitTester interface {
	Run(ctx context.Context, req hittest.Request) (hittest.Result, error)
}

// QueryLog is what the 需求 page reads (*querylog.Log).
type QueryLog = demand.Log

// ContentOptions are the content pages' dependencies; each page is on when
// what it needs is set.
type ContentOptions struct {
	Catalog Catalog
	Jobs    Jobs
	// JobsContext bounds reindex jobs (the server's lifetime).
	JobsContext context.Context
	// IndexDir is the index directory (its generations are shown).
	IndexDir string
	Lexicon  Lexicon
	HitTest  HitTester
	Queries  QueryLog
	// MinScore is search.min_score (the hit test shows it; the 需求 page
	// lists answers below MinScore+0.2 as low confidence).
	MinScore float64
}

var (
	authorRoles = []string{config.RoleStaff}
	readerRoles = []string{config.RoleStaff, config.RoleReviewer}
)

func (c *Console) registerContent() {
	co := c.opts.Content
	if co.Catalog != nil {
		c.registerDisclosures()
	}
	if co.HitTest != nil {
		c.registerHitTest()
	}
	if co.Jobs != nil {
		c.registerReindex()
	}
	if co.Queries != nil && co.Catalog != nil {
		c.registerDemand()
	}
	if co.Lexicon != nil {
		c.registerLexicon()
	}
}

func actorOf(u User) catalog.Actor { return catalog.Actor{Name: u.Name, Roles: u.Roles} }

// contentError renders the refusals of the content packages.
func contentError(err error) error {
	var ce *catalog.Error
	if errors.As(err, &ce) {
		st := http.StatusBadRequest
		title := "无法完成操作"
		switch ce.Code {
		case catalog.CodeForbidden, catalog.CodeSelfReview:
			st, title = http.StatusForbidden, "不能执行此操作"
		case catalog.CodeNotFound:
			st, title = http.StatusNotFound, "找不到公开信息"
		case catalog.CodeStatus, catalog.CodeDuplicate:
			st = http.StatusConflict
		}
		return &Error{Status: st, Title: title, Msg: ce.Msg}
	}
	var le *lexicon.Error
	if errors.As(err, &le) {
		return &Error{Status: http.StatusBadRequest, Title: "未保存", Msg: le.Error()}
	}
	if errors.Is(err, indexjobs.ErrBusy) {
		return &Error{Status: http.StatusConflict, Title: "正在重建索引", Msg: "已有一次重建在进行，请等它完成后再试。"}
	}
	if errors.Is(err, index.ErrNoPrevious) {
		return &Error{Status: http.StatusConflict, Title: "无法回退", Msg: "没有可回退的上一版索引。"}
	}
	if errors.Is(err, hittest.ErrInvalid) {
		return ErrBadRequest.With(fmt.Sprintf("请输入问题（最多 %d 字）；经纬度须成对填写且在范围内。", hittest.MaxQuestionRunes))
	}
	return err
}

// startReindex starts a reindex for the user and audits it.
func (c *Console) startReindex(q *Request) (indexjobs.Job, error) {
	ctx := c.opts.Content.JobsContext
	if ctx == nil {
		ctx = context.WithoutCancel(q.R.Context())
	}
	j, err := c.opts.Content.Jobs.Start(ctx, q.User.Name)
	if err != nil {
		q.Audit("index.reindex", "", "error", err.Error())
		return j, contentError(err)
	}
	q.Audit("index.reindex", "", "ok", fmt.Sprintf("任务 %d", j.ID))
	return j, nil
}

// contentFuncs are the template functions of the content pages.
func contentFuncs() template.FuncMap {
	return template.FuncMap{
		"dstatus": func(s catalog.Status) string { return catalog.StatusName(s) },
		"field":   catalog.FieldName,
		"kind":    catalog.KindName,
		"findings": func(fs []catalog.Finding) string {
			return catalog.FindingsText(fs)
		},
		"conf": func(f float64) string { return strconv.FormatFloat(f, 'f', 2, 64) },
		"pct":  func(f float64) int { return int(f*100 + 0.5) },
		"where": func(w string) string {
			return orKey(matchWhere, w)
		},
		"hstatus":  func(s index.Status) string { return orKey(hitStatusNames, string(s)) },
		"skip":     func(r string) string { return orKey(skipReasons, r) },
		"decline":  func(d index.Decline) string { return orKey(declineNames, string(d)) },
		"factor":   func(f string) string { return orKey(factorNames, f) },
		"jobstate": func(s string) string { return orKey(jobStates, s) },
		"jobkind":  func(s string) string { return orKey(jobKinds, s) },
		"secs": func(j indexjobs.Job, now time.Time) string {
			return strconv.FormatFloat(j.Seconds(now), 'f', 1, 64) + " 秒"
		},
		"dact":  func(a string) string { return orKey(disclosureActions, a) },
		"lines": func(s string) []string { return strings.Split(strings.TrimRight(s, "\n"), "\n") },
		"add":   func(a, b int) int { return a + b },
		"listname": func(l string) string {
			return orKey(map[string]string{"top": "最常问", "unanswered": "未答", "low_confidence": "低置信度",
				"feedback": "居民反馈", "weeks": "按周", "categories": "按类别", "hits": "命中次数"}, l)
		},
		// masked shows personal numbers masked (a blocked disclosure's
		// text is shown, the numbers in it are not).
		"masked": privacy.Mask,
		"dict": func(kv ...any) map[string]any {
			m := map[string]any{}
			for i := 0; i+1 < len(kv); i += 2 {
				m[fmt.Sprint(kv[i])] = kv[i+1]
			}
			return m
		},
		"km": func(f *float64) string {
			if f == nil {
				return ""
			}
			return strconv.FormatFloat(*f, 'f', 1, 64)
		},
	}
}

var (
	matchWhere = map[string]string{
		index.InTitle: "标题", index.InKeywords: "关键词/常见问法", index.InBody: "正文",
		index.BySynonym: "同义词", index.ByHomophone: "同音字", index.BySituation: "生活情境", index.ByPart: "词的组成部分",
	}
	hitStatusNames = map[string]string{
		string(index.Current): "现行有效", string(index.Ended): "已结束", string(index.Superseded): "已被替代", string(index.Upcoming): "尚未生效",
	}
	skipReasons = map[string]string{
		"draft": "未审核（草稿）", "privacy": "保密审查未通过", "expired": "已过期", "superseded": "已被新版替代",
		"low_score": "低于可信度门槛", "referral": "属其他部门事项",
	}
	declineNames = map[string]string{
		string(index.DeclineNotCovered): "没有公开信息谈到此事", string(index.DeclineLowScore): "最接近的结果可信度太低",
		string(index.DeclineReferral): "属其他部门事项", string(index.DeclineOtherArea): "问的是其他地区",
		string(index.DeclinePersonal): "个人办件进度", string(index.DeclineWeather): "天气预报",
		string(index.DeclineBusiness): "商业机构", string(index.DeclineNoPlace): "附近没有服务点",
		string(index.DeclineNotStated):   "相关信息没有说明所问的（明年的调整、新建计划、开放时间、招聘）",
		string(index.DeclineUnpublished): "所问的只在未公开的稿件中",
	}
	factorNames = map[string]string{
		"coverage": "覆盖度", "time": "时效", "intent": "意图", "title": "标题匹配", "distance": "距离", "bm25": "全文相关度",
	}
	jobStates = map[string]string{
		indexjobs.StateRunning: "进行中", indexjobs.StateDone: "完成", indexjobs.StateFailed: "失败",
		indexjobs.StateRefused: "已拒绝", indexjobs.StateInterrupted: "中断",
	}
	jobKinds          = map[string]string{indexjobs.KindReindex: "重建索引", indexjobs.KindRollback: "回退"}
	disclosureActions = map[string]string{
		"create": "创建", "upload": "上传", "edit": "修改", "submit": "提交审核", "approve": "批准公开", "reject": "驳回",
		"end": "结束公开", "ask.add": "添加常见问法", "ask.remove": "删除常见问法",
	}
)
