package gsa

import (
	"errors"
	"fmt"
	"math/bits"
)

// SobolMaxDim is the largest dimension NewSobol supports: the number of
// Joe–Kuo rows embedded in the package (dimension 1 plus sobolJoeKuo). A
// Saltelli design uses 2k dimensions, so up to 64 factors.
const SobolMaxDim = len(sobolJoeKuo) + 1

// sobolBits is the number of binary digits of every coordinate: a sequence
// yields at most 2^32 points.
const sobolBits = 32

// ErrDesign is wrapped by every error about an invalid
// design or sample (dimension, sample size, levels, mismatched lengths).
var ErrDesign = errors.New("gsa: invalid design")

// SobolOptions configures a Sobol sequence.
type SobolOptions struct {
	// Scramble applies a random linear matrix scramble (Matoušek 1998) followed
	// by a random digital shift, drawn from a PCG source seeded with Seed. The
	// scrambled points keep the (t,m,s)-net structure of the sequence and are
	// each uniform on [0,1)^d, so estimators over them are unbiased and
	// replicates with different seeds give independent error estimates (Owen
	// 2003, "Variance with alternative scramblings of digital nets"). This is
	// the scrambling scipy.stats.qmc.Sobol uses.
	Scramble bool
	// Seed of the scrambling source; unused without Scramble.
	Seed uint64
	// Skip discards the first Skip points. The default 0 keeps the point at
	// the origin: dropping points breaks the balance of the first 2^m points
	// (Owen 2020, "On dropping the first Sobol' point"), so a skip is only for
	// reproducing designs from the literature that used one.
	Skip uint64
}

// Sobol generates the Sobol low-discrepancy sequence in [0,1)^d with the
// Joe–Kuo direction numbers new-joe-kuo-6.21201 (sobol_joekuo.go), in
// Gray-code order (Antonov and Saleev 1979), so that its unscrambled points
// equal those of the Joe–Kuo reference program and of
// scipy.stats.qmc.Sobol(d, scramble=False). A Sobol is not safe for
// concurrent use.
type Sobol struct {
	dim   int
	v     [][sobolBits]uint32 // direction numbers, v[d][i] for digit i+1
	shift []uint32
	x     []uint32 // current point (integer form)
	n     uint64   // index of the next point
	opt   SobolOptions
}

// NewSobol returns a Sobol sequence of dimension dim (1 ≤ dim ≤ SobolMaxDim),
// positioned at point opt.Skip. Errors wrap ErrDesign.
func NewSobol(dim int, opt SobolOptions) (*Sobol, error) {
	if dim < 1 || dim > SobolMaxDim {
		return nil, fmt.Errorf("%w: Sobol dimension %d outside 1..%d", ErrDesign, dim, SobolMaxDim)
	}
	s := &Sobol{dim: dim, v: make([][sobolBits]uint32, dim), shift: make([]uint32, dim), x: make([]uint32, dim), opt: opt}
	for i := range sobolBits {
		s.v[0][i] = 1 << (sobolBits - 1 - i)
	}
	for d := 1; d < dim; d++ {
		row := sobolJoeKuo[d-1]
		deg := int(row.s)
		v := &s.v[d]
		for i := 0; i < deg && i < sobolBits; i++ {
			v[i] = row.m[i] << (sobolBits - 1 - i)
		}
		// Recurrence of Joe and Kuo's reference implementation (bit-shifted
		// form of m_i = 2a_1m_{i−1} ⊕ … ⊕ 2^s m_{i−s} ⊕ m_{i−s}).
		for i := deg; i < sobolBits; i++ {
			v[i] = v[i-deg] ^ (v[i-deg] >> uint(deg))
			for k := 1; k < deg; k++ {
				if (row.a>>uint(deg-1-k))&1 == 1 {
					v[i] ^= v[i-k]
				}
			}
		}
	}
	if opt.Scramble {
		rng := newRand(opt.Seed, 0x5eb0150b01)
		for d := range dim {
			// Lower-triangular binary matrix with unit diagonal acting on the
			// digit vector (digit 1 = most significant bit): row i keeps
			// digit i and a random subset of digits 1..i−1.
			var rows [sobolBits]uint32
			for i := range sobolBits {
				hi := uint32(0)
				if i > 0 {
					hi = rng.Uint32() &^ (1<<(sobolBits-i) - 1) // digits 1..i only
				}
				rows[i] = hi | 1<<(sobolBits-1-i)
			}
			for j := range sobolBits {
				var out uint32
				for i := range sobolBits {
					if bits.OnesCount32(rows[i]&s.v[d][j])&1 == 1 {
						out |= 1 << (sobolBits - 1 - i)
					}
				}
				s.v[d][j] = out
			}
			s.shift[d] = rng.Uint32()
		}
	}
	s.Seek(opt.Skip)
	return s, nil
}

// Dim returns the dimension of the sequence.
func (s *Sobol) Dim() int { return s.dim }

// Seek positions the sequence so that the next point is point n (0-based, in
// Gray-code order, counting from the unskipped start).
func (s *Sobol) Seek(n uint64) {
	g := n ^ (n >> 1)
	for d := range s.dim {
		var x uint32
		for i := 0; i < sobolBits && g>>uint(i) != 0; i++ {
			if (g>>uint(i))&1 == 1 {
				x ^= s.v[d][i]
			}
		}
		s.x[d] = x
	}
	s.n = n
}

// Next writes the next point into dst (allocated when nil or of the wrong
// length) and returns it. Coordinates are k/2^32 for integers k: the first
// unscrambled point is the origin. Next panics after 2^32 points.
func (s *Sobol) Next(dst []float64) []float64 {
	if len(dst) != s.dim {
		dst = make([]float64, s.dim)
	}
	if s.n >= 1<<sobolBits {
		panic("gsa: Sobol sequence exhausted (2^32 points)")
	}
	const scale = 1.0 / (1 << sobolBits)
	for d := range s.dim {
		dst[d] = float64(s.x[d]^s.shift[d]) * scale
	}
	// Advance in Gray-code order: flip the direction number of the lowest
	// zero bit of n.
	c := bits.TrailingZeros64(^s.n)
	if c < sobolBits {
		for d := range s.dim {
			s.x[d] ^= s.v[d][c]
		}
	}
	s.n++
	return dst
}

// Sample returns the next n points as rows of length Dim.
func (s *Sobol) Sample(n int) [][]float64 {
	out := make([][]float64, n)
	for i := range out {
		out[i] = s.Next(nil)
	}
	return out
}
