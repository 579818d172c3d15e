package model

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"strconv"
)

// ErrInvalidRunSpec is wrapped by Run's errors about the RunSpec itself (a
// nil spec, a horizon < 1, a negative replicate or recording interval). Bad
// parameters or schedules wrap ErrInvalidParam (Params.Validate,
// ValidateSchedule).
var ErrInvalidRunSpec = errors.New("invalid run spec")

// ErrSupplyExhausted is wrapped by Run when a day's burns (fee burn and
// buyback) would take the circulating CLT supply to zero or below: at a price
// near zero the day's USD payments buy more CLT than exists, and the price
// equation (dilution −φ ΔS/S) is no longer defined. Only extreme
// configurations reach it (thin depth, large burns, a collapsed price).
var ErrSupplyExhausted = errors.New("CLT supply exhausted")

// stakeDays is the window of completed days over which a provider's stake
// (governance weight, issuance key) is measured (MODEL-SPEC §2.7, §10).
const stakeDays = 30

// prov is one provider's state (MODEL-SPEC §1, §2.5).
type prov struct {
	name      string
	listPrice float64 // p_i, USD per Mtok
	q0, q     float64 // quality at day 0 and today
	mcost     float64 // c_i, marginal cost USD per Mtok
	fixed     float64 // F_i, USD per day
	xi        float64 // brand intercept
	hedge     float64 // h_i
	entryDay  int     // 0 for incumbents
	exitDay   int     // −1 while active
	active    bool
	startAct  bool // active at the start of today (entrants: from their entry)
	closed    bool // closed to new customers by the share cap

	cash  float64 // USD
	share float64 // s_t−1 during day t; s_t after step 10
	vol   float64 // Mtok served today

	pi   float64 // π_i,t CLT per Mtok
	cost float64 // π_i,t × P_t−1, USD per Mtok

	overdue   float64 // held CLT due and awaiting a trading day
	hedgeWait float64 // hedged CLT awaiting a trading day (halts)

	feeCLT                          float64 // fee CLT received today
	revToday, costToday, grantToday float64
	revCum, costCum, grantCum       float64

	feeUSD    [stakeDays]float64 // USD value of fee CLT received on completed days, ring by day
	feeUSDSum float64
	stakeInit float64 // initial daily revenue: the stake on day 1
	stake     float64 // today's stake (unnormalized)

	mcost0 float64 // marginal cost before the cost decline (v2 §B.3), USD per Mtok
	// MODEL-SPEC-v2 §C (levers.go).
	qBase    float64 // b_i: quality before investment, q0 + boost
	boost    float64 // the leader's breakthrough (or ramp) advantage; depreciates
	capUSD   float64 // K_i: cumulative investment in quality (grants, R&D), USD
	costUSD  float64 // cumulative grants spent on marginal cost, USD
	futH     float64 // futures hedge ratio (hedging.mode futures)
	futN     float64 // short CLT futures position, CLT
	hedgeDef float64 // futures P&L paid through cash but not yet recognized in revenue, USD
	// Hedge locks of CLT awaiting sale that left the lot ring (overdue): h × Σ x F_r, USD, and Σ x, CLT.
	lockOver, lockOverCLT float64
}

// consumer is one consumer's state (MODEL-SPEC §1). dsc caches
// d_j × c_ref,j^ε so that the day's desired volume is dsc × cost_k^−ε.
type consumer struct {
	dsc     float64
	d       float64 // base demand, Mtok per day
	b       float64 // price sensitivity b_j
	u       float64 // non-critical fraction u_j
	backlog float64 // B_j, Mtok
	k       int32   // current provider, −1 for none, kOutside outside the token system (v2 §B.1)
}

// sim is the state of one run. Its slices are reused across runs.
type sim struct {
	spec *RunSpec
	p    *Params
	T    int
	rec  Recorder

	cMarket, cJumps, cCons, cArr, cEntry *rand.ChaCha8
	cChoice                              *rand.PCG // see choiceSeed
	rMarket, rJumps, rCons, rArr, rEntry *rand.Rand

	provs  []prov
	lots   []float64 // held CLT lots: provider i, due day d at i*nSlot + d%nSlot
	nSlot  int       // hold_days + 1
	cons   []consumer
	names  []string // cached entrant names
	leader int
	nInc   int
	minXi0 float64
	hold   int

	// Per-provider arrays rebuilt each day (hot loop).
	act        []bool
	aNet       []float64 // ξ + w_q q + γ ln(s + floor)
	aBase      []float64 // ξ + w_q q
	lnCost     []float64
	powEps     []float64 // cost^ε
	cpn        []float64 // cost^−ε
	vol        []float64
	openList   []int32 // active and open to new customers
	activeList []int32
	cw         []float64
	shares     []float64
	scratch    []float64
	wts        []float64
	yes        []bool

	// Market.
	lnP     []float64 // ln P_0..ln P_t
	price   []float64 // P_0..P_t
	rets    []float64 // log returns of days 1..t
	pRef    float64
	s2      float64 // σ²_t
	ePrev   float64 // e_t−1
	regName string
	reg     Regime
	supply  float64
	cb      breaker
	fundUSD float64
	fundCLT float64
	pool    float64

	capInForce, grantsInForce bool
	capBlocked, grantsBlocked bool
	shock                     shockWindow

	day  dayTotals
	acc  accum
	aud  Audit
	step Step
	ps   ProviderStep
	mkt  marketState // MODEL-SPEC-v2 §A (market.go)
	llm  llmState    // MODEL-SPEC-v2 §B state (llm_*.go)

	lv leverState // MODEL-SPEC-v2 §C (levers.go)
	ev evState    // the event engine (engine.go)
	cs choiceSet  // today's candidates (llm_demand.go)
	cg choiceGrid // the event engine's choice shortcut (choicegrid.go)
}

// shockWindow is the largest scheduled shock's last day, for recovery_days.
type shockWindow struct {
	has     bool
	lastDay int
}

// dayTotals are the flows of the current day.
type dayTotals struct {
	halted                                   bool
	sigmaHat, f                              float64
	consumerCLT, consumerUSD                 float64
	poolCLT, poolUSD, buybackUSD, buybackCLT float64
	burnCLT, issued                          float64
	salesUSD, fundBuy, fundSell              float64
	desired, deferred, backlog               float64
	revenue, costs, grants                   float64
	volume, costVol                          float64
	// CLT amounts of the day's trades at P_t−1 (MODEL-SPEC-v2 §A netting).
	salesCLT, fundBoughtCLT, fundSoldCLT float64
	// Consumers' prepaid top-up beyond today's payments, CLT (v2 §B.4; may be
	// negative when balances are drawn down): part of their buy flow.
	prepaidCLT float64
}

// Run simulates one run (MODEL-SPEC §1–§5, §10) and returns its summary
// (§4.2). rec (may be nil) receives every spec.RecordEveryDays-th day and the
// last day (§4.1), and per-provider rows when spec.ProviderSteps (§4.3).
// Errors: a spec error wrapping ErrInvalidRunSpec, a parameter or schedule
// error wrapping ErrInvalidParam, a NaN/Inf arising inside the run wrapping
// ErrNonFinite and naming the day and quantity, or ErrSupplyExhausted; after
// such an error nothing more is recorded and the day of the error is not.
// The Runner's buffers are reused: the steady-state day loop allocates nothing.
func (r *Runner) Run(spec *RunSpec, rec Recorder) (Summary, error) {
	s := &r.sim
	sum, err := s.run(spec, rec)
	s.spec, s.p, s.rec = nil, nil, nil // keep no reference to the caller's data
	return sum, err
}

func (s *sim) run(spec *RunSpec, rec Recorder) (Summary, error) {
	if err := s.init(spec, rec); err != nil {
		return Summary{}, err
	}
	for t := 1; t <= s.T; t++ {
		if err := s.dayStep(t); err != nil {
			return Summary{}, err
		}
	}
	if s.ev.on {
		s.evRebuild(s.T+1, false) // every consumer's state at the end of the run
	}
	return s.summary()
}

// Audit returns the stock-and-flow ledger of the Runner's last completed run
// (see Audit). It is zero before the first run.
func (r *Runner) Audit() Audit { return r.sim.aud }

func checkSpec(spec *RunSpec) error {
	if spec == nil {
		return fmt.Errorf("%w: nil RunSpec", ErrInvalidRunSpec)
	}
	if spec.HorizonDays < 1 {
		return fmt.Errorf("%w: horizon_days = %d: must be ≥ 1", ErrInvalidRunSpec, spec.HorizonDays)
	}
	if spec.Replicate < 0 {
		return fmt.Errorf("%w: replicate = %d: must be ≥ 0", ErrInvalidRunSpec, spec.Replicate)
	}
	if spec.RecordEveryDays < 0 {
		return fmt.Errorf("%w: record_every_days = %d: must be ≥ 0", ErrInvalidRunSpec, spec.RecordEveryDays)
	}
	if err := spec.Params.Validate(); err != nil {
		return err
	}
	if err := ValidateSchedule(spec.Schedule, &spec.Params); err != nil {
		return err
	}
	p := &spec.Params
	// Structural conditions the simulation relies on (also part of Validate;
	// repeated so that the run cannot index out of range whatever Validate says).
	switch {
	case len(p.Providers.Table) == 0:
		return fmt.Errorf("%w: providers.table is empty", ErrInvalidParam)
	case p.Consumers.Count < 1:
		return fmt.Errorf("%w: consumers.count = %d: must be ≥ 1", ErrInvalidParam, p.Consumers.Count)
	case p.Providers.HoldDays < 0:
		return fmt.Errorf("%w: providers.hold_days = %d: must be ≥ 0", ErrInvalidParam, p.Providers.HoldDays)
	case p.Pricing.RepriceIntervalDays < 0:
		return fmt.Errorf("%w: pricing.reprice_interval_days = %d: must be ≥ 0", ErrInvalidParam, p.Pricing.RepriceIntervalDays)
	case p.CircuitBreaker.Enabled && p.CircuitBreaker.WindowDays < 1:
		return fmt.Errorf("%w: circuit_breaker.window_days = %d: must be ≥ 1", ErrInvalidParam, p.CircuitBreaker.WindowDays)
	case p.Governance.Mode != GovernanceNone && p.Governance.VoteIntervalDays < 1:
		return fmt.Errorf("%w: governance.vote_interval_days = %d: must be ≥ 1", ErrInvalidParam, p.Governance.VoteIntervalDays)
	case !(p.Market.Peg > 0):
		return fmt.Errorf("%w: market.peg = %v: must be > 0", ErrInvalidParam, p.Market.Peg)
	}
	leader := false
	for _, row := range p.Providers.Table {
		if row.Name == p.Centralization.Leader {
			leader = true
		}
	}
	if !leader {
		return fmt.Errorf("%w: centralization.leader = %q: not in providers.table", ErrInvalidParam, p.Centralization.Leader)
	}
	if _, ok := p.Market.Regimes[spec.Schedule.BaseRegime]; !ok {
		return fmt.Errorf("%w: schedule base regime %q: not in market.regimes", ErrInvalidParam, spec.Schedule.BaseRegime)
	}
	for i, r := range spec.Schedule.Regimes {
		if _, ok := p.Market.Regimes[r.Regime]; !ok {
			return fmt.Errorf("%w: schedule.regimes[%d] regime %q: not in market.regimes", ErrInvalidParam, i, r.Regime)
		}
	}
	for i, sh := range spec.Schedule.Shocks {
		if sh.Day < 1 || sh.DurationDays < 1 || !(sh.Size > -1) || math.IsInf(sh.Size, 0) {
			return fmt.Errorf("%w: schedule.shocks[%d] = %+v: need day ≥ 1, duration_days ≥ 1, finite size > −1", ErrInvalidParam, i, sh)
		}
	}
	return nil
}

// largestShockEnd returns the last day of the largest scheduled shock
// (largest |ln(1+size)|, earliest start on ties), as Schedule.LargestShock but
// without allocating.
func largestShockEnd(s Schedule) shockWindow {
	best := -1
	for i, sh := range s.Shocks {
		if best < 0 {
			best = i
			continue
		}
		b := s.Shocks[best]
		a, ab := abslog1p(sh.Size), abslog1p(b.Size)
		if a > ab || (a == ab && sh.Day < b.Day) {
			best = i
		}
	}
	if best < 0 {
		return shockWindow{}
	}
	sh := s.Shocks[best]
	return shockWindow{has: true, lastDay: sh.Day + sh.DurationDays - 1}
}

// choiceSeed returns the PCG seed of the choice stream: the first two
// little-endian uint64s of StreamSeed(seed, replicate, StreamChoice). The
// choice stream is drawn once per consumer per day, the hottest draw of a run,
// so it uses math/rand/v2's PCG-DXSM (a 128-bit LCG with a strong output
// permutation; O'Neill 2014) instead of ChaCha8, which is several times
// slower per draw; it is still a function of (seed, replicate, component) only.
func choiceSeed(seed uint64, rep int) (uint64, uint64) {
	b := StreamSeed(seed, rep, StreamChoice)
	return binary.LittleEndian.Uint64(b[0:8]), binary.LittleEndian.Uint64(b[8:16])
}

func (s *sim) seedStreams(seed uint64, rep int) {
	if s.cMarket == nil {
		s.cMarket, s.cJumps, s.cCons = new(rand.ChaCha8), new(rand.ChaCha8), new(rand.ChaCha8)
		s.cChoice, s.cArr, s.cEntry = new(rand.PCG), new(rand.ChaCha8), new(rand.ChaCha8)
		s.rMarket, s.rJumps, s.rCons = rand.New(s.cMarket), rand.New(s.cJumps), rand.New(s.cCons)
		s.rArr, s.rEntry = rand.New(s.cArr), rand.New(s.cEntry)
	}
	s.cMarket.Seed(StreamSeed(seed, rep, StreamMarket))
	s.cJumps.Seed(StreamSeed(seed, rep, StreamJumps))
	s.cCons.Seed(StreamSeed(seed, rep, StreamConsumers))
	s.cChoice.Seed(choiceSeed(seed, rep))
	s.cArr.Seed(StreamSeed(seed, rep, StreamArrivals))
	s.cEntry.Seed(StreamSeed(seed, rep, StreamEntry))
}

// init checks the spec and sets up day 0 (MODEL-SPEC §1, §2.1, §10).
func (s *sim) init(spec *RunSpec, rec Recorder) error {
	if err := checkSpec(spec); err != nil {
		return err
	}
	s.spec, s.p, s.T, s.rec = spec, &spec.Params, spec.HorizonDays, rec
	p := s.p
	s.seedStreams(spec.Seed, spec.Replicate)

	peg := p.Market.Peg
	D := p.Consumers.TotalDemandMtokPerDay
	eps := p.Consumers.PriceElasticity
	gamma := p.Network.Effect
	floor := p.Network.ShareFloor
	b0 := p.Consumers.PriceWeight
	wq := p.Consumers.QualityWeight

	// Providers (incumbents).
	n := len(p.Providers.Table)
	s.nInc = n
	s.hold = p.Providers.HoldDays
	s.nSlot = s.hold + 1
	s.provs = s.provs[:0]
	s.lots = s.lots[:0]
	s.aud = Audit{}
	maxXi := math.Inf(-1)
	for i, row := range p.Providers.Table {
		r0 := row.InitialShare * D * row.ListPriceUSDPerMtok * s.insideShare0() // initial daily revenue, USD
		pr := prov{
			name: row.Name, listPrice: row.ListPriceUSDPerMtok, q0: row.Quality, q: row.Quality,
			mcost: p.Providers.MarginalCostRatio * row.ListPriceUSDPerMtok,
			fixed: p.Providers.FixedCostRatio * r0,
			hedge: p.Providers.HedgeRatio, exitDay: -1, active: true,
			cash: p.Providers.RunwayDays * r0, stakeInit: r0,
		}
		// Berry (1994) inversion at the median consumer (§2.1); cost_i,0 = p_i.
		if row.InitialShare > 0 {
			net := 0.0
			if gamma != 0 {
				net = gamma * math.Log(row.InitialShare+floor)
			}
			pr.xi = math.Log(row.InitialShare) - (wq*row.Quality - b0*math.Log(row.ListPriceUSDPerMtok) + net)
		} else {
			pr.xi = math.Inf(-1)
		}
		maxXi = max(maxXi, pr.xi)
		if row.Name == p.Centralization.Leader {
			s.leader = i
		}
		s.provs = append(s.provs, pr)
		s.aud.ProviderCashInjectedUSD += pr.cash
	}
	s.initLevers()
	s.minXi0 = math.Inf(1)
	for i := range s.provs {
		s.provs[i].xi -= maxXi
		if x := s.provs[i].xi; !math.IsInf(x, 0) {
			s.minXi0 = min(s.minXi0, x)
		}
	}
	s.growProviderArrays()

	// Consumers (§1): d_j ~ LogNormal normalized to total demand, b_j, u_j, k_j.
	m0 := p.Consumers.Count
	growth := p.Consumers.GrowthPerYear * float64(s.T) / 365
	want := int(float64(m0)*math.Exp(growth)*1.25) + 64
	if cap(s.cons) < want {
		s.cons = make([]consumer, 0, want)
	}
	s.cons = s.cons[:0]
	sumD := 0.0
	shareSum := 0.0
	for _, row := range p.Providers.Table {
		shareSum += row.InitialShare
	}
	for j := 0; j < m0; j++ {
		c := s.drawConsumer()
		sumD += c.d
		// Initial provider from the initial shares (inverse CDF).
		u := s.rCons.Float64() * shareSum
		k := n - 1
		acc := 0.0
		for i, row := range p.Providers.Table {
			acc += row.InitialShare
			if u < acc {
				k = i
				break
			}
		}
		c.k = int32(k)
		s.assignOutside0(&c)
		s.cons = append(s.cons, c)
	}
	scale := D / sumD
	pw := s.scratch[:len(s.provs)] // p_k^ε (c_ref = cost_k,0 = p_k), once per provider
	for i := range s.provs {
		pw[i] = math.Pow(s.provs[i].listPrice, eps)
	}
	for j := range s.cons {
		c := &s.cons[j]
		c.d *= scale
		if c.k >= 0 {
			c.dsc = c.d * pw[c.k]
		}
	}

	// Day-0 shares: realized volume shares of the day-0 assignment (§10).
	for i := range s.vol {
		s.vol[i] = 0
	}
	dIn := D
	for j := range s.cons {
		if k := s.cons[j].k; k >= 0 {
			s.vol[k] += s.cons[j].d
		}
	}
	if s.p.Outside.Enabled { // shares among the token system's demand (v2 §B.1)
		dIn = 0
		for i := range s.provs {
			dIn += s.vol[i]
		}
	}
	for i := range s.provs {
		s.provs[i].share = s.vol[i] / dIn
		s.shares[i] = s.provs[i].share
	}

	// Warm start (§10): hold_days lots due on days 1..H, each the initial
	// daily CLT receipts net of fees and hedging.
	for i := range s.provs {
		pr := &s.provs[i]
		_, _, net := feeSplit(pr.stakeInit/peg, p.Fees.ProtocolFee, p.Fees.BurnFraction)
		lot := net * (1 - pr.hedge)
		for d := 1; d <= s.hold; d++ {
			s.lots[i*s.nSlot+d%s.nSlot] += lot
			s.aud.ProviderHeldInitialCLT += lot
		}
	}

	// Market, fund, pool, levers.
	s.lnP = append(s.lnP[:0], math.Log(peg))
	s.price = append(s.price[:0], peg)
	s.rets = s.rets[:0]
	if cap(s.lnP) < s.T+1 {
		s.lnP = make([]float64, 1, s.T+1)
		s.lnP[0] = math.Log(peg)
		s.price = make([]float64, 1, s.T+1)
		s.price[0] = peg
		s.rets = make([]float64, 0, s.T)
	}
	s.pRef = peg
	s.s2, s.ePrev = 0, 0
	s.regName = ""
	s.supply = p.Supply.InitialCLT
	s.cb = breaker{on: p.CircuitBreaker.Enabled, threshold: p.CircuitBreaker.Threshold,
		haltDays: p.CircuitBreaker.HaltDays, damping: p.CircuitBreaker.Damping}
	// The fund exists only when its lever is on: otherwise its reserves are 0
	// (steps show 0, fund_pnl_usd is 0, it is never depleted).
	s.fundUSD, s.fundCLT = 0, 0
	if p.Fund.Enabled {
		s.fundUSD, s.fundCLT = p.Fund.ReserveUSD, p.Fund.ReserveCLT
	}
	s.pool = p.Grants.PoolUSD
	s.capInForce, s.grantsInForce = false, false
	s.capBlocked, s.grantsBlocked = false, false
	s.shock = largestShockEnd(spec.Schedule)

	s.aud.SupplyInitialCLT = s.supply
	s.aud.PoolInitialUSD = s.pool
	s.aud.FundInitialUSD, s.aud.FundInitialCLT = s.fundUSD, s.fundCLT

	s.acc = accum{fundDepletedDay: -1, recoveryDay: -1, peak: peg, hhi0: HHI(s.shares[:n])}
	s.llmInit() // MODEL-SPEC-v2 §B: outside utility, cost inversion, welfare base (llm_init.go)
	s.evInit()  // model.engine event (engine.go)
	return s.marketInit()
}

// drawConsumer draws a consumer's attributes from the consumers stream (§1):
// an unscaled base demand exp(σ Z), b_j = price_weight × exp(σ_b Z'),
// u_j ~ Beta(α, β). The caller scales d and sets k and dsc.
func (s *sim) drawConsumer() consumer {
	cp := &s.p.Consumers
	zd := s.rCons.NormFloat64()
	zb := s.rCons.NormFloat64()
	u := betaVariate(s.rCons, cp.NoncriticalAlpha, cp.NoncriticalBeta)
	return consumer{
		d: math.Exp(cp.DemandSigma * zd),
		b: cp.PriceWeight * math.Exp(cp.PriceWeightSigma*zb),
		u: u,
		k: -1,
	}
}

// growProviderArrays sizes the per-provider arrays to len(s.provs) (keeping
// their contents), allocating only when a capacity is exceeded.
func (s *sim) growProviderArrays() {
	n := len(s.provs)
	s.act = grow(s.act, n)
	s.yes = grow(s.yes, n)
	s.aNet = grow(s.aNet, n)
	s.aBase = grow(s.aBase, n)
	s.lnCost = grow(s.lnCost, n)
	s.powEps = grow(s.powEps, n)
	s.cpn = grow(s.cpn, n)
	s.vol = grow(s.vol, n)
	s.cw = grow(s.cw, n+1)
	s.shares = grow(s.shares, n)
	s.scratch = grow(s.scratch, n)
	s.wts = grow(s.wts, n)
	if cap(s.openList) < n+1 {
		s.openList = make([]int32, 0, n+16)
		s.activeList = make([]int32, 0, n+16)
	}
	for len(s.lots) < n*s.nSlot {
		s.lots = append(s.lots, 0)
	}
	s.lots = s.lots[:n*s.nSlot]
	s.growLLM()
}

// grow resizes x to length n keeping its first min(len, n) elements,
// zeroing the new ones, and allocates only when the capacity is exceeded.
func grow[T any](x []T, n int) []T {
	if cap(x) >= n {
		old := len(x)
		x = x[:n]
		if n > old {
			clear(x[old:])
		}
		return x
	}
	y := make([]T, n, n+16)
	copy(y, x)
	return y
}

// entrantName returns the name of the k-th entrant of a run (1-based),
// "entrant_k", cached across runs.
func (s *sim) entrantName(k int) string {
	for len(s.names) < k {
		s.names = append(s.names, "entrant_"+strconv.Itoa(len(s.names)+1))
	}
	return s.names[k-1]
}
