// Package seeds names the seed migrations (reference data loaded in the
// migration sequence) in one place, for the service, its tools and tests.
package seeds

import (
	"safetypilot/modules/calendar"
	"safetypilot/modules/catalog"
	"safetypilot/modules/db"
	"safetypilot/tenants"
)

// All returns every seed in migration order: the divisions, the basic
// catalog and the official working-day calendars. Their numbers continue
// after the last SQL file that existed when each was added.
func All() []db.Seed {
	return []db.Seed{
		tenants.SeedMigration(15),
		catalog.SeedMigration(16),
		calendar.SeedMigration(26),
	}
}
