package config

import (
	"fmt"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
)

// EnvPrefix starts every environment variable govbot reads.
const EnvPrefix = "GOVBOT_"

// EnvVar is a configuration key that an environment variable can set.
type EnvVar struct {
	// Name is the variable: GOVBOT_ and the key's path in upper case with
	// "." as "_" (search.min_score → GOVBOT_SEARCH_MIN_SCORE).
	Name string
	// Aliases are older names that are read too (GOVBOT_OA_APP_ID).
	Aliases []string
	// Key is the YAML key path (search.min_score).
	Key string
	// Kind says what value it takes: string, integer, number, true/false,
	// duration or comma-separated list.
	Kind  string
	field []int
}

// sectionAlias is a shorter name of a section also accepted in variable
// names (kept from before the rule covered every key): GOVBOT_OA_APP_ID.
func sectionAlias(section string) (string, bool) {
	if section == "officialaccount" {
		return "OA", true
	}
	return "", false
}

// EnvVars lists every key an environment variable can set, derived from the
// Config's own YAML keys, in key order. Lists of mappings (audiences, users,
// menu) and free-form maps are set in the file only; a user's token has its
// own variable (TokenEnv).
func EnvVars() []EnvVar {
	var out []EnvVar
	var walk func(t reflect.Type, path []string, index []int)
	walk = func(t reflect.Type, path []string, index []int) {
		for i := 0; i < t.NumField(); i++ {
			f := t.Field(i)
			name, _, _ := strings.Cut(f.Tag.Get("yaml"), ",")
			if name == "" || name == "-" || !f.IsExported() {
				continue
			}
			p := append(append([]string(nil), path...), name)
			idx := append(append([]int(nil), index...), i)
			if f.Type.Kind() == reflect.Struct && f.Type != reflect.TypeOf(time.Duration(0)) {
				walk(f.Type, p, idx)
				continue
			}
			kind := envKind(f.Type)
			if kind == "" {
				continue
			}
			v := EnvVar{Name: envName(p), Key: strings.Join(p, "."), Kind: kind, field: idx}
			if a, ok := sectionAlias(p[0]); ok && len(p) > 1 {
				v.Aliases = []string{envName(append([]string{a}, p[1:]...))}
			}
			out = append(out, v)
		}
	}
	walk(reflect.TypeOf(Config{}), nil, nil)
	sort.Slice(out, func(i, j int) bool { return out[i].Key < out[j].Key })
	return out
}

func envName(path []string) string {
	return EnvPrefix + strings.ToUpper(strings.Join(path, "_"))
}

func envKind(t reflect.Type) string {
	if t == reflect.TypeOf(time.Duration(0)) {
		return "duration"
	}
	switch t.Kind() {
	case reflect.String:
		return "string"
	case reflect.Bool:
		return "true/false"
	case reflect.Int, reflect.Int64, reflect.Int32:
		return "integer"
	case reflect.Float64:
		return "number"
	case reflect.Slice:
		if t.Elem().Kind() == reflect.String {
			return "comma-separated list"
		}
	}
	return ""
}

// applyEnv sets every key whose variable (or an alias) is set and not
// empty, and each user's token from TokenEnv. It returns every value that
// does not parse, naming its variable.
func (c *Config) applyEnv(lookup func(string) (string, bool)) []error {
	var errs []error
	root := reflect.ValueOf(c).Elem()
	for _, v := range EnvVars() {
		name, val := v.Name, ""
		for _, n := range append([]string{v.Name}, v.Aliases...) {
			if s, ok := lookup(n); ok && s != "" {
				name, val = n, s
				break
			}
		}
		if val == "" {
			continue
		}
		if err := setFromEnv(root.FieldByIndex(v.field), val); err != nil {
			errs = append(errs, fmt.Errorf("%s (%s): %q is not %s", name, v.Key, val, want(v.Kind)))
		}
	}
	for i := range c.Users {
		if c.Users[i].Name == "" {
			continue
		}
		if s, ok := lookup(TokenEnv(c.Users[i].Name)); ok && s != "" {
			c.Users[i].Token = s
		}
	}
	return errs
}

// setFromEnv parses s into f: strings as they are, lists split at commas,
// anything else as the YAML scalar it would be in the file.
func setFromEnv(f reflect.Value, s string) error {
	switch {
	case f.Kind() == reflect.String:
		f.SetString(s)
		return nil
	case f.Kind() == reflect.Slice:
		var items []string
		for _, it := range strings.Split(s, ",") {
			if it = strings.TrimSpace(it); it != "" {
				items = append(items, it)
			}
		}
		f.Set(reflect.ValueOf(items))
		return nil
	case f.Kind() == reflect.Bool:
		b, err := strconv.ParseBool(s)
		if err != nil {
			return err
		}
		f.SetBool(b)
		return nil
	}
	p := reflect.New(f.Type())
	if err := yaml.Unmarshal([]byte(s), p.Interface()); err != nil {
		return err
	}
	f.Set(p.Elem())
	return nil
}

func want(kind string) string {
	switch kind {
	case "integer":
		return "an integer"
	case "number":
		return "a number"
	case "true/false":
		return "true or false"
	case "duration":
		return "a duration (such as 90s, 5m, 12h)"
	}
	return "a " + kind
}
