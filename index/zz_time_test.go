package index

import (
	"context"
	"os"
	"testing"
	"time"
)

func TestZZTime(t *testing.T) {
	if os.Getenv("ZZT") == "" {
		t.Skip()
	}
	ix := sampleIndex(t)
	done := make(chan error, 1)
	go func() {
		ix2, err := OpenOrBuild(context.Background(), Options{Dir: sample.dir, DataDir: "../data"})
		if err == nil {
			t.Logf("opened %s", ix2.Generation())
			ix2.Close()
		}
		done <- err
	}()
	select {
	case err := <-done:
		t.Logf("returned %v", err)
	case <-time.After(20 * time.Second):
		t.Logf("HUNG")
	}
	_ = ix
}
