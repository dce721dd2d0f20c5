package config

import (
	"os"
	"reflect"
	"regexp"
	"strings"
	"testing"
	"time"
)

// allKeys lists every YAML key path of Config; the keys of list items are
// path[].key.
func allKeys() []string {
	var out []string
	var walk func(t reflect.Type, path string)
	walk = func(t reflect.Type, path string) {
		for i := 0; i < t.NumField(); i++ {
			f := t.Field(i)
			name, _, _ := strings.Cut(f.Tag.Get("yaml"), ",")
			if name == "" || name == "-" || !f.IsExported() {
				continue
			}
			p := name
			if path != "" {
				p = path + "." + name
			}
			out = append(out, p)
			ft := f.Type
			if ft.Kind() == reflect.Slice && ft.Elem().Kind() == reflect.Struct {
				walk(ft.Elem(), p+"[]")
			} else if ft.Kind() == reflect.Struct && ft != reflect.TypeOf(time.Duration(0)) {
				walk(ft, p)
			}
		}
	}
	walk(reflect.TypeOf(Config{}), "")
	return out
}

// TestExampleHasEveryKey: config.example.yaml, the reference of the keys,
// shows every key of Config (set, or commented out with its default).
func TestExampleHasEveryKey(t *testing.T) {
	b, err := os.ReadFile("../config.example.yaml")
	if err != nil {
		t.Fatal(err)
	}
	keys, _ := keyLines(b)
	have := map[string]bool{}
	index := regexp.MustCompile(`\[\d+\]`)
	for k := range keys {
		have[index.ReplaceAllString(k, "[]")] = true
	}
	text := string(b)
	for _, k := range allKeys() {
		if have[k] {
			continue
		}
		// A key shown commented out: "# key:" under its section.
		last := k[strings.LastIndexAny(k, ".]")+1:]
		if regexp.MustCompile(`(?m)^\s*#\s*(- )?` + regexp.QuoteMeta(last) + `:`).MatchString(text) {
			continue
		}
		t.Errorf("config.example.yaml does not show %s", k)
	}
}
