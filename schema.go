package main

import (
	"github.com/yingpu/govbot/audit"
	"github.com/yingpu/govbot/auth"
	"github.com/yingpu/govbot/catalog"
	"github.com/yingpu/govbot/convstore"
	"github.com/yingpu/govbot/dedupe"
	"github.com/yingpu/govbot/importstore"
	"github.com/yingpu/govbot/indexjobs"
	"github.com/yingpu/govbot/lexicon"
	"github.com/yingpu/govbot/notice"
	"github.com/yingpu/govbot/outbox"
	"github.com/yingpu/govbot/querylog"
	"github.com/yingpu/govbot/store"
	"github.com/yingpu/govbot/subscribe"
)

// schemas lists every bucket family of the database. serve brings them all
// to their current version in one transaction before anything reads them.
func schemas() []store.Family {
	return []store.Family{
		subscribe.Schema(),
		querylog.Schema(),
		audit.Schema(),
		notice.Schema(),
		outbox.Schema(),
		dedupe.Schema(),
		convstore.Schema(),
		auth.Schema(),
		catalog.Schema(),
		importstore.Schema(),
		indexjobs.Schema(),
		lexicon.Schema(),
		opsSchema(),
	}
}

// opsSchema is serve's own bucket family (the readiness probe's writes).
func opsSchema() store.Family {
	return store.Family{Name: "ops", Migrations: []store.Migration{store.CreateBuckets(bucketHealth)}}
}
