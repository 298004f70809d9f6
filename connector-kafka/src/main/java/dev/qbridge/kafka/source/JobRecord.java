package dev.qbridge.kafka.source;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.qbridge.core.queue.Delivery;
import dev.qbridge.core.queue.QueueConfig;
import dev.qbridge.core.queue.QueueKind;
import dev.qbridge.kafka.config.SourceConfig;
import dev.qbridge.kafka.config.SourceConfig.KeySource;
import dev.qbridge.kafka.config.SourceConfig.ValueType;
import java.io.IOException;
import java.util.Map;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.header.ConnectHeaders;
import org.apache.kafka.connect.source.SourceRecord;

/**
 * A source record that remembers the delivery it came from, so that {@code commitRecord} (which is handed
 * back the very record {@code poll} returned) can ack exactly that delivery without any lookup.
 */
public final class JobRecord extends SourceRecord {

    public static final String QUEUE_HEADER = "qbridge.queue";
    public static final String ID_HEADER = "qbridge.job.id";
    public static final String ATTEMPT_HEADER = "qbridge.attempt";
    public static final String PRIORITY_HEADER = "qbridge.priority";
    public static final String DUE_HEADER = "qbridge.due.at";
    public static final String TAKEN_HEADER = "qbridge.taken.at";

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Delivery delivery;

    private JobRecord(Delivery delivery, String topic, Schema keySchema, Object key, Schema valueSchema, Object value,
                      ConnectHeaders headers) {
        super(offsetKey(delivery.queue()), offsetValue(delivery.id()), topic, null, keySchema, key, valueSchema, value,
                delivery.takenAtMillis(), headers);
        this.delivery = delivery;
    }

    public Delivery delivery() {
        return delivery;
    }

    /** The source partition: the queue. Redis, not these offsets, knows what was consumed; they are informative. */
    static Map<String, String> offsetKey(String queue) {
        return Map.of("queue", queue);
    }

    /** The source offset: the id of the last job handed to Kafka from the queue. */
    static Map<String, Long> offsetValue(long id) {
        return Map.of("job", id);
    }

    /** Builds records from deliveries as a task's config says. */
    public static final class Factory {
        private final SourceConfig config;
        private final KeySource keySource;
        private final String keyField;
        private final ValueType valueType;

        public Factory(SourceConfig config) {
            this.config = config;
            this.keySource = config.keySource();
            this.keyField = config.keyField();
            this.valueType = config.valueType();
        }

        /** The record of one delivery; throws {@link IOException} when value.type=json and the payload is not JSON. */
        public JobRecord create(Delivery d, QueueConfig queue) throws IOException {
            Object value;
            Schema valueSchema;
            JsonNode json = null;
            switch (valueType) {
                case STRING -> {
                    value = d.payloadAsString();
                    valueSchema = Schema.STRING_SCHEMA;
                }
                case JSON -> {
                    value = JSON.readValue(d.payload(), Object.class);
                    valueSchema = null; // schemaless: JsonConverter with schemas.enable=false writes it as it was
                }
                default -> {
                    value = d.payload();
                    valueSchema = Schema.BYTES_SCHEMA;
                }
            }
            Object key = null;
            Schema keySchema = null;
            if (keySource == KeySource.ID) {
                key = Long.toString(d.id());
                keySchema = Schema.STRING_SCHEMA;
            } else if (keySource == KeySource.FIELD) {
                keySchema = Schema.OPTIONAL_STRING_SCHEMA;
                key = keyFromField(value instanceof Map<?, ?> map ? map.get(keyField) : field(d.payload()));
            }
            return new JobRecord(d, config.topicFor(d.queue()), keySchema, key, valueSchema, value, headers(d, queue));
        }

        private Object field(byte[] payload) {
            try {
                JsonNode node = JSON.readTree(payload);
                JsonNode v = node == null ? null : node.get(keyField);
                if (v == null || v.isNull()) {
                    return null;
                }
                return v.isValueNode() ? v.asText() : v.toString();
            } catch (IOException e) {
                return null; // not JSON: no key, as documented
            }
        }

        private static String keyFromField(Object v) {
            if (v == null) {
                return null;
            }
            if (v instanceof Map || v instanceof Iterable) {
                try {
                    return JSON.writeValueAsString(v);
                } catch (IOException e) {
                    return v.toString();
                }
            }
            return v.toString();
        }

        private static ConnectHeaders headers(Delivery d, QueueConfig queue) {
            ConnectHeaders headers = new ConnectHeaders();
            headers.addString(QUEUE_HEADER, d.queue());
            headers.addLong(ID_HEADER, d.id());
            headers.addInt(ATTEMPT_HEADER, d.attempt());
            d.scoreValue().ifPresent(score -> {
                if (queue.kind() == QueueKind.PRIORITY) {
                    headers.addLong(PRIORITY_HEADER, (long) Math.floor(score));
                } else if (queue.kind() == QueueKind.DELAYED) {
                    headers.addLong(DUE_HEADER, Math.round(score * queue.dueTimeUnit().millisPerUnit()));
                }
            });
            headers.addLong(TAKEN_HEADER, d.takenAtMillis());
            return headers;
        }
    }
}
