import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import io.apicurio.registry.utils.converter.avro.AvroData;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.kafka.connect.data.SchemaAndValue;
import org.apache.kafka.connect.json.JsonConverter;

/**
 * The Avro reading oracle: each stdin line is {@code B64 <avro schema>\t<base64
 * body>} or {@code JSON <avro schema>\t<datum in Avro's JSON encoding>}. The
 * datum is read with Avro's GenericDatumReader, mapped to Connect by AvroData
 * (Apicurio's fork of Confluent's) and written as a JsonConverter envelope.
 * Each stdout line is {@code OK <base64 body>\t<envelope>} or
 * {@code ERR <exception class>: <message>}.
 */
public final class AvroReadOracle {
  public static void main(String[] args) throws Exception {
    JsonConverter writer = new JsonConverter();
    Map<String, String> wc = new HashMap<>();
    wc.put("schemas.enable", "true");
    writer.configure(wc, false);
    BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    PrintStream out = new PrintStream(System.out, false, StandardCharsets.UTF_8);
    String line;
    while ((line = in.readLine()) != null) {
      out.println(convert(writer, line));
    }
    out.flush();
  }

  private static String convert(JsonConverter writer, String line) {
    try {
      String mode = line.substring(0, line.indexOf(' '));
      String rest = line.substring(mode.length() + 1);
      int tab = rest.indexOf('\t');
      Schema schema = new Schema.Parser().parse(rest.substring(0, tab));
      String data = rest.substring(tab + 1);
      GenericDatumReader<Object> reader = new GenericDatumReader<>(schema);
      byte[] body;
      if (mode.equals("JSON")) {
        Object datum = reader.read(null, DecoderFactory.get().jsonDecoder(schema, data));
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        BinaryEncoder encoder = EncoderFactory.get().directBinaryEncoder(bytes, null);
        new GenericDatumWriter<Object>(schema).write(datum, encoder);
        encoder.flush();
        body = bytes.toByteArray();
      } else {
        body = Base64.getDecoder().decode(data);
      }
      Object datum = reader.read(null, DecoderFactory.get().binaryDecoder(body, null));
      SchemaAndValue sv = new AvroData(100).toConnectData(schema, datum);
      byte[] envelope = writer.fromConnectData("topic", sv.schema(), sv.value());
      return "OK " + Base64.getEncoder().encodeToString(body) + "\t" + new String(envelope, StandardCharsets.UTF_8);
    } catch (Throwable e) {
      String msg = String.valueOf(e.getMessage()).replace('\n', ' ').replace('\r', ' ');
      return "ERR " + e.getClass().getName() + ": " + msg;
    }
  }
}
