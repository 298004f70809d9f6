package dev.qbridge.core.queue;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import dev.qbridge.core.QueueException;
import java.io.IOException;
import java.util.Locale;
import java.util.Optional;

/**
 * What a queue's payloads must be. Payloads are always stored as the producer's raw bytes; a format only
 * decides which of them a consumer accepts. A taken payload that breaks the format is dead-lettered with
 * the reason instead of being handed to the consumer.
 */
public enum PayloadFormat {
    /** Any bytes. */
    RAW,
    /** One JSON value (object, array, string, number, boolean or null) and nothing after it. */
    JSON;

    private static final JsonFactory JSON_FACTORY = new JsonFactory();

    /** Why the payload breaks this format, or empty when it is acceptable. */
    public Optional<String> violation(byte[] payload) {
        if (this == RAW) {
            return Optional.empty();
        }
        try (JsonParser parser = JSON_FACTORY.createParser(payload)) {
            if (parser.nextToken() == null) {
                return Optional.of("payload is not valid JSON: it is empty");
            }
            parser.skipChildren();
            if (parser.nextToken() != null) {
                return Optional.of("payload is not valid JSON: unexpected content after the first value at "
                        + parser.currentLocation().offsetDescription());
            }
            return Optional.empty();
        } catch (JsonProcessingException e) {
            return Optional.of("payload is not valid JSON: " + e.getOriginalMessage()
                    + " at " + e.getLocation().offsetDescription());
        } catch (IOException e) {
            return Optional.of("payload is not valid JSON: " + e.getMessage());
        }
    }

    public static PayloadFormat parse(String value) {
        try {
            return valueOf(value.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException | NullPointerException e) {
            throw new QueueException(QueueException.Kind.CONFIG, "payload format '" + value + "' is unknown; use raw or json");
        }
    }

    @Override
    public String toString() {
        return name().toLowerCase(Locale.ROOT);
    }
}
