package index

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestPublish: a published disclosure is answered at once, kept in
// PublishDir, and still answered after a rebuild; one that fails the
// privacy check or validation, or whose ID cannot name a file, is neither
// kept nor answered.
func TestPublish(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pub := filepath.Join(t.TempDir(), "published") // absent at first
	opts := Options{Dir: filepath.Join(t.TempDir(), "index"), DataDir: smallDataDir(t, []string{"ben-001", "emp-004"}), PublishDir: pub}
	ix, err := OpenOrBuild(ctx, opts)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { ix.Close() }()

	d := newDisclosure(t, "notice-7", "盈浦街道社区修伞磨刀便民服务日通知",
		"每月15日上午，志愿者在社区文化活动中心门前提供修伞、磨刀等便民服务，不收费。", "修伞", "磨刀")
	if err := ix.Publish(d); err != nil {
		t.Fatalf("Publish: %v", err)
	}
	if id := topID(t, ix, "修伞磨刀"); id != "notice-7" {
		t.Errorf("after Publish: top %q, want notice-7", id)
	}
	if _, err := os.Stat(filepath.Join(pub, "notice-7.jsonl")); err != nil {
		t.Errorf("not kept: %v", err)
	}

	leaky := newDisclosure(t, "notice-8", "社区配钥匙服务通知", "每周二提供配钥匙服务，联系人手机13912345678。", "配钥匙")
	noURL := newDisclosure(t, "notice-9", "社区理发服务通知", "每周三提供理发服务。", "理发")
	noURL.URL = ""
	badID := newDisclosure(t, "../notice-10", "社区缝补服务通知", "每周四提供缝补服务。", "缝补")
	for _, c := range []struct {
		name, want, q string
		id            string
		err           error
	}{
		{"privacy", "privacy", "配钥匙", leaky.ID, ix.Publish(leaky)},
		{"no url", "url", "理发", noURL.ID, ix.Publish(noURL)},
		{"bad id", "file", "缝补", badID.ID, ix.Publish(badID)},
	} {
		if c.err == nil || !strings.Contains(c.err.Error(), c.want) {
			t.Errorf("%s: Publish err %v, want one naming %q", c.name, c.err, c.want)
		}
		if rankOf(askOn(t, ix, Query{Text: c.q, Now: evalDay}), c.id) != 0 {
			t.Errorf("%s: refused %s is answered", c.name, c.id)
		}
	}
	entries, _ := os.ReadDir(pub)
	if len(entries) != 1 {
		t.Errorf("PublishDir holds %d files, want only notice-7.jsonl", len(entries))
	}

	ix.Close()
	if _, err := Rebuild(ctx, opts); err != nil {
		t.Fatal(err)
	}
	if ix, err = OpenOrBuild(ctx, opts); err != nil {
		t.Fatal(err)
	}
	if id := topID(t, ix, "修伞磨刀"); id != "notice-7" {
		t.Errorf("after a rebuild: top %q, want notice-7", id)
	}
}
