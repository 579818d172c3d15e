package model

import "math"

func abslog1p(x float64) float64 { return math.Abs(math.Log1p(x)) }
