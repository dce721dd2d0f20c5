package index

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/yingpu/govbot/content"
)

// Publish makes d a disclosure of this index for good (a public notice
// when it is sent): it must pass the privacy check and validate; it is
// written to Options.PublishDir/<id>.jsonl (atomically: a temporary file,
// synced, then renamed), which every rebuild reads, and then added to the
// live generation. Publishing the same ID again replaces it.
func (ix *Index) Publish(d content.Disclosure) error {
	dir := ix.opts.PublishDir
	if dir == "" {
		return errors.New("index: no PublishDir to publish into")
	}
	if d.ID == "" || d.ID != filepath.Base(d.ID) || strings.HasPrefix(d.ID, ".") {
		return fmt.Errorf("index: disclosure ID %q cannot name a file", d.ID)
	}
	if f := content.CheckPrivacy(&d); len(f) > 0 {
		return fmt.Errorf("disclosure %s fails the privacy check: %v", d.ID, f[0])
	}
	if err := d.Validate(); err != nil {
		return err
	}
	if err := writeJSONLine(dir, d.ID+".jsonl", d); err != nil {
		return fmt.Errorf("publish %s: %w", d.ID, err)
	}
	return ix.Add(d)
}

// writeJSONLine writes v as one JSON line to dir/name, atomically.
func writeJSONLine(dir, name string, v any) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	f, err := os.CreateTemp(dir, name+".*.tmp")
	if err != nil {
		return err
	}
	tmp := f.Name()
	_, werr := f.Write(append(b, '\n'))
	if werr == nil {
		werr = f.Sync()
	}
	if cerr := f.Close(); werr == nil {
		werr = cerr
	}
	if werr == nil {
		werr = os.Rename(tmp, filepath.Join(dir, name))
	}
	if werr != nil {
		os.Remove(tmp)
	}
	return werr
}
