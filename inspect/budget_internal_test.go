package inspect

import (
	"testing"
	"time"
)

// TestBudget: no --timeout means the default budget, so a silent DNS
// server cannot hold a message for as long as its lookups take to time
// out one by one; a negative Timeout is the way to ask for none.
func TestBudget(t *testing.T) {
	cases := []struct {
		timeout, want time.Duration
	}{
		{0, DefaultTimeout},
		{-1, 0},
		{-time.Hour, 0},
		{5 * time.Second, 5 * time.Second},
		{2 * time.Minute, 2 * time.Minute},
	}
	for _, c := range cases {
		if got := (Options{Timeout: c.timeout}).budget(); got != c.want {
			t.Errorf("Options{Timeout: %v}.budget() = %v, want %v", c.timeout, got, c.want)
		}
	}
	if DefaultTimeout < 20*time.Second {
		t.Errorf("DefaultTimeout = %v, less than the 20 s RFC 7208 §4.6.4 asks SPF to allow", DefaultTimeout)
	}
}
