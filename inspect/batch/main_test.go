package batch_test

import (
	"testing"

	"go.uber.org/goleak"
)

// No worker, dispatcher or DNS lookup outlives the run that started it,
// in any test: the per-test checks of TestCancel and TestEmitError, run
// over the whole package.
func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }
