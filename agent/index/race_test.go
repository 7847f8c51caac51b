//go:build race

package index

// raceEnabled: under the race detector sync.Pool drops a share of what is
// put back, so a test of what the pool saves cannot hold.
const raceEnabled = true
