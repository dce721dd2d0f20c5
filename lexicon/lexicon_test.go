package lexicon

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/yingpu/govbot/clock"
)

func newStore(t *testing.T) (*Store, string, string) {
	t.Helper()
	dir := t.TempDir()
	data := filepath.Join(dir, "data")
	os.MkdirAll(data, 0o755)
	os.WriteFile(filepath.Join(data, "synonyms.txt"), []byte("# 同义词\n失业保险金，失业金\n长者食堂，饭堂，老年食堂\n"), 0o644)
	db, err := bolt.Open(filepath.Join(dir, "t.db"), 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	out := filepath.Join(dir, "lexicon")
	s, err := New(Options{DB: db, DataDir: data, Dir: out, Clock: clock.Fixed(time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC))})
	if err != nil {
		t.Fatal(err)
	}
	return s, data, out
}

func TestValidate(t *testing.T) {
	file := func(name string) File { f, _ := FileNamed(name); return f }
	cases := []struct {
		file, text string
		want       []string // one substring per problem, in order
	}{
		{"synonyms.txt", "失业保险金，失业金\n低保，最低生活保障\n", nil},
		{"synonyms.txt", "失业保险金\n", []string{"至少要有两个说法"}},
		{"synonyms.txt", "失业金，失业保险金\n救助，失业金\n", nil}, // an expression linking two groups
		{"synonyms.txt", "失业金，失业保险金\n失业保险金，失业金\n", []string{"与第 1 行的同义词组重复"}},
		{"synonyms.txt", "办，办理\n", []string{"单个汉字"}},
		{"synonyms.txt", "低保，，低保\n", []string{"在本组中重复"}},
		{"synonyms.txt", "*，全部\n", []string{"通配符"}},
		{"synonyms.txt", "？？，全部\n", []string{"不含文字"}},
		{"dict.txt", "盈浦街道 20000\n长者食堂\n长者食堂 5\n", []string{"与第 2 行重复"}},
		{"dict.txt", "盈浦街道 many\n", []string{"词频须为正整数"}},
		{"dict.txt", "食\n", []string{"至少两个字"}},
		{"stopwords.txt", "请问 一下\n请问\n", []string{"与第 1 行重复"}},
		{"referrals.txt", "出入境管理部门: 护照, 港澳通行证\n公安：户口\n", nil},
		{"referrals.txt", "出入境管理部门: \n", []string{"至少要有一个词"}},
		{"referrals.txt", "护照\n", []string{"格式应为"}},
		{"referrals.txt", "甲: 护照\n乙: 护照, 证\n", []string{"与第 1 行重复", "单个汉字"}},
		{"situations.txt", "生孩子, 怀孕了: 生育保险, 出生医学证明\n", nil},
		{"situations.txt", "生孩子, 怀孕了\n", []string{"冒号两边"}},
		{"outside.txt", "area: 北京, 天津\narea: 南京\nweather: 天气预报\n", nil},
		{"situations.txt", "想住养老院, 养老院: 养老院, 养老服务\n", nil},
		{"situations.txt", "养老院, 养老院: 养老服务\n", []string{"同一侧重复"}},
		{"outside.txt", "shop: 宜家\n", []string{"area、weather、business 或 other"}},
		{"outside.txt", "other: 彩票\n", nil},
		{"outside.txt", "area: 北京\nbusiness: 北京\n", []string{"与第 1 行重复"}},
		{"situations.txt", "生孩子: 生, 出生医学证明\n", []string{"单个汉字"}},
	}
	for _, c := range cases {
		ps := Validate(file(c.file), c.text)
		if len(ps) != len(c.want) {
			t.Errorf("%s %q: problems %+v, want %d", c.file, c.text, ps, len(c.want))
			continue
		}
		for i, w := range c.want {
			if !strings.Contains(ps[i].Msg, w) {
				t.Errorf("%s %q: problem %d %q, want %q", c.file, c.text, i, ps[i].Msg, w)
			}
		}
	}
}

func TestVersionsDiffRevert(t *testing.T) {
	s, _, out := newStore(t)
	cur, err := s.Current("synonyms.txt")
	if err != nil || cur.N != 0 || cur.Lines != 2 {
		t.Fatalf("shipped: %+v, %v", cur, err)
	}
	_, err = s.Save("admin", "synonyms.txt", "失业保险金\n", "")
	var le *Error
	if !errors.As(err, &le) || len(le.Problems) != 1 || le.Problems[0].Line != 1 {
		t.Fatalf("bad save: %v", err)
	}
	if _, err := s.Save("admin", "nope.txt", "x", ""); err == nil {
		t.Error("unknown file saved")
	}
	v1, err := s.Save("admin", "synonyms.txt", cur.Text+"低保，最低生活保障\n", "加低保")
	if err != nil || v1.N != 1 || v1.By != "admin" || v1.Lines != 3 {
		t.Fatalf("save: %+v, %v", v1, err)
	}
	if _, err := s.Save("admin", "synonyms.txt", v1.Text, ""); err == nil {
		t.Error("an unchanged text saved as a version")
	}
	v2, err := s.AddSynonym("admin", "饭堂", "助餐点")
	if err != nil || !strings.Contains(v2.Text, "长者食堂，饭堂，老年食堂，助餐点") {
		t.Fatalf("AddSynonym: %+v, %v", v2, err)
	}
	v3, err := s.AddSynonym("admin", "狗证", "犬类登记")
	if err != nil || !strings.HasSuffix(v3.Text, "狗证，犬类登记\n") {
		t.Fatalf("AddSynonym new group: %q, %v", v3.Text, err)
	}
	vs, _ := s.Versions("synonyms.txt")
	if len(vs) != 4 || vs[0].N != 3 || vs[3].N != 0 {
		t.Errorf("versions %+v", vs)
	}
	old, _ := s.Get("synonyms.txt", 1)
	d := Diff(old.Text, v2.Text)
	var changes []string
	for _, l := range d {
		if l.Op != " " {
			changes = append(changes, l.Op+l.Text)
		}
	}
	if strings.Join(changes, "|") != "-长者食堂，饭堂，老年食堂|+长者食堂，饭堂，老年食堂，助餐点" {
		t.Errorf("diff %v", changes)
	}
	// Materialize writes the edited file; reverting to 0 removes it again.
	if err := s.Materialize(); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(filepath.Join(out, "synonyms.txt")); string(b) != v3.Text {
		t.Errorf("materialized %q", b)
	}
	if _, err := os.Stat(filepath.Join(out, "dict.txt")); !os.IsNotExist(err) {
		t.Error("an unedited file was written")
	}
	r, err := s.Revert("lihua", "synonyms.txt", 0)
	if err != nil || r.N != 4 || r.Text != cur.Text || !strings.Contains(r.Note, "第 0 版") {
		t.Errorf("revert: %+v, %v", r, err)
	}
	if _, err := s.Get("synonyms.txt", 9); err == nil {
		t.Error("version 9 exists")
	}
}

func TestSaveJudgesWhatChanged(t *testing.T) {
	s, data, _ := newStore(t)
	// A shipped problem does not block an unrelated edit.
	os.WriteFile(filepath.Join(data, "stopwords.txt"), []byte("请问 吗\n吗\n"), 0o644)
	if _, err := s.Save("admin", "stopwords.txt", "请问 吗\n吗\n一下\n", ""); err != nil {
		t.Errorf("unrelated edit refused: %v", err)
	}
	if _, err := s.Save("admin", "stopwords.txt", "请问 吗\n吗\n一下\n一下\n", ""); err == nil {
		t.Error("a new duplicate accepted")
	}
}

func TestDiff(t *testing.T) {
	d := Diff("a\nb\nc\n", "a\nc\nd\n")
	var got []string
	for _, l := range d {
		got = append(got, l.Op+l.Text)
	}
	if strings.Join(got, ",") != " a,-b, c,+d" {
		t.Errorf("diff %v", got)
	}
	if len(Diff("", "")) != 0 {
		t.Error("diff of nothing")
	}
}

func TestParserProblems(t *testing.T) {
	ps := parserProblems("referrals.txt", "出入境管理部门: 护照\n出入境:签证\n")
	if len(ps) != 1 || ps[0].Line != 2 || !strings.Contains(ps[0].Msg, "检索不接受") {
		t.Errorf("parser problems %+v", ps)
	}
	if ps := parserProblems("synonyms.txt", "失业保险金，失业金\n"); len(ps) != 0 {
		t.Errorf("a good file: %+v", ps)
	}
}

// The lexicon shipped in data/ passes its own checks: what an admin opens
// in the console's 词表 page first shows nothing to mend.
func TestShippedLexiconValid(t *testing.T) {
	for _, f := range Files {
		b, err := os.ReadFile(filepath.Join("..", "data", f.Name))
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range Validate(f, string(b)) {
			t.Errorf("data/%s line %d %q: %s", f.Name, p.Line, p.Text, p.Msg)
		}
	}
}
