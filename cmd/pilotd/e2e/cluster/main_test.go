// Package cluster_test runs the service on a 3-node MariaDB Galera cluster
// that .ci/galera brings up, with one replica writing through each node.
package cluster_test

import (
	"testing"

	"safetypilot/cmd/pilotd/internal/e2e"
)

func TestMain(m *testing.M) { e2e.Main(m) }
