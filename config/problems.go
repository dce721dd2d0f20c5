package config

import (
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// Problem is one thing wrong with a configuration.
type Problem struct {
	// Line in the file, 0 when not known (a default, an environment
	// variable, a flag).
	Line int
	// Key is the YAML key path (webhook.max_clock_skew), "" when the
	// problem is not about one key.
	Key string
	Msg string
}

func (p Problem) String() string {
	var b strings.Builder
	if p.Line > 0 {
		fmt.Fprintf(&b, "line %d: ", p.Line)
	}
	if p.Key != "" && !strings.HasPrefix(p.Msg, p.Key) {
		b.WriteString(p.Key + ": ")
	}
	b.WriteString(p.Msg)
	return b.String()
}

// Problems is every problem found in a configuration, so that all are
// reported at once: wrong types and unknown keys in the file (with their
// line), environment variables that do not parse, and what Validate
// finds.
type Problems struct {
	// File is the configuration file, "" for defaults and environment.
	File string
	List []Problem
	// lines maps each key path in File to its line.
	lines map[string]int
}

func (p *Problems) Error() string {
	where := "config"
	if p.File != "" {
		where = "config " + p.File
	}
	if len(p.List) == 1 {
		return where + ": " + p.List[0].String()
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%s: %d problems:", where, len(p.List))
	for _, q := range p.List {
		b.WriteString("\n  " + q.String())
	}
	return b.String()
}

// add records the errors of err (an errors.Join of several, or one); each
// that starts with a key path of the file gets that key's line.
func (p *Problems) add(err error) {
	if err == nil {
		return
	}
	var errs []error
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		errs = j.Unwrap()
	} else {
		errs = []error{err}
	}
	for _, e := range errs {
		msg := e.Error()
		key, line := p.keyOf(msg)
		p.List = append(p.List, Problem{Line: line, Key: key, Msg: msg})
	}
}

// keyOf finds the longest key path of the file that msg starts with.
func (p *Problems) keyOf(msg string) (string, int) {
	best, line := "", 0
	for k, l := range p.lines {
		if len(k) > len(best) && strings.HasPrefix(msg, k) && (len(msg) == len(k) || strings.ContainsRune(" :[", rune(msg[len(k)]))) {
			best, line = k, l
		}
	}
	return best, line
}

func (p *Problems) sort() {
	sort.SliceStable(p.List, func(i, j int) bool {
		a, b := p.List[i].Line, p.List[j].Line
		return a != 0 && (b == 0 || a < b)
	})
}

func (p *Problems) orNil() error {
	if p == nil || len(p.List) == 0 {
		return nil
	}
	p.sort()
	return p
}

// keyLines maps every key path of a YAML document to its line, and every
// line holding a value to the key path of that value. Sequence items are
// path[i].
func keyLines(data []byte) (keys map[string]int, values map[int]string) {
	keys, values = map[string]int{}, map[int]string{}
	var doc yaml.Node
	if yaml.Unmarshal(data, &doc) != nil {
		return keys, values
	}
	var walk func(n *yaml.Node, path string)
	walk = func(n *yaml.Node, path string) {
		switch n.Kind {
		case yaml.DocumentNode:
			for _, c := range n.Content {
				walk(c, path)
			}
		case yaml.MappingNode:
			for i := 0; i+1 < len(n.Content); i += 2 {
				k, v := n.Content[i], n.Content[i+1]
				p := k.Value
				if path != "" {
					p = path + "." + k.Value
				}
				keys[p] = k.Line
				values[k.Line] = p
				values[v.Line] = p
				walk(v, p)
			}
		case yaml.SequenceNode:
			for i, c := range n.Content {
				p := path + "[" + strconv.Itoa(i) + "]"
				// Validate names a list item by its name when it has one:
				// user "wang" is users[i].
				if name := itemName(c); name != "" && strings.HasSuffix(path, "s") {
					keys[strings.TrimSuffix(path, "s")+" "+strconv.Quote(name)] = c.Line
				}
				if _, ok := values[c.Line]; !ok {
					values[c.Line] = p
				}
				walk(c, p)
			}
		}
	}
	walk(&doc, "")
	return keys, values
}

// itemName is the value of a mapping's name key, "" if none.
func itemName(n *yaml.Node) string {
	if n.Kind != yaml.MappingNode {
		return ""
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == "name" && n.Content[i+1].Kind == yaml.ScalarNode {
			return n.Content[i+1].Value
		}
	}
	return ""
}

var (
	typeErrRE    = regexp.MustCompile("^line (\\d+): cannot unmarshal !!(\\w+) (?:`(.*)` )?into (.+)$")
	unknownKeyRE = regexp.MustCompile(`^line (\d+): field (\S+) not found in type (\S+)$`)
)

// typeProblems turns yaml.v3's type errors into problems naming the key.
func typeProblems(te *yaml.TypeError, values map[int]string) []Problem {
	var out []Problem
	for _, e := range te.Errors {
		if m := typeErrRE.FindStringSubmatch(e); m != nil {
			line, _ := strconv.Atoi(m[1])
			got := m[3]
			if got == "" {
				got = map[string]string{"seq": "a list", "map": "a mapping"}[m[2]]
			} else {
				got = strconv.Quote(got)
			}
			if got == "" {
				got = "!!" + m[2]
			}
			out = append(out, Problem{Line: line, Key: values[line], Msg: fmt.Sprintf("%s is not %s", got, goTypeWant(m[4]))})
			continue
		}
		if m := unknownKeyRE.FindStringSubmatch(e); m != nil {
			line, _ := strconv.Atoi(m[1])
			out = append(out, Problem{Line: line, Key: values[line], Msg: "unknown key " + strconv.Quote(m[2]) + " (see config.example.yaml)"})
			continue
		}
		line := 0
		if n, err := strconv.Atoi(strings.TrimPrefix(strings.SplitN(e, ":", 2)[0], "line ")); err == nil {
			line = n
		}
		out = append(out, Problem{Line: line, Key: values[line], Msg: e})
	}
	return out
}

// goTypeWant says in words what a Go type of the config takes.
func goTypeWant(t string) string {
	switch {
	case t == "time.Duration":
		return want("duration")
	case strings.HasPrefix(t, "int") || strings.HasPrefix(t, "uint"):
		return want("integer")
	case strings.HasPrefix(t, "float"):
		return want("number")
	case t == "bool":
		return want("true/false")
	case t == "string":
		return "a string"
	case strings.HasPrefix(t, "[]"):
		return "a list"
	case strings.HasPrefix(t, "map[") || strings.HasPrefix(t, "config."):
		return "a mapping"
	}
	return "a " + t
}
