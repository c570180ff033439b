// Oracle applies Kafka Connect's own transformations and predicates (and
// Debezium's ExtractNewRecordState) to records in ferry's record-line form, so
// that ferry's transforms can be compared with the real thing.
//
// Input (stdin): one case per line, {"config": {connector keys}, "records": [record lines]}.
// Output (stdout): per case, one line per record (the resulting record, null when
// dropped, or {"error","stage","class","exception"}); or one {"config_error": msg}
// line when the chain cannot be configured.
//
// With --bench N it reads one case and prints {"ns_per_record": x} for N
// applications of the chain after a warm-up.
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.io.FileOutputStream;
import java.io.FileDescriptor;
import java.io.BufferedOutputStream;
import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.*;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.connect.connector.ConnectRecord;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaAndValue;
import org.apache.kafka.connect.header.ConnectHeaders;
import org.apache.kafka.connect.header.Header;
import org.apache.kafka.connect.json.JsonConverter;
import org.apache.kafka.connect.sink.SinkRecord;
import org.apache.kafka.connect.source.SourceRecord;
import org.apache.kafka.connect.transforms.Transformation;
import org.apache.kafka.connect.transforms.predicates.Predicate;

@SuppressWarnings({"unchecked", "rawtypes"})
public class Oracle {
    static final ObjectMapper M = new ObjectMapper()
            .enable(com.fasterxml.jackson.databind.DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .enable(com.fasterxml.jackson.core.JsonGenerator.Feature.WRITE_BIGDECIMAL_AS_PLAIN)
            .setNodeFactory(JsonNodeFactory.withExactBigDecimals(true));
    static final JsonNodeFactory F = JsonNodeFactory.instance;
    static final JsonConverter CONV = new JsonConverter();

    static final class Stage {
        String cls;
        Transformation t;
        Predicate p;
        boolean negate;
    }

    static final class Failure extends Exception {
        final String stage, cls;
        final Throwable cause;
        Failure(String stage, String cls, Throwable cause) {
            super(cause);
            this.stage = stage;
            this.cls = cls;
            this.cause = cause;
        }
    }

    public static void main(String[] args) throws Exception {
        CONV.configure(Map.of("schemas.enable", "true", "decimal.format", "NUMERIC",
                "replace.null.with.default", "false", "converter.type", "value"));
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        PrintStream out = new PrintStream(new BufferedOutputStream(new FileOutputStream(FileDescriptor.out), 1 << 16), false, "UTF-8");
        if (args.length > 1 && args[0].equals("--bench")) {
            bench(M.readTree(in.readLine()), Long.parseLong(args[1]), out);
        } else {
            for (String line; (line = in.readLine()) != null; ) {
                if (!line.isBlank()) runCase(M.readTree(line), out);
            }
        }
        out.flush();
    }

    static void runCase(JsonNode c, PrintStream out) throws Exception {
        List<Stage> chain;
        try {
            chain = build(c.get("config"));
        } catch (Throwable e) {
            ObjectNode o = F.objectNode();
            o.put("config_error", String.valueOf(e.getMessage()));
            out.println(M.writeValueAsString(o));
            return;
        }
        for (JsonNode r : c.get("records")) {
            out.println(M.writeValueAsString(apply(chain, r)));
        }
    }

    static JsonNode apply(List<Stage> chain, JsonNode line) {
        ConnectRecord r;
        try {
            r = record(line);
        } catch (Throwable e) {
            return failure("converter", "record line", e);
        }
        for (Stage s : chain) {
            try {
                if (s.p != null && s.p.test(r) == s.negate) continue;
                r = s.t.apply(r);
            } catch (Throwable e) {
                return failure("transformation", s.cls, e);
            }
            if (r == null) return F.nullNode();
        }
        try {
            return encode(r);
        } catch (Throwable e) {
            return failure("converter", "record line", e);
        }
    }

    static JsonNode failure(String stage, String cls, Throwable e) {
        ObjectNode o = F.objectNode();
        o.put("error", String.valueOf(e.getMessage()));
        o.put("stage", stage);
        o.put("class", cls);
        o.put("exception", e.getClass().getSimpleName());
        return o;
    }

    static Map<String, String> props(JsonNode cfg) {
        Map<String, String> m = new HashMap<>();
        cfg.fields().forEachRemaining(e -> m.put(e.getKey(), e.getValue().asText()));
        return m;
    }

    static Map<String, String> sub(Map<String, String> m, String prefix) {
        Map<String, String> out = new HashMap<>();
        m.forEach((k, v) -> { if (k.startsWith(prefix)) out.put(k.substring(prefix.length()), v); });
        return out;
    }

    static List<String> list(String s) {
        if (s == null || s.trim().isEmpty()) return List.of();
        return Arrays.asList(s.trim().split("\\s*,\\s*"));
    }

    @SuppressWarnings("unchecked")
    static List<Stage> build(JsonNode cfg) throws Exception {
        Map<String, String> props = props(cfg);
        Map<String, Predicate> preds = new HashMap<>();
        for (String alias : list(props.get("predicates"))) {
            String prefix = "predicates." + alias + ".";
            Predicate p = (Predicate) Class.forName(props.get(prefix + "type")).getDeclaredConstructor().newInstance();
            p.configure(sub(props, prefix));
            preds.put(alias, p);
        }
        List<Stage> chain = new ArrayList<>();
        for (String alias : list(props.get("transforms"))) {
            String prefix = "transforms." + alias + ".";
            Stage s = new Stage();
            s.cls = props.get(prefix + "type");
            s.t = (Transformation) Class.forName(s.cls).getDeclaredConstructor().newInstance();
            s.t.configure(sub(props, prefix));
            String pred = props.get(prefix + "predicate");
            if (pred != null && !pred.isEmpty()) {
                s.p = preds.get(pred);
                if (s.p == null) throw new IllegalArgumentException("Predicate is not defined: " + pred);
                s.negate = Boolean.parseBoolean(props.get(prefix + "negate"));
            }
            chain.add(s);
        }
        return chain;
    }

    static boolean absent(JsonNode n) {
        return n == null || n.isNull() || n.isMissingNode();
    }

    static ConnectRecord record(JsonNode r) throws Exception {
        String topic = r.path("topic").asText();
        Integer partition = absent(r.get("partition")) ? null : r.get("partition").asInt();
        Long ts = absent(r.get("timestamp")) ? null : r.get("timestamp").asLong();
        SchemaAndValue key = value(topic, r.get("key_schema"), r.get("key"));
        SchemaAndValue val = value(topic, r.get("value_schema"), r.get("value"));
        ConnectHeaders hs = new ConnectHeaders();
        for (JsonNode h : r.path("headers")) {
            hs.add(h.get("key").asText(), value(topic, h.get("value_schema"), h.get("value")));
        }
        if (!absent(r.get("offset")) && r.get("offset").asLong() >= 0) {
            return new SinkRecord(topic, partition == null ? 0 : partition, key.schema(), key.value(), val.schema(), val.value(),
                    r.get("offset").asLong(), ts, ts == null ? TimestampType.NO_TIMESTAMP_TYPE : TimestampType.CREATE_TIME, hs);
        }
        return new SourceRecord(null, null, topic, partition, key.schema(), key.value(), val.schema(), val.value(), ts, hs);
    }

    static SchemaAndValue value(String topic, JsonNode schema, JsonNode payload) throws Exception {
        if (absent(schema)) return new SchemaAndValue(null, absent(payload) ? null : typed(payload));
        if (absent(payload)) return new SchemaAndValue(CONV.asConnectSchema(schema), null);
        ObjectNode env = F.objectNode();
        env.set("schema", schema);
        env.set("payload", payload);
        return CONV.toConnectData(topic, M.writeValueAsBytes(env));
    }

    static Object typed(JsonNode n) {
        if (n.isNull()) return null;
        if (n.isBoolean()) return n.booleanValue();
        if (n.isTextual()) return n.textValue();
        if (n.isIntegralNumber()) return n.longValue();
        if (n.isNumber()) return n.doubleValue();
        if (n.isArray()) {
            List<Object> l = new ArrayList<>();
            n.forEach(e -> l.add(typed(e)));
            return l;
        }
        if (n.size() == 1) {
            String k = n.fieldNames().next();
            JsonNode v = n.get(k);
            switch (k) {
                case "$int8": return (byte) v.asLong();
                case "$int16": return (short) v.asLong();
                case "$int32": return (int) v.asLong();
                case "$int64": return v.asLong();
                case "$float32": return (float) v.asDouble();
                case "$float64": return v.asDouble();
                case "$bytes": return Base64.getDecoder().decode(v.asText());
                case "$timestamp": return new java.util.Date(v.asLong());
                case "$decimal": return new BigDecimal(v.asText());
                default: break;
            }
        }
        Map<String, Object> m = new HashMap<>();
        n.fields().forEachRemaining(e -> m.put(e.getKey(), typed(e.getValue())));
        return m;
    }

    static ObjectNode encode(ConnectRecord r) throws Exception {
        ObjectNode o = F.objectNode();
        o.put("topic", r.topic());
        if (r.kafkaPartition() == null) o.putNull("partition"); else o.put("partition", r.kafkaPartition());
        if (r instanceof SinkRecord) o.put("offset", ((SinkRecord) r).kafkaOffset()); else o.putNull("offset");
        if (r.timestamp() == null) o.putNull("timestamp"); else o.put("timestamp", r.timestamp());
        put(o, r.topic(), "key", r.keySchema(), r.key());
        put(o, r.topic(), "value", r.valueSchema(), r.value());
        ArrayNode hs = o.putArray("headers");
        for (Header h : r.headers()) {
            ObjectNode hn = hs.addObject();
            hn.put("key", h.key());
            put(hn, r.topic(), "value", h.schema(), h.value());
        }
        return o;
    }

    static void put(ObjectNode o, String topic, String name, Schema s, Object v) throws Exception {
        if (s == null) {
            o.set(name, typedOut(v));
            o.putNull(name + "_schema");
            return;
        }
        if (v == null) o.putNull(name);
        else o.set(name, M.readTree(CONV.fromConnectData(topic, s, v)).get("payload"));
        o.set(name + "_schema", CONV.asJsonSchema(s));
    }

    static ObjectNode one(String k, JsonNode v) {
        ObjectNode o = F.objectNode();
        o.set(k, v);
        return o;
    }

    static JsonNode typedOut(Object v) {
        if (v == null) return F.nullNode();
        if (v instanceof Boolean) return F.booleanNode((Boolean) v);
        if (v instanceof String) return F.textNode((String) v);
        if (v instanceof Long) return F.numberNode((Long) v);
        if (v instanceof Double) return F.numberNode((Double) v);
        if (v instanceof Byte) return one("$int8", F.numberNode((Byte) v));
        if (v instanceof Short) return one("$int16", F.numberNode((Short) v));
        if (v instanceof Integer) return one("$int32", F.numberNode((Integer) v));
        if (v instanceof Float) return one("$float32", F.numberNode((Float) v));
        if (v instanceof byte[]) return one("$bytes", F.textNode(Base64.getEncoder().encodeToString((byte[]) v)));
        if (v instanceof ByteBuffer) {
            ByteBuffer b = ((ByteBuffer) v).duplicate();
            byte[] a = new byte[b.remaining()];
            b.get(a);
            return one("$bytes", F.textNode(Base64.getEncoder().encodeToString(a)));
        }
        if (v instanceof java.util.Date) return one("$timestamp", F.numberNode(((java.util.Date) v).getTime()));
        if (v instanceof BigDecimal) return one("$decimal", F.textNode(((BigDecimal) v).toPlainString()));
        if (v instanceof List) {
            ArrayNode a = F.arrayNode();
            for (Object e : (List<?>) v) a.add(typedOut(e));
            return a;
        }
        if (v instanceof Map) {
            TreeMap<String, Object> sorted = new TreeMap<>();
            ((Map<?, ?>) v).forEach((k, e) -> sorted.put(String.valueOf(k), e));
            ObjectNode o = F.objectNode();
            sorted.forEach((k, e) -> o.set(k, typedOut(e)));
            return o;
        }
        throw new IllegalArgumentException("cannot print a schemaless " + v.getClass().getName());
    }

    static void bench(JsonNode c, long n, PrintStream out) throws Exception {
        List<Stage> chain = build(c.get("config"));
        List<ConnectRecord> recs = new ArrayList<>();
        for (JsonNode r : c.get("records")) recs.add(record(r));
        long sink = 0;
        long warmEnd = System.nanoTime() + 3_000_000_000L;
        for (int i = 0; System.nanoTime() < warmEnd; i++) sink += run(chain, recs.get(i % recs.size()));
        com.sun.management.OperatingSystemMXBean os =
                (com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean();
        ObjectNode o = F.objectNode();
        ArrayNode wall = o.putArray("ns_per_record"), cpus = o.putArray("cpu_ns_per_record");
        for (int round = 0; round < 3; round++) {
            long cpu0 = os.getProcessCpuTime();
            long start = System.nanoTime();
            for (long i = 0; i < n; i++) sink += run(chain, recs.get((int) (i % recs.size())));
            wall.add((double) (System.nanoTime() - start) / n);
            cpus.add((double) (os.getProcessCpuTime() - cpu0) / n);
        }
        o.put("records", n);
        o.put("checksum", sink);
        out.println(M.writeValueAsString(o));
    }

    static int run(List<Stage> chain, ConnectRecord r) {
        for (Stage s : chain) {
            if (s.p != null && s.p.test(r) == s.negate) continue;
            r = s.t.apply(r);
            if (r == null) return 0;
        }
        return r.topic().length();
    }
}
