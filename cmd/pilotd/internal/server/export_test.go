package server

import (
	"context"
	"io"
)

// AddDemo exposes addDemo to the external tests of this package.
func (s *Service) AddDemo(ctx context.Context, out io.Writer) error { return s.addDemo(ctx, out) }

// DemoPassword is the demo accounts' password, for the tests.
const DemoPassword = demoPassword
