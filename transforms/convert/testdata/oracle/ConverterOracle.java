import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.connect.data.SchemaAndValue;
import org.apache.kafka.connect.json.JsonConverter;

/**
 * The converter oracle: Kafka Connect's own JsonConverter applied to the
 * records ferry's oracle test generates. One JVM run for all records.
 *
 * <p>Each stdin line is {@code CONFIG<TAB>ENVELOPE}: CONFIG a JSON object of
 * converter properties plus "role" (key, value or header); ENVELOPE a
 * JsonConverter envelope {"schema":...,"payload":...}. The envelope is read
 * with a JsonConverter (schemas.enable=true, the record's
 * replace.null.with.default) and the resulting Connect data is written with a
 * JsonConverter configured by CONFIG. Each stdout line is {@code OK <base64>},
 * {@code NULL} (null bytes) or {@code ERR <exception class>: <message>}.
 */
public final class ConverterOracle {
  public static void main(String[] args) throws Exception {
    ObjectMapper mapper = new ObjectMapper();
    BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    PrintStream out = new PrintStream(System.out, false, StandardCharsets.UTF_8);
    Map<String, JsonConverter> cache = new HashMap<>();
    String line;
    while ((line = in.readLine()) != null) {
      int tab = line.indexOf('\t');
      String configJson = line.substring(0, tab);
      byte[] envelope = line.substring(tab + 1).getBytes(StandardCharsets.UTF_8);
      out.println(convert(mapper, cache, configJson, envelope));
    }
    out.flush();
  }

  @SuppressWarnings("unchecked")
  private static String convert(ObjectMapper mapper, Map<String, JsonConverter> cache, String configJson, byte[] envelope) {
    try {
      Map<String, String> config = mapper.readValue(configJson, Map.class);
      String role = config.getOrDefault("role", "value");
      String replace = config.getOrDefault("replace.null.with.default", "true");
      JsonConverter reader = cache.computeIfAbsent("reader:" + replace, k -> {
        JsonConverter c = new JsonConverter();
        Map<String, String> rc = new HashMap<>();
        rc.put("schemas.enable", "true");
        rc.put("replace.null.with.default", replace);
        c.configure(rc, false);
        return c;
      });
      JsonConverter writer = cache.computeIfAbsent(configJson, k -> {
        JsonConverter c = new JsonConverter();
        Map<String, String> wc = new HashMap<>(config);
        wc.remove("role");
        wc.put("converter.type", role);
        c.configure(wc);
        return c;
      });
      SchemaAndValue sv = reader.toConnectData("topic", envelope);
      byte[] bytes = role.equals("header")
          ? writer.fromConnectHeader("topic", "h", sv.schema(), sv.value())
          : writer.fromConnectData("topic", sv.schema(), sv.value());
      return bytes == null ? "NULL" : "OK " + Base64.getEncoder().encodeToString(bytes);
    } catch (Exception e) {
      String msg = String.valueOf(e.getMessage()).replace('\n', ' ').replace('\r', ' ');
      return "ERR " + e.getClass().getName() + ": " + msg;
    }
  }
}
