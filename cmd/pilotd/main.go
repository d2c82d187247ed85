// Command pilotd is the SafetyPilot service: one binary that serves every pilot
// county of a province (or of the country), migrates its database, and offers
// the operator commands.
//
//	pilotd [serve] [flags]   migrate and serve (the default)
//	pilotd migrate [flags]   apply migrations and exit
//	pilotd audit-verify      check the audit log's hash chain
//	pilotd audit-purge       remove audit entries older than the retention (at least 180 days)
//	pilotd rotate-key [--profile guomi|international] [--resume]  new key version (or profile), re-seal personal data online
//	pilotd recount-cases     rebuild the case list's totals (case_counts) from the cases
//	pilotd generate [flags]  fill an empty database with a national data set (benchmarks)
//	pilotd reset-admin-password [--reset-totp]  give the national administrator "admin" a new one-time password
//	pilotd serve --demo      also add a demo province with three pilot counties
package main

import (
	"context"
	"fmt"
	"os"

	"safetypilot/cmd/pilotd/internal/server"
)

func main() {
	if err := server.Run(context.Background(), os.Args[1:], os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "pilotd:", err)
		os.Exit(1)
	}
}
