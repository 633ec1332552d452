package dnsx_test

import (
	"testing"

	"go.uber.org/goleak"
)

// Every test here stops what it starts: servers, lookups in flight, cache
// flights abandoned by their callers.
func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }
