package dev.qbridge.kafka.source;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.qbridge.core.queue.Delivery;
import dev.qbridge.core.queue.QueueConfig;
import dev.qbridge.core.queue.QueueKind;
import dev.qbridge.formats.JobFormat;
import dev.qbridge.formats.JobTranslation;
import dev.qbridge.formats.SystemQueue;
import dev.qbridge.formats.TaskMap;
import dev.qbridge.formats.UnreadableJobException;
import dev.qbridge.formats.WrittenEvent;
import dev.qbridge.kafka.config.SourceConfig;
import dev.qbridge.kafka.config.SourceConfig.KeySource;
import dev.qbridge.kafka.config.SourceConfig.ValueType;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
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

    private JobRecord(Delivery delivery, Map<String, String> sourcePartition, String topic, Schema keySchema, Object key,
                      Schema valueSchema, Object value, ConnectHeaders headers) {
        super(sourcePartition, offsetValue(delivery.id()), topic, null, keySchema, key, valueSchema, value,
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

    /** What every record of one queue shares, worked out once instead of per job. */
    private record QueueTarget(String topic, Map<String, String> sourcePartition, JobTranslation translation) {
    }

    /** Builds records from deliveries as a task's config says. */
    public static final class Factory {
        private final SourceConfig config;
        private final Map<String, QueueTarget> targets = new ConcurrentHashMap<>();
        /** The queues by the name deliveries give them: queue:default for Sidekiq's default, schedule:default for
         *  its scheduled jobs. */
        private final Map<String, SystemQueue> byQueueName = new ConcurrentHashMap<>();
        private final KeySource keySource;
        private final String keyField;
        private final ValueType valueType;
        private final boolean queueHeader;
        private final boolean idHeader;
        private final boolean attemptHeader;
        private final boolean priorityHeader;
        private final boolean dueHeader;
        private final boolean takenHeader;
        private final EventHeaders eventHeaders = new EventHeaders();

        public Factory(SourceConfig config) {
            this.config = config;
            this.keySource = config.keySource();
            this.keyField = config.keyField();
            this.valueType = config.valueType();
            List<String> headers = config.headers();
            this.queueHeader = headers.contains("queue");
            this.idHeader = headers.contains("job.id");
            this.attemptHeader = headers.contains("attempt");
            this.priorityHeader = headers.contains("priority");
            this.dueHeader = headers.contains("due.at");
            this.takenHeader = headers.contains("taken.at");
            for (String queue : config.queues()) {
                SystemQueue q = config.systemQueue(queue);
                byQueueName.put(q.baseKey(), q);
            }
        }

        /**
         * The record of one delivery; throws {@link IOException} when the payload does not fit value.type (not JSON
         * for json, not UTF-8 for string), so that the job is dead-lettered unchanged instead of sent altered.
         */
        public JobRecord create(Delivery d, QueueConfig queue) throws IOException {
            QueueTarget target = targets.get(d.queue());
            if (target == null) { // once per queue: a computeIfAbsent per record allocated its capturing lambda each time
                target = targets.computeIfAbsent(d.queue(), this::target);
            }
            byte[] payload = d.payload();
            WrittenEvent event = null;
            if (!target.translation().isIdentity()) {
                try {
                    event = target.translation().written(payload, d.hash(), d.score());
                } catch (UnreadableJobException e) {
                    throw new IOException("unreadable " + target.translation().queue().format() + " job: "
                            + e.getMessage(), e);
                }
                payload = event.json();
            }
            Object value;
            Schema valueSchema;
            switch (valueType) {
                case STRING -> {
                    value = utf8(d, payload);
                    valueSchema = Schema.STRING_SCHEMA;
                }
                case JSON -> {
                    value = JSON.readValue(payload, Object.class);
                    valueSchema = null; // schemaless: JsonConverter with schemas.enable=false writes it as it was
                }
                default -> {
                    value = payload;
                    valueSchema = Schema.BYTES_SCHEMA;
                }
            }
            Object key = null;
            Schema keySchema = null;
            if (keySource == KeySource.FIELD) {
                keySchema = Schema.OPTIONAL_STRING_SCHEMA;
                key = keyFromField(value instanceof Map<?, ?> map ? map.get(keyField) : field(payload));
            } else if (event != null) {
                // a job system's job is keyed by its own id (Sidekiq's jid, Celery's task id): kept across systems
                key = event.id();
                keySchema = Schema.STRING_SCHEMA;
            } else if (keySource == KeySource.ID) {
                key = Long.toString(d.id());
                keySchema = Schema.STRING_SCHEMA;
            }
            ConnectHeaders headers = headers(d, queue);
            if (event != null) {
                eventHeaders.add(event, headers);
            }
            return new JobRecord(d, target.sourcePartition(), target.topic(), keySchema, key, valueSchema, value,
                    headers);
        }

        /** A queue's topic, partition and translation, from the key its deliveries name it by. */
        private QueueTarget target(String deliveryQueue) {
            SystemQueue queue = byQueueName.getOrDefault(deliveryQueue, SystemQueue.ready(JobFormat.RAW, deliveryQueue));
            return new QueueTarget(config.topicFor(queue.name()), offsetKey(deliveryQueue),
                    new JobTranslation(queue, TaskMap.NONE));
        }

        /**
         * The payload as text, or an exception: a lenient decoder would put U+FFFD where the bytes are not UTF-8,
         * and the job acked after Kafka has that text would be gone for good.
         */
        private static String utf8(Delivery d, byte[] payload) throws IOException {
            ByteBuffer in = ByteBuffer.wrap(payload);
            try {
                return StandardCharsets.UTF_8.newDecoder()
                        .onMalformedInput(CodingErrorAction.REPORT)
                        .onUnmappableCharacter(CodingErrorAction.REPORT)
                        .decode(in).toString();
            } catch (CharacterCodingException e) {
                throw new IOException("the payload is not valid UTF-8 (from byte " + in.position() + ", " + d.payload().length
                        + " bytes in all), and value.type=string would replace those bytes; use value.type=bytes for "
                        + "binary jobs, then requeue it from " + d.queue() + ":dead", e);
            }
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

        private ConnectHeaders headers(Delivery d, QueueConfig queue) {
            ConnectHeaders headers = new ConnectHeaders();
            if (queueHeader) {
                headers.addString(QUEUE_HEADER, d.queue());
            }
            if (idHeader) {
                headers.addLong(ID_HEADER, d.id());
            }
            if (attemptHeader) {
                headers.addInt(ATTEMPT_HEADER, d.attempt());
            }
            boolean priority = priorityHeader && queue.kind() == QueueKind.PRIORITY;
            boolean due = dueHeader && queue.kind() == QueueKind.DELAYED;
            if ((priority || due) && d.score().isPresent()) {
                // Redis's own spelling (inf, -inf, which guide producers write) parsed by the core; an infinite score
                // saturates to Long.MIN_VALUE or Long.MAX_VALUE, which sorts the same way
                double score = d.scoreValue().orElseThrow();
                if (priority) {
                    headers.addLong(PRIORITY_HEADER, (long) Math.floor(score));
                } else {
                    headers.addLong(DUE_HEADER, Math.round(score * queue.dueTimeUnit().millisPerUnit()));
                }
            }
            if (takenHeader) {
                headers.addLong(TAKEN_HEADER, d.takenAtMillis());
            }
            return headers;
        }
    }
}
