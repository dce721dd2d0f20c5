package adminapi

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"
	"sort"
	"strings"
)

// checkKeys refuses a JSON object whose keys are not exactly the JSON
// names of v's fields. encoding/json matches keys without regard to case,
// so {"title": "a", "Title": "b"} would set the title to "b"; here "Title"
// is an unknown field, and a key given twice is refused too.
func checkKeys(data []byte, v any) error {
	t := reflect.TypeOf(v)
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t.Kind() != reflect.Struct {
		return nil
	}
	names := jsonNames(t)
	dec := json.NewDecoder(bytes.NewReader(data))
	tok, err := dec.Token()
	if err != nil {
		return nil // not JSON: the decoder reports it
	}
	if d, ok := tok.(json.Delim); !ok || d != '{' {
		return nil
	}
	seen := map[string]bool{}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil
		}
		key, _ := tok.(string)
		if !names[key] {
			return ErrBadJSON.with(fmt.Sprintf("请求体不是有效的 JSON 对象：未知字段 %q（字段名区分大小写%s）", key, suggest(key, names)))
		}
		if seen[key] {
			return ErrBadJSON.with(fmt.Sprintf("请求体不是有效的 JSON 对象：字段 %q 出现了两次", key))
		}
		seen[key] = true
		var skip json.RawMessage
		if err := dec.Decode(&skip); err != nil {
			return nil
		}
	}
	return nil
}

func jsonNames(t reflect.Type) map[string]bool {
	names := map[string]bool{}
	for i := range t.NumField() {
		f := t.Field(i)
		if f.Anonymous && f.Type.Kind() == reflect.Struct {
			for n := range jsonNames(f.Type) {
				names[n] = true
			}
			continue
		}
		if !f.IsExported() {
			continue
		}
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		switch name {
		case "-":
			continue
		case "":
			name = f.Name
		}
		names[name] = true
	}
	return names
}

// suggest names the field a wrongly cased key meant, or lists the fields.
func suggest(key string, names map[string]bool) string {
	for n := range names {
		if strings.EqualFold(n, key) {
			return fmt.Sprintf("，应为 %q", n)
		}
	}
	list := make([]string, 0, len(names))
	for n := range names {
		list = append(list, n)
	}
	sort.Strings(list)
	return "，可用字段：" + strings.Join(list, "、")
}
