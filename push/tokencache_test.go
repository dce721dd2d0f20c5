package push_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/yingpu/govbot/clock"
	"github.com/yingpu/govbot/push"
)

func newPlainServer(t *testing.T, h http.Handler) string {
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv.URL
}

func TestTokenCacheExpiry(t *testing.T) {
	clk := clock.NewFake(time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC))
	c := push.NewTokenCache(clk)
	if err := c.Set("k", "v", time.Minute); err != nil {
		t.Fatal(err)
	}
	if err := c.Set("forever", "v", 0); err != nil {
		t.Fatal(err)
	}
	clk.Advance(59 * time.Second)
	if c.Get("k") != "v" || !c.IsExist("k") {
		t.Fatal("value gone before expiry")
	}
	clk.Advance(time.Second)
	if c.Get("k") != nil || c.IsExist("k") {
		t.Fatal("value kept after expiry")
	}
	if c.Get("forever") != "v" {
		t.Fatal("value without timeout expired")
	}
	_ = c.Delete("forever")
	if c.IsExist("forever") {
		t.Fatal("deleted value still there")
	}
}

func TestTokenCacheConcurrent(t *testing.T) {
	clk := clock.NewFake(time.Unix(0, 0))
	c := push.NewTokenCache(clk)
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Go(func() {
			for j := range 200 {
				k := fmt.Sprint("k", j%5)
				_ = c.Set(k, fmt.Sprint(i, j), time.Second)
				_ = c.Get(k)
				_ = c.IsExist(k)
				if j%7 == 0 {
					_ = c.Delete(k)
					clk.Advance(time.Millisecond)
				}
			}
		})
	}
	wg.Wait()
}
