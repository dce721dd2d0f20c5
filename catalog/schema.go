package catalog

import "github.com/yingpu/govbot/store"

// Schema is the console-made disclosures' bucket family: its migrations, in order (serve
// runs every family's with store.Migrate at start-up).
func Schema() store.Family {
	return store.Family{Name: "catalog", Migrations: []store.Migration{
		store.CreateBuckets(bucketEntries, bucketAsks),
	}}
}
