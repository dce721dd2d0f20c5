package main

import (
	"strings"
	"testing"

	"github.com/yingpu/govbot/store"
	bolt "go.etcd.io/bbolt"
)

// TestEveryBucketHasASchema serves, then checks that every bucket in the
// database belongs to a family serve migrates (its name up to the first
// '/'), each at its current version, so that no package keeps state
// outside the schema versions.
func TestEveryBucketHasASchema(t *testing.T) {
	e := startE2E(t)
	e.oaFollow("oSchemaFollower00000000000001")
	e.oaSay("oSchemaFollower00000000000001", "订阅 防汛")
	n := e.sendNotice(map[string]any{"title": "防汛预警", "body": "今晚有暴雨。", "audiences": []string{"防汛"}})
	e.waitNotice(n.ID, "done", func(n e2eNotice) bool { return n.Status == "done" })

	families := map[string]store.Family{}
	for _, f := range schemas() {
		if _, dup := families[f.Name]; dup {
			t.Errorf("family %s listed twice", f.Name)
		}
		families[f.Name] = f
	}
	versions, err := store.Versions(e.d.db)
	if err != nil {
		t.Fatal(err)
	}
	for name, f := range families {
		if versions[name] != f.Version() {
			t.Errorf("family %s at version %d, want %d", name, versions[name], f.Version())
		}
	}
	e.d.db.View(func(tx *bolt.Tx) error {
		return tx.ForEach(func(name []byte, _ *bolt.Bucket) error {
			fam, _, _ := strings.Cut(string(name), "/")
			if _, ok := families[fam]; !ok && fam != "store" {
				t.Errorf("bucket %s belongs to no family in schemas()", name)
			}
			return nil
		})
	})
}
