package indexjobs

import "github.com/yingpu/govbot/store"

// Schema is the index jobs' bucket family: its migrations, in order (serve
// runs every family's with store.Migrate at start-up).
func Schema() store.Family {
	return store.Family{Name: "indexjobs", Migrations: []store.Migration{
		store.CreateBuckets(bucketJobs),
	}}
}
