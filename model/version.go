package model

import "fmt"

// Model versions (MODEL-SPEC-v2, "Switches and v1").
const (
	// ModelV1 is MODEL-SPEC v1: an exogenous GARCH price path on a calendar,
	// fixed list prices, v1 levers. Its output is bit-identical to tokensim
	// v0.1 (TestV1Reproduced).
	ModelV1 = 1
	// ModelV2 is MODEL-SPEC-v2: the mechanisms of §A–§C, each with its own switch.
	ModelV2 = 2
	// DefaultModelVersion is the version of Default().
	DefaultModelVersion = ModelV2
)

// ModelParams are the `model.*` parameters.
type ModelParams struct {
	// Version selects the base parameter set a study's overrides apply to:
	// 1 = MODEL-SPEC v1 (every v2 switch at its v1 value, v1 defaults),
	// 2 = MODEL-SPEC-v2 defaults. It is recorded with the resolved
	// parameters; the mechanisms read their own switches, not the version.
	Version int `yaml:"version" json:"version"`
	// Engine selects the consumer engine: EngineEvent (v2 default) or
	// EngineReference (the per-consumer-day loop; v1). The two agree in
	// distribution, not draw for draw, so it is part of a run's identity.
	Engine string `yaml:"engine" json:"engine"`
}

// mechanism is one v2 mechanism's switch settings: v1 sets its switch (and
// any default it changes) to the v1 value, v2 to the v2 default.
type mechanism struct {
	name   string
	v1, v2 func(*Params)
}

// v2Mechanisms lists the v2 mechanisms in spec order (§A, §B, §C); each
// mechanism file declares its `mechanism` value and is listed here once.
var v2Mechanisms = []mechanism{
	marketMechanism,                                         // §A: market.mode, reserve.mode, market.switch (market_params.go)
	exitMechanism,                                           // §A.2: holders.exit_routing, holders.flight_*, shocks_to_holdings (market_exit.go)
	mechOutside, mechRefCost, mechPricing, mechConsumerRisk, // §B (llm_params.go)
	capabilityMechanism, hedgingMechanism, governanceMechanism, // levers (§C; levers.go)
	engineMechanism, // model.engine (engine.go)
}

// DefaultV1 returns MODEL-SPEC v1's parameters (§7): model.version 1 with
// every v2 switch at its v1 value. Runs from it reproduce v0.1 bit for bit.
func DefaultV1() Params {
	p := defaultV1Base()
	p.Model.Version = ModelV1
	for _, m := range v2Mechanisms {
		if m.v1 != nil {
			m.v1(&p)
		}
	}
	return p
}

// Default returns the default parameters of DefaultModelVersion (v2): the
// v1 defaults of MODEL-SPEC §7 changed by each v2 mechanism's defaults
// (MODEL-SPEC-v2 §A–§C; docs/model.md gives each default and its source).
func Default() Params {
	p := defaultV1Base()
	p.Model.Version = ModelV2
	for _, m := range v2Mechanisms {
		if m.v2 != nil {
			m.v2(&p)
		}
	}
	return p
}

// DefaultFor returns the default parameters of a model version (1 or 2).
// Errors wrap ErrInvalidParam.
func DefaultFor(version int) (Params, error) {
	switch version {
	case ModelV1:
		return DefaultV1(), nil
	case ModelV2:
		return Default(), nil
	}
	return Params{}, fmt.Errorf("%w: model.version = %d: must be 1 or 2", ErrInvalidParam, version)
}
