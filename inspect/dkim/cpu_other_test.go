//go:build !unix

package dkim

import "time"

func processCPU() (time.Duration, bool) { return 0, false }
