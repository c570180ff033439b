package datagen

import (
	"hash/fnv"
	"math/bits"
)

// rng is a splitmix64 generator: tiny, fast, and seeded per record so any
// record can be regenerated from (seed, task, iteration) alone.
type rng struct{ s uint64 }

const golden = 0x9e3779b97f4a7c15

func mix64(z uint64) uint64 {
	z ^= z >> 30
	z *= 0xbf58476d1ce4e5b9
	z ^= z >> 27
	z *= 0x94d049bb133111eb
	return z ^ z>>31
}

// taskSeed derives a task's seed from the connector seed, so tasks differ.
func taskSeed(seed int64, task int) uint64 {
	return mix64(uint64(seed) + golden*uint64(task+1))
}

// recordSeed derives the seed of one iteration of a task.
func recordSeed(task uint64, iteration int64) uint64 {
	return mix64(task ^ mix64(uint64(iteration)+golden))
}

// nameSeed is the seed used without random.seed: a hash of the connector name.
func nameSeed(name string) int64 {
	h := fnv.New64a()
	h.Write([]byte(name))
	return int64(h.Sum64())
}

func (r *rng) next() uint64 {
	r.s += golden
	return mix64(r.s)
}

// intn returns a uniform number in [0, n).
func (r *rng) intn(n uint64) uint64 {
	hi, _ := bits.Mul64(r.next(), n)
	return hi
}

// between returns a uniform number in [lo, hi).
func (r *rng) between(lo, hi int64) int64 { return lo + int64(r.intn(uint64(hi-lo))) }

// float returns a uniform float64 in [lo, hi).
func (r *rng) float(lo, hi float64) float64 {
	return lo + (hi-lo)*float64(r.next()>>11)/(1<<53)
}
