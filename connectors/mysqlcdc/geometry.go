package mysqlcdc

import (
	"encoding/binary"
	"fmt"

	"github.com/ferryhq/ferry/connectors"
)

// geometryTypes are the spatial column types, written as Debezium's
// io.debezium.data.geometry.Geometry.
var geometryTypes = map[string]bool{"geometry": true, "linestring": true, "polygon": true, "multipoint": true,
	"multilinestring": true, "multipolygon": true, "geometrycollection": true, "geomcollection": true}

// geometry maps a spatial column: a struct of the value's WKB and SRID,
// read from MySQL's internal form (a 4-byte little-endian SRID, then WKB).
func (c *column) geometry() *connectors.SchemaBuilder {
	c.conv = func(v any) (any, error) {
		b, err := toBytes(v)
		if err != nil {
			return nil, err
		}
		if len(b) < 4 {
			return nil, fmt.Errorf("geometry value of %d bytes", len(b))
		}
		st := connectors.NewStruct(c.schema)
		st.Set(0, b[4:])
		if srid := int32(binary.LittleEndian.Uint32(b)); srid != 0 { // Debezium: no SRID is null
			st.Set(1, srid)
		}
		return st, nil
	}
	return connectors.StructBuilder().Name("io.debezium.data.geometry.Geometry").Version(1).
		Doc("Geometry").Field("wkb", connectors.BytesSchema).Field("srid", connectors.OptionalInt32Schema)
}
