package iprev_test

import (
	"testing"

	"go.uber.org/goleak"
)

// The checks start no goroutines of their own; the loopback servers stop
// in t.Cleanup. Nothing may be left running.
func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }
