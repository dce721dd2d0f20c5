package audit

import "github.com/yingpu/govbot/store"

// Schema is the audit log's bucket family: its migrations, in order.
func Schema() store.Family {
	return store.Family{Name: "audit", Migrations: []store.Migration{
		store.CreateBuckets(bucketLog),
	}}
}
