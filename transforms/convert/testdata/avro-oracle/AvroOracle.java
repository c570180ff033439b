import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import io.apicurio.registry.utils.converter.avro.AvroData;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.apache.kafka.connect.data.SchemaAndValue;
import org.apache.kafka.connect.json.JsonConverter;

/**
 * The Avro mapping oracle: each stdin line is a JsonConverter envelope; its
 * Connect data is mapped to Avro by AvroData (Apicurio's fork of Confluent's)
 * and written by Avro's GenericDatumWriter. Each stdout line is
 * {@code OK <avro schema JSON>\t<base64 body>}, {@code NULL} or
 * {@code ERR <exception class>: <message>}. One JVM run for all records.
 */
public final class AvroOracle {
  public static void main(String[] args) throws Exception {
    JsonConverter reader = new JsonConverter();
    Map<String, String> rc = new HashMap<>();
    rc.put("schemas.enable", "true");
    reader.configure(rc, false);
    BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    PrintStream out = new PrintStream(System.out, false, StandardCharsets.UTF_8);
    String line;
    while ((line = in.readLine()) != null) {
      out.println(convert(reader, line.getBytes(StandardCharsets.UTF_8)));
    }
    out.flush();
  }

  private static String convert(JsonConverter reader, byte[] envelope) {
    try {
      SchemaAndValue sv = reader.toConnectData("topic", envelope);
      if (sv.value() == null) {
        return "NULL";
      }
      AvroData avroData = new AvroData(100); // a fresh one: unnamed-record numbering starts again
      org.apache.avro.Schema schema = avroData.fromConnectSchema(sv.schema());
      Object datum = avroData.fromConnectData(sv.schema(), sv.value());
      if (datum instanceof io.apicurio.registry.serde.avro.NonRecordContainer) {
        datum = ((io.apicurio.registry.serde.avro.NonRecordContainer) datum).getValue();
      }
      ByteArrayOutputStream bytes = new ByteArrayOutputStream();
      BinaryEncoder encoder = EncoderFactory.get().directBinaryEncoder(bytes, null);
      new GenericDatumWriter<Object>(schema).write(datum, encoder);
      encoder.flush();
      return "OK " + schema.toString() + "\t" + Base64.getEncoder().encodeToString(bytes.toByteArray());
    } catch (Throwable e) {
      String msg = String.valueOf(e.getMessage()).replace('\n', ' ').replace('\r', ' ');
      return "ERR " + e.getClass().getName() + ": " + msg;
    }
  }
}
