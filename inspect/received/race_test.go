//go:build race

package received

// raceEnabled shrinks the 1 MiB inputs of TestHugeHeaders under the race
// detector, which makes byte loops about ten times slower; the normal run
// keeps the full size.
const raceEnabled = true
