package importstore

import "github.com/yingpu/govbot/store"

// Schema is the imported pages' bucket family: its migrations, in order (serve
// runs every family's with store.Migrate at start-up).
func Schema() store.Family {
	return store.Family{Name: "import", Migrations: []store.Migration{
		store.CreateBuckets(bucketPages),
	}}
}
