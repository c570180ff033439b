package mysqlcdc

import (
	"encoding/binary"
	"fmt"
	"math"

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

// point maps a POINT column as Debezium's io.debezium.data.geometry.Point:
// its coordinates, WKB and SRID (null when 0).
func (c *column) point() *connectors.SchemaBuilder {
	c.conv = func(v any) (any, error) {
		b, err := toBytes(v)
		if err != nil {
			return nil, err
		}
		if len(b) < 4+21 {
			return nil, fmt.Errorf("point value of %d bytes", len(b))
		}
		wkb := b[4:]
		var order binary.ByteOrder = binary.LittleEndian
		if wkb[0] == 0 {
			order = binary.BigEndian
		}
		st := connectors.NewStruct(c.schema)
		st.Set(0, math.Float64frombits(order.Uint64(wkb[5:13])))
		st.Set(1, math.Float64frombits(order.Uint64(wkb[13:21])))
		st.Set(2, wkb)
		if srid := int32(binary.LittleEndian.Uint32(b)); srid != 0 {
			st.Set(3, srid)
		}
		return st, nil
	}
	return connectors.StructBuilder().Name("io.debezium.data.geometry.Point").Version(1).Doc("Geometry (POINT)").
		Field("x", connectors.Float64Schema).Field("y", connectors.Float64Schema).
		Field("wkb", connectors.OptionalBytesSchema).Field("srid", connectors.OptionalInt32Schema)
}
