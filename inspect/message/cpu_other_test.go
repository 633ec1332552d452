//go:build !unix

package message_test

import "time"

func processCPU() (time.Duration, bool) { return 0, false }
