package dev.qbridge.kafka.config;

import dev.qbridge.core.queue.DueTimeUnit;
import dev.qbridge.core.queue.PayloadFormat;
import dev.qbridge.core.queue.QueueConfig;
import dev.qbridge.core.queue.QueueKind;
import dev.qbridge.core.retry.RetryPolicy;
import dev.qbridge.formats.JobFormat;
import dev.qbridge.formats.JobSet;
import dev.qbridge.formats.SystemQueue;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Range;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigDef.ValidString;
import org.apache.kafka.common.config.ConfigDef.Width;
import org.apache.kafka.common.config.ConfigValue;

/** The configuration of {@code RedisQueueSourceConnector}: Redis queues to Kafka topics. */
public final class SourceConfig extends AbstractConfig {

    public static final String QUEUE_GROUP = "Queues";
    public static final String RECORD_GROUP = "Records";
    public static final String FLOW_GROUP = "Flow control";

    public static final String QUEUES_CONFIG = "queues";
    private static final String QUEUES_DOC = "The Redis queues to read, comma separated. tasks.max spreads them over "
            + "tasks; with more tasks than queues, several tasks share a queue (each job still goes to one task).";

    public static final String QUEUE_KIND_CONFIG = "queue.kind";
    public static final String QUEUE_KIND_DEFAULT = "reliable";
    private static final String QUEUE_KIND_DOC = "What the queues are: reliable (a list fed by LPUSH), priority (a "
            + "sorted set, lowest score first) or delayed (a sorted set whose score is the due time; only due jobs are "
            + "read).";

    public static final String QUEUE_FORMAT_CONFIG = "queue.format";
    public static final String QUEUE_FORMAT_DEFAULT = "raw";
    private static final String QUEUE_FORMAT_DOC = "What the queues' jobs look like: raw (any bytes) or json (one JSON "
            + "value; others go to the dead-letter list), sent as they are; or a job system's own jobs, sidekiq, "
            + "celery or rq: queues are named as the system names them (default, celery), each job (an RQ id with its "
            + "hash) is sent as a CloudEvent "
            + "(JSON structured mode) keyed by the job's id, with the event's attributes also as ce_* headers, and a job "
            + "the format cannot read goes to the dead-letter list with the reason. See docs/systems.md.";

    public static final String QUEUE_SET_CONFIG = "queue.set";
    public static final String QUEUE_SET_DEFAULT = "ready";
    private static final String QUEUE_SET_DOC = "Which of a job system's sets to read: ready (waiting for a worker), "
            + "scheduled, retry or dead (job systems' formats only; docs/systems.md says which a system has).";

    public static final String TOPIC_CONFIG = "topic";
    public static final String TOPIC_DEFAULT = "${queue}";
    private static final String TOPIC_DOC = "The topic each job is written to; ${queue} is replaced by the queue's "
            + "name without hash-tag braces ({orders} gives orders).";

    public static final String DUE_TIME_UNIT_CONFIG = "due.time.unit";
    public static final String DUE_TIME_UNIT_DEFAULT = "seconds";
    private static final String DUE_TIME_UNIT_DOC = "The unit of a delayed queue's scores: seconds (epoch seconds, "
            + "as time.time() in Python) or milliseconds.";

    public static final String LEASE_TIMEOUT_CONFIG = "lease.timeout.ms";
    public static final long LEASE_TIMEOUT_DEFAULT = 60_000;
    private static final String LEASE_TIMEOUT_DOC = "How long a job taken by a task stays invisible to others before "
            + "it is requeued. The task renews the lease every half of it while Kafka has not confirmed the job, so it "
            + "only expires when the task or worker died; then the job is delivered again.";

    public static final String MAX_ATTEMPTS_CONFIG = "max.attempts";
    public static final int MAX_ATTEMPTS_DEFAULT = 10;
    private static final String MAX_ATTEMPTS_DOC = "How many deliveries a job may have (each task crash while it "
            + "held the job costs one) before it goes to the queue's dead-letter list <queue>:dead.";

    public static final String KEY_SOURCE_CONFIG = "key.source";
    public static final String KEY_SOURCE_DEFAULT = "none";
    private static final String KEY_SOURCE_DOC = "The record key: none (null), id (the job id, a string; ids are "
            + "unique per queue and kept across redeliveries) or field (the value of key.field in a JSON payload; null "
            + "when the payload is not a JSON object or lacks the field).";

    public static final String KEY_FIELD_CONFIG = "key.field";
    private static final String KEY_FIELD_DOC = "The top-level field of a JSON payload that becomes the key, with "
            + "key.source=field.";

    public static final String VALUE_TYPE_CONFIG = "value.type";
    public static final String VALUE_TYPE_DEFAULT = "bytes";
    private static final String VALUE_TYPE_DOC = "How the payload is handed to the value converter: bytes (the payload "
            + "unchanged, for ByteArrayConverter), string (UTF-8 text, for StringConverter; jobs that are not valid UTF-8 go "
            + "to the dead-letter list unchanged) or json (parsed schemaless JSON, for JsonConverter with "
            + "schemas.enable=false; jobs that are not JSON go to the dead-letter list).";

    public static final String HEADERS_CONFIG = "headers";
    public static final List<String> HEADERS_ALL = List.of("queue", "job.id", "attempt", "priority", "due.at", "taken.at");
    private static final String HEADERS_DOC = "The headers each record carries, comma separated, from: queue "
            + "(qbridge.queue), job.id (qbridge.job.id), attempt (qbridge.attempt), priority (qbridge.priority, priority "
            + "queues), due.at (qbridge.due.at, delayed queues), taken.at (qbridge.taken.at, the same as the record's "
            + "timestamp); empty for none. Each header adds about 20 bytes to every record in the topic. Keep job.id "
            + "when consumers dedupe redeliveries.";

    public static final String MAX_JOB_BYTES_CONFIG = "max.job.bytes";
    public static final int MAX_JOB_BYTES_DEFAULT = 1_000_000;
    private static final String MAX_JOB_BYTES_DOC = "The largest payload sent to Kafka, in bytes. A larger job is not "
            + "sent: it goes to the queue's dead-letter list <queue>:dead with a reason naming its size and this limit, "
            + "whatever errors.tolerance says. Kafka refuses records over the producer's max.request.size (1048576 by "
            + "default; producer.override.max.request.size) and over the topic's max.message.bytes, so raise those "
            + "together with this; the default leaves room for the key and headers under 1 MiB.";

    public static final String BATCH_SIZE_CONFIG = "batch.size";
    public static final int BATCH_SIZE_DEFAULT = 1000;
    private static final String BATCH_SIZE_DOC = "Most jobs one poll takes from Redis (one round trip per queue).";

    public static final String BATCH_MAX_BYTES_CONFIG = "batch.max.bytes";
    public static final int BATCH_MAX_BYTES_DEFAULT = QueueConfig.DEFAULT_BATCH_MAX_BYTES;
    private static final String BATCH_MAX_BYTES_DOC = "Most payload bytes one take moves from a queue (one Lua call): "
            + "the take stops before the job that would pass it, and the first job is always taken, whatever its size. "
            + "Keeps each call in the milliseconds when jobs are large, so it never stalls a Redis that other clients "
            + "share (and never outlasts the client's timeout, which would let leases expire and the call repeat).";

    public static final String MAX_IN_FLIGHT_CONFIG = "max.in.flight";
    public static final int MAX_IN_FLIGHT_DEFAULT = 10_000;
    private static final String MAX_IN_FLIGHT_DOC = "Most jobs a task holds at once: taken from Redis and not yet "
            + "confirmed by Kafka. Bounds the task's memory; the task takes no more while it holds this many.";

    public static final String POLL_WAIT_CONFIG = "poll.wait.ms";
    public static final int POLL_WAIT_DEFAULT = 1000;
    private static final String POLL_WAIT_DOC = "Longest time one poll waits for a job when the queues are empty.";

    public static final String REAPER_INTERVAL_CONFIG = "reaper.interval.ms";
    public static final long REAPER_INTERVAL_DEFAULT = 5000;
    private static final String REAPER_INTERVAL_DOC = "How often each task requeues jobs whose lease expired (held by "
            + "a task or worker that died).";

    public static final ConfigDef CONFIG_DEF = configDef();

    private static ConfigDef configDef() {
        ConfigDef def = RedisConnectionConfig.define(new ConfigDef());
        int order = 0;
        def.define(QUEUES_CONFIG, Type.LIST, ConfigDef.NO_DEFAULT_VALUE, new QueueNames(),
                        Importance.HIGH, QUEUES_DOC, QUEUE_GROUP, ++order, Width.LONG, "Queues")
                .define(QUEUE_KIND_CONFIG, Type.STRING, QUEUE_KIND_DEFAULT,
                        ValidString.in("reliable", "priority", "delayed"), Importance.HIGH, QUEUE_KIND_DOC,
                        QUEUE_GROUP, ++order, Width.SHORT, "Queue kind")
                .define(QUEUE_FORMAT_CONFIG, Type.STRING, QUEUE_FORMAT_DEFAULT,
                        ValidString.in(QueueFormatChecks.SOURCE_FORMATS.split(",")), Importance.HIGH, QUEUE_FORMAT_DOC,
                        QUEUE_GROUP, ++order, Width.SHORT, "Queue format")
                .define(QUEUE_SET_CONFIG, Type.STRING, QUEUE_SET_DEFAULT,
                        ValidString.in(QueueFormatChecks.SETS.split(",")), Importance.LOW, QUEUE_SET_DOC,
                        QUEUE_GROUP, ++order, Width.SHORT, "Queue set")
                .define(DUE_TIME_UNIT_CONFIG, Type.STRING, DUE_TIME_UNIT_DEFAULT,
                        ValidString.in("seconds", "milliseconds"), Importance.LOW, DUE_TIME_UNIT_DOC,
                        QUEUE_GROUP, ++order, Width.SHORT, "Due time unit")
                .define(LEASE_TIMEOUT_CONFIG, Type.LONG, LEASE_TIMEOUT_DEFAULT, Range.atLeast(1000), Importance.MEDIUM,
                        LEASE_TIMEOUT_DOC, QUEUE_GROUP, ++order, Width.SHORT, "Lease timeout (ms)")
                .define(MAX_ATTEMPTS_CONFIG, Type.INT, MAX_ATTEMPTS_DEFAULT, Range.atLeast(1), Importance.LOW,
                        MAX_ATTEMPTS_DOC, QUEUE_GROUP, ++order, Width.SHORT, "Max attempts");
        order = 0;
        def.define(TOPIC_CONFIG, Type.STRING, TOPIC_DEFAULT, new ConfigDef.NonEmptyString(), Importance.HIGH,
                        TOPIC_DOC, RECORD_GROUP, ++order, Width.MEDIUM, "Topic")
                .define(KEY_SOURCE_CONFIG, Type.STRING, KEY_SOURCE_DEFAULT, ValidString.in("none", "id", "field"),
                        Importance.MEDIUM, KEY_SOURCE_DOC, RECORD_GROUP, ++order, Width.SHORT, "Key source")
                .define(KEY_FIELD_CONFIG, Type.STRING, "", Importance.MEDIUM, KEY_FIELD_DOC, RECORD_GROUP, ++order,
                        Width.SHORT, "Key field")
                .define(VALUE_TYPE_CONFIG, Type.STRING, VALUE_TYPE_DEFAULT, ValidString.in("bytes", "string", "json"),
                        Importance.MEDIUM, VALUE_TYPE_DOC, RECORD_GROUP, ++order, Width.SHORT, "Value type")
                .define(HEADERS_CONFIG, Type.LIST, String.join(",", HEADERS_ALL), new HeaderNames(), Importance.LOW,
                        HEADERS_DOC, RECORD_GROUP, ++order, Width.LONG, "Headers")
                .define(MAX_JOB_BYTES_CONFIG, Type.INT, MAX_JOB_BYTES_DEFAULT, Range.atLeast(1), Importance.MEDIUM,
                        MAX_JOB_BYTES_DOC, RECORD_GROUP, ++order, Width.SHORT, "Max job bytes");
        order = 0;
        def.define(BATCH_SIZE_CONFIG, Type.INT, BATCH_SIZE_DEFAULT, Range.between(1, 1000), Importance.MEDIUM,
                        BATCH_SIZE_DOC, FLOW_GROUP, ++order, Width.SHORT, "Batch size")
                .define(BATCH_MAX_BYTES_CONFIG, Type.INT, BATCH_MAX_BYTES_DEFAULT, Range.atLeast(1), Importance.LOW,
                        BATCH_MAX_BYTES_DOC, FLOW_GROUP, ++order, Width.SHORT, "Batch max bytes")
                .define(MAX_IN_FLIGHT_CONFIG, Type.INT, MAX_IN_FLIGHT_DEFAULT, Range.atLeast(1), Importance.MEDIUM,
                        MAX_IN_FLIGHT_DOC, FLOW_GROUP, ++order, Width.SHORT, "Max in flight")
                .define(POLL_WAIT_CONFIG, Type.INT, POLL_WAIT_DEFAULT, Range.between(10, 60_000), Importance.LOW,
                        POLL_WAIT_DOC, FLOW_GROUP, ++order, Width.SHORT, "Poll wait (ms)")
                .define(REAPER_INTERVAL_CONFIG, Type.LONG, REAPER_INTERVAL_DEFAULT, Range.atLeast(100), Importance.LOW,
                        REAPER_INTERVAL_DOC, FLOW_GROUP, ++order, Width.SHORT, "Reaper interval (ms)");
        return def;
    }

    /** Where a record's key comes from. */
    public enum KeySource { NONE, ID, FIELD }

    /** What the value converter is handed. */
    public enum ValueType { BYTES, STRING, JSON }

    public SourceConfig(Map<String, String> props) {
        super(CONFIG_DEF, props);
    }

    /** The header names (as in {@link #HEADERS_ALL}) each record carries. */
    public List<String> headers() {
        return getList(HEADERS_CONFIG).stream().map(String::trim).filter(h -> !h.isEmpty()).toList();
    }

    public List<String> queues() {
        return getList(QUEUES_CONFIG).stream().map(String::trim).filter(q -> !q.isEmpty()).toList();
    }

    public QueueKind queueKind() {
        return QueueKind.parse(getString(QUEUE_KIND_CONFIG));
    }

    public String topicFor(String queue) {
        return topicFor(getString(TOPIC_CONFIG), queue);
    }

    static String topicFor(String template, String queue) {
        return template.replace("${queue}", queue.replace("{", "").replace("}", ""));
    }

    public KeySource keySource() {
        return KeySource.valueOf(getString(KEY_SOURCE_CONFIG).toUpperCase(Locale.ROOT));
    }

    public String keyField() {
        return getString(KEY_FIELD_CONFIG);
    }

    public ValueType valueType() {
        return ValueType.valueOf(getString(VALUE_TYPE_CONFIG).toUpperCase(Locale.ROOT));
    }

    public int maxJobBytes() {
        return getInt(MAX_JOB_BYTES_CONFIG);
    }

    public int batchSize() {
        return getInt(BATCH_SIZE_CONFIG);
    }

    public int batchMaxBytes() {
        return getInt(BATCH_MAX_BYTES_CONFIG);
    }

    public int maxInFlight() {
        return getInt(MAX_IN_FLIGHT_CONFIG);
    }

    public Duration pollWait() {
        return Duration.ofMillis(getInt(POLL_WAIT_CONFIG));
    }

    public Duration reaperInterval() {
        return Duration.ofMillis(getLong(REAPER_INTERVAL_CONFIG));
    }

    public JobFormat queueFormat() {
        return JobFormat.parse(getString(QUEUE_FORMAT_CONFIG));
    }

    /** The queue {@code name} as its format names it: the keys it is kept in. */
    public SystemQueue systemQueue(String name) {
        return new SystemQueue(queueFormat(), name, JobSet.parse(getString(QUEUE_SET_CONFIG)));
    }

    /** The core's definition of one queue this task reads. */
    public QueueConfig queueConfig(String queue) {
        JobFormat format = queueFormat();
        PayloadFormat check = format == JobFormat.JSON || valueType() == ValueType.JSON ? PayloadFormat.JSON
                : PayloadFormat.RAW;
        return (format.isJobSystem() ? systemQueue(queue).config() : QueueConfig.builder(queue).kind(queueKind())
                .format(check))
                .leaseTimeout(Duration.ofMillis(getLong(LEASE_TIMEOUT_CONFIG)))
                .retry(RetryPolicy.of(getInt(MAX_ATTEMPTS_CONFIG), Duration.ofSeconds(1)))
                .dueTimeUnit(DueTimeUnit.parse(getString(DUE_TIME_UNIT_CONFIG)))
                .batchMaxBytes(batchMaxBytes())
                .build();
    }

    /** The checks that span several keys, added to the values {@code validate()} answers. */
    public static void validate(Map<String, ConfigValue> values) {
        QueueFormatChecks.validate(values, QUEUE_FORMAT_CONFIG, QUEUE_SET_CONFIG, QUEUE_KIND_CONFIG);
        ConfigValue keySource = values.get(KEY_SOURCE_CONFIG);
        ConfigValue keyField = values.get(KEY_FIELD_CONFIG);
        if ("field".equals(keySource.value()) && (keyField.value() == null || ((String) keyField.value()).isBlank())) {
            keyField.addErrorMessage("key.source=field needs key.field: name the top-level JSON field that holds the key");
        }
        if (!"field".equals(keySource.value()) && keyField.value() != null && !((String) keyField.value()).isBlank()) {
            keyField.addErrorMessage("key.field is only used with key.source=field; set key.source=field or remove key.field");
        }
        ConfigValue topic = values.get(TOPIC_CONFIG);
        ConfigValue queues = values.get(QUEUES_CONFIG);
        List<String> queueNames = queues.value() instanceof List<?> list
                ? list.stream().map(o -> String.valueOf(o).trim()).filter(q -> !q.isEmpty()).toList() : List.of();
        if (queues.errorMessages().isEmpty() && queueNames.isEmpty()) {
            queues.addErrorMessage("queues is empty: name at least one Redis queue to read");
        }
        if (topic.value() instanceof String t && queueNames.stream().anyMatch(q -> !topicFor(t, q).matches("[a-zA-Z0-9._\\-]+"))) {
            topic.addErrorMessage("topic '" + t + "' gives a topic name Kafka refuses for some queue (only letters, "
                    + "digits, '.', '_' and '-' are allowed); set topic to a fixed name or rename the queue");
        }
        RedisConnectionConfig.validate(values, queueNames, QUEUES_CONFIG);
    }

    /** A non-empty list of distinct, non-blank names (ConfigDef.ValidList's variant is missing before Kafka 4.1). */
    static final class QueueNames implements ConfigDef.Validator {
        @Override
        public void ensureValid(String name, Object value) {
            List<?> list = value instanceof List<?> l ? l : List.of();
            List<String> names = list.stream().map(o -> String.valueOf(o).trim()).toList();
            if (names.isEmpty() || names.stream().anyMatch(String::isEmpty)) {
                throw new org.apache.kafka.common.config.ConfigException(name, value,
                        "name at least one Redis queue, comma separated, with no empty names");
            }
            if (names.stream().distinct().count() != names.size()) {
                throw new org.apache.kafka.common.config.ConfigException(name, value, "a queue is named twice");
            }
        }

        @Override
        public String toString() {
            return "non-empty list of distinct queue names";
        }
    }

    /** Names from {@link #HEADERS_ALL}; empty allowed (ValidList refuses an empty list on some Kafka versions). */
    static final class HeaderNames implements ConfigDef.Validator {
        @Override
        public void ensureValid(String name, Object value) {
            List<?> list = value instanceof List<?> l ? l : List.of();
            for (Object o : list) {
                String header = String.valueOf(o).trim();
                if (!header.isEmpty() && !HEADERS_ALL.contains(header)) {
                    throw new org.apache.kafka.common.config.ConfigException(name, value, "unknown header '" + header
                            + "'; choose from " + String.join(", ", HEADERS_ALL) + ", or leave it empty for none");
                }
            }
        }

        @Override
        public String toString() {
            return "any of " + String.join(", ", HEADERS_ALL) + " (empty for none)";
        }
    }
}
