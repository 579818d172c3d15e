package garch

import (
	"errors"
	"fmt"
	"math"
	"sort"

	"github.com/tokensim/tokensim/stats"
	"gonum.org/v1/gonum/mat"
	"gonum.org/v1/gonum/mathext"
	"gonum.org/v1/gonum/optimize"
)

// ErrFit is wrapped by the errors Fit returns: too few or
// non-finite returns, a constant series, or no start point that converged.
var ErrFit = errors.New("GARCH fit")

// MinReturns is the fewest returns Fit accepts.
const MinReturns = 250

// FitOptions configure Fit. The zero value estimates all five
// parameters freely.
type FitOptions struct {
	// VarianceTargeting fixes ω = s²·(1−α−β), with s² the sample variance of
	// the returns, so that the fitted unconditional variance equals the
	// sample's; only μ, α, β, ν are estimated. It is the usual choice for
	// simulation: the simulated series then has the data's volatility level.
	VarianceTargeting bool
	// MaxPersistence caps the persistence: the fit constrains α+β ≤
	// MaxPersistence. 0 (the default) means no cap, i.e. α+β < 1; otherwise
	// it must lie in (0, 1] (1 is the same as no cap). A variance shock
	// decays by the factor α+β per day, so its half-life is ln 0.5 / ln(α+β)
	// days (34 days at 0.98, 693 at 0.999): a cap keeps the volatility of a
	// simulated path from collapsing to ω/(1−α−β)-level noise or exploding
	// when the data's unconstrained optimum is (nearly) integrated, e.g.
	// because the volatility level shifted within the sample, which a single
	// GARCH(1,1) cannot represent. The cap is an assumption, not an estimate:
	// when it binds Fit warns, and the standard errors are conditional
	// on α+β fixed at the cap.
	MaxPersistence float64
	// ZeroMean fixes μ = 0 instead of estimating it: only ω, α, β, ν (or
	// α, β, ν with VarianceTargeting) are estimated. MODEL-SPEC-v2 §A.2: a
	// payment token has no built-in trend, so the holders' GARCH is fitted
	// with zero drift rather than fitted freely and its μ̂ then set to 0.
	// SE.Mu and RobustSE.Mu are NaN (μ is not estimated) and the other SEs
	// are conditional on μ = 0.
	ZeroMean bool
}

// garchCapTolerance is how close to MaxPersistence the fitted α+β must be
// for Fit to regard the cap as binding.
const garchCapTolerance = 1e-4

// FitResult is the maximum-likelihood fit of Params to a return series.
type FitResult struct {
	Params
	// SE are the standard errors from the observed information (the inverse
	// of minus the numerical Hessian of the log-likelihood at the optimum, in
	// the parameters μ, ω, α, β, ν themselves). With variance targeting, ω is
	// not estimated: SE.Omega is the delta-method SE of s²·(1−α−β) from the
	// SEs of α and β, treating s² as known; all targeted SEs are conditional
	// on s² and understate the uncertainty, badly when ν < 4 (the returns'
	// fourth moment is infinite and s² converges slowly; Fit warns).
	// NaN when the information matrix is not positive definite (see
	// Warnings).
	SE Params
	// RobustSE are quasi-maximum-likelihood ("sandwich") standard errors,
	// I⁻¹·B·I⁻¹ with I the observed information and B the outer product of
	// the per-day scores (White 1982; Bollerslev and Wooldridge 1992): valid
	// when the innovations are not exactly standardized Student-t. They
	// should be close to SE when the model fits; much larger RobustSE are a
	// sign of misspecification.
	RobustSE Params
	// Cov is the 5×5 covariance matrix of (μ, ω, α, β, ν) behind SE (nil
	// when unavailable).
	Cov [][]float64
	// SEPersistence is the SE of α+β.
	SEPersistence float64
	// LogLikelihood is the maximized log-likelihood Σ_t ln f(r_t | past),
	// in the units of the returns (densities of r, not of r/scale).
	LogLikelihood float64
	// N is the number of returns fitted.
	N int
	// VarianceTargeting records FitOptions.VarianceTargeting.
	VarianceTargeting bool
	// ZeroMean records FitOptions.ZeroMean (μ fixed at 0).
	ZeroMean bool
	// MaxPersistence records FitOptions.MaxPersistence (0: no cap), and
	// AtPersistenceCap whether the fitted α+β is at that cap (within 1e-4;
	// Fit then warns and the SEs are conditional on α+β = the cap).
	MaxPersistence   float64
	AtPersistenceCap bool
	// SampleMean and SampleSD are the mean and the standard deviation
	// (denominator N−1) of the returns; InitialVariance = SampleSD² is σ²_1,
	// the variance the recursion starts from.
	SampleMean      float64
	SampleSD        float64
	InitialVariance float64
	// ResidualVariance is the mean of the squared standardized residuals
	// ẑ²_t = e²_t/σ²_t at the estimate. The model has E z² = 1; a value far
	// from 1 (Fit warns outside 0.67..1.5) means the fitted σ_t do not
	// match the size of the returns, and simulations with these parameters
	// will not reproduce the data's volatility.
	ResidualVariance float64
	// UnconditionalSD = sqrt(ω/(1−α−β)) per day; AnnualizedVol =
	// UnconditionalSD·√365 (crypto trades every day).
	UnconditionalSD float64
	AnnualizedVol   float64
	// Status is the optimizer's termination status of the best start, and
	// Starts/Evaluations count the start points and likelihood evaluations.
	Status string
	// GradientNorm is the largest absolute component of the gradient of
	// the mean negative log-likelihood (scaled returns, optimizer
	// coordinates) at the estimate; above 1e-6 Fit warns.
	GradientNorm float64
	Starts       int
	Evaluations  int
	// Warnings report binding constraints (persistence near 1, α or β at 0,
	// ν near 2 or very large) and numerical trouble.
	Warnings []string
}

// LogLikelihood returns the log-likelihood of the returns r under p,
// with the recursion started at σ²_1 = h1:
//
//	ℓ = Σ_t [ ln Γ((ν+1)/2) − ln Γ(ν/2) − ½ ln(π(ν−2)σ²_t)
//	          − (ν+1)/2 · ln(1 + e²_t/((ν−2)σ²_t)) ],  e_t = r_t − μ,
//
// the density of the Student-t scaled to variance σ²_t (Bollerslev 1987).
// It returns −Inf when a variance is not positive or ν ≤ 2. Fit uses
// h1 = the sample variance of r.
func LogLikelihood(r []float64, p Params, h1 float64) float64 {
	ll, _ := garchLogLik(r, [5]float64{p.Mu, p.Omega, p.Alpha, p.Beta, p.Nu}, h1, false)
	return ll
}

// garchLogLik returns the log-likelihood and, when grad is set, its gradient
// with respect to θ = (μ, ω, α, β, ν). σ²_1 = h1 does not depend on θ.
func garchLogLik(y []float64, th [5]float64, h1 float64, grad bool) (float64, [5]float64) {
	var g [5]float64
	mu, om, al, be, nu := th[0], th[1], th[2], th[3], th[4]
	if !(nu > 2) || math.IsInf(nu, 0) || !(h1 > 0) {
		return math.Inf(-1), g
	}
	lg1, _ := math.Lgamma((nu + 1) / 2)
	lg2, _ := math.Lgamma(nu / 2)
	c := lg1 - lg2 - 0.5*math.Log(math.Pi*(nu-2))
	var dc float64
	if grad {
		dc = 0.5*mathext.Digamma((nu+1)/2) - 0.5*mathext.Digamma(nu/2) - 0.5/(nu-2)
	}
	h := h1
	var dh [4]float64 // dσ²_t/d(μ, ω, α, β)
	ll := 0.0
	for t, yt := range y {
		if t > 0 {
			ep := y[t-1] - mu
			if grad {
				dh = [4]float64{
					-2*al*ep + be*dh[0],
					1 + be*dh[1],
					ep*ep + be*dh[2],
					h + be*dh[3],
				}
			}
			h = om + al*ep*ep + be*h
		}
		if !(h > 0) || math.IsInf(h, 0) {
			return math.Inf(-1), g
		}
		e := yt - mu
		q := e * e / ((nu - 2) * h)
		l1q := math.Log1p(q)
		ll += c - 0.5*math.Log(h) - 0.5*(nu+1)*l1q
		if grad {
			dldh := -0.5/h + 0.5*(nu+1)*q/(h*(1+q))
			dlde := -(nu + 1) * e / ((nu - 2) * h * (1 + q))
			g[0] += dldh*dh[0] - dlde
			g[1] += dldh * dh[1]
			g[2] += dldh * dh[2]
			g[3] += dldh * dh[3]
			g[4] += dc - 0.5*l1q + 0.5*(nu+1)*q/((nu-2)*(1+q))
		}
	}
	if math.IsNaN(ll) || math.IsInf(ll, 0) {
		return math.Inf(-1), g
	}
	return ll, g
}

// garchReparam maps unconstrained optimizer coordinates to θ = (μ, ω, α, β,
// ν) and back, so that the constraints hold everywhere (a smooth bijection):
//
//	μ = m,  ω = exp(a) (or s²(1−p) with variance targeting),
//	p = α+β = P·logistic(b),  α = p·logistic(c),  β = p·(1−logistic(c)),
//	ν = 2 + (garchNuMax−2)·logistic(d),
//
// with P the persistence cap (FitOptions.MaxPersistence, 1 without a cap).
// The boundaries α = 0, β = 0, α+β = P and ν = 2 are reached only at ±∞.
// ν is capped at garchNuMax = 500 (a t with 500 degrees of freedom is
// indistinguishable from the normal in any daily series); without the cap
// ν drifts off to infinity on normal data, where the likelihood is flat.
type garchReparam struct {
	target bool
	s2     float64 // variance used for targeting
	cap    float64 // persistence cap P in (0, 1]
	zeroMu bool    // μ fixed at 0: the coordinates omit it
}

func (rp garchReparam) dim() int {
	d := 5
	if rp.target {
		d--
	}
	if rp.zeroMu {
		d--
	}
	return d
}

// muOff is the number of leading coordinates μ takes (0 when it is fixed).
func (rp garchReparam) muOff() int {
	if rp.zeroMu {
		return 0
	}
	return 1
}

// garchStarts is the number of BFGS runs of Fit.
const garchStarts = 3

// garchNuMax is the upper bound of ν in the fit.
const garchNuMax = 500

func garchLogistic(x float64) float64 { return 1 / (1 + math.Exp(-x)) }

func garchLogit(p float64) float64 { return math.Log(p / (1 - p)) }

// theta returns θ and the Jacobian dθ/du (5 × dim).
func (rp garchReparam) theta(u []float64) ([5]float64, [5][5]float64) {
	if rp.zeroMu {
		// μ = 0: evaluate with a zero μ coordinate and drop its column.
		full := rp
		full.zeroMu = false
		var buf [5]float64 // (0, u...) without a heap copy per evaluation
		n := copy(buf[1:], u)
		th, J := full.theta(buf[:n+1])
		th[0] = 0
		var Jz [5][5]float64
		for i := range 5 {
			copy(Jz[i][:4], J[i][1:])
		}
		return th, Jz
	}
	var th [5]float64
	var J [5][5]float64
	var m, a, b, c, d float64
	if rp.target {
		m, b, c, d = u[0], u[1], u[2], u[3]
	} else {
		m, a, b, c, d = u[0], u[1], u[2], u[3], u[4]
	}
	lb, w := garchLogistic(b), garchLogistic(c)
	p := rp.cap * lb
	th[0] = m
	th[2] = p * w
	th[3] = p * (1 - w)
	wn := garchLogistic(d)
	th[4] = 2 + (garchNuMax-2)*wn
	dp := rp.cap * lb * (1 - lb) // dp/db
	dw := w * (1 - w)
	ib, ic, id := 2, 3, 4
	if rp.target {
		ib, ic, id = 1, 2, 3
		th[1] = rp.s2 * (1 - p)
		J[1][ib] = -rp.s2 * dp
	} else {
		th[1] = math.Exp(a)
		J[1][1] = th[1]
	}
	J[0][0] = 1
	J[2][ib] = dp * w
	J[3][ib] = dp * (1 - w)
	J[2][ic] = p * dw
	J[3][ic] = -p * dw
	J[4][id] = (garchNuMax - 2) * wn * (1 - wn)
	return th, J
}

// coords returns the optimizer coordinates of θ (α, β > 0, α+β < P, ν > 2),
// the inverse of theta.
func (rp garchReparam) coords(th [5]float64) []float64 {
	p := th[2] + th[3]
	b, c, d := garchLogit(p/rp.cap), garchLogit(th[2]/p), garchLogit((th[4]-2)/(garchNuMax-2))
	u := []float64{th[0], math.Log(th[1]), b, c, d}
	if rp.target {
		u = []float64{th[0], b, c, d}
	}
	if rp.zeroMu {
		u = u[1:]
	}
	return u
}

// Fit fits the GARCH(1,1)-t model of Params to the daily log
// returns r by maximum likelihood (see LogLikelihood; σ²_1 is the
// sample variance, denominator N−1). The returns are divided by their sample
// sd for the optimization and the estimates scaled back (μ by sd, ω by sd²).
// The likelihood is maximized by BFGS (gonum/optimize) with its analytic
// gradient in the smooth reparametrization of garchReparam, from the 3 best
// of 27 grid points (see the code); the best optimum is kept, and a warning
// is issued when the gradient norm there exceeds GradientTolerance.
// Standard errors come from the observed information: minus the Hessian of
// the log-likelihood in (μ, ω, α, β, ν), by central differences of the
// analytic gradient (see FitResult.SE, FitResult.RobustSE). Binding
// constraints and misspecification are reported in Warnings. Errors wrap
// ErrFit: an invalid opts.MaxPersistence, fewer than MinReturns
// returns, non-finite or constant returns, no finite start, or an unbounded
// likelihood (runs of identical prices let σ² collapse to 0).
//
// With opts.MaxPersistence = P the persistence is constrained to α+β ≤ P
// (see FitOptions.MaxPersistence); when the optimum is at the cap, the
// gradient norm is that of the remaining coordinates (the persistence
// coordinate is at its bound, where the likelihood still rises) and the SEs
// are conditional on α+β = P.
func Fit(r []float64, opts FitOptions) (*FitResult, error) {
	pcap := opts.MaxPersistence
	if pcap == 0 {
		pcap = 1
	}
	if !(pcap > 0 && pcap <= 1) {
		return nil, fmt.Errorf("%w: MaxPersistence %v must be in (0, 1] (or 0 for no cap)", ErrFit, opts.MaxPersistence)
	}
	n := len(r)
	if n < MinReturns {
		return nil, fmt.Errorf("%w: %d returns (need at least %d)", ErrFit, n, MinReturns)
	}
	for i, x := range r {
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return nil, fmt.Errorf("%w: return %d is %v", ErrFit, i, x)
		}
	}
	mean, sd := stats.MeanSD(r)
	s2 := sd * sd
	if !(sd > 0) || sd < 1e-12*math.Max(1, math.Abs(mean)) {
		return nil, fmt.Errorf("%w: the returns are constant (sd %g)", ErrFit, sd)
	}
	y := make([]float64, n)
	for i, x := range r {
		y[i] = x / sd
	}
	// In scaled units the sample variance is 1: σ²_1 = 1 and targeting uses 1.
	rp := garchReparam{target: opts.VarianceTargeting, s2: 1, cap: pcap, zeroMu: opts.ZeroMean}
	dim := rp.dim()
	fn := float64(n)
	evals := 0
	prob := optimize.Problem{
		Func: func(u []float64) float64 {
			evals++
			th, _ := rp.theta(u)
			ll, _ := garchLogLik(y, th, 1, false)
			if math.IsInf(ll, -1) {
				return math.Inf(1)
			}
			return -ll / fn
		},
		Grad: func(grad, u []float64) {
			evals++
			th, J := rp.theta(u)
			_, g := garchLogLik(y, th, 1, true)
			for k := 0; k < dim; k++ {
				s := 0.0
				for i := 0; i < 5; i++ {
					s += g[i] * J[i][k]
				}
				grad[k] = -s / fn
			}
		},
	}
	settings := &optimize.Settings{
		GradientThreshold: 1e-9,
		MajorIterations:   5000,
		Converger:         &optimize.FunctionConverge{Absolute: 1e-14, Relative: 1e-14, Iterations: 100},
	}
	// Start points: the 27 points of the grid α+β ∈ {0.85, 0.95, 0.99},
	// α/(α+β) ∈ {0.05, 0.15, 0.3}, ν ∈ {3, 5, 10} (μ at the sample mean, ω
	// at 1−α−β) are evaluated, and BFGS runs from the best garchStarts. A
	// grid persistence at or above the cap P is replaced by P times it, so
	// that every start lies strictly inside the constraint.
	type start struct {
		u []float64
		f float64
	}
	var grid []start
	ymean := mean / sd
	if opts.ZeroMean {
		ymean = 0
	}
	for _, p := range []float64{0.85, 0.95, 0.99} {
		if p >= pcap {
			p *= pcap
		}
		for _, w := range []float64{0.05, 0.15, 0.3} {
			for _, nu := range []float64{3, 5, 10} {
				u := rp.coords([5]float64{ymean, 1 - p, p * w, p * (1 - w), nu})
				grid = append(grid, start{u, prob.Func(u)})
			}
		}
	}
	sort.SliceStable(grid, func(i, j int) bool { return grid[i].f < grid[j].f })
	var best *optimize.Result
	starts := 0
	for _, st := range grid[:garchStarts] {
		if math.IsInf(st.f, 0) || math.IsNaN(st.f) {
			continue
		}
		starts++
		res, err := optimize.Minimize(prob, st.u, settings, &optimize.BFGS{})
		if res == nil || math.IsNaN(res.F) || math.IsInf(res.F, 0) {
			continue
		}
		_ = err // a line-search stall at the optimum is judged by the gradient below
		if best == nil || res.F < best.F {
			best = res
		}
	}
	if best == nil {
		return nil, fmt.Errorf("%w: no start point gave a finite likelihood", ErrFit)
	}
	th, _ := rp.theta(best.X)
	llScaled, _ := garchLogLik(y, th, 1, false)
	fit := &FitResult{
		Params: Params{
			Mu: th[0] * sd, Omega: th[1] * s2, Alpha: th[2], Beta: th[3], Nu: th[4],
		},
		LogLikelihood:     llScaled - fn*math.Log(sd),
		N:                 n,
		VarianceTargeting: opts.VarianceTargeting,
		ZeroMean:          opts.ZeroMean,
		MaxPersistence:    opts.MaxPersistence,
		SampleMean:        mean,
		SampleSD:          sd,
		InitialVariance:   s2,
		Status:            best.Status.String(),
		Starts:            starts,
		Evaluations:       evals,
	}
	if opts.VarianceTargeting {
		// Exact in original units: ω = s²(1−α−β).
		fit.Omega = s2 * (1 - fit.Alpha - fit.Beta)
	}
	fit.AtPersistenceCap = pcap < 1 && fit.Persistence() >= pcap-garchCapTolerance
	uv := fit.UnconditionalVariance()
	fit.UnconditionalSD = math.Sqrt(uv)
	fit.AnnualizedVol = fit.UnconditionalSD * math.Sqrt(365)
	// BFGS often ends with a line-search "Failure" once the objective no
	// longer changes in floating point; what matters is the gradient there.
	gs := make([]float64, dim)
	prob.Grad(gs, best.X)
	ib := 1 + rp.muOff() // index of the persistence coordinate b
	if rp.target {
		ib = rp.muOff()
	}
	for k, g := range gs {
		if k == ib && fit.AtPersistenceCap {
			continue // at the cap the likelihood still rises along b
		}
		fit.GradientNorm = math.Max(fit.GradientNorm, math.Abs(g))
	}
	if fit.GradientNorm > GradientTolerance {
		fit.Warnings = append(fit.Warnings, fmt.Sprintf("the optimizer stopped with status %s and gradient norm %.2g (> %g): the estimates may not be at the maximum", best.Status, fit.GradientNorm, GradientTolerance))
	}
	fit.ResidualVariance = garchResidualVariance(y, th)
	zeros := 0
	for _, x := range r {
		if x == 0 {
			zeros++
		}
	}
	if v := fit.ResidualVariance; v > garchDegenerate || fit.GradientNorm > garchDegenerate || math.IsNaN(v) || math.IsNaN(fit.LogLikelihood) {
		return nil, fmt.Errorf("%w: the likelihood is unbounded: the fit drives σ² to 0 (standardized residuals' mean square %.3g, gradient norm %.3g); %d of %d returns are exactly 0 (runs of constant prices, e.g. a pegged price stuck at the peg or stale data): restrict the dates", ErrFit, v, fit.GradientNorm, zeros, n)
	}
	if zeros > n/20 {
		fit.Warnings = append(fit.Warnings, fmt.Sprintf("%d of %d returns (%.0f%%) are exactly 0 (price discreteness or stale prices): the Student-t likelihood favours tiny variances around them", zeros, n, 100*float64(zeros)/float64(n)))
	}
	if v := fit.ResidualVariance; v < garchWarnZ2Low || v > garchWarnZ2High {
		fit.Warnings = append(fit.Warnings, fmt.Sprintf("the standardized residuals have mean square %.3g (the model's is 1): the GARCH-t is misspecified for this series (e.g. a changing volatility level or price discreteness), and a simulation with these parameters will not reproduce the data's volatility", v))
	}
	garchStdErrors(fit, y, th, sd, opts.VarianceTargeting, opts.ZeroMean, pcap)
	garchBoundWarnings(fit)
	return fit, nil
}

// garchResidualVariance returns the mean of e²_t/σ²_t at θ (σ²_1 = 1).
func garchResidualVariance(y []float64, th [5]float64) float64 {
	h, sum := 1.0, 0.0
	for t, yt := range y {
		if t > 0 {
			ep := y[t-1] - th[0]
			h = th[1] + th[2]*ep*ep + th[3]*h
		}
		e := yt - th[0]
		sum += e * e / h
	}
	return sum / float64(len(y))
}

// garchStdErrors fills fit.SE, fit.Cov and fit.SEPersistence from the
// observed information at θ (scaled units), then scales to the returns'
// units: Cov_orig = D·Cov·D with D = diag(sd, sd², 1, 1, 1).
//
// The free parameters φ move θ along the columns of a 5×k matrix J (θ =
// θ̂ + J·φ): the identity for the free model; (μ, α, β, ν) with ω = 1−α−β
// under variance targeting; without the μ direction under
// FitOptions.ZeroMean. The information is −∂²ℓ/∂φ², by central
// differences of the analytic gradient Jᵀ∇ℓ, and Cov(θ) = J·Cov(φ)·Jᵀ. When
// that information is not positive definite and the persistence is at its
// bound 1, the SEs are recomputed conditional on α+β (and ω) held at their
// estimates, with free (μ, α, ν) and β = (α+β) − α, and a warning says so.
// When the persistence is at a cap pcap < 1 (FitOptions.MaxPersistence),
// the optimum is a constrained one (the score along α+β is not zero), so the
// SEs are always the conditional ones, and garchBoundWarnings says so.
func garchStdErrors(fit *FitResult, y []float64, th [5]float64, sd float64, target, zeroMu bool, pcap float64) {
	nan := math.NaN()
	fit.SE = Params{Mu: nan, Omega: nan, Alpha: nan, Beta: nan, Nu: nan}
	fit.RobustSE = fit.SE
	fit.SEPersistence = nan
	var J [][5]float64
	if target {
		J = [][5]float64{{1, 0, 0, 0, 0}, {0, -1, 1, 0, 0}, {0, -1, 0, 1, 0}, {0, 0, 0, 0, 1}}
	} else {
		J = [][5]float64{{1, 0, 0, 0, 0}, {0, 1, 0, 0, 0}, {0, 0, 1, 0, 0}, {0, 0, 0, 1, 0}, {0, 0, 0, 0, 1}}
	}
	conditional := [][5]float64{{1, 0, 0, 0, 0}, {0, 0, 1, -1, 0}, {0, 0, 0, 0, 1}}
	if zeroMu { // μ is not a free direction
		J, conditional = J[1:], conditional[1:]
	}
	var cov, robust [5][5]float64
	var err error
	if fit.AtPersistenceCap {
		cov, robust, err = garchCovariance(y, th, conditional)
	} else {
		cov, robust, err = garchCovariance(y, th, J)
		if err != nil && fit.Persistence() >= pcap*garchWarnPersistence {
			var err2 error
			if cov, robust, err2 = garchCovariance(y, th, conditional); err2 == nil {
				fit.Warnings = append(fit.Warnings, fmt.Sprintf("%v; the standard errors of μ, α, β, ν are conditional on α+β (and ω) fixed at their estimates (SE of β = SE of α; ω and α+β have none)", err))
				err = nil
			}
		}
	}
	if err != nil {
		fit.Warnings = append(fit.Warnings, "standard errors unavailable: "+err.Error())
		return
	}
	scale := [5]float64{sd, sd * sd, 1, 1, 1}
	fit.Cov = make([][]float64, 5)
	for a := range 5 {
		fit.Cov[a] = make([]float64, 5)
		for b := range 5 {
			fit.Cov[a][b] = cov[a][b] * scale[a] * scale[b]
		}
	}
	se := func(i int) float64 {
		if fit.Cov[i][i] <= 0 {
			return nan
		}
		return math.Sqrt(fit.Cov[i][i])
	}
	fit.SE = Params{Mu: se(0), Omega: se(1), Alpha: se(2), Beta: se(3), Nu: se(4)}
	rse := func(i int) float64 {
		if v := robust[i][i] * scale[i] * scale[i]; v > 0 {
			return math.Sqrt(v)
		}
		return nan
	}
	fit.RobustSE = Params{Mu: rse(0), Omega: rse(1), Alpha: rse(2), Beta: rse(3), Nu: rse(4)}
	if v := fit.Cov[2][2] + fit.Cov[3][3] + 2*fit.Cov[2][3]; v > 1e-300 {
		fit.SEPersistence = math.Sqrt(v)
	}
}

// garchCovariance returns J·I(φ)⁻¹·Jᵀ (5×5, scaled units) for the
// directions J at θ, or an error when the observed information I(φ) is not
// positive definite or the likelihood is not finite around θ.
func garchCovariance(y []float64, th [5]float64, J [][5]float64) (out, robust [5][5]float64, err error) {
	k := len(J)
	grad := func(t [5]float64) ([]float64, bool) {
		ll, g := garchLogLik(y, t, 1, true)
		if math.IsInf(ll, -1) {
			return nil, false
		}
		gp := make([]float64, k)
		for j := range J {
			for i := range 5 {
				gp[j] += J[j][i] * g[i]
			}
		}
		return gp, true
	}
	g0, ok := grad(th)
	if !ok {
		return out, robust, errors.New("the likelihood is not finite at the estimate")
	}
	rows := make([][]float64, k)
	for j := range J {
		size := 0.0
		for i := range 5 {
			if J[j][i] != 0 {
				size = math.Max(size, math.Abs(th[i]))
			}
		}
		h := 1e-5 * math.Max(size, 0.01)
		tp, tm := th, th
		for i := range 5 {
			tp[i] += h * J[j][i]
			tm[i] -= h * J[j][i]
		}
		gp, okp := grad(tp)
		gm, okm := grad(tm)
		rows[j] = make([]float64, k)
		for l := range k {
			switch {
			case okp && okm:
				rows[j][l] = (gp[l] - gm[l]) / (2 * h)
			case okp:
				rows[j][l] = (gp[l] - g0[l]) / h
			case okm:
				rows[j][l] = (g0[l] - gm[l]) / h
			default:
				return out, robust, errors.New("the likelihood is not finite near the estimate")
			}
		}
	}
	info := mat.NewSymDense(k, nil)
	for a := range k {
		for b := a; b < k; b++ {
			info.SetSym(a, b, -(rows[a][b]+rows[b][a])/2)
		}
	}
	var ch mat.Cholesky
	if !ch.Factorize(info) {
		return out, robust, errors.New("the observed information is not positive definite (the optimum is on a boundary)")
	}
	var cov mat.SymDense
	if err := ch.InverseTo(&cov); err != nil {
		return out, robust, errors.New("the observed information is singular")
	}
	// Sandwich I⁻¹·B·I⁻¹ with B = Σ_t s_t s_tᵀ, s_t = Jᵀ∇ℓ_t the scores.
	opg := mat.NewSymDense(k, nil)
	for _, g := range garchScores(y, th) {
		var sc [5]float64
		for j := range J {
			for i := range 5 {
				sc[j] += J[j][i] * g[i]
			}
		}
		for a := range k {
			for b := a; b < k; b++ {
				opg.SetSym(a, b, opg.At(a, b)+sc[a]*sc[b])
			}
		}
	}
	var tmp, sand mat.Dense
	tmp.Mul(&cov, opg)
	sand.Mul(&tmp, &cov)
	for a := range 5 {
		for b := range 5 {
			s, r := 0.0, 0.0
			for p := range k {
				for q := range k {
					s += J[p][a] * cov.At(p, q) * J[q][b]
					r += J[p][a] * sand.At(p, q) * J[q][b]
				}
			}
			out[a][b], robust[a][b] = s, r
		}
	}
	return out, robust, nil
}

// garchScores returns the per-observation gradients ∇ℓ_t with respect to
// θ = (μ, ω, α, β, ν), σ²_1 = 1 fixed (the terms of garchLogLik's gradient).
func garchScores(y []float64, th [5]float64) [][5]float64 {
	mu, om, al, be, nu := th[0], th[1], th[2], th[3], th[4]
	dc := 0.5*mathext.Digamma((nu+1)/2) - 0.5*mathext.Digamma(nu/2) - 0.5/(nu-2)
	h := 1.0
	var dh [4]float64
	out := make([][5]float64, len(y))
	for t, yt := range y {
		if t > 0 {
			ep := y[t-1] - mu
			dh = [4]float64{-2*al*ep + be*dh[0], 1 + be*dh[1], ep*ep + be*dh[2], h + be*dh[3]}
			h = om + al*ep*ep + be*h
		}
		e := yt - mu
		q := e * e / ((nu - 2) * h)
		dldh := -0.5/h + 0.5*(nu+1)*q/(h*(1+q))
		dlde := -(nu + 1) * e / ((nu - 2) * h * (1 + q))
		out[t] = [5]float64{
			dldh*dh[0] - dlde,
			dldh * dh[1],
			dldh * dh[2],
			dldh * dh[3],
			dc - 0.5*math.Log1p(q) + 0.5*(nu+1)*q/((nu-2)*(1+q)),
		}
	}
	return out
}

// GradientTolerance is the largest gradient norm (FitResult.GradientNorm)
// at which Fit regards the optimizer as converged; above it, it warns.
const GradientTolerance = 1e-6

// Thresholds for the binding-constraint and misspecification warnings of
// Fit.
const (
	garchWarnZ2Low       = 0.67
	garchWarnZ2High      = 1.5
	garchDegenerate      = 1e3
	garchWarnPersistence = 0.998
	garchWarnZero        = 1e-4
	garchWarnNuLow       = 2.1
	garchWarnNuHigh      = 100
)

func garchBoundWarnings(fit *FitResult) {
	w := func(format string, a ...any) { fit.Warnings = append(fit.Warnings, fmt.Sprintf(format, a...)) }
	if fit.AtPersistenceCap {
		w("persistence α+β = %.6f is at the cap MaxPersistence = %g (an assumption, not an estimate: the likelihood rises beyond it): the standard errors of μ, α, β, ν are conditional on α+β fixed at the cap (SE of β = SE of α; ω and α+β have none)", fit.Persistence(), fit.MaxPersistence)
	} else if p := fit.Persistence(); p >= garchWarnPersistence {
		msg := "persistence α+β = %.6f is at its bound 1 (nearly integrated GARCH): ω and the unconditional variance ω/(1−α−β) are poorly determined"
		if !fit.VarianceTargeting {
			msg += "; consider variance targeting"
		}
		w(msg, p)
	}
	if fit.Alpha < garchWarnZero {
		w("α = %.3g is at its bound 0: no ARCH effect detected (σ² does not react to shocks)", fit.Alpha)
	}
	if fit.Beta < garchWarnZero {
		w("β = %.3g is at its bound 0: no GARCH persistence detected", fit.Beta)
	}
	if fit.Nu < garchWarnNuLow {
		w("ν = %.4g is near its bound 2: the innovations barely have a variance; the fit is dominated by a few extreme returns", fit.Nu)
	}
	if fit.VarianceTargeting && fit.Nu < 4 {
		w("ν = %.3g < 4: the returns' fourth moment is infinite, so the sample variance used for variance targeting is imprecise and the standard errors (conditional on it) understate the uncertainty", fit.Nu)
	}
	if fit.Nu > garchWarnNuHigh {
		w("ν = %.4g is very large: the innovations are practically normal and ν is poorly determined", fit.Nu)
	}
}
