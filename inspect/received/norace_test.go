//go:build !race

package received

const raceEnabled = false
