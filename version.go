package main

import (
	"fmt"
	"io"
	"log/slog"
	"runtime/debug"
	"strings"

	"github.com/yingpu/govbot/config"
)

// buildVersion is the module version of this binary (a tag when built by
// `go install …@vX`, "(devel)" from a checkout) with the VCS revision when
// the build recorded one.
func buildVersion() string {
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return "unknown"
	}
	v := info.Main.Version
	if v == "" {
		v = "(devel)"
	}
	var rev, modified string
	for _, s := range info.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.modified":
			if s.Value == "true" {
				modified = "+dirty"
			}
		}
	}
	if rev != "" {
		if len(rev) > 12 {
			rev = rev[:12]
		}
		v += " " + rev + modified
	}
	return v
}

// buildReport is what `govbot version` prints: the version, the Go
// toolchain, the platform and the build settings that matter.
func buildReport() string {
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return "govbot: no build information\n"
	}
	var b strings.Builder
	fmt.Fprintf(&b, "govbot %s\n", buildVersion())
	fmt.Fprintf(&b, "go: %s\n", info.GoVersion)
	for _, s := range info.Settings {
		switch s.Key {
		case "GOOS", "GOARCH", "CGO_ENABLED", "vcs.revision", "vcs.time", "vcs.modified", "-tags", "-ldflags":
			fmt.Fprintf(&b, "%s: %s\n", s.Key, s.Value)
		}
	}
	return b.String()
}

// newLogger is the server's logger as log.format and log.level say.
func newLogger(l config.Log, w io.Writer) (*slog.Logger, error) {
	level, err := l.SlogLevel()
	if err != nil {
		return nil, err
	}
	opts := &slog.HandlerOptions{Level: level}
	switch l.Format {
	case "json":
		return slog.New(slog.NewJSONHandler(w, opts)), nil
	case "text", "":
		return slog.New(slog.NewTextHandler(w, opts)), nil
	}
	return nil, fmt.Errorf("log.format %q: want text or json", l.Format)
}
