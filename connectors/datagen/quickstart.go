package datagen

import (
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/ferryhq/ferry/connectors"
	"github.com/ferryhq/ferry/connectors/connectjson"
)

// quickstart is one of Confluent's bundled schemas: the Connect schema
// AvroData derives from its Avro schema, the default key field, and a
// generator following the schema's arg.properties.
type quickstart struct {
	name     string
	schema   *connectors.Schema
	keyField string
	// fill draws every primitive field from r into ds (draw); iteration
	// counts this task's records from 0 and seq numbers records uniquely
	// across tasks (iteration*tasks + task.id).
	fill func(ds []draw, r *rng, iteration, seq int64)
	// draws is how many primitive fields the schema has; json writes its
	// values from their draws (nil: the Struct is always built).
	draws int
	json  *jsonShape
}

// The ranges of Confluent's quickstart schemas (arg.properties "range").
const (
	minTime, maxTime = 1487715775521, 1519273364600
	minZip, maxZip   = 10000, 99999
)

// text is a string of a value table, boxed once (v, for Structs) and
// written once as a JSON string by connectjson (json, for JSON values).
type text struct {
	v    any
	json []byte
}

// texts makes the table entries of ss, their JSON in one block.
func texts(ss ...string) []text {
	out := make([]text, len(ss))
	ends := make([]int, len(ss))
	var block []byte
	for i, s := range ss {
		block = connectjson.AppendString(block, s)
		ends[i] = len(block)
	}
	start := 0
	for i, s := range ss {
		out[i], start = text{v: s, json: block[start:ends[i]:ends[i]]}, ends[i]
	}
	return out
}

func numbered(prefix string, lo, hi int) []text {
	ss := make([]string, 0, hi-lo+1)
	for i := lo; i <= hi; i++ {
		ss = append(ss, prefix+strconv.Itoa(i))
	}
	return texts(ss...)
}

// upToTwoDigits lists prefix followed by zero, one or two digits 1-9, grouped
// by length so a draw picks the length first, as the regex generator does.
func upToTwoDigits(prefix string) [3][]text {
	var one, two []string
	for a := '1'; a <= '9'; a++ {
		one = append(one, prefix+string(a))
		for b := '1'; b <= '9'; b++ {
			two = append(two, prefix+string(a)+string(b))
		}
	}
	return [3][]text{texts(prefix), texts(one...), texts(two...)}
}

func pick(r *rng, xs []text) *text { return &xs[r.intn(uint64(len(xs)))] }

func pickLen(r *rng, xs [3][]text) *text { return pick(r, xs[r.intn(3)]) }

// quickstarts are the quickstart schemas by name, built on first use (not at
// init: a function that never runs datagen does not pay for them, 3,500
// allocations).
var quickstarts = sync.OnceValue(newQuickstarts)

func newQuickstarts() map[string]*quickstart {
	// Field value tables, built, boxed and written as JSON strings once so
	// generation allocates neither the strings nor their interface values.
	var (
		userIDs   = numbered("User_", 1, 9)   // User_[1-9]
		regionIDs = numbered("Region_", 1, 9) // Region_[1-9]
		pageIDs   = numbered("Page_", 1, 99)  // Page_[1-9][0-9]?
		itemIDs   = numbered("Item_", 1, 999) // Item_[1-9][0-9]{0,2}
		cities    = upToTwoDigits("City_")    // City_[1-9]{0,2}
		states    = upToTwoDigits("State_")   // State_[1-9]{0,2}
		genders   = texts("MALE", "FEMALE", "OTHER")
	)
	addressSchema := connectors.StructBuilder().Name("ksql.address").
		Field("city", connectors.StringSchema).
		Field("state", connectors.StringSchema).
		Field("zipcode", connectors.Int64Schema).
		MustBuild()

	qs := map[string]*quickstart{
		"users": {
			name: "users", keyField: "userid",
			schema: connectors.StructBuilder().Name("ksql.users").
				Field("registertime", connectors.Int64Schema).
				Field("userid", connectors.StringSchema).
				Field("regionid", connectors.StringSchema).
				Field("gender", connectors.StringSchema).
				MustBuild(),
			fill: func(ds []draw, r *rng, _, _ int64) {
				ds[0].n = r.between(minTime, maxTime)
				ds[1].s = pick(r, userIDs)
				ds[2].s = pick(r, regionIDs)
				ds[3].s = pick(r, genders)
			},
		},
		// orders: orderid is Confluent's "iteration" field (INT32, start 0), made
		// unique across tasks as seq = iteration*tasks + task.id; it wraps like
		// Java's int after 2^31 orders.
		"orders": {
			name: "orders", keyField: "orderid",
			schema: connectors.StructBuilder().Name("ksql.orders").
				Field("ordertime", connectors.Int64Schema).
				Field("orderid", connectors.Int32Schema).
				Field("itemid", connectors.StringSchema).
				Field("orderunits", connectors.Float64Schema).
				Field("address", addressSchema).
				MustBuild(),
			fill: func(ds []draw, r *rng, _, seq int64) {
				ds[0].n = r.between(minTime, maxTime)
				ds[1].n = int64(int32(seq))
				ds[2].s = pick(r, itemIDs)
				ds[3].f = r.float(0.1, 10.0)
				ds[4].s = pickLen(r, cities) // address.city
				ds[5].s = pickLen(r, states) // address.state
				ds[6].n = r.between(minZip, maxZip+1)
			},
		},
		// pageviews: viewtime is Confluent's iteration field (start 1, step 10),
		// counted per task as in Confluent's connector.
		"pageviews": {
			name: "pageviews", keyField: "viewtime",
			schema: connectors.StructBuilder().Name("ksql.pageviews").
				Field("viewtime", connectors.Int64Schema).
				Field("userid", connectors.StringSchema).
				Field("pageid", connectors.StringSchema).
				MustBuild(),
			fill: func(ds []draw, r *rng, iteration, _ int64) {
				ds[0].n = 1 + 10*iteration
				ds[1].s = pick(r, userIDs)
				ds[2].s = pick(r, pageIDs)
			},
		},
	}
	for _, q := range qs {
		types, _ := primitives(q.schema)
		q.draws, q.json = len(types), newShape(q.schema)
	}
	return qs
}

func lookupQuickstart(name string) (*quickstart, bool) {
	q, ok := quickstarts()[strings.ToLower(strings.TrimSpace(name))]
	return q, ok
}

func quickstartNames() []string {
	out := make([]string, 0, len(quickstarts()))
	for n := range quickstarts() {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// keyValue is a key field value as Java's toString renders it for the
// quickstart field types (strings, ints, longs, doubles), boxed in sl.
func keyValue(sl *connectors.StructSlab, v any) any {
	switch x := v.(type) {
	case string:
		return v
	case int32:
		return sl.String(sl.FormatInt(int64(x)))
	case int64:
		return sl.String(sl.FormatInt(x))
	case float64:
		return strconv.FormatFloat(x, 'g', -1, 64)
	case *connectors.Struct:
		return x.String()
	}
	return ""
}
