//go:build race

package chain_test

// raceEnabled: the race detector slows hashing ~8x; the scale test
// stores fewer events.
const raceEnabled = true
