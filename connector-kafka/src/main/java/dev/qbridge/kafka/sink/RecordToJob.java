package dev.qbridge.kafka.sink;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.qbridge.core.queue.QueueConfig;
import dev.qbridge.core.queue.QueueKind;
import dev.qbridge.kafka.config.SinkConfig;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.header.Header;
import org.apache.kafka.connect.sink.SinkRecord;

/**
 * Turns a sink record into a job: its payload bytes and, for sorted-set queues, the score. A record that
 * cannot become a job throws {@link BadRecordException} with a message that says what is wrong and what to do.
 */
public final class RecordToJob {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** A record that can never become a job, whatever the retries. */
    public static final class BadRecordException extends Exception {
        private static final long serialVersionUID = 1L;

        public BadRecordException(String message) {
            super(message);
        }
    }

    private final QueueKind kind;
    private final Optional<String> priorityHeader;
    private final Optional<String> priorityField;
    private final Optional<Long> priorityDefault;
    private final Optional<String> dueHeader;
    private final Optional<String> dueField;
    private final Optional<Duration> delay;

    public RecordToJob(SinkConfig config) {
        this.kind = config.queueKind();
        this.priorityHeader = config.priorityHeader();
        this.priorityField = config.priorityField();
        this.priorityDefault = config.priorityDefault();
        this.dueHeader = config.dueHeader();
        this.dueField = config.dueField();
        this.delay = config.delay();
    }

    /** The payload: the value's bytes (byte[], ByteBuffer, String as UTF-8, schemaless JSON re-encoded). */
    public byte[] payload(SinkRecord record) throws BadRecordException {
        Object value = record.value();
        if (value == null) {
            throw bad(record, "it has no value (a tombstone); a job needs a payload");
        }
        if (value instanceof byte[] bytes) {
            return bytes;
        }
        if (value instanceof ByteBuffer buffer) {
            byte[] bytes = new byte[buffer.remaining()];
            buffer.duplicate().get(bytes);
            return bytes;
        }
        if (value instanceof String s) {
            return s.getBytes(StandardCharsets.UTF_8);
        }
        if (value instanceof Struct) {
            throw bad(record, "its value is a Struct (a converter with schemas); use ByteArrayConverter, StringConverter "
                    + "or JsonConverter with value.converter.schemas.enable=false");
        }
        try {
            return JSON.writeValueAsBytes(value);
        } catch (JsonProcessingException e) {
            throw bad(record, "its value of type " + value.getClass().getName() + " cannot be written as JSON: "
                    + e.getOriginalMessage());
        }
    }

    /** The score argument of {@code write-batch.lua}: '' for lists, the priority, or a due time or delay. */
    public String score(SinkRecord record, byte[] payload) throws BadRecordException {
        return switch (kind) {
            case RELIABLE -> "";
            case PRIORITY -> Long.toString(priority(record, payload));
            case DELAYED -> due(record, payload);
        };
    }

    private long priority(SinkRecord record, byte[] payload) throws BadRecordException {
        Optional<Object> raw = find(record, payload, priorityHeader, priorityField);
        long priority;
        if (raw.isEmpty()) {
            priority = priorityDefault.orElseThrow(() -> bad(record, "it has no priority: "
                    + where(priorityHeader, priorityField) + "; set priority.default for such records"));
        } else {
            priority = asLong(raw.get()).orElseThrow(() -> bad(record, "its priority '" + raw.get() + "' from "
                    + where(priorityHeader, priorityField) + " is not an integer"));
        }
        if (!QueueConfig.isValidPriority(priority)) {
            throw bad(record, "its priority " + priority + " is outside -" + QueueConfig.MAX_PRIORITY + ".."
                    + QueueConfig.MAX_PRIORITY);
        }
        return priority;
    }

    private String due(SinkRecord record, byte[] payload) throws BadRecordException {
        Optional<Object> raw = find(record, payload, dueHeader, dueField);
        if (raw.isEmpty()) {
            Duration d = delay.orElseThrow(() -> bad(record, "it has no due time: " + where(dueHeader, dueField)
                    + "; set delay.ms for such records"));
            return "in" + d.toMillis();
        }
        Object value = raw.get();
        Optional<Long> millis = asLong(value);
        if (millis.isPresent()) {
            return "at" + millis.get();
        }
        try {
            return "at" + Instant.parse(value.toString().trim()).toEpochMilli();
        } catch (DateTimeParseException e) {
            throw bad(record, "its due time '" + value + "' from " + where(dueHeader, dueField)
                    + " is neither epoch milliseconds nor an ISO-8601 instant such as 2030-01-01T00:00:00Z");
        }
    }

    /** The header's value, else the JSON field's, else empty. */
    private Optional<Object> find(SinkRecord record, byte[] payload, Optional<String> header, Optional<String> field)
            throws BadRecordException {
        if (header.isPresent() && record.headers() != null) {
            Header h = record.headers().lastWithName(header.get());
            if (h != null && h.value() != null) {
                Object v = h.value();
                return Optional.of(v instanceof byte[] b ? new String(b, StandardCharsets.UTF_8) : v);
            }
        }
        if (field.isPresent()) {
            if (record.value() instanceof Map<?, ?> map) { // schemaless JSON from JsonConverter
                return Optional.ofNullable(map.get(field.get()));
            }
            JsonNode node;
            try {
                node = JSON.readTree(payload);
            } catch (IOException e) {
                return Optional.empty(); // not JSON: it has no such field, so the default (if any) applies
            }
            JsonNode v = node == null ? null : node.get(field.get());
            if (v == null || v.isNull()) {
                return Optional.empty();
            }
            return Optional.of(v.isNumber() ? (Object) v.numberValue() : v.isTextual() ? v.textValue() : v.toString());
        }
        return Optional.empty();
    }

    private static Optional<Long> asLong(Object value) {
        if (value instanceof Byte || value instanceof Short || value instanceof Integer || value instanceof Long) {
            return Optional.of(((Number) value).longValue());
        }
        if (value instanceof Number n) {
            double d = n.doubleValue();
            return d == Math.rint(d) && !Double.isInfinite(d) ? Optional.of((long) d) : Optional.empty();
        }
        if (value instanceof String s) {
            try {
                return Optional.of(Long.parseLong(s.trim()));
            } catch (NumberFormatException e) {
                return Optional.empty();
            }
        }
        return Optional.empty();
    }

    private static String where(Optional<String> header, Optional<String> field) {
        if (header.isPresent() && field.isPresent()) {
            return "neither header '" + header.get() + "' nor JSON field '" + field.get() + "' has one";
        }
        if (header.isPresent()) {
            return "header '" + header.get() + "' is missing";
        }
        if (field.isPresent()) {
            return "JSON field '" + field.get() + "' is missing";
        }
        return "no header or field is configured";
    }

    private static BadRecordException bad(SinkRecord record, String why) {
        return new BadRecordException("record " + record.topic() + "/" + record.kafkaPartition() + "@"
                + record.kafkaOffset() + " cannot become a job: " + why);
    }
}
