package auth

import "github.com/yingpu/govbot/store"

// Schema is the sessions' bucket family: its migrations, in order (serve
// runs every family's with store.Migrate at start-up).
func Schema() store.Family {
	return store.Family{Name: "auth", Migrations: []store.Migration{
		store.CreateBuckets(bucketSessions),
	}}
}
