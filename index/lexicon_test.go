package index

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func writeLexiconFiles(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, text := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func TestLoadLexiconParsesEveryFile(t *testing.T) {
	dir := writeLexiconFiles(t, map[string]string{
		DictFile: "# local words\n" +
			"盈浦街道\n" +
			"\n" +
			"长者食堂 50000\n" +
			"  ＡＢＣ卡  \n",
		StopwordsFile: "# filler\n的 了 吗\n请问\n",
		SynonymsFile: "# groups\n" +
			"失业保险金, 失业金, 失业费\n" +
			"长者食堂，老人饭堂、助餐点/社区食堂\n",
		ReferralsFile: "# agencies\n" +
			"出入境管理部门: 护照, 港澳通行证\n" +
			"公安派出所：落户、身份证\n",
	})
	lx, err := LoadLexicon(dir)
	if err != nil {
		t.Fatalf("LoadLexicon: %v", err)
	}
	wantWords := []Word{{"盈浦街道", defaultWordFreq}, {"长者食堂", 50000}, {"abc卡", defaultWordFreq}}
	if !reflect.DeepEqual(lx.Words, wantWords) {
		t.Errorf("Words = %v, want %v", lx.Words, wantWords)
	}
	if want := []string{"的", "了", "吗", "请问"}; !reflect.DeepEqual(lx.Stopwords, want) {
		t.Errorf("Stopwords = %v, want %v", lx.Stopwords, want)
	}
	wantSyn := [][]string{
		{"失业保险金", "失业金", "失业费"},
		{"长者食堂", "老人饭堂", "助餐点", "社区食堂"},
	}
	if !reflect.DeepEqual(lx.Synonyms, wantSyn) {
		t.Errorf("Synonyms = %v, want %v", lx.Synonyms, wantSyn)
	}
	wantRef := []Referral{
		{Agency: "出入境管理部门", Words: []string{"护照", "港澳通行证"}},
		{Agency: "公安派出所", Words: []string{"落户", "身份证"}},
	}
	if !reflect.DeepEqual(lx.Referrals, wantRef) {
		t.Errorf("Referrals = %v, want %v", lx.Referrals, wantRef)
	}
}

func TestLoadLexiconMissingFilesAreEmpty(t *testing.T) {
	lx, err := LoadLexicon(t.TempDir())
	if err != nil {
		t.Fatalf("LoadLexicon of an empty dir: %v", err)
	}
	if len(lx.Words)+len(lx.Stopwords)+len(lx.Synonyms)+len(lx.Referrals) != 0 {
		t.Errorf("empty dir gave %+v, want an empty lexicon", lx)
	}
	// Only some files present: the others are empty, the present one read.
	dir := writeLexiconFiles(t, map[string]string{SynonymsFile: "低保, 最低生活保障\n"})
	lx, err = LoadLexicon(dir)
	if err != nil {
		t.Fatalf("LoadLexicon: %v", err)
	}
	if len(lx.Synonyms) != 1 || len(lx.Words) != 0 || len(lx.Stopwords) != 0 || len(lx.Referrals) != 0 {
		t.Errorf("got %+v, want just one synonym group", lx)
	}
}

func TestLoadLexiconMalformedLinesNameFileAndLine(t *testing.T) {
	dir := writeLexiconFiles(t, map[string]string{
		DictFile:      "# comment\n好词\n坏词 abc\n零词 0\n负词 -5\n",
		SynonymsFile:  "低保, 最低生活保障\n\n孤零零\n",
		ReferralsFile: "出入境: 护照\n没有冒号的一行\n空单位:   \n: 护照\n",
	})
	lx, err := LoadLexicon(dir)
	if err == nil {
		t.Fatal("LoadLexicon accepted malformed lines")
	}
	msg := err.Error()
	for _, want := range []string{
		DictFile + ":3:", DictFile + ":4:", DictFile + ":5:",
		SynonymsFile + ":3:",
		ReferralsFile + ":2:", ReferralsFile + ":3:", ReferralsFile + ":4:",
	} {
		if !strings.Contains(msg, want) {
			t.Errorf("error does not name %q:\n%s", want, msg)
		}
	}
	for _, notWant := range []string{DictFile + ":2:", SynonymsFile + ":1:", ReferralsFile + ":1:"} {
		if strings.Contains(msg, notWant) {
			t.Errorf("error blames the good line %q:\n%s", notWant, msg)
		}
	}
	if !strings.Contains(msg, `"abc"`) {
		t.Errorf("error does not quote the bad frequency: %s", msg)
	}
	// The good lines are still read.
	if len(lx.Words) != 1 || lx.Words[0].Text != "好词" {
		t.Errorf("Words = %v, want just 好词", lx.Words)
	}
	if len(lx.Synonyms) != 1 || len(lx.Referrals) != 1 {
		t.Errorf("Synonyms = %v Referrals = %v, want the one good line of each", lx.Synonyms, lx.Referrals)
	}
}

// The sample data's lexicon is what the sample index is built with: it
// must parse cleanly and hold what the answers rely on.
func TestLoadLexiconSampleData(t *testing.T) {
	lx, err := LoadLexicon("../data")
	if err != nil {
		t.Fatalf("sample lexicon: %v", err)
	}
	hasWord := false
	for _, w := range lx.Words {
		if w.Text == "失业保险金" {
			hasWord = true
		}
	}
	if !hasWord {
		t.Error("dict.txt lacks 失业保险金")
	}
	hasGroup := false
	for _, g := range lx.Synonyms {
		if g[0] == "失业保险金" && strings.Contains(strings.Join(g, ","), "失业金") {
			hasGroup = true
		}
	}
	if !hasGroup {
		t.Error("synonyms.txt lacks the group 失业保险金, 失业金")
	}
	hasPassport := false
	for _, r := range lx.Referrals {
		if strings.Contains(r.Agency, "出入境") && strings.Contains(strings.Join(r.Words, ","), "护照") {
			hasPassport = true
		}
	}
	if !hasPassport {
		t.Error("referrals.txt does not send 护照 to 出入境")
	}
	stop := map[string]bool{}
	for _, w := range lx.Stopwords {
		stop[w] = true
	}
	if !stop["的"] || !stop["怎么办"] {
		t.Error("stopwords.txt lacks 的 or 怎么办")
	}
}
