package report_test

import (
	"testing"

	"go.uber.org/goleak"
)

// Every test here stops what it starts: the loopback DNS servers, the
// Inspect runs behind the golden reports.
func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }
