package cli

import (
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/yingpu/govbot/clock"
)

// IsTerminal reports whether f (standard input, output or error) is a
// terminal: a progress bar is drawn only there, never into a log file or a
// pipe.
func IsTerminal(f any) bool {
	file, ok := f.(*os.File)
	if !ok {
		return false
	}
	st, err := file.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

// progressWidth is the bar's width in characters.
const progressWidth = 30

// ProgressBar returns a progress callback (done of total; index.Progress)
// drawing one line on w, redrawn at most once a percent, with the time
// spent and, from 1% on, the time left at the pace so far:
//
//	[#########.....................]  31% 3100/10000  0:12, about 0:27 left
//
// Calls must come from one goroutine at a time.
//
// Written here rather than taken from a progress-bar library: this is all
// govbot draws, and the libraries that do it bring dependencies of their
// own (one of them unmaintained) for colours and widths it does not use.
func ProgressBar(w io.Writer, clk clock.Clock) func(done, total int) {
	last := -1
	var start time.Time
	return func(done, total int) {
		if total <= 0 {
			return
		}
		if start.IsZero() {
			start = clk.Now()
		}
		pct := done * 100 / total
		if pct == last && done != total {
			return
		}
		last = pct
		filled := pct * progressWidth / 100
		spent := clk.Now().Sub(start)
		line := fmt.Sprintf("\r[%s%s] %3d%% %d/%d  %s", strings.Repeat("#", filled), strings.Repeat(".", progressWidth-filled),
			pct, done, total, minSec(spent))
		if pct >= 1 && done < total {
			left := time.Duration(float64(spent) * float64(total-done) / float64(done))
			line += ", about " + minSec(left) + " left"
		}
		// Pad over what a longer previous line left behind.
		fmt.Fprintf(w, "%-*s", len(line)+12, line)
		if done == total {
			fmt.Fprintln(w)
		}
	}
}

// minSec formats d as m:ss (h:mm:ss from an hour on).
func minSec(d time.Duration) string {
	s := int(d.Round(time.Second) / time.Second)
	if s >= 3600 {
		return fmt.Sprintf("%d:%02d:%02d", s/3600, s/60%60, s%60)
	}
	return fmt.Sprintf("%d:%02d", s/60, s%60)
}
