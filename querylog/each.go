package querylog

import (
	"fmt"
	"time"
)

// Each calls fn on every record with from <= At < to (a zero to means no
// upper bound), oldest first, until fn returns false. It is for reports
// that read the whole log (需求); fn must not write to the log.
func (l *Log) Each(from, to time.Time, fn func(Record) bool) error {
	if !to.IsZero() && !from.Before(to) {
		return fmt.Errorf("querylog: empty period %s .. %s", from.Format(time.RFC3339), to.Format(time.RFC3339))
	}
	if err := l.each(from, to, false, fn); err != nil {
		return fmt.Errorf("querylog: each: %w", err)
	}
	return nil
}
