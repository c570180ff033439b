//go:build integration

package convert

import (
	"fmt"
	"math"
	"math/big"
	"math/rand/v2"
	"time"

	"github.com/ferryhq/ferry/connectors"
)

// recordGen generates random Connect schemas and values for the converter
// oracle. Map keys are chosen so that Java's HashMap iteration order equals
// ferry's order (string keys a-f and small non-negative integers, ascending):
// map order is the one deliberate difference the oracle must not trip on.
type recordGen struct {
	r     *rand.Rand
	names int
}

var genStrings = []string{"", "a", "hello world", "quote\" backslash\\ slash/", "tab\tnewline\ncr\r", "ctl\u0001\u001f",
	"héllo ☃", "emoji 😀", "<&>'", "line\u2028sep", "0", "null", "  spaces  "}

func (g *recordGen) schema(depth int) *connectors.Schema {
	kinds := 13
	if depth < 3 {
		kinds = 17
	}
	var b *connectors.SchemaBuilder
	switch k := g.r.IntN(kinds); k {
	case 0, 1, 2, 3, 4, 5, 6, 7, 8:
		b = connectors.NewSchemaBuilder(connectors.Type(k + 1))
	case 9:
		b = connectors.DecimalSchema(int32(g.r.IntN(13)))
	case 10:
		b = connectors.DateSchema()
	case 11:
		b = connectors.TimeSchema()
	case 12:
		b = connectors.TimestampSchema()
	case 13:
		b = connectors.ArrayOf(g.schema(depth + 1))
	case 14:
		b = connectors.MapOf(connectors.StringSchema, g.schema(depth+1))
	case 15:
		keys := []*connectors.Schema{connectors.Int8Schema, connectors.Int16Schema, connectors.Int32Schema, connectors.Int64Schema}
		b = connectors.MapOf(keys[g.r.IntN(len(keys))], g.schema(depth+1))
	case 16:
		b = connectors.StructBuilder()
		for i := range g.r.IntN(5) {
			b.Field(fmt.Sprintf("f%d", i), g.schema(depth+1))
		}
	}
	g.metadata(b)
	if g.r.IntN(10) < 3 {
		b.Optional()
	}
	s := b.MustBuild()
	if s.Type.IsPrimitive() && g.r.IntN(5) == 0 {
		if d := g.value(s, false); d != nil {
			b.DefaultValue(d)
			s = b.MustBuild()
		}
	}
	return s
}

// metadata sometimes names, versions, documents or parameterises a schema.
func (g *recordGen) metadata(b *connectors.SchemaBuilder) {
	probe := b.MustBuild()
	if probe.Name != "" {
		return // logical types keep their own metadata
	}
	if g.r.IntN(6) == 0 {
		g.names++
		b.Name(fmt.Sprintf("com.example.N%d", g.names))
	}
	if g.r.IntN(8) == 0 {
		b.Version(int32(g.r.IntN(5) + 1))
	}
	if g.r.IntN(8) == 0 {
		b.Doc(genStrings[g.r.IntN(len(genStrings))])
	}
	if g.r.IntN(10) == 0 {
		b.Parameter("p", "v").Parameter("a", "b")
	}
}

// value returns a value for s; nil (when allowed) about one time in four.
func (g *recordGen) value(s *connectors.Schema, allowNull bool) any {
	if allowNull && s.Optional && g.r.IntN(4) == 0 {
		return nil
	}
	switch s.Name {
	case connectors.DecimalName:
		scale, _ := connectors.DecimalScale(s)
		u := new(big.Int).SetUint64(g.r.Uint64() >> g.r.IntN(64))
		if g.r.IntN(3) == 0 {
			u.Mul(u, new(big.Int).SetUint64(g.r.Uint64()))
		}
		if g.r.IntN(2) == 0 {
			u.Neg(u)
		}
		if g.r.IntN(5) == 0 {
			u.SetInt64(int64(g.r.IntN(200) - 100))
		}
		return connectors.Decimal{Unscaled: u, Scale: scale}
	case connectors.DateName:
		return connectors.DaysToDate(int32(g.r.IntN(40000) - 5000))
	case connectors.TimeName:
		return connectors.MillisToTime(int32(g.r.IntN(86400000)))
	case connectors.TimestampName:
		return time.UnixMilli(g.r.Int64N(8e12) - 4e12).UTC()
	}
	return g.plain(s)
}

func (g *recordGen) plain(s *connectors.Schema) any {
	switch s.Type {
	case connectors.TypeInt8:
		return int8(g.r.IntN(256) - 128)
	case connectors.TypeInt16:
		return int16(g.r.IntN(65536) - 32768)
	case connectors.TypeInt32:
		return int32(g.r.Uint32())
	case connectors.TypeInt64:
		return int64(g.r.Uint64())
	case connectors.TypeFloat32:
		return float32(g.float())
	case connectors.TypeFloat64:
		return g.float()
	case connectors.TypeBoolean:
		return g.r.IntN(2) == 0
	case connectors.TypeString:
		return genStrings[g.r.IntN(len(genStrings))]
	case connectors.TypeBytes:
		b := make([]byte, g.r.IntN(9))
		for i := range b {
			b[i] = byte(g.r.IntN(256))
		}
		return b
	case connectors.TypeArray:
		out := make([]any, g.r.IntN(4))
		for i := range out {
			out[i] = g.value(s.ValueSchema, true)
		}
		return out
	case connectors.TypeMap:
		return g.mapValue(s)
	case connectors.TypeStruct:
		st := connectors.NewStruct(s)
		for i, f := range s.Fields {
			st.Set(i, g.value(f.Schema, true))
		}
		return st
	}
	panic("unknown type")
}

func (g *recordGen) mapValue(s *connectors.Schema) any {
	n := g.r.IntN(4)
	if s.KeySchema.Type == connectors.TypeString {
		m := map[string]any{}
		for i := range n {
			m[string(rune('a'+i+g.r.IntN(2)))] = g.value(s.ValueSchema, true)
		}
		return m
	}
	var es connectors.MapEntries
	k := 0
	for range n {
		k += g.r.IntN(4) + 1
		var key any
		switch s.KeySchema.Type {
		case connectors.TypeInt8:
			key = int8(k)
		case connectors.TypeInt16:
			key = int16(k)
		case connectors.TypeInt32:
			key = int32(k)
		default:
			key = int64(k)
		}
		es = append(es, connectors.MapEntry{Key: key, Value: g.value(s.ValueSchema, true)})
	}
	return es
}

var genFloats = []float64{0, 1, -1, 0.1, 1.5, 100, 1e7, 1e-3, 9.999999e6, 1.0e-4, 123456789.125, 1e21, 1e22, 4.35, 2.0 / 3,
	math.MaxFloat32, math.SmallestNonzeroFloat64, 5e-324, 1.7976931348623157e308, -2.5e-7}

func (g *recordGen) float() float64 {
	if g.r.IntN(2) == 0 {
		return genFloats[g.r.IntN(len(genFloats))]
	}
	return (g.r.Float64() - 0.5) * math.Pow(10, float64(g.r.IntN(30)-12))
}
