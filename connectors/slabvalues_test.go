package connectors

import (
	"fmt"
	"math"
	"reflect"
	"runtime"
	"strconv"
	"testing"
)

// TestSlabValuesMatchPlainOnes: values boxed by a StructSlab equal (==,
// DeepEqual, %#v, type switches) the ones any(x) makes, and stay intact
// across garbage collections while other values fill their blocks.
func TestSlabValuesMatchPlainOnes(t *testing.T) {
	var sl StructSlab
	type pair struct{ got, want any }
	var kept []pair
	for i := range 3 * slabWords {
		n := int64(i)*7919 - 1000
		kept = append(kept,
			pair{sl.Int64(n), n}, pair{sl.Int64(math.MinInt64 + n), int64(math.MinInt64 + n)},
			pair{sl.Int32(int32(n)), int32(n)}, pair{sl.Float64(float64(n) / 3), float64(n) / 3},
			pair{sl.String("s" + strconv.Itoa(i)), "s" + strconv.Itoa(i)},
			pair{sl.FormatInt(n), strconv.FormatInt(n, 10)}, pair{sl.String(sl.FormatInt(-n)), strconv.FormatInt(-n, 10)})
		if i%100 == 0 {
			runtime.GC()
		}
	}
	runtime.GC()
	for i, p := range kept {
		if p.got != p.want || !reflect.DeepEqual(p.got, p.want) || fmt.Sprintf("%#v", p.got) != fmt.Sprintf("%#v", p.want) {
			t.Fatalf("value %d: boxed %#v, plain %#v", i, p.got, p.want)
		}
		switch p.want.(type) {
		case int64, int32, float64, string:
		default:
			t.Fatalf("value %d has type %T", i, p.want)
		}
		if reflect.TypeOf(p.got) != reflect.TypeOf(p.want) {
			t.Fatalf("value %d: type %T, want %T", i, p.got, p.want)
		}
	}
}
