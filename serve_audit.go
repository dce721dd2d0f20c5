package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"path/filepath"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/yingpu/govbot/audit"
	"github.com/yingpu/govbot/clock"
	"github.com/yingpu/govbot/config"
)

// auditPruneInterval: how often refused-request records past
// audit.refused_retention_days lose their details.
const auditPruneInterval = 24 * time.Hour

// auditKeyFile is where the audit key is kept (audit.key_file, relative
// to the state directory).
func auditKeyFile(cfg config.Config) string {
	if filepath.IsAbs(cfg.Audit.KeyFile) {
		return cfg.Audit.KeyFile
	}
	return filepath.Join(cfg.StateDir, cfg.Audit.KeyFile)
}

// openAudit opens the audit log signed with the key of audit.key_file.
// When the key is made now, a log written before keys is verified and
// signed once (an audit.rekey record says so). Every command that appends
// to the log opens it here, so that all sign with the same key.
func openAudit(db *bolt.DB, cfg config.Config, clk clock.Clock, logger *slog.Logger) (*audit.Log, error) {
	key, created, err := audit.LoadKey(auditKeyFile(cfg))
	if err != nil {
		return nil, err
	}
	log, err := audit.New(db, clk, audit.WithKey(key))
	if err != nil {
		return nil, err
	}
	if !created {
		return log, nil
	}
	logger.Info("audit key made", "file", auditKeyFile(cfg))
	n, err := log.Rekey()
	switch {
	case err != nil:
		logger.Error("audit log written before the key does not verify; left unsigned so the damage stays visible", "err", err)
	case n > 0:
		logger.Info("audit log signed with the new key", "records", n)
		if _, err := log.Append(audit.Record{Actor: "system", Action: "audit.rekey",
			Message: fmt.Sprintf("已校验此前的 %d 条记录，并改用密钥签名", n)}); err != nil {
			return nil, err
		}
	}
	return log, nil
}

// verifyAudit checks the whole chain at start-up; a broken chain is
// logged as an error (the audit page shows it too) and serving goes on.
func verifyAudit(log *audit.Log, logger *slog.Logger) {
	n, err := log.Verify()
	if errors.Is(err, audit.ErrTampered) {
		logger.Error("AUDIT LOG DOES NOT VERIFY: records were changed, removed or re-chained", "records_checked", n, "err", err)
		return
	}
	if err != nil {
		logger.Error("audit log verification failed", "err", err)
		return
	}
	logger.Info("audit log verified", "records", n)
}

// pruneAudit enforces audit.refused_retention_days at start and daily.
func (d *serveDeps) pruneAudit(ctx context.Context) {
	days := d.cfg.Audit.RefusedRetentionDays
	if days <= 0 {
		return
	}
	prune := func() {
		n, err := d.audit.PruneRefused(d.clock.Now().Add(-time.Duration(days) * 24 * time.Hour))
		if err != nil {
			d.logger.Error("audit prune failed", "err", err)
			return
		}
		if n > 0 {
			d.logger.Info("audit: details of old refused requests dropped", "records", n, "refused_retention_days", days)
		}
	}
	prune()
	t := time.NewTicker(auditPruneInterval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			prune()
		}
	}
}
