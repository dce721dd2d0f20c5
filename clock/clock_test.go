package clock

import (
	"testing"
	"time"
)

func TestFake(t *testing.T) {
	t0 := time.Date(2026, 6, 1, 9, 0, 0, 0, Shanghai)
	f := NewFake(t0)
	if !f.Now().Equal(t0) {
		t.Fatalf("Now = %v, want %v", f.Now(), t0)
	}
	if got := f.Advance(90 * time.Second); !got.Equal(t0.Add(90*time.Second)) || !f.Now().Equal(got) {
		t.Fatalf("Advance: %v, Now %v", got, f.Now())
	}
	f.Set(t0.Add(-time.Hour)) // a clock may step back
	if !f.Now().Equal(t0.Add(-time.Hour)) {
		t.Fatalf("Set: Now = %v", f.Now())
	}
}
