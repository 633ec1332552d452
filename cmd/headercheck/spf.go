package main

import (
	"fmt"
	"io"
)

// runSPF is `headercheck spf`: evaluates SPF for one IP and sender. The SPF
// evaluator lands with its own issue; until then this says so honestly.
func runSPF(args []string, stdout, stderr io.Writer) int {
	fmt.Fprintln(stderr, "headercheck spf: the SPF evaluator is not built yet")
	return 2
}
