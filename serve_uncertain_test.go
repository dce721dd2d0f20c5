package main

import (
	"encoding/binary"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/yingpu/govbot/push/pushtest"
	"github.com/yingpu/govbot/store"
	bolt "go.etcd.io/bbolt"
)

// TestE2EInterruptedDeliveryHeldForStaff: a notice's robot delivery was
// being sent when the server died (its record says in flight, as a
// kill -9 leaves it). On restart, the notice being normal, the delivery is
// held as uncertain, not resent; the report over the API lists it, the
// notice's history and the audit log record the interruption; the author
// resends it through the API, and the robot gets it.
func TestE2EInterruptedDeliveryHeldForStaff(t *testing.T) {
	e := startE2E(t)
	n := e.sendNotice(map[string]any{"title": "停水通知", "body": "明日 9 时至 12 时停水。", "audiences": []string{"防汛"}})
	e.waitNotice(n.ID, "done", func(n e2eNotice) bool { return n.Status == "done" })
	e.stop()

	// Put the database back as a crash in the robot's send leaves it.
	db, err := store.Open(dbFile(e.cfg))
	if err != nil {
		t.Fatal(err)
	}
	id, _ := strconv.ParseUint(n.ID, 10, 64)
	edit := func(tx *bolt.Tx, bucket string, key []byte, fn func(m map[string]any)) {
		b := tx.Bucket([]byte(bucket))
		var m map[string]any
		if err := json.Unmarshal(b.Get(key), &m); err != nil {
			t.Fatalf("%s %q: %v", bucket, key, err)
		}
		fn(m)
		data, _ := json.Marshal(m)
		if err := b.Put(key, data); err != nil {
			t.Fatal(err)
		}
	}
	if err := db.Update(func(tx *bolt.Tx) error {
		edit(tx, "notice/notices", binary.BigEndian.AppendUint64(nil, id), func(m map[string]any) {
			m["status"] = "sending"
			delete(m, "done_at")
		})
		edit(tx, "outbox/jobs", []byte(n.ID), func(m map[string]any) {
			m["remaining"], m["completed"], m["signalled"] = 1, time.Time{}, false
		})
		edit(tx, "outbox/deliveries", []byte(n.ID+"\x00robot\x00robot\x00"+e2eRobotKey), func(m map[string]any) {
			m["state"], m["in_flight_since"], m["finished"] = "in_flight", time.Now(), time.Time{}
		})
		return tx.Bucket([]byte("outbox/open")).Put([]byte(n.ID), nil)
	}); err != nil {
		t.Fatal(err)
	}
	db.Close()

	r := startE2EOn(t, e.cfg.StateDir)
	got := r.waitNotice(n.ID, "the interruption recorded", func(n e2eNotice) bool {
		for _, h := range n.History {
			if h.Action == "uncertain" {
				return true
			}
		}
		return false
	})
	if got.Status != "sending" || got.Report.Done {
		t.Fatalf("notice %s, report %+v: want sending, not done", got.Status, got.Report)
	}
	status, b := r.call("GET", "/api/notices/"+n.ID, e2eStaffToken, nil)
	if status != 200 || !strings.Contains(string(b), `"uncertain":1`) || !strings.Contains(string(b), `"held":[{"channel":"robot"`) {
		t.Fatalf("report over the API: %d %s", status, b)
	}
	if c := r.api.Count(pushtest.PathRobot); c != 0 {
		t.Fatalf("the held delivery was sent %d times before staff decided", c)
	}
	status, b = r.call("GET", "/api/audit?notice="+n.ID, e2eAdminToken, nil)
	if status != 200 || !strings.Contains(string(b), `"notice.uncertain"`) {
		t.Fatalf("audit lacks notice.uncertain: %d %s", status, b)
	}

	r.refused(http.StatusBadRequest, 40002, "POST", "/api/notices/"+n.ID+"/uncertain", e2eStaffToken, map[string]any{})
	r.notice(http.StatusOK, "POST", "/api/notices/"+n.ID+"/uncertain", e2eStaffToken, map[string]any{"resend": true})
	done := r.waitNotice(n.ID, "done", func(n e2eNotice) bool { return n.Status == "done" })
	if done.Report.Sent != done.Report.Total || !done.Report.Done {
		t.Errorf("report after the resend: %+v", done.Report)
	}
	r.api.AssertDeliveredOnce(pushtest.PathRobot, e2eRobotKey)
	status, b = r.call("GET", "/api/audit?notice="+n.ID, e2eAdminToken, nil)
	if status != 200 || !strings.Contains(string(b), `"notice.resolve_uncertain"`) {
		t.Errorf("audit lacks notice.resolve_uncertain: %d %s", status, b)
	}
}
