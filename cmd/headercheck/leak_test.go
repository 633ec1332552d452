package main

import (
	"testing"

	"go.uber.org/goleak"
)

// The report mode inspects messages on worker goroutines, the tests start
// loopback DNS servers, and the TUI runs its own loop: when the tests are
// done, none of them may still run.
func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }
