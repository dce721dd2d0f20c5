package lexicon

import "github.com/yingpu/govbot/store"

// Schema is the lexicon versions' bucket family: its migrations, in order (serve
// runs every family's with store.Migrate at start-up).
func Schema() store.Family {
	return store.Family{Name: "lexicon", Migrations: []store.Migration{
		store.CreateBuckets(bucketVersions),
	}}
}
