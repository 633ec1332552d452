package message_test

import (
	"testing"

	"go.uber.org/goleak"
)

// Loading reads pipes and files; no goroutine of a test may outlive it.
func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }
