package adminapi

import "testing"

// Resolve makes the fake outbox a notice.Resolver holding two uncertain
// deliveries for every notice.
func (o *fakeOutbox) Resolve(id string, resend bool) (int, error) { return 2, nil }

func TestResolveUncertain(t *testing.T) {
	e := newEnv(t)
	draft := e.create(tokStaff, flood())
	if st, m := e.do("POST", "/api/notices/"+draft+"/uncertain", tokStaff, map[string]any{"resend": true}); st != 400 || m["code"] != 40006.0 {
		t.Fatalf("a draft: %d %v, want 400 40006", st, m)
	}
	id := e.create(tokStaff, flood())
	e.do("POST", "/api/notices/"+id+"/submit", tokStaff, nil)
	if st, m := e.do("POST", "/api/notices/"+id+"/approve", tokReviewer, nil); st != 200 || m["status"] != "sending" {
		t.Fatalf("approve: %d %v", st, m)
	}
	if st, m := e.do("POST", "/api/notices/"+id+"/uncertain", tokStaff, map[string]any{}); st != 400 {
		t.Fatalf("without resend: %d %v, want 400", st, m)
	}
	if st, _ := e.do("POST", "/api/notices/"+id+"/uncertain", tokStaff2, map[string]any{"resend": true}); st != 403 {
		t.Fatalf("another staff member: %d, want 403", st)
	}
	st, m := e.do("POST", "/api/notices/"+id+"/uncertain", tokStaff, map[string]any{"resend": false})
	if st != 200 {
		t.Fatalf("leave: %d %v", st, m)
	}
	hist := m["history"].([]any)
	if last := hist[len(hist)-1].(map[string]any); last["action"] != "leave_uncertain" || last["by"] != "wang" {
		t.Errorf("history ends %v", last)
	}
	if r := e.lastAudit(); r.Action != "notice.resolve_uncertain" || r.Actor != "wang" || r.Message != "resend=false count=2" {
		t.Errorf("audit %+v", r)
	}
}
