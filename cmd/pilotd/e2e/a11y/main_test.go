package a11y_test

import (
	"testing"

	"safetypilot/cmd/pilotd/internal/e2e"
)

func TestMain(m *testing.M) { e2e.Main(m) }
