package main

import (
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// routeRE finds the HTTP routes registered in the source: mux.Handle,
// mux.HandleFunc and adminapi's route, with their pattern.
var routeRE = regexp.MustCompile(`(?:Handle|HandleFunc|route)\("((?:[A-Z]+ )?/[^"]*)"`)

// TestEndpointsDocumented: every path the server registers is named in
// README.md or a document under docs/.
func TestEndpointsDocumented(t *testing.T) {
	var docs strings.Builder
	for _, f := range append([]string{"README.md"}, mustGlob(t, "docs/*.md")...) {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		docs.Write(b)
	}
	found := 0
	err := filepath.WalkDir(".", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == "testdata" || d.Name() == "tools" || strings.HasPrefix(d.Name(), ".")) && path != "." {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		src, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		for _, m := range routeRE.FindAllStringSubmatch(string(src), -1) {
			p := m[1]
			if _, after, ok := strings.Cut(p, " "); ok {
				p = after
			}
			if p == "/" || p == "/{$}" {
				continue
			}
			found++
			if !strings.Contains(docs.String(), p) {
				t.Errorf("%s registers %q, which README.md and docs/ do not name", path, m[1])
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if found < 10 {
		t.Fatalf("found only %d routes: is the pattern still right?", found)
	}
}

func mustGlob(t *testing.T, pattern string) []string {
	t.Helper()
	m, err := filepath.Glob(pattern)
	if err != nil || len(m) == 0 {
		t.Fatalf("%s: %v", pattern, err)
	}
	return m
}
