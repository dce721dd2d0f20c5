package main

import (
	"encoding/json"
	"os"
	"strings"
	"testing"

	bolt "go.etcd.io/bbolt"

	"github.com/yingpu/govbot/audit"
	"github.com/yingpu/govbot/store"
)

// TestAuditKeyedAndVerifiedAtStart: the audit log is signed with the key
// made in the state directory; a record edited in the database while the
// server is down (even re-hashed, as anyone can without the key) is
// reported at the next start and on the audit page.
func TestAuditKeyedAndVerifiedAtStart(t *testing.T) {
	state := t.TempDir()
	e := startE2EOn(t, state)
	if st, _ := e.call("GET", "/api/me", e2eStaffToken, nil); st != 200 {
		t.Fatalf("me: %d", st)
	}
	e.call("GET", "/api/me", e2eAdminToken, nil)
	if fi, err := os.Stat(auditKeyFile(e.cfg)); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("audit key file: %v %v", fi, err)
	}
	if n, err := e.d.audit.Verify(); err != nil || n < 2 {
		t.Fatalf("verify: %d %v", n, err)
	}
	cfg := e.cfg
	e.stop()

	// Change who did the first action, and re-hash it with SHA-256.
	db, err := store.Open(dbFile(cfg))
	if err != nil {
		t.Fatal(err)
	}
	err = db.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket([]byte("audit/log"))
		k, v := b.Cursor().First()
		var r audit.Record
		if err := json.Unmarshal(v, &r); err != nil {
			return err
		}
		r.Actor = "admin"
		data, _ := json.Marshal(r)
		return b.Put(k, data)
	})
	db.Close()
	if err != nil {
		t.Fatal(err)
	}

	e2 := startE2EOn(t, state)
	if !strings.Contains(e2.logs.String(), "AUDIT LOG DOES NOT VERIFY") {
		t.Errorf("start-up did not report the edited record:\n%s", e2.logs.String())
	}
	if _, err := e2.d.audit.Verify(); err == nil || !strings.Contains(err.Error(), "record 1 was changed") {
		t.Errorf("verify after the edit: %v", err)
	}
}
