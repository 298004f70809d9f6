package dev.qbridge.formats;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.json.JsonWriteFeature;
import com.fasterxml.jackson.core.util.MinimalPrettyPrinter;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.cfg.JsonNodeFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cloudevents.jackson.JsonFormat;
import io.cloudevents.jackson.JsonFormatOptions;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * The one JSON mapper of the formats. Numbers are kept as written: a float is a BigDecimal with its own digits and
 * scale, so Sidekiq's {@code 1796673940.1421893} does not come back as {@code 1.7966739401421893E9} and Python's
 * {@code 1.0} does not become the integer {@code 1} (which a Ruby or Python worker would see as another type).
 */
final class Json {
    static final ObjectMapper MAPPER = JsonMapper.builder()
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .disable(JsonNodeFeature.STRIP_TRAILING_BIGDECIMAL_ZEROES)
            .addModule(JsonFormat.getCloudEventJacksonModule(JsonFormatOptions.builder().build()))
            .build();

    /**
     * What Python's {@code json.dumps} writes by default (kombu and Celery use it): {@code ", "} and {@code ": "}
     * between items, non-ASCII escaped in lowercase hex. Workers do not care; it keeps our messages byte-alike to
     * the client's.
     */
    private static final ObjectWriter PYTHON_STYLE = MAPPER.writer(new PythonSeparators())
            .with(JsonWriteFeature.ESCAPE_NON_ASCII)
            .without(JsonWriteFeature.WRITE_HEX_UPPER_CASE);

    private Json() {
    }

    /** The JSON object of a job, or the parser's reason (with the position) as an unreadable job. */
    static ObjectNode object(byte[] bytes, String what) {
        JsonNode node = tree(bytes, what);
        if (!node.isObject()) {
            throw new UnreadableJobException(what + " is a JSON " + node.getNodeType().toString().toLowerCase()
                    + ", not an object");
        }
        return (ObjectNode) node;
    }

    static JsonNode tree(byte[] bytes, String what) {
        if (bytes == null || bytes.length == 0) {
            throw new UnreadableJobException(what + " is empty, not JSON");
        }
        try (JsonParser parser = MAPPER.createParser(bytes)) {
            JsonNode node = MAPPER.readTree(parser);
            if (node == null || node.isMissingNode()) {
                throw new UnreadableJobException(what + " holds no JSON value");
            }
            return node;
        } catch (JsonProcessingException e) {
            throw new UnreadableJobException(what + " is not JSON: " + e.getOriginalMessage()
                    + (e.getLocation() == null ? "" : " at byte " + e.getLocation().getByteOffset()), e);
        } catch (IOException e) {
            throw new UnreadableJobException(what + " cannot be read: " + e.getMessage(), e);
        }
    }

    static byte[] bytes(JsonNode node) {
        try {
            return MAPPER.writeValueAsBytes(node);
        } catch (IOException e) {
            throw new UncheckedIOException("a JSON tree could not be written", e);
        }
    }

    static byte[] pythonStyleBytes(JsonNode node) {
        try {
            return PYTHON_STYLE.writeValueAsBytes(node);
        } catch (IOException e) {
            throw new UncheckedIOException("a JSON tree could not be written", e);
        }
    }

    /** Python's default separators; stateless, so one instance serves every writer. */
    private static final class PythonSeparators extends MinimalPrettyPrinter {
        @Override
        public void writeObjectFieldValueSeparator(JsonGenerator g) throws IOException {
            g.writeRaw(": ");
        }

        @Override
        public void writeObjectEntrySeparator(JsonGenerator g) throws IOException {
            g.writeRaw(", ");
        }

        @Override
        public void writeArrayValueSeparator(JsonGenerator g) throws IOException {
            g.writeRaw(", ");
        }
    }

    static ObjectNode newObject() {
        return MAPPER.createObjectNode();
    }

    /** The node when it is an object, else a new empty one. */
    static ObjectNode objectOrEmpty(JsonNode node) {
        return node instanceof ObjectNode object ? object : newObject();
    }

    static ArrayNode newArray() {
        return MAPPER.createArrayNode();
    }
}
