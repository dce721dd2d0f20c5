package main

import (
	"github.com/yingpu/govbot/audit"
	"github.com/yingpu/govbot/dedupe"
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
	}
}
