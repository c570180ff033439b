//go:build integration

package transforms_test

// oracleConfigs are the connector configs the oracle test runs every record
// through: every transformation ($Key and $Value), every predicate, negate,
// ExtractNewRecordState's modes, chains, and configs Kafka rejects.
func oracleConfigs() []map[string]string {
	const smt = "org.apache.kafka.connect.transforms."
	const pred = "org.apache.kafka.connect.transforms.predicates."
	const enrs = "io.debezium.transforms.ExtractNewRecordState"
	one := func(typ string, kv ...string) map[string]string {
		m := map[string]string{"transforms": "t", "transforms.t.type": typ}
		for i := 0; i+1 < len(kv); i += 2 {
			m["transforms.t."+kv[i]] = kv[i+1]
		}
		return m
	}
	filterWith := func(p string, negate bool, kv ...string) map[string]string {
		m := map[string]string{"transforms": "f", "transforms.f.type": smt + "Filter", "transforms.f.predicate": "p",
			"predicates": "p", "predicates.p.type": pred + p}
		if negate {
			m["transforms.f.negate"] = "true"
		}
		for i := 0; i+1 < len(kv); i += 2 {
			m["predicates.p."+kv[i]] = kv[i+1]
		}
		return m
	}
	return []map[string]string{
		one(smt+"Cast$Value", "spec", "age:int64,score:int32,active:string,small:float32,price:float64,created:int64,birthday:string,ratio:int8"),
		one(smt+"Cast$Value", "spec", "id:string,name:int32"),
		one(smt+"Cast$Value", "spec", "string"),
		one(smt+"Cast$Value", "spec", "int32"),
		one(smt+"Cast$Value", "spec", "boolean"),
		one(smt+"Cast$Value", "spec", "age:int16,score:float32,flag:int8,missing:int8,ts_unix:int32"),
		one(smt+"Cast$Key", "spec", "id:string"),
		one(smt+"Cast$Value", "spec", "raw:string,total:string,price:string,created:string", "replace.null.with.default", "false"),
		one(smt+"Cast$Value", "spec", "a:bytes"),
		one(smt+"DropHeaders", "headers", "h1,trace"),
		one(smt+"ExtractField$Value", "field", "addr"),
		one(smt+"ExtractField$Value", "field", "name"),
		one(smt+"ExtractField$Value", "field", "age", "replace.null.with.default", "false"),
		one(smt+"ExtractField$Value", "field", "addr.geo.lat", "field.syntax.version", "V2"),
		one(smt+"ExtractField$Value", "field", "nested.b.c", "field.syntax.version", "v2"),
		one(smt+"ExtractField$Value", "field", "customer.address.city", "field.syntax.version", "V2"),
		one(smt+"ExtractField$Key", "field", "id"),
		one(smt + "Filter"),
		filterWith("RecordIsTombstone", false),
		filterWith("HasHeaderKey", true, "name", "h1"),
		filterWith("TopicNameMatches", false, "pattern", "test-.*|a\\.b\\..*"),
		filterWith("TopicNameMatches", true, "pattern", "users"),
		one(smt + "Flatten$Value"),
		one(smt+"Flatten$Value", "delimiter", "_"),
		one(smt + "Flatten$Key"),
		one(smt+"HeaderFrom$Value", "fields", "name,age", "headers", "hn,ha", "operation", "copy"),
		one(smt+"HeaderFrom$Value", "fields", "id,name,id", "headers", "a,b,c", "operation", "move"),
		one(smt+"HeaderFrom$Key", "fields", "id", "headers", "kid", "operation", "copy"),
		one(smt+"HeaderFrom$Value", "fields", "a", "headers", "x,y", "operation", "copy"),
		one(smt+"HoistField$Value", "field", "wrapped"),
		one(smt+"HoistField$Key", "field", "k"),
		one(smt+"InsertField$Value", "topic.field", "t", "partition.field", "p", "offset.field", "o", "timestamp.field", "ts",
			"static.field", "s", "static.value", "v"),
		one(smt+"InsertField$Value", "topic.field", "t!", "timestamp.field", "ts!"),
		one(smt+"InsertField$Value", "partition.field", "p?", "static.field", "name", "static.value", "dup"),
		one(smt+"InsertField$Key", "topic.field", "t"),
		one(smt + "InsertField$Value"),
		one(smt+"InsertHeader", "header", "src", "value.literal", "ferry"),
		one(smt+"InsertHeader", "header", "n", "value.literal", "42"),
		one(smt+"InsertHeader", "header", "arr", "value.literal", "[1,2,3]"),
		one(smt+"MaskField$Value", "fields", "name,email,age,score,active,created,tags,attrs,small,ratio,price"),
		one(smt+"MaskField$Value", "fields", "raw"),
		one(smt+"MaskField$Value", "fields", "id,score,small", "replacement", "7"),
		one(smt+"MaskField$Value", "fields", "name,email,missing", "replacement", "***"),
		one(smt+"MaskField$Value", "fields", "active", "replacement", "x"),
		one(smt+"MaskField$Key", "fields", "region"),
		one(smt+"RegexRouter", "regex", "(.*)-raw", "replacement", "$1-clean"),
		one(smt+"RegexRouter", "regex", "([a-z]+)\\.([a-z]+)\\..*", "replacement", "$2_$1"),
		one(smt+"ReplaceField$Value", "exclude", "email,raw,attrs"),
		one(smt+"ReplaceField$Value", "include", "id,name,age,order_id"),
		one(smt+"ReplaceField$Value", "renames", "name:full_name,age:years", "exclude", "years"),
		one(smt+"ReplaceField$Key", "renames", "id:key_id"),
		one(smt+"ReplaceField$Value", "renames", "name"),
		one(smt+"SetSchemaMetadata$Value", "schema.name", "com.example.Renamed", "schema.version", "3"),
		one(smt+"SetSchemaMetadata$Key", "schema.version", "9"),
		one(smt + "SetSchemaMetadata$Value"),
		one(smt+"TimestampConverter$Value", "field", "created", "target.type", "string", "format", "yyyy-MM-dd HH:mm:ss.SSS"),
		one(smt+"TimestampConverter$Value", "field", "created", "target.type", "unix", "unix.precision", "seconds"),
		one(smt+"TimestampConverter$Value", "field", "ts_unix", "target.type", "Timestamp"),
		one(smt+"TimestampConverter$Value", "field", "ts_unix", "target.type", "Date"),
		one(smt+"TimestampConverter$Value", "field", "ts_str", "target.type", "Time", "format", "yyyy-MM-dd'T'HH:mm:ss"),
		one(smt+"TimestampConverter$Value", "field", "birthday", "target.type", "unix", "unix.precision", "microseconds"),
		one(smt+"TimestampConverter$Value", "target.type", "Timestamp"),
		one(smt+"TimestampConverter$Value", "target.type", "string", "format", "yyyyMMdd"),
		one(smt+"TimestampConverter$Value", "field", "when", "target.type", "unix", "unix.precision", "nanoseconds"),
		one(smt+"TimestampConverter$Value", "target.type", "string"),
		one(smt+"TimestampConverter$Value", "target.type", "Timestamp", "format", "yyyy-MM-dd bb"),
		one(smt + "TimestampRouter"),
		one(smt+"TimestampRouter", "topic.format", "${timestamp}/${topic}/${topic}", "timestamp.format", "yyyy-MM HH"),
		one(smt+"ValueToKey", "fields", "id,name"),
		one(smt+"ValueToKey", "fields", "order_id,customer"),
		one(smt+"ValueToKey", "fields", ""),
		one(enrs),
		one(enrs, "drop.tombstones", "false"),
		one(enrs, "delete.handling.mode", "none"),
		one(enrs, "delete.handling.mode", "rewrite", "add.fields", "op,table,source.ts_ms,ts_ms"),
		one(enrs, "delete.tombstone.handling.mode", "drop"),
		one(enrs, "delete.tombstone.handling.mode", "tombstone"),
		one(enrs, "delete.tombstone.handling.mode", "rewrite"),
		one(enrs, "delete.tombstone.handling.mode", "rewrite-with-tombstone", "add.fields", "op,db:database", "add.fields.prefix", "_"),
		one(enrs, "delete.tombstone.handling.mode", "delete-to-tombstone"),
		one(enrs, "add.headers", "op,source.ts_ms,table,id", "add.headers.prefix", "dbz."),
		one(enrs, "route.by.field", "name"),
		{
			"transforms": "route,ins,mask,drop,key", "predicates": "isUsers,tomb",
			"predicates.isUsers.type": pred + "TopicNameMatches", "predicates.isUsers.pattern": "users",
			"predicates.tomb.type":  pred + "RecordIsTombstone",
			"transforms.route.type": smt + "RegexRouter", "transforms.route.regex": "(.*)-raw", "transforms.route.replacement": "$1",
			"transforms.ins.type": smt + "InsertField$Value", "transforms.ins.topic.field": "topic",
			"transforms.ins.predicate": "isUsers",
			"transforms.mask.type":     smt + "MaskField$Value", "transforms.mask.fields": "email",
			"transforms.mask.predicate": "tomb", "transforms.mask.negate": "true",
			"transforms.drop.type": smt + "Filter", "transforms.drop.predicate": "tomb",
			"transforms.key.type": smt + "ValueToKey", "transforms.key.fields": "id",
		},
	}
}
