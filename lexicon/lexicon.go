// Package lexicon lets admins edit the lexicon files live: the user
// dictionary, synonyms, stopwords, referrals and life situations, one
// entry a line. Every save is validated (a duplicate, an empty group, an
// entry that would match nearly every question are refused with the line
// and the reason) and kept as a numbered version with who and when, so
// that any two versions can be compared and any version restored. The
// shipped file in data_dir is version 0; an edit takes effect with the next
// reindex, which reads the edited files that Materialize writes to the
// lexicon directory in state_dir (the index reads a file there instead of
// data_dir's).
package lexicon

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode"
	"unicode/utf8"

	bolt "go.etcd.io/bbolt"

	"github.com/yingpu/govbot/clock"
	"github.com/yingpu/govbot/index"
)

var bucketVersions = []byte("lexicon/versions") // file NUL seq(8) → JSON Version

// File is one editable lexicon file.
type File struct {
	Name  string `json:"name"`  // dict.txt
	Label string `json:"label"` // 用户词典
	Help  string `json:"help"`  // the line format, in Chinese
	kind  kind
}

type kind int

const (
	kindDict kind = iota
	kindWords
	kindGroup
	kindAgency
	kindSituation
	kindOutside
)

// Files are the editable files, in the order the console shows them.
var Files = []File{
	{Name: "synonyms.txt", Label: "同义词", Help: "每行一组可互换的说法，用逗号分隔，第一个为正式用语，如：失业保险金，失业金", kind: kindGroup},
	{Name: "dict.txt", Label: "用户词典", Help: "每行一个需整体切分的词，可在空格后写词频，如：盈浦街道 20000", kind: kindDict},
	{Name: "stopwords.txt", Label: "停用词", Help: "每行一个或多个（空格分隔）不表达意思的词，如：请问", kind: kindWords},
	{Name: "referrals.txt", Label: "转办事项", Help: "每行“承办机构: 词, 词”，如：出入境管理部门: 护照, 港澳通行证", kind: kindAgency},
	{Name: "outside.txt", Label: "非本街道事项", Help: "每行“类别: 词, 词”，类别为 area（其他地区）、weather（天气预报）、business（商家）或 other（股市、彩票等街道不发布的信息）；居民问到这些，机器人直说不在公开信息之内", kind: kindOutside},
	{Name: "situations.txt", Label: "生活情境", Help: "每行“居民的说法, 说法: 服务, 服务”，如：生孩子, 怀孕了: 生育保险, 出生医学证明", kind: kindSituation},
}

// FileNamed returns the file called name.
func FileNamed(name string) (File, bool) {
	for _, f := range Files {
		if f.Name == name {
			return f, true
		}
	}
	return File{}, false
}

// Version is one saved text of a file; version 0 is the shipped file.
type Version struct {
	N    int       `json:"n"`
	File string    `json:"file"`
	Text string    `json:"text,omitempty"`
	By   string    `json:"by"`
	At   time.Time `json:"at"`
	Note string    `json:"note,omitempty"`
	// Lines is how many entries the text holds.
	Lines int `json:"lines"`
}

// Problem is a refused line.
type Problem struct {
	Line int    `json:"line"`
	Text string `json:"text"`
	Msg  string `json:"msg"`
}

// Error refuses a save.
type Error struct {
	Msg      string
	Problems []Problem
}

func (e *Error) Error() string {
	if len(e.Problems) == 0 {
		return e.Msg
	}
	parts := []string{e.Msg}
	for _, p := range e.Problems {
		parts = append(parts, fmt.Sprintf("第 %d 行“%s”：%s", p.Line, p.Text, p.Msg))
	}
	return strings.Join(parts, "；")
}

// Options configure a Store.
type Options struct {
	DB *bolt.DB
	// DataDir holds the shipped files (version 0).
	DataDir string
	// Dir receives the edited files (Materialize).
	Dir   string
	Clock clock.Clock
}

// Store keeps the versions. It is safe for concurrent use.
type Store struct {
	opts Options
	mu   sync.Mutex
}

// New opens the store in opts.DB.
func New(opts Options) (*Store, error) {
	if opts.DB == nil {
		return nil, errors.New("lexicon: nil database")
	}
	if opts.Clock == nil {
		opts.Clock = clock.System{}
	}
	if err := opts.DB.Update(func(tx *bolt.Tx) error {
		_, err := tx.CreateBucketIfNotExists(bucketVersions)
		return err
	}); err != nil {
		return nil, fmt.Errorf("lexicon: %w", err)
	}
	return &Store{opts: opts}, nil
}

// MaxBytes bounds one file's text.
const MaxBytes = 1 << 20

func vkey(file string, n int) []byte {
	k := append([]byte(file), 0)
	return binary.BigEndian.AppendUint64(k, uint64(n))
}

// Versions lists the versions of file, newest first, without their text;
// the last is version 0, the shipped file.
func (s *Store) Versions(file string) ([]Version, error) {
	if _, ok := FileNamed(file); !ok {
		return nil, &Error{Msg: "没有这个词表：" + file}
	}
	var out []Version
	err := s.opts.DB.View(func(tx *bolt.Tx) error {
		c := tx.Bucket(bucketVersions).Cursor()
		prefix := append([]byte(file), 0)
		for k, v := c.Seek(prefix); k != nil && len(k) == len(prefix)+8 && string(k[:len(prefix)]) == string(prefix); k, v = c.Next() {
			var ver Version
			if err := json.Unmarshal(v, &ver); err != nil {
				return err
			}
			ver.Text = ""
			out = append(out, ver)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("lexicon: versions: %w", err)
	}
	slices.Reverse(out)
	shipped, err := s.shipped(file)
	if err != nil {
		return nil, err
	}
	shipped.Text = ""
	return append(out, shipped), nil
}

func (s *Store) shipped(file string) (Version, error) {
	b, err := os.ReadFile(filepath.Join(s.opts.DataDir, file))
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return Version{}, fmt.Errorf("lexicon: %w", err)
	}
	v := Version{N: 0, File: file, Text: string(b), By: "随版本发布", Note: "data_dir 中的文件"}
	if fi, err := os.Stat(filepath.Join(s.opts.DataDir, file)); err == nil {
		v.At = fi.ModTime()
	}
	v.Lines = countEntries(v.Text)
	return v, nil
}

// Get returns version n of file (0: the shipped file).
func (s *Store) Get(file string, n int) (Version, error) {
	if _, ok := FileNamed(file); !ok {
		return Version{}, &Error{Msg: "没有这个词表：" + file}
	}
	if n == 0 {
		return s.shipped(file)
	}
	var ver Version
	found := false
	err := s.opts.DB.View(func(tx *bolt.Tx) error {
		v := tx.Bucket(bucketVersions).Get(vkey(file, n))
		if v == nil {
			return nil
		}
		found = true
		return json.Unmarshal(v, &ver)
	})
	if err != nil {
		return Version{}, fmt.Errorf("lexicon: %w", err)
	}
	if !found {
		return Version{}, &Error{Msg: fmt.Sprintf("%s 没有第 %d 版", file, n)}
	}
	return ver, nil
}

// Current returns the version in use (the newest).
func (s *Store) Current(file string) (Version, error) {
	n, err := s.latest(file)
	if err != nil {
		return Version{}, err
	}
	return s.Get(file, n)
}

func (s *Store) latest(file string) (int, error) {
	vs, err := s.Versions(file)
	if err != nil {
		return 0, err
	}
	return vs[0].N, nil
}

// Save validates text and stores it as the next version of file.
func (s *Store) Save(by, file, text, note string) (Version, error) {
	f, ok := FileNamed(file)
	if !ok {
		return Version{}, &Error{Msg: "没有这个词表：" + file}
	}
	text = strings.ReplaceAll(text, "\r\n", "\n")
	if len(text) > MaxBytes {
		return Version{}, &Error{Msg: fmt.Sprintf("内容超过 %d 字节上限", MaxBytes)}
	}
	if !utf8.ValidString(text) {
		return Version{}, &Error{Msg: "内容不是有效的 UTF-8 文本"}
	}
	if !strings.HasSuffix(text, "\n") && text != "" {
		text += "\n"
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	cur, err := s.Current(file)
	if err != nil {
		return Version{}, err
	}
	ps := Validate(f, text)
	if len(ps) == 0 {
		ps = parserProblems(f.Name, text)
	}
	if ps := changedProblems(ps, cur.Text, text); len(ps) > 0 {
		return Version{}, &Error{Msg: "未保存，有以下问题", Problems: ps}
	}
	if cur.Text == text {
		return Version{}, &Error{Msg: "内容与当前版本相同，未保存"}
	}
	v := Version{N: cur.N + 1, File: file, Text: text, By: by, At: s.opts.Clock.Now(), Note: strings.TrimSpace(note), Lines: countEntries(text)}
	b, err := json.Marshal(v)
	if err != nil {
		return Version{}, err
	}
	if err := s.opts.DB.Update(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketVersions).Put(vkey(file, v.N), b)
	}); err != nil {
		return Version{}, fmt.Errorf("lexicon: save: %w", err)
	}
	// Any reindex, also one from the command line, reads the saved text.
	if err := s.Materialize(); err != nil {
		return v, fmt.Errorf("lexicon: saved version %d, but writing it out failed: %w", v.N, err)
	}
	return v, nil
}

// Revert saves version n's text as the next version.
func (s *Store) Revert(by, file string, n int) (Version, error) {
	old, err := s.Get(file, n)
	if err != nil {
		return Version{}, err
	}
	return s.Save(by, file, old.Text, fmt.Sprintf("恢复到第 %d 版", n))
}

// Materialize writes the current version of every edited file into Dir
// (files never edited are not written: the index then reads data_dir's).
// Save does it after every change; a reindex does it again first.
func (s *Store) Materialize() error {
	for _, f := range Files {
		n, err := s.latest(f.Name)
		if err != nil {
			return err
		}
		path := filepath.Join(s.opts.Dir, f.Name)
		if n == 0 {
			if err := os.Remove(path); err != nil && !errors.Is(err, os.ErrNotExist) {
				return err
			}
			continue
		}
		v, err := s.Get(f.Name, n)
		if err != nil {
			return err
		}
		if err := os.MkdirAll(s.opts.Dir, 0o755); err != nil {
			return err
		}
		tmp := path + ".tmp"
		if err := os.WriteFile(tmp, []byte(v.Text), 0o644); err != nil {
			return err
		}
		if err := os.Rename(tmp, path); err != nil {
			return err
		}
	}
	return nil
}

func countEntries(text string) int {
	n := 0
	for _, l := range strings.Split(text, "\n") {
		if l = strings.TrimSpace(l); l != "" && !strings.HasPrefix(l, "#") {
			n++
		}
	}
	return n
}

func nonEmpty(items []string) []string {
	var out []string
	for _, w := range items {
		if w != "" {
			out = append(out, w)
		}
	}
	return out
}

func splitList(s string) []string {
	var out []string
	for _, w := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == '，' || r == '、' || r == '/' }) {
		out = append(out, strings.TrimSpace(w))
	}
	return out
}

// tooBroad tells why an expression would match nearly every question, or "".
func tooBroad(w string) string {
	letters := 0
	for _, r := range w {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			letters++
		}
	}
	switch {
	case strings.ContainsAny(w, "*?.^$|"):
		return "含通配符，会匹配所有问题"
	case letters == 0:
		return "不含文字，会匹配所有问题"
	case letters == 1 && utf8.RuneCountInString(w) == 1 && w[0] >= 0x80:
		return "单个汉字会出现在几乎所有问题中，请写成完整的词"
	}
	return ""
}

// Validate checks text as file f and lists every refused line.
func Validate(f File, text string) []Problem {
	var ps []Problem
	firstLine := map[string]int{} // entry → line first seen
	bad := func(n int, line, msg string) { ps = append(ps, Problem{Line: n, Text: line, Msg: msg}) }
	dup := func(n int, line, entry string) bool {
		if first, ok := firstLine[entry]; ok {
			bad(n, line, fmt.Sprintf("“%s”与第 %d 行重复", entry, first))
			return true
		}
		firstLine[entry] = n
		return false
	}
	for i, raw := range strings.Split(text, "\n") {
		n := i + 1
		line := strings.TrimSpace(raw)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		switch f.kind {
		case kindDict:
			fs := strings.Fields(line)
			if len(fs) > 2 {
				bad(n, line, "每行一个词，词频（可选）写在空格后")
				continue
			}
			if len(fs) == 2 {
				if v, err := strconv.Atoi(fs[1]); err != nil || v <= 0 {
					bad(n, line, "词频须为正整数")
					continue
				}
			}
			if why := tooBroad(fs[0]); why != "" && utf8.RuneCountInString(fs[0]) < 2 {
				bad(n, line, "词典中的词至少两个字")
				continue
			}
			dup(n, line, fs[0])
		case kindWords:
			for _, w := range strings.Fields(line) {
				dup(n, line, w)
			}
		case kindGroup:
			members := splitList(line)
			var real []string
			for _, m := range members {
				if m != "" {
					real = append(real, m)
				}
			}
			if len(real) < 2 {
				bad(n, line, "同义词组至少要有两个说法，用逗号分隔")
				continue
			}
			// An expression may belong to two groups (it links them); a
			// group repeated whole, or an expression twice in one, is a
			// duplicate.
			inLine := map[string]bool{}
			for _, m := range real {
				if why := tooBroad(m); why != "" {
					bad(n, line, "“"+m+"”"+why)
					continue
				}
				if inLine[m] {
					bad(n, line, "“"+m+"”在本组中重复")
					continue
				}
				inLine[m] = true
			}
			sorted := slices.Clone(real)
			slices.Sort(sorted)
			if first, ok := firstLine["group:"+strings.Join(sorted, ",")]; ok {
				bad(n, line, fmt.Sprintf("与第 %d 行的同义词组重复", first))
			} else {
				firstLine["group:"+strings.Join(sorted, ",")] = n
			}
		case kindSituation:
			says, means, ok := strings.Cut(line, ":")
			if !ok {
				says, means, ok = strings.Cut(line, "：")
			}
			left, right := nonEmpty(splitList(says)), nonEmpty(splitList(means))
			if !ok || len(left) == 0 || len(right) == 0 {
				bad(n, line, "格式应为“说法, 说法: 服务, 服务”，冒号两边都至少要有一项")
				continue
			}
			// A service may be named as residents say it (养老院: 养老院, …);
			// a word twice on one side is a duplicate.
			for _, side := range [][]string{left, right} {
				seen := map[string]bool{}
				for _, w := range side {
					if why := tooBroad(w); why != "" {
						bad(n, line, "“"+w+"”"+why)
					} else if seen[w] {
						bad(n, line, "“"+w+"”在本行同一侧重复")
					}
					seen[w] = true
				}
			}
			dup(n, line, "situation:"+strings.Join(left, ",")+":"+strings.Join(right, ","))
		case kindOutside:
			kind, rest, ok := strings.Cut(line, ":")
			if !ok {
				kind, rest, ok = strings.Cut(line, "：")
			}
			kind = strings.TrimSpace(kind)
			if !ok || (kind != "area" && kind != "weather" && kind != "business" && kind != "other") {
				bad(n, line, "格式应为“area、weather、business 或 other: 词, 词”")
				continue
			}
			words := nonEmpty(splitList(rest))
			if len(words) == 0 {
				bad(n, line, "冒号后至少要有一个词")
				continue
			}
			for _, w := range words {
				if why := tooBroad(w); why != "" {
					bad(n, line, "“"+w+"”"+why)
					continue
				}
				dup(n, line, w)
			}
		case kindAgency:
			head, rest, ok := strings.Cut(line, ": ")
			if !ok {
				head, rest, ok = strings.Cut(line, "：")
			}
			if !ok && strings.HasSuffix(line, ":") {
				head, ok = strings.TrimSuffix(line, ":"), true
			}
			head = strings.TrimSpace(head)
			if !ok || head == "" {
				bad(n, line, "格式应为“名称: 词, 词”（英文冒号后加空格，或用中文冒号）")
				continue
			}
			var words []string
			for _, w := range splitList(rest) {
				if w != "" {
					words = append(words, w)
				}
			}
			if len(words) == 0 {
				bad(n, line, "冒号后至少要有一个词")
				continue
			}
			if dup(n, line, head+":") {
				continue
			}
			for _, w := range words {
				if why := tooBroad(w); why != "" {
					bad(n, line, "“"+w+"”"+why)
					continue
				}
				dup(n, line, w)
			}
		}
	}
	return ps
}

// parserProblems are the index's own objections to the text (what it
// would refuse at the next reindex), each at its line.
func parserProblems(file, text string) []Problem {
	dir, err := os.MkdirTemp("", "govbot-lexicon-check-")
	if err != nil {
		return nil
	}
	defer os.RemoveAll(dir)
	if os.WriteFile(filepath.Join(dir, file), []byte(text), 0o644) != nil {
		return nil
	}
	_, err = index.LoadLexicon(dir)
	if err == nil {
		return nil
	}
	lines := strings.Split(text, "\n")
	var out []Problem
	for _, msg := range strings.Split(err.Error(), "\n") {
		rest, ok := strings.CutPrefix(msg, file+":")
		if !ok {
			continue
		}
		num, why, _ := strings.Cut(rest, ": ")
		n, err := strconv.Atoi(num)
		if err != nil || n < 1 || n > len(lines) {
			continue
		}
		out = append(out, Problem{Line: n, Text: strings.TrimSpace(lines[n-1]), Msg: "检索不接受此行：" + why})
	}
	return out
}

// changedProblems keeps the problems of lines that are not in the current
// text as they are: an edit is refused for what it adds, not for what was
// already there (Validate lists those too).
func changedProblems(ps []Problem, current, text string) []Problem {
	had := map[string]int{}
	for _, l := range strings.Split(current, "\n") {
		had[strings.TrimSpace(l)]++
	}
	added := map[int]bool{}
	for i, l := range strings.Split(text, "\n") {
		l = strings.TrimSpace(l)
		if had[l] > 0 {
			had[l]--
			continue
		}
		added[i+1] = true
	}
	var out []Problem
	for _, p := range ps {
		if added[p.Line] {
			out = append(out, p)
		}
	}
	return out
}

// DiffLine is one line of a diff: Op is ' ' (kept), '-' (removed) or '+'
// (added).
type DiffLine struct {
	Op   string `json:"op"`
	Text string `json:"text"`
}

// Diff compares two texts line by line (longest common subsequence).
func Diff(a, b string) []DiffLine {
	x, y := splitLines(a), splitLines(b)
	// Trim the common head and tail, so the table covers only the change.
	head := 0
	for head < len(x) && head < len(y) && x[head] == y[head] {
		head++
	}
	tail := 0
	for tail < len(x)-head && tail < len(y)-head && x[len(x)-1-tail] == y[len(y)-1-tail] {
		tail++
	}
	mx, my := x[head:len(x)-tail], y[head:len(y)-tail]
	var out []DiffLine
	for _, l := range x[:head] {
		out = append(out, DiffLine{" ", l})
	}
	if len(mx)*len(my) > 4_000_000 { // too large to align: all out, all in
		for _, l := range mx {
			out = append(out, DiffLine{"-", l})
		}
		for _, l := range my {
			out = append(out, DiffLine{"+", l})
		}
	} else {
		lcs := make([][]int32, len(mx)+1)
		for i := range lcs {
			lcs[i] = make([]int32, len(my)+1)
		}
		for i := len(mx) - 1; i >= 0; i-- {
			for j := len(my) - 1; j >= 0; j-- {
				if mx[i] == my[j] {
					lcs[i][j] = lcs[i+1][j+1] + 1
				} else {
					lcs[i][j] = max(lcs[i+1][j], lcs[i][j+1])
				}
			}
		}
		i, j := 0, 0
		for i < len(mx) || j < len(my) {
			switch {
			case i < len(mx) && j < len(my) && mx[i] == my[j]:
				out = append(out, DiffLine{" ", mx[i]})
				i++
				j++
			case i < len(mx) && (j == len(my) || lcs[i+1][j] >= lcs[i][j+1]):
				out = append(out, DiffLine{"-", mx[i]})
				i++
			default:
				out = append(out, DiffLine{"+", my[j]})
				j++
			}
		}
	}
	for _, l := range x[len(x)-tail:] {
		out = append(out, DiffLine{" ", l})
	}
	return out
}

func splitLines(s string) []string {
	s = strings.TrimSuffix(strings.ReplaceAll(s, "\r\n", "\n"), "\n")
	if s == "" {
		return nil
	}
	return strings.Split(s, "\n")
}

// AddSynonym adds expr to the synonym group holding member (or, when no
// group holds it, a new group "member，expr") and saves a new version.
func (s *Store) AddSynonym(by, member, expr string) (Version, error) {
	member, expr = strings.TrimSpace(member), strings.TrimSpace(expr)
	if member == "" || expr == "" {
		return Version{}, &Error{Msg: "请填写已有说法和要加入的新说法"}
	}
	cur, err := s.Current("synonyms.txt")
	if err != nil {
		return Version{}, err
	}
	lines := strings.Split(strings.TrimSuffix(cur.Text, "\n"), "\n")
	done := false
	for i, l := range lines {
		t := strings.TrimSpace(l)
		if t == "" || strings.HasPrefix(t, "#") {
			continue
		}
		if slices.Contains(splitList(t), member) {
			lines[i] = t + "，" + expr
			done = true
			break
		}
	}
	if !done {
		lines = append(lines, member+"，"+expr)
	}
	return s.Save(by, "synonyms.txt", strings.Join(lines, "\n")+"\n", fmt.Sprintf("把“%s”加入“%s”的同义词组", expr, member))
}
