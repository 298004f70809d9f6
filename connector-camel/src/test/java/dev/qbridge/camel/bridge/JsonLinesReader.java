package dev.qbridge.camel.bridge;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * Reads a JSON lines file of the redisq-to-file bridge as docs/camel.md tells a reader to: each line a job, a line
 * that is not a whole JSON object the torn tail of a crashed write, skipped.
 */
public final class JsonLinesReader {

    private static final JsonFactory JSON = new JsonFactory();

    /** One line: the job, its payload decoded from the JSON string (UTF-8) or from base64. */
    public record Job(String queue, long id, int attempt, byte[] payload) {
        public String text() {
            return new String(payload, StandardCharsets.UTF_8);
        }
    }

    /** The jobs of the file, and the lines skipped as torn. */
    public record Contents(List<Job> jobs, List<String> torn) {
    }

    public static Contents read(Path file) throws IOException {
        List<Job> jobs = new ArrayList<>();
        List<String> torn = new ArrayList<>();
        for (String line : Files.readString(file, StandardCharsets.UTF_8).split("\n", -1)) {
            if (line.isEmpty()) {
                continue;
            }
            try {
                jobs.add(parse(line));
            } catch (IOException | RuntimeException e) {
                torn.add(line);
            }
        }
        return new Contents(jobs, torn);
    }

    static Job parse(String line) throws IOException {
        String queue = null;
        Long id = null;
        Integer attempt = null;
        byte[] payload = null;
        try (JsonParser p = JSON.createParser(line)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw new IOException("not an object");
            }
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                p.nextToken();
                switch (name) {
                    case "queue" -> queue = p.getText();
                    case "id" -> id = p.getLongValue();
                    case "attempt" -> attempt = p.getIntValue();
                    case "payload" -> payload = p.getText().getBytes(StandardCharsets.UTF_8);
                    case "payloadBase64" -> payload = Base64.getDecoder().decode(p.getText());
                    default -> throw new IOException("unknown field " + name);
                }
            }
            if (p.currentToken() != JsonToken.END_OBJECT || p.nextToken() != null) {
                throw new IOException("not one whole object");
            }
        }
        if (queue == null || id == null || attempt == null || payload == null) {
            throw new IOException("a field is missing");
        }
        return new Job(queue, id, attempt, payload);
    }
}
