package gsa

import "math/rand/v2"

// newRand returns the PCG source of one use (tag) of a seed; both PCG words
// are hashed (MixSeed) so that nearby seeds give unrelated streams.
func newRand(seed, tag uint64) *rand.Rand {
	return rand.New(rand.NewPCG(MixSeed(seed, tag), MixSeed(seed, ^tag)))
}

// MixSeed mixes a seed with a tag by the SplitMix64 finalizer (Steele, Lea
// and Flood 2014), so that one study seed gives unrelated seeds to each use.
func MixSeed(seed, tag uint64) uint64 {
	z := seed + tag*0x9e3779b97f4a7c15
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	return z ^ (z >> 31)
}
