package content

import (
	"bytes"
	"errors"
	"fmt"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// readMarkdown reads one disclosure from a Markdown file: YAML front matter
// between "---" lines, then the body. The id defaults to the file name
// without its extension. Problems point at the front matter line of the
// field concerned where there is one, else at line 1.
func readMarkdown(file string, data []byte) item {
	it := item{file: file, line: 1}
	fail := func(line int, format string, args ...any) item {
		it.errs = append(it.errs, LoadError{File: file, Line: line, ID: it.id, Problem: fmt.Sprintf(format, args...)})
		return it
	}
	defaultID := strings.TrimSuffix(filepath.Base(file), filepath.Ext(file))

	data = bytes.TrimPrefix(data, utf8BOM)
	if bad := firstInvalidUTF8(data); bad >= 0 {
		it.id = defaultID
		line := bytes.Count(data[:bad], []byte("\n")) + 1
		lineStart := bytes.LastIndexByte(data[:bad], '\n') + 1
		return fail(line, "not valid UTF-8 (first bad byte at column %d)", bad-lineStart+1)
	}
	// CRLF and lone CR (as YAML counts lines) both end a line.
	lines := strings.Split(strings.ReplaceAll(strings.ReplaceAll(string(data), "\r\n", "\n"), "\r", "\n"), "\n")
	if strings.TrimRight(lines[0], " \t") != "---" {
		it.id = defaultID
		return fail(1, `no front matter: the file must start with a "---" line`)
	}
	closing := -1
	for k := 1; k < len(lines); k++ {
		if t := strings.TrimRight(lines[k], " \t"); t == "---" || t == "..." {
			closing = k
			break
		}
	}
	if closing < 0 {
		it.id = defaultID
		return fail(1, `front matter is not closed by a "---" line`)
	}
	// File line of front matter line n (1-based) is n+1: line 1 is "---".
	const fmOffset = 1
	front := strings.Join(lines[1:closing], "\n")
	bodyLine := closing + 2 // 1-based file line of the first body line
	body := trimBlankLines(strings.Join(lines[closing+1:], "\n"))

	var doc yaml.Node
	if err := yaml.Unmarshal([]byte(front), &doc); err != nil {
		it.id = defaultID
		line, msg := yamlErrorLine(err.Error())
		return fail(line+fmOffset, "front matter: %s", msg)
	}
	var root *yaml.Node
	if doc.Kind == yaml.DocumentNode && len(doc.Content) == 1 {
		root = doc.Content[0]
	}
	fields := map[string]int{} // field -> file line of its key
	if root != nil {
		if root.Kind != yaml.MappingNode {
			it.id = defaultID
			return fail(root.Line+fmOffset, "front matter must be a mapping of fields (key: value)")
		}
		collectFieldLines(root, "", fmOffset, fields)
	}

	var rec record
	if root != nil {
		if err := root.Decode(&rec); err != nil {
			it.id = defaultID
			if s := strings.TrimSpace(rec.ID); s != "" {
				it.id = s
			}
			var te *yaml.TypeError
			if errors.As(err, &te) {
				for _, e := range te.Errors {
					line, msg := yamlErrorLine(e)
					line += fmOffset
					if f := fieldAt(fields, line); f != "" {
						msg = f + ": " + msg
					}
					fail(line, "front matter: %s", msg)
				}
				return it
			}
			return fail(1, "front matter: %v", err)
		}
	}
	if strings.TrimSpace(rec.ID) == "" {
		rec.ID = defaultID
	}
	it.id = strings.TrimSpace(rec.ID)
	if body != "" {
		if strings.TrimSpace(rec.Body) != "" {
			return fail(fields["body"], "body is given both in the front matter and after it")
		}
		rec.Body = body
	}
	if _, ok := fields["body"]; !ok {
		fields["body"] = bodyLine
	}

	d, ps := rec.disclosure()
	it.d = d
	for _, p := range ps {
		line := fields[p.Field]
		if line == 0 {
			line = 1
		}
		fail(line, "%s", p.Message)
	}
	return it
}

// collectFieldLines records the file line of every key of a mapping, and of
// the keys of nested mappings as "parent.child".
func collectFieldLines(m *yaml.Node, prefix string, offset int, out map[string]int) {
	for k := 0; k+1 < len(m.Content); k += 2 {
		key, val := m.Content[k], m.Content[k+1]
		name := prefix + key.Value
		if _, dup := out[name]; !dup {
			out[name] = key.Line + offset
		}
		if val.Kind == yaml.MappingNode && prefix == "" {
			collectFieldLines(val, name+".", offset, out)
		}
	}
}

// fieldAt names the field whose key is on line or closest above it.
func fieldAt(fields map[string]int, line int) string {
	type fl struct {
		name string
		line int
	}
	var all []fl
	for n, l := range fields {
		all = append(all, fl{n, l})
	}
	sort.Slice(all, func(i, j int) bool {
		if all[i].line != all[j].line {
			return all[i].line < all[j].line
		}
		return all[i].name < all[j].name
	})
	best := ""
	for _, f := range all {
		if f.line <= line {
			best = f.name
		}
	}
	return best
}

var yamlLineRE = regexp.MustCompile(`^(?:yaml: )?line (\d+): `)

// yamlErrorLine splits "yaml: line 3: message" into 3 and "message"; the
// line is 1 when the message has none.
func yamlErrorLine(s string) (int, string) {
	if m := yamlLineRE.FindStringSubmatch(s); m != nil {
		n, _ := strconv.Atoi(m[1])
		return n, humanYAML(s[len(m[0]):])
	}
	return 1, humanYAML(strings.TrimPrefix(s, "yaml: "))
}

// humanYAML rewrites Go type names in yaml.v3 messages.
func humanYAML(s string) string {
	r := strings.NewReplacer(
		"into []string", "into a list of strings",
		"into float64", "into a number",
		"into string", "into a string",
		"into content.rawReview", "into a mapping",
		"into content.rawLocation", "into a mapping",
		"into content.record", "into a mapping",
	)
	return r.Replace(s)
}

// trimBlankLines removes leading and trailing lines that hold only white
// space, keeping the indentation of the first kept line.
func trimBlankLines(s string) string {
	lines := strings.Split(s, "\n")
	start, end := 0, len(lines)
	for start < end && strings.TrimSpace(lines[start]) == "" {
		start++
	}
	for end > start && strings.TrimSpace(lines[end-1]) == "" {
		end--
	}
	return strings.Join(lines[start:end], "\n")
}
