package tui

import (
	"testing"

	"go.uber.org/goleak"
)

// Every test here stops what it starts: the programs teatest runs, the
// inspections and DNS servers behind them, the tmux session of the
// end-to-end test.
//
// teatest.NewTestModel starts a goroutine that waits for SIGINT to kill
// the program and never returns otherwise (teatest.go:168 of the version
// in go.mod): one per test model, teatest's own, ignored here. The
// goroutine that runs the program is not ignored, so a program a test
// leaves running still fails the run.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m, goleak.IgnoreTopFunction("github.com/charmbracelet/x/exp/teatest/v2.NewTestModel.func2"))
}
