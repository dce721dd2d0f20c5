package importer

import (
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"

	"github.com/yingpu/govbot/content"
)

// ReadDocument reads one document of a format other than JSONL and
// Markdown (which hold disclosures already; see content.Parse).
func ReadDocument(kind Kind, data []byte, opts HTMLOptions) (*Document, error) {
	switch kind {
	case KindHTML:
		return ReadHTML(data, opts)
	case KindDocx:
		return ReadDocx(data)
	case KindPDF:
		return ReadPDF(data)
	case KindXLSX:
		return ReadXLSX(data)
	case KindCSV:
		return ReadCSV(data)
	}
	return nil, fmt.Errorf("%w: %s", ErrUnsupported, kind)
}

// OpenFunc fetches an attachment by the address a page links it with. It
// returns the file's content, and its Content-Type when known.
type OpenFunc func(href string) (data []byte, contentType string, err error)

// Attach reads each attachment of doc with open and appends its text to
// the body under its name ("附件：name"). An attachment that cannot be
// fetched or read is left out and described in the notes returned; the
// page keeps the rest.
func Attach(doc *Document, open OpenFunc) []string {
	var notes []string
	for _, a := range doc.Attachments {
		kind, err := KindOf(a.Href, "")
		if err == nil && (kind == KindHTML || kind == KindJSONL || kind == KindMarkdown) {
			continue
		}
		if err != nil && knownUnreadable(a.Href) {
			notes = append(notes, fmt.Sprintf("attachment %s: %v", a.Text, err))
			continue
		}
		// A link such as download.do?id=3 says what it is only in its
		// Content-Type.
		data, ct, err := open(a.Href)
		if err != nil {
			notes = append(notes, fmt.Sprintf("attachment %s: %v", a.Text, err))
			continue
		}
		if k, kerr := KindOf(a.Href, ct); kerr == nil {
			kind = k
		} else if kind == "" {
			notes = append(notes, fmt.Sprintf("attachment %s: %v", a.Text, kerr))
			continue
		}
		if kind == KindHTML || kind == KindJSONL || kind == KindMarkdown {
			continue
		}
		ad, err := ReadDocument(kind, data, HTMLOptions{ContentType: ct})
		if err != nil {
			notes = append(notes, fmt.Sprintf("attachment %s: %v", a.Text, err))
			continue
		}
		if strings.TrimSpace(ad.Body) == "" {
			notes = append(notes, fmt.Sprintf("attachment %s: no text", a.Text))
			continue
		}
		doc.Body = AppendAttachment(doc.Body, a.Text, ad.Body)
	}
	return notes
}

// knownUnreadable reports whether a name's extension is a format importer
// knows it cannot read (old binary Office files), so it is not fetched.
func knownUnreadable(name string) bool {
	switch strings.ToLower(path.Ext(stripQuery(name))) {
	case ".doc", ".wps", ".xls", ".et":
		return true
	}
	return false
}

// FileResult is what ImportFiles read.
type FileResult struct {
	Items    []Item
	Failures []Failure
	// Attached counts the files read as attachments of a page rather than
	// as disclosures of their own.
	Attached int
}

// MaxFileBytes caps one file read by ImportFiles.
const MaxFileBytes = 64 << 20

// ImportFiles reads files and folders (recursively, names starting with
// "." and README.md skipped) into disclosures. A page's attachments are
// read from the files it links to (relative links, or an absolute one
// whose file name lies beside the page or in its "_files" folder) and are
// not imported again on their own. A file that cannot be read is a
// Failure with the reason; the rest still import. sel applies to HTML.
func ImportFiles(paths []string, d Defaults, sel Selectors) *FileResult {
	res := &FileResult{}
	type file struct{ path, rel string }
	var files []file
	for _, p := range paths {
		info, err := os.Stat(p)
		if err != nil {
			res.Failures = append(res.Failures, Failure{Key: p, Reason: errText(err)})
			continue
		}
		if !info.IsDir() {
			files = append(files, file{p, filepath.Base(p)})
			continue
		}
		_ = filepath.WalkDir(p, func(fp string, e fs.DirEntry, err error) error {
			if err != nil {
				res.Failures = append(res.Failures, Failure{Key: fp, Reason: errText(err)})
				if e != nil && e.IsDir() && fp != p {
					return fs.SkipDir
				}
				return nil
			}
			if fp != p && strings.HasPrefix(e.Name(), ".") {
				if e.IsDir() {
					return fs.SkipDir
				}
				return nil
			}
			if e.IsDir() || strings.EqualFold(e.Name(), "README.md") {
				return nil
			}
			rel, _ := filepath.Rel(p, fp)
			files = append(files, file{fp, filepath.ToSlash(rel)})
			return nil
		})
	}
	sort.SliceStable(files, func(i, j int) bool { return files[i].path < files[j].path })

	// Pages first: the files they attach are theirs.
	attached := map[string]bool{}
	var rest []file
	for _, f := range files {
		kind, _ := KindOf(f.path, "")
		if kind != KindHTML {
			rest = append(rest, f)
			continue
		}
		data, err := readLimited(f.path)
		if err != nil {
			res.Failures = append(res.Failures, Failure{Key: f.path, Reason: err.Error()})
			continue
		}
		doc, err := ReadHTML(data, HTMLOptions{Selectors: sel})
		if err != nil {
			res.Failures = append(res.Failures, Failure{Key: f.path, Reason: err.Error()})
			continue
		}
		dir := filepath.Dir(f.path)
		notes := Attach(doc, func(href string) ([]byte, string, error) {
			local, ok := localAttachment(dir, f.path, href)
			if !ok {
				return nil, "", fmt.Errorf("not found beside the page (%s)", href)
			}
			attached[filepath.Clean(local)] = true
			b, err := readLimited(local)
			return b, "", err
		})
		res.add(doc, f.rel, d, notes)
	}
	for _, f := range rest {
		if attached[filepath.Clean(f.path)] {
			res.Attached++
			continue
		}
		kind, err := KindOf(f.path, "")
		if err != nil {
			res.Failures = append(res.Failures, Failure{Key: f.path, Reason: err.Error()})
			continue
		}
		data, err := readLimited(f.path)
		if err != nil {
			res.Failures = append(res.Failures, Failure{Key: f.path, Reason: err.Error()})
			continue
		}
		if kind == KindJSONL || kind == KindMarkdown {
			res.addRecords(f.path, data, d)
			continue
		}
		doc, err := ReadDocument(kind, data, HTMLOptions{})
		if err != nil {
			res.Failures = append(res.Failures, Failure{Key: f.path, Reason: err.Error()})
			continue
		}
		if doc.Title == "" {
			// A file's name is what the office called it.
			doc.Title = strings.TrimSuffix(filepath.Base(f.path), filepath.Ext(f.path))
		}
		res.add(doc, f.rel, d, nil)
	}
	return res
}

func (r *FileResult) add(doc *Document, rel string, d Defaults, notes []string) {
	key := doc.URL
	if key == "" {
		key = "file:" + rel
		if d.URLPrefix != "" {
			doc.URL = joinURL(d.URLPrefix, rel)
		}
	}
	it, fail := Build(doc, key, d)
	if fail != nil {
		fail.Key = rel
		r.Failures = append(r.Failures, *fail)
		return
	}
	it.Notes = notes
	r.Items = append(r.Items, it)
}

// addRecords imports the disclosures of a JSONL or Markdown file: their own
// ids and fields, with only empty category, department and audience filled
// from the source, and the review set when ApproveAs is given.
func (r *FileResult) addRecords(file string, data []byte, d Defaults) {
	ds, errs := content.Parse(file, data)
	for _, e := range errs {
		r.Failures = append(r.Failures, Failure{Key: pos(e.File, e.Line), Reason: e.Problem})
	}
	for _, dis := range ds {
		if dis.Category == "" {
			dis.Category = category(&Document{URL: dis.URL}, d)
		}
		if dis.Department == "" {
			dis.Department = d.Department
		}
		if len(dis.Audience) == 0 {
			dis.Audience = append([]string(nil), d.Audience...)
		}
		if d.ApproveAs != "" {
			dis.Review = ReviewFor(d)
		}
		it := Item{Key: "id:" + dis.ID, Disclosure: dis, Hash: ContentHash(&dis)}
		if dis.Category == "" {
			it.Missing = append(it.Missing, "category")
		}
		if dis.Department == "" {
			it.Missing = append(it.Missing, "department")
		}
		if dis.Published.IsZero() {
			it.Missing = append(it.Missing, "published")
		}
		r.Items = append(r.Items, it)
	}
}

func pos(file string, line int) string {
	if line <= 0 {
		return file
	}
	return fmt.Sprintf("%s:%d", file, line)
}

func joinURL(prefix, rel string) string {
	segs := strings.Split(rel, "/")
	for i, s := range segs {
		segs[i] = url.PathEscape(s)
	}
	return strings.TrimRight(prefix, "/") + "/" + strings.Join(segs, "/")
}

// localAttachment finds the file a saved page links to.
func localAttachment(dir, page, href string) (string, bool) {
	u, err := url.Parse(href)
	if err != nil {
		return "", false
	}
	var cands []string
	if u.Scheme == "" && u.Host == "" {
		p := u.Path
		if p == "" {
			return "", false
		}
		if strings.HasPrefix(p, "/") {
			cands = append(cands, filepath.Join(dir, filepath.FromSlash(path.Base(p))))
		} else {
			cands = append(cands, filepath.Join(dir, filepath.FromSlash(p)))
		}
	}
	base := path.Base(u.Path)
	if base != "" && base != "/" && base != "." {
		stem := strings.TrimSuffix(page, filepath.Ext(page))
		cands = append(cands, filepath.Join(dir, base), stem+"_files"+string(filepath.Separator)+base)
	}
	for _, c := range cands {
		if st, err := os.Stat(c); err == nil && st.Mode().IsRegular() {
			return c, true
		}
	}
	return "", false
}

func readLimited(p string) ([]byte, error) {
	st, err := os.Stat(p)
	if err != nil {
		return nil, fmt.Errorf("cannot read: %s", errText(err))
	}
	if st.Size() > MaxFileBytes {
		return nil, fmt.Errorf("file is larger than %d MiB", MaxFileBytes>>20)
	}
	b, err := os.ReadFile(p)
	if err != nil {
		return nil, fmt.Errorf("cannot read: %s", errText(err))
	}
	return b, nil
}

func errText(err error) string {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	return err.Error()
}
