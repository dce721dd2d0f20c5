package cli

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/yingpu/govbot/clock"
)

func TestProgressBar(t *testing.T) {
	var buf bytes.Buffer
	clk := clock.NewFake(time.Date(2026, 11, 26, 9, 0, 0, 0, clock.Shanghai))
	bar := ProgressBar(&buf, clk)
	bar(0, 0) // nothing known yet: nothing drawn
	if buf.Len() != 0 {
		t.Fatalf("drew %q for an empty total", buf.String())
	}
	for done := 1; done <= 1000; done++ {
		clk.Advance(30 * time.Millisecond)
		bar(done, 1000)
	}
	out := buf.String()
	if n := strings.Count(out, "\r"); n != 101 {
		t.Errorf("redrawn %d times, want 101 (once a percent, 0 to 100)", n)
	}
	if !strings.HasSuffix(strings.TrimRight(out, " \n"), "100% 1000/1000  0:30") || !strings.HasSuffix(out, "\n") {
		t.Errorf("last line %q", out[strings.LastIndex(out, "\r"):])
	}
	// Halfway, 15 s spent: about 15 s left.
	half := out[strings.Index(out, " 50% "):]
	half = half[:strings.Index(half, "\r")]
	if !strings.Contains(half, "500/1000  0:15, about 0:15 left") {
		t.Errorf("halfway line %q", half)
	}
	if !strings.Contains(out, "[###############...............]  50%") {
		t.Errorf("no half-filled bar in %q", out)
	}
	if got := minSec(2*time.Hour + 3*time.Minute + 4*time.Second); got != "2:03:04" {
		t.Errorf("minSec = %s", got)
	}
}
