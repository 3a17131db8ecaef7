package main

import (
	"context"
	"fmt"

	"vanthu/internal/audit"
)

func auditCommands() map[string]command {
	return map[string]command{
		"verify": {summary: "check the audit log's hash chain", run: cmdAuditVerify},
	}
}

// cmdAuditVerify checks the whole audit chain; a broken chain exits
// non-zero so that a scheduled run alerts.
func cmdAuditVerify(ctx context.Context, a *app, args []string) error {
	fs := a.flags("audit verify", "vanthu audit verify")
	if err := parse(fs, args); err != nil {
		return helpOK(err)
	}
	if err := noArgs(fs); err != nil {
		return err
	}
	defer a.close()
	pool, err := a.db(ctx)
	if err != nil {
		return err
	}
	v, err := audit.New(pool).Verify(ctx)
	if err != nil {
		return err
	}
	if !v.OK {
		fmt.Fprintf(a.stdout, "audit log BROKEN after %d entries checked: %s\n", v.Checked, v.Reason)
		return fmt.Errorf("audit log has been tampered with: first broken entry is %d", v.FirstBrokenID)
	}
	fmt.Fprintf(a.stdout, "audit log intact: %d entries checked\n", v.Checked)
	return nil
}
