package cmd

import (
	"crypto/sha256"
	"encoding/binary"
	"math"
	"math/rand/v2"
	"strconv"
	"time"
)

// simKind is one kind of simulated sensor: its stream's schema and unit on
// chain, and how its values move.
type simKind struct {
	schema string
	unit   string
	newGen func(rng *rand.Rand) valueGen
}

// simKinds are the sensors devsim can simulate (the --kinds values).
var simKinds = map[string]simKind{
	"pm25": {schema: "pm25.v1", unit: "ug/m3", newGen: newPM25Walk},
	"temp": {schema: "temp.v1", unit: "C", newGen: newTempSine},
}

// valueGen produces a sensor's payload for a reading taken at t.
type valueGen interface {
	next(t time.Time) []byte
}

// deviceRand is a device's own random source: the same seed and device
// give the same values on every run.
func deviceRand(seed, deviceID string) *rand.Rand {
	h := sha256.Sum256([]byte("trustedge/devsim/values|" + seed + "|" + deviceID))
	return rand.New(rand.NewPCG(binary.BigEndian.Uint64(h[:8]), binary.BigEndian.Uint64(h[8:16]))) //nolint:gosec // simulated values
}

// PM2.5 bounds (ug/m3): clean air to a bad-smog day.
const (
	pm25Min = 5.0
	pm25Max = 150.0
)

// pm25Walk is a random walk inside [pm25Min, pm25Max]: air quality drifts,
// it does not jump.
type pm25Walk struct {
	rng *rand.Rand
	v   float64
}

func newPM25Walk(rng *rand.Rand) valueGen {
	return &pm25Walk{rng: rng, v: 10 + 40*rng.Float64()}
}

func (w *pm25Walk) next(time.Time) []byte {
	w.v += (w.rng.Float64()*2 - 1) * 2.5
	// Reflect at the bounds so the walk does not stick to them.
	if w.v < pm25Min {
		w.v = 2*pm25Min - w.v
	}
	if w.v > pm25Max {
		w.v = 2*pm25Max - w.v
	}
	w.v = math.Min(pm25Max, math.Max(pm25Min, w.v))
	return appendJSONNumber([]byte(`{"pm25":`), w.v, 1)
}

// Temperature bounds (C) and the daily swing around their middle.
const (
	tempMin       = 15.0
	tempMax       = 35.0
	tempAmplitude = 8.0
)

// tempSine follows the time of day: a sine over 24 h around 25 C with a
// per-device phase (sites differ) and a little sensor noise.
type tempSine struct {
	rng   *rand.Rand
	phase float64
}

func newTempSine(rng *rand.Rand) valueGen {
	return &tempSine{rng: rng, phase: rng.Float64() * 2 * math.Pi / 6}
}

func (s *tempSine) next(t time.Time) []byte {
	day := float64(t.UnixNano()%int64(24*time.Hour)) / float64(24*time.Hour)
	v := (tempMin+tempMax)/2 + tempAmplitude*math.Sin(2*math.Pi*day+s.phase) + (s.rng.Float64()*2-1)*0.5
	v = math.Min(tempMax, math.Max(tempMin, v))
	return appendJSONNumber([]byte(`{"temp":`), v, 2)
}

// appendJSONNumber closes a one-field JSON object: prefix, v with prec
// decimals, "}".
func appendJSONNumber(prefix []byte, v float64, prec int) []byte {
	b := strconv.AppendFloat(prefix, v, 'f', prec, 64)
	return append(b, '}')
}
