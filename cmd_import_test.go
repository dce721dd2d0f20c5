package main

import (
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/yingpu/govbot/audit"
	"github.com/yingpu/govbot/clock"
	"github.com/yingpu/govbot/config"
	"github.com/yingpu/govbot/importer/fixture"
	"github.com/yingpu/govbot/store"
)

const bathPage = `<html><head><meta charset="gbk">
<meta name="ArticleTitle" content="盈浦街道老年人助浴服务">
<meta name="PubDate" content="2024-03-05">
<meta name="ContentSource" content="盈浦街道社区服务办">
<link rel="canonical" href="https://www.example.gov.cn/yp/zwgk/zhuyu.html"></head>
<body><article><h2>服务内容</h2><p>助浴服务每周二、周四上午在盈浦街道综合为老服务中心提供，每次收费20元。</p>
<p>预约电话：021-59720000</p></article></body></html>`

// TestImportThenAsk: a folder of saved pages imported with a named
// reviewer is answered from at once.
func TestImportThenAsk(t *testing.T) {
	data := copyDataDir(t, askIDs)
	state := t.TempDir()
	saved := t.TempDir()
	if err := os.WriteFile(filepath.Join(saved, "zhuyu.html"), fixture.GBK(bathPage), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(saved, "scan.pdf"), []byte("%PDF-1.4 broken"), 0o644); err != nil {
		t.Fatal(err)
	}
	code, out, errOut := runGovbot(t, "", "import", "--data", data, "--state", state, "--dry-run", saved)
	if code != 1 || !strings.Contains(out, "would be new") || !strings.Contains(out, "dry run") {
		t.Fatalf("dry run: %d\n%s\n%s", code, out, errOut)
	}
	if _, err := os.Stat(filepath.Join(state, "imported", "files.jsonl")); !os.IsNotExist(err) {
		t.Fatal("the dry run wrote the imported file")
	}
	code, out, errOut = runGovbot(t, "", "import", "--data", data, "--state", state, "--approve-as", "张敏", saved)
	// The broken PDF fails the command (exit 1) after the rest imported.
	if code != 1 || !strings.Contains(errOut, "1 files could not be imported") {
		t.Fatalf("import: %d\n%s\n%s", code, out, errOut)
	}
	for _, want := range []string{"new       files-", "盈浦街道老年人助浴服务", "failed    " + filepath.Join(saved, "scan.pdf") + ": not a readable PDF", "indexed "} {
		if !strings.Contains(out, want) {
			t.Errorf("import output lacks %q:\n%s", want, out)
		}
	}
	code, out, errOut = runGovbot(t, "", "ask", "--data", data, "--state", state, "--now", "2024-03-10", "--json", "老年人助浴服务怎么收费")
	if code != 0 {
		t.Fatalf("ask: %d %s", code, errOut)
	}
	res := decodeAskLines(t, out)
	if len(res) != 1 || !res[0].Answered || len(res[0].Hits) == 0 || res[0].Hits[0].Title != "盈浦街道老年人助浴服务" ||
		!strings.Contains(res[0].Text, "20元") {
		t.Errorf("not answered from the imported page: %+v", res)
	}
}

func TestImportUsage(t *testing.T) {
	if code, _, errOut := runGovbot(t, "", "import"); code != 2 || !strings.Contains(errOut, "FILE or DIR") {
		t.Errorf("import without files: %d %s", code, errOut)
	}
	if code, _, errOut := runGovbot(t, "", "import", "--state", t.TempDir(), "--source", "Bad Name", t.TempDir()); code != 1 || !strings.Contains(errOut, "source name") {
		t.Errorf("bad source name: %d %s", code, errOut)
	}
	if code, _, errOut := runGovbot(t, "", "sync", "--state", t.TempDir()); code != 1 || !strings.Contains(errOut, "no source") {
		t.Errorf("sync without sources: %d %s", code, errOut)
	}
}

// TestSyncCommand syncs a local site configured under sources: and answers
// from it.
func TestSyncCommand(t *testing.T) {
	mux := http.NewServeMux()
	mux.HandleFunc("/zwgk/list.html", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=GBK")
		w.Write(fixture.GBK(`<ul class="list"><li><a href="zhuyu.html">助浴</a></li></ul>`))
	})
	mux.HandleFunc("/zwgk/zhuyu.html", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		w.Write(fixture.GBK(strings.Replace(bathPage, `<link rel="canonical" href="https://www.example.gov.cn/yp/zwgk/zhuyu.html">`, "", 1)))
	})
	srv := httptest.NewServer(mux)
	defer srv.Close()
	data := copyDataDir(t, askIDs)
	state := t.TempDir()
	cfg := filepath.Join(t.TempDir(), "govbot.yaml")
	yaml := "sources:\n  - name: site\n    list_pages: [" + srv.URL + "/zwgk/list.html]\n    selectors: {item: \"ul.list li\"}\n" +
		"    category: elderly\n    approve_as: 张敏\n    rate: 100ms\n    retries: 0\n"
	if err := os.WriteFile(cfg, []byte(yaml), 0o644); err != nil {
		t.Fatal(err)
	}
	code, out, errOut := runGovbot(t, "", "sync", "--config", cfg, "--data", data, "--state", state)
	if code != 0 || !strings.Contains(out, "sync site: 1 new") || !strings.Contains(out, "indexed ") {
		t.Fatalf("sync: %d\n%s\n%s", code, out, errOut)
	}
	code, out, _ = runGovbot(t, "", "sync", "--config", cfg, "--data", data, "--state", state, "--source", "site")
	if code != 0 || !strings.Contains(out, "0 new, 0 changed, 0 withdrawn, 0 restored, 0 approved, 1 unchanged, 0 failed") || strings.Contains(out, "indexed ") {
		t.Errorf("second sync: %d\n%s", code, out)
	}
	code, out, _ = runGovbot(t, "", "ask", "--config", cfg, "--data", data, "--state", state, "--now", "2024-03-10", "--json", "助浴服务每次收费多少")
	if res := decodeAskLines(t, out); code != 0 || len(res) != 1 || !res[0].Answered || res[0].Hits[0].URL != srv.URL+"/zwgk/zhuyu.html" {
		t.Errorf("not answered from the synced page: %s", out)
	}
	if code, _, errOut := runGovbot(t, "", "sync", "--config", cfg, "--state", state, "--source", "nope"); code != 2 || !strings.Contains(errOut, "no source") {
		t.Errorf("unknown source: %d %s", code, errOut)
	}
}

// TestImportAuditSigned: the import's audit record is signed with the
// server's audit key, so the chain verifies as serve's does.
func TestImportAuditSigned(t *testing.T) {
	data := copyDataDir(t, askIDs)
	state := t.TempDir()
	saved := t.TempDir()
	if err := os.WriteFile(filepath.Join(saved, "zhuyu.html"), fixture.GBK(bathPage), 0o644); err != nil {
		t.Fatal(err)
	}
	if code, out, errOut := runGovbot(t, "", "import", "--data", data, "--state", state, "--no-reindex", saved); code != 0 {
		t.Fatalf("import: %d %s %s", code, out, errOut)
	}
	cfg := config.Default()
	cfg.StateDir = state
	db, err := store.Open(dbFile(cfg))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	log, err := openAudit(db, cfg, clock.System{}, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	if n, err := log.Verify(); err != nil || n != 1 {
		t.Errorf("verify: %d records, %v", n, err)
	}
	recs, _ := log.List(audit.Filter{Action: "import.files"})
	if len(recs) != 1 || !strings.Contains(recs[0].Message, "1 new") {
		t.Errorf("audit: %+v", recs)
	}
}
