package main

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/yingpu/govbot/audit"
	"github.com/yingpu/govbot/catalog"
	"github.com/yingpu/govbot/clock"
	"github.com/yingpu/govbot/config"
	"github.com/yingpu/govbot/handlers/adminapi"
	"github.com/yingpu/govbot/handlers/webhook/wechattest"
	"github.com/yingpu/govbot/importer/fixture"
)

// TestServeSyncAnswers: an admin syncs the office's site through the
// running server, and a resident is answered from it at once.
func TestServeSyncAnswers(t *testing.T) {
	var listed atomic.Bool
	listed.Store(true)
	site := http.NewServeMux()
	site.HandleFunc("/zwgk/list.html", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=GBK")
		if !listed.Load() {
			w.Write(fixture.GBK(`<ul class="list"><li><a href="other.html">其他</a></li></ul>`))
			return
		}
		w.Write(fixture.GBK(`<ul class="list"><li><a href="zhuyu.html">助浴</a></li></ul>`))
	})
	var price atomic.Value
	price.Store("20元")
	site.HandleFunc("/zwgk/zhuyu.html", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=GBK")
		page := strings.Replace(bathPage, `<link rel="canonical" href="https://www.example.gov.cn/yp/zwgk/zhuyu.html">`, "", 1)
		w.Write(fixture.GBK(strings.Replace(page, "20元", price.Load().(string), 1)))
	})
	siteSrv := httptest.NewServer(site)
	defer siteSrv.Close()

	const adminToken = "admin-token-0123456789abcdefg"
	retries := 0
	cfg := config.Default()
	cfg.DataDir = copyDataDir(t, askIDs)
	cfg.StateDir = t.TempDir()
	cfg.OfficialAccount = config.OfficialAccount{AppID: "wx0123456789abcdef", Token: "oatoken123", EncodingAESKey: aesKey(t), Path: "/wechat/oa"}
	cfg.Users = []config.User{{Name: "admin", Roles: []string{config.RoleAdmin}, Token: adminToken}}
	cfg.Sources = []config.Source{{Name: "site", ListPages: []string{siteSrv.URL + "/zwgk/list.html"},
		Selectors: config.SourceSelectors{Item: "ul.list li"}, Category: "elderly", ApproveAs: "张敏",
		Rate: config.DefaultSourceRate / 20, Retries: &retries}}
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	d, h, err := openServe(ctx, cfg, clock.Fixed(serveNow), slog.New(slog.DiscardHandler))
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	defer func() { srv.Close(); cancel(); d.close() }()

	call := func(method string) (int, adminapi.SyncStatus) {
		req, _ := http.NewRequest(method, srv.URL+"/api/sources/site/sync", nil)
		req.Header.Set("Authorization", "Bearer "+adminToken)
		resp := post(t, req)
		var st adminapi.SyncStatus
		if err := json.NewDecoder(resp.Body).Decode(&st); err != nil {
			t.Fatal(err)
		}
		return resp.StatusCode, st
	}
	if code, st := call("GET"); code != 200 || st.State != adminapi.SyncIdle {
		t.Fatalf("status before: %d %+v", code, st)
	}
	if code, st := call("POST"); code != http.StatusAccepted || st.State != adminapi.SyncRunning || st.Actor != "admin" {
		t.Fatalf("start: %d %+v", code, st)
	}
	var st adminapi.SyncStatus
	if !eventually(func() bool { _, st = call("GET"); return st.State != adminapi.SyncRunning }) {
		t.Fatalf("the sync did not finish: %+v", st)
	}
	if st.State != adminapi.SyncDone || st.Report == nil || len(st.Report.New) != 1 || !strings.Contains(st.Report.Reindexed, "reindex job") || st.Finished == nil {
		t.Fatalf("sync: %+v %+v", st, st.Report)
	}
	id := st.Report.New[0].ID

	oa := wechattest.NewOA(cfg.OfficialAccount.Token, cfg.OfficialAccount.EncodingAESKey, cfg.OfficialAccount.AppID)
	oa.BaseURL = srv.URL
	reply, err := oa.DecodeReply(post(t, oa.SignedTextRequest("oSyncTestFollower00000000001", "助浴服务每次收费多少", serveNow)))
	if err != nil || !strings.Contains(reply, "20元") || !strings.Contains(reply, "助浴") {
		t.Errorf("resident's reply %q, %v", reply, err)
	}
	recs, _ := d.audit.List(auditFilter("import.sync"))
	if len(recs) != 1 || recs[0].Actor != "admin" {
		t.Errorf("audit of the sync: %+v", recs)
	}

	// Edited and approved in the console, then gone from the site: the
	// console's version ends too, so nothing presents it as current.
	cat := d.content.catalog
	shipped, err := cat.Lookup(id)
	if err != nil {
		t.Fatalf("the imported disclosure is not in the console's catalogue: %v", err)
	}
	dis := shipped.Disclosure
	dis.Body += "\n（控制台补充）"
	if _, err := cat.Save(catalog.Actor{Name: "wang", Roles: []string{catalog.RoleStaff}}, dis, "data", true); err != nil {
		t.Fatal(err)
	}
	if _, err := cat.Approve(catalog.Actor{Name: "li", Roles: []string{catalog.RoleReviewer}}, id, ""); err != nil {
		t.Fatal(err)
	}
	sync := func() adminapi.SyncStatus {
		t.Helper()
		if code, st := call("POST"); code != http.StatusAccepted {
			t.Fatalf("start: %d %+v", code, st)
		}
		var st adminapi.SyncStatus
		if !eventually(func() bool { _, st = call("GET"); return st.State != adminapi.SyncRunning }) || st.Report == nil {
			t.Fatalf("sync: %+v", st)
		}
		return st
	}
	// The page changes on the site: the new text waits for review in the
	// console, the approved one stays live.
	price.Store("25元")
	if st := sync(); len(st.Report.Changed) != 1 {
		t.Fatalf("changed: %+v", st.Report)
	}
	if e, err := cat.Get(id); err != nil || e.Status != catalog.StatusPending || !strings.Contains(e.Disclosure.Body, "25元") ||
		e.Live == nil || !strings.Contains(e.Live.Body, "20元") {
		t.Errorf("console entry after the change: %v %v", e.Status, err)
	}
	listed.Store(false)
	call("POST")
	if !eventually(func() bool { _, st = call("GET"); return st.State != adminapi.SyncRunning }) || st.Report == nil || len(st.Report.Withdrawn) != 1 {
		t.Fatalf("second sync: %+v", st)
	}
	if e, err := cat.Get(id); err != nil || e.Status != catalog.StatusEnded {
		t.Errorf("the console's version of the withdrawn page: %+v %v", e.Status, err)
	}
}

func auditFilter(action string) audit.Filter { return audit.Filter{Action: action} }
