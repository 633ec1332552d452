package arc_test

import (
	"testing"

	"go.uber.org/goleak"
)

// The tests start loopback DNS servers (stopped in t.Cleanup) and the
// checks may run lookups concurrently; no goroutine may outlive them.
func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }
