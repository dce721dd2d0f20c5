package content

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/yingpu/govbot/privacy"
)

// LoadOptions tunes Load. It is empty for now.
type LoadOptions struct{}

// LoadResult sorts every record read by Load into exactly one of four lists,
// each in load order (files sorted by path, then by line).
type LoadResult struct {
	// Publishable disclosures are valid, approved and privacy-clean: the
	// only ones that may be indexed or answered.
	Publishable []Disclosure
	// Drafts are valid but not approved (see Disclosure.ReviewProblem).
	Drafts []Skipped
	// Blocked are valid and approved but hold personal data.
	Blocked []Blocked
	// Errors are records that could not be read or are invalid.
	Errors []LoadError
}

// LoadError is a record (or file) that could not be imported.
type LoadError struct {
	File    string // path of the file, dir joined with its path under dir
	Line    int    // 1-based; 0 when the problem concerns the whole file
	ID      string // the record's id when it could be read
	Problem string
}

// Error reads like "data/x.jsonl:12: missing url".
func (e LoadError) Error() string {
	if e.Line <= 0 {
		return fmt.Sprintf("%s: %s", e.File, e.Problem)
	}
	return fmt.Sprintf("%s:%d: %s", e.File, e.Line, e.Problem)
}

// Skipped is a valid disclosure that is not approved for publication.
type Skipped struct {
	ID, Title, File string
	Line            int
	Reason          string // e.g. `review status is "draft"`
	// Findings are personal data found in the draft, so that it can be
	// cleaned before it is approved. They do not change Reason.
	Findings []privacy.Finding
}

// String reads like `part1.jsonl:21 emp-021 draft: review status is "draft"`.
func (s Skipped) String() string {
	out := fmt.Sprintf("%s %s draft: %s", pos(s.File, s.Line), s.ID, s.Reason)
	if len(s.Findings) > 0 {
		out += "; also holds " + joinFindings(s.Findings)
	}
	return out
}

// Blocked is an approved disclosure withheld because it holds personal data.
type Blocked struct {
	ID, Title, File string
	Line            int
	Findings        []privacy.Finding
}

// String reads like
// `part2.jsonl:17 ben-020 blocked: id_card in body line 5 (3101**********123X)`.
func (b Blocked) String() string {
	return fmt.Sprintf("%s %s blocked: %s", pos(b.File, b.Line), b.ID, joinFindings(b.Findings))
}

func pos(file string, line int) string {
	if line <= 0 {
		return file
	}
	return fmt.Sprintf("%s:%d", file, line)
}

func joinFindings(fs []privacy.Finding) string {
	parts := make([]string, len(fs))
	for i, f := range fs {
		parts[i] = f.String()
	}
	return strings.Join(parts, "; ")
}

// Summary counts the lists, e.g.
// "127 publishable, 4 drafts, 2 blocked, 0 errors".
func (r *LoadResult) Summary() string {
	return fmt.Sprintf("%d publishable, %d drafts, %d blocked, %d errors",
		len(r.Publishable), len(r.Drafts), len(r.Blocked), len(r.Errors))
}

// WriteReport writes one line per error, blocked disclosure and draft (in
// that order), then the summary.
func (r *LoadResult) WriteReport(w io.Writer) error {
	var b strings.Builder
	for _, e := range r.Errors {
		fmt.Fprintf(&b, "error: %s\n", e.Error())
	}
	for _, x := range r.Blocked {
		fmt.Fprintln(&b, x.String())
	}
	for _, s := range r.Drafts {
		fmt.Fprintln(&b, s.String())
	}
	fmt.Fprintln(&b, r.Summary())
	_, err := io.WriteString(w, b.String())
	return err
}

// Load reads every *.jsonl file and every *.md file under dir (recursively,
// in sorted path order), validates each disclosure, applies the review gate
// and the privacy check. It fails only when dir itself cannot be read;
// problems with files and records are listed in the result and never stop
// the rest of the import. Names starting with "." and README.md files are
// skipped. An id claimed by an earlier record (even an invalid one) makes
// every later record with that id an error.
func Load(dir string, opts LoadOptions) (*LoadResult, error) {
	info, err := os.Stat(dir)
	if err != nil {
		return nil, fmt.Errorf("content: %w", err)
	}
	if !info.IsDir() {
		return nil, fmt.Errorf("content: %s is not a directory", dir)
	}
	res := &LoadResult{}
	files, walkErrs, err := listFiles(dir)
	if err != nil {
		return nil, fmt.Errorf("content: %w", err)
	}
	res.Errors = append(res.Errors, walkErrs...)

	seen := map[string]string{} // id -> "file:line" of its first record
	for _, file := range files {
		data, err := os.ReadFile(file)
		if err != nil {
			res.Errors = append(res.Errors, LoadError{File: file, Problem: "cannot read file: " + errText(err)})
			continue
		}
		var items []item
		if strings.EqualFold(filepath.Ext(file), ".md") {
			items = []item{readMarkdown(file, data)}
		} else {
			items = readJSONL(file, data)
		}
		for _, it := range items {
			res.add(it, seen)
		}
	}
	return res, nil
}

// item is one record as read from a file, with its problems.
type item struct {
	file string
	line int
	id   string // as read; "" when unknown
	d    Disclosure
	errs []LoadError // non-empty: the record is not imported
}

func (r *LoadResult) add(it item, seen map[string]string) {
	if it.id != "" {
		if first, dup := seen[it.id]; dup {
			r.Errors = append(r.Errors, LoadError{File: it.file, Line: it.line, ID: it.id,
				Problem: fmt.Sprintf("duplicate id %q (first at %s)", it.id, first)})
			r.Errors = append(r.Errors, it.errs...)
			return
		}
		seen[it.id] = pos(it.file, it.line)
	}
	if len(it.errs) > 0 {
		r.Errors = append(r.Errors, it.errs...)
		return
	}
	d := it.d
	findings := CheckPrivacy(&d)
	if reason := d.ReviewProblem(); reason != "" {
		r.Drafts = append(r.Drafts, Skipped{ID: d.ID, Title: d.Title, File: it.file, Line: it.line,
			Reason: reason, Findings: findings})
		return
	}
	if len(findings) > 0 {
		r.Blocked = append(r.Blocked, Blocked{ID: d.ID, Title: d.Title, File: it.file, Line: it.line,
			Findings: findings})
		return
	}
	r.Publishable = append(r.Publishable, d)
}

// listFiles returns the *.jsonl and *.md files under dir sorted by path.
// Unreadable subdirectories are reported, not fatal; an unreadable dir is.
func listFiles(dir string) ([]string, []LoadError, error) {
	var files []string
	var errs []LoadError
	err := filepath.WalkDir(dir, func(path string, e fs.DirEntry, err error) error {
		if err != nil {
			if path == dir {
				return err
			}
			errs = append(errs, LoadError{File: path, Problem: "cannot read: " + errText(err)})
			if e != nil && e.IsDir() {
				return fs.SkipDir
			}
			return nil
		}
		name := e.Name()
		if path != dir && strings.HasPrefix(name, ".") {
			if e.IsDir() {
				return fs.SkipDir
			}
			return nil
		}
		if e.IsDir() || !e.Type().IsRegular() && e.Type()&fs.ModeSymlink == 0 {
			return nil
		}
		if strings.EqualFold(name, "README.md") {
			return nil
		}
		switch strings.ToLower(filepath.Ext(name)) {
		case ".jsonl", ".md":
			files = append(files, path)
		}
		return nil
	})
	if err != nil {
		return nil, nil, err
	}
	sort.Slice(files, func(i, j int) bool {
		return filepath.ToSlash(files[i]) < filepath.ToSlash(files[j])
	})
	return files, errs, nil
}

// errText drops the path an *fs.PathError repeats.
func errText(err error) string {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	return err.Error()
}
