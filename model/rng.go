package model

import (
	"crypto/sha256"
	"encoding/binary"
	"math/rand/v2"
)

// Component names an independent random stream of a run (MODEL-SPEC §3).
type Component uint64

// The random streams of a run.
const (
	StreamMarket Component = iota + 1
	StreamJumps
	StreamConsumers
	StreamChoice
	StreamArrivals
	StreamEntry
	// StreamReviews keys each consumer's own review stream under the event
	// engine (model.engine event): consumer j's PCG is seeded from this
	// stream's key and j (engine.go).
	StreamReviews
)

// StreamSeed returns the 32-byte ChaCha8 seed of one stream: SHA-256 of the
// little-endian uint64s (seed, replicate, component). It does not depend on the
// cell, so every policy sees the same draws (common random numbers, §3).
func StreamSeed(seed uint64, replicate int, c Component) [32]byte {
	var buf [24]byte
	binary.LittleEndian.PutUint64(buf[0:], seed)
	binary.LittleEndian.PutUint64(buf[8:], uint64(replicate))
	binary.LittleEndian.PutUint64(buf[16:], uint64(c))
	return sha256.Sum256(buf[:])
}

// NewStream returns a fresh ChaCha8 generator for one stream of a run. The
// simulation uses these streams for every component except StreamChoice, which
// it draws once per consumer per day and therefore runs on a PCG generator
// seeded from the first 16 bytes of StreamSeed(seed, replicate, StreamChoice)
// (still a function of seed, replicate and component only).
func NewStream(seed uint64, replicate int, c Component) *rand.Rand {
	return rand.New(rand.NewChaCha8(StreamSeed(seed, replicate, c)))
}

// RunSeed is the run's `seed` column: the first 8 bytes (little-endian) of
// SHA-256(seed, replicate, 0), a public fingerprint of the run's streams.
func RunSeed(seed uint64, replicate int) uint64 {
	s := StreamSeed(seed, replicate, 0)
	return binary.LittleEndian.Uint64(s[:8])
}
