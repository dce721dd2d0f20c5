package content

import (
	"bytes"
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

// LoadOptions tunes Load and Walk.
type LoadOptions struct {
	// Record, when set, is called for every record read (publishable or
	// not), before it is sorted: progress against CountRecords.
	Record func()
}

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
	// Streamed counts the publishable disclosures Walk handed to its
	// callback instead of keeping them in Publishable.
	Streamed int
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
		len(r.Publishable)+r.Streamed, len(r.Drafts), len(r.Blocked), len(r.Errors))
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
	var docs []Disclosure
	res, err := Walk(dir, opts, func(d Disclosure) error {
		docs = append(docs, d)
		return nil
	})
	if err != nil {
		return nil, err
	}
	res.Publishable, res.Streamed = docs, 0
	return res, nil
}

// Walk reads dir as Load does but hands each publishable disclosure to
// publish as soon as it is read, in the same order, instead of keeping them
// (Streamed counts them): a large corpus is never held whole. Files are read
// a line at a time. An error from publish stops the walk and is returned.
func Walk(dir string, opts LoadOptions, publish func(Disclosure) error) (*LoadResult, error) {
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
	add := func(it item) error {
		if opts.Record != nil {
			opts.Record()
		}
		d, ok := res.add(it, seen)
		if !ok {
			return nil
		}
		res.Streamed++
		return publish(d)
	}
	for _, file := range files {
		if strings.EqualFold(filepath.Ext(file), ".md") {
			data, err := os.ReadFile(file)
			if err != nil {
				res.Errors = append(res.Errors, LoadError{File: file, Problem: "cannot read file: " + errText(err)})
				continue
			}
			if err := add(readMarkdown(file, data)); err != nil {
				return res, err
			}
			continue
		}
		f, err := os.Open(file)
		if err != nil {
			res.Errors = append(res.Errors, LoadError{File: file, Problem: "cannot read file: " + errText(err)})
			continue
		}
		var stop error
		err = eachJSONL(file, f, func(it item) error {
			stop = add(it)
			return stop
		})
		f.Close()
		if stop != nil {
			return res, stop
		}
		if err != nil {
			res.Errors = append(res.Errors, LoadError{File: file, Problem: "cannot read file: " + errText(err)})
		}
	}
	return res, nil
}

// CountRecords counts the records Walk would read in dir (each non-blank
// line of a .jsonl file, each .md file) without decoding them.
func CountRecords(dir string) (int, error) {
	files, _, err := listFiles(dir)
	if err != nil {
		return 0, fmt.Errorf("content: %w", err)
	}
	n := 0
	for _, file := range files {
		if strings.EqualFold(filepath.Ext(file), ".md") {
			n++
			continue
		}
		f, err := os.Open(file)
		if err != nil {
			continue // Walk reports it
		}
		eachLine(f, func(line []byte) bool {
			if len(bytes.TrimSpace(line)) > 0 {
				n++
			}
			return true
		})
		f.Close()
	}
	return n, nil
}

// item is one record as read from a file, with its problems.
type item struct {
	file string
	line int
	id   string // as read; "" when unknown
	d    Disclosure
	errs []LoadError // non-empty: the record is not imported
}

// add sorts a record into the result's lists, or returns it when it is
// publishable.
func (r *LoadResult) add(it item, seen map[string]string) (Disclosure, bool) {
	if it.id != "" {
		if first, dup := seen[it.id]; dup {
			r.Errors = append(r.Errors, LoadError{File: it.file, Line: it.line, ID: it.id,
				Problem: fmt.Sprintf("duplicate id %q (first at %s)", it.id, first)})
			r.Errors = append(r.Errors, it.errs...)
			return Disclosure{}, false
		}
		seen[it.id] = pos(it.file, it.line)
	}
	if len(it.errs) > 0 {
		r.Errors = append(r.Errors, it.errs...)
		return Disclosure{}, false
	}
	d := it.d
	findings := CheckPrivacy(&d)
	if reason := d.ReviewProblem(); reason != "" {
		r.Drafts = append(r.Drafts, Skipped{ID: d.ID, Title: d.Title, File: it.file, Line: it.line,
			Reason: reason, Findings: findings})
		return Disclosure{}, false
	}
	if len(findings) > 0 {
		r.Blocked = append(r.Blocked, Blocked{ID: d.ID, Title: d.Title, File: it.file, Line: it.line,
			Findings: findings})
		return Disclosure{}, false
	}
	return d, true
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
