package dev.qbridge.kafka.config;

import dev.qbridge.core.queue.DueTimeUnit;
import dev.qbridge.core.queue.QueueConfig;
import dev.qbridge.core.queue.QueueKind;
import dev.qbridge.formats.JobFormat;
import dev.qbridge.formats.JobSet;
import dev.qbridge.formats.SystemQueue;
import dev.qbridge.formats.TaskMap;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Range;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigDef.ValidString;
import org.apache.kafka.common.config.ConfigDef.Width;
import org.apache.kafka.common.config.ConfigValue;

/** The configuration of {@code RedisQueueSinkConnector}: Kafka topics into Redis queues, exactly once. */
public final class SinkConfig extends AbstractConfig {

    public static final String QUEUE_GROUP = "Queue";
    public static final String PRIORITY_GROUP = "Priority queues";
    public static final String DELAY_GROUP = "Delayed queues";

    public static final String QUEUE_CONFIG = "queue";
    public static final String QUEUE_DEFAULT = "${topic}";
    private static final String QUEUE_DOC = "The Redis queue each record is written to; ${topic} is replaced by the "
            + "record's topic. All records of one topic go to one queue, so a partition's offsets live beside its jobs.";

    public static final String QUEUE_KIND_CONFIG = "queue.kind";
    public static final String QUEUE_KIND_DEFAULT = "reliable";
    private static final String QUEUE_KIND_DOC = "What the queue is: reliable (a list; LPUSH, so RPOP or BRPOPLPUSH "
            + "consumers of the classic pattern read it unchanged), priority (a sorted set, score = priority) or "
            + "delayed (a sorted set, score = due time). A sorted set holds each payload once: a record whose payload "
            + "is already waiting there is not added twice.";

    public static final String QUEUE_FORMAT_CONFIG = "queue.format";
    public static final String QUEUE_FORMAT_DEFAULT = "raw";
    private static final String QUEUE_FORMAT_DOC = "What the queue's jobs look like: raw or json, written as the "
            + "records' values are; or a job system's own jobs, sidekiq or celery: the queue is named as the system "
            + "names it (default, celery), each record's value (a CloudEvent in JSON structured mode, from any system, "
            + "or a plain JSON job {\"type\": ..., \"args\": [...]}) is written as the system's own client writes "
            + "a job, and a value that is neither goes to the dead letter queue (errors.tolerance=all). Not rq yet "
            + "(RQ's jobs are a hash beside each id). See docs/systems.md.";

    public static final String QUEUE_SET_CONFIG = "queue.set";
    public static final String QUEUE_SET_DEFAULT = "ready";
    private static final String QUEUE_SET_DOC = "Which of a job system's sets to write: ready (waiting for a worker), "
            + "scheduled, retry or dead (queue.format sidekiq or celery only; docs/systems.md says which a system has).";

    public static final String TASK_MAP_CONFIG = "task.map";
    private static final String TASK_MAP_DOC = "Renames tasks on their way into a job system, as from:to pairs "
            + "separated by commas (tasks.add:AddWorker); a task not named keeps its name.";

    public static final String PRIORITY_HEADER_CONFIG = "priority.header";
    private static final String PRIORITY_HEADER_DOC = "The record header holding a job's priority (an integer; lower is "
            + "taken first). Checked before priority.field.";

    public static final String PRIORITY_FIELD_CONFIG = "priority.field";
    private static final String PRIORITY_FIELD_DOC = "The top-level field of a JSON record value holding a job's "
            + "priority (an integer, or a string of one).";

    public static final String PRIORITY_DEFAULT_CONFIG = "priority.default";
    private static final String PRIORITY_DEFAULT_DOC = "The priority of records without one. Unset: such a record is a "
            + "bad record (dead letter queue, or the task fails).";

    public static final String DUE_HEADER_CONFIG = "due.header";
    private static final String DUE_HEADER_DOC = "The record header holding a job's due time: epoch milliseconds, or "
            + "an ISO-8601 instant such as 2030-01-01T00:00:00Z. Checked before due.field.";

    public static final String DUE_FIELD_CONFIG = "due.field";
    private static final String DUE_FIELD_DOC = "The top-level field of a JSON record value holding a job's due time, "
            + "in the same forms as due.header.";

    public static final String DELAY_CONFIG = "delay.ms";
    private static final String DELAY_DOC = "A fixed delay from the time of writing (Redis's clock) for records without "
            + "a due time. Unset: 0 when neither due.header nor due.field is set, otherwise a record without a due "
            + "time is a bad record.";

    public static final String DUE_TIME_UNIT_CONFIG = "due.time.unit";
    public static final String DUE_TIME_UNIT_DEFAULT = "seconds";
    private static final String DUE_TIME_UNIT_DOC = "The unit of the delayed queue's scores: seconds (epoch seconds, "
            + "as time.time() in Python) or milliseconds. Must match the queue's consumers.";

    public static final String BATCH_SIZE_CONFIG = "batch.size";
    public static final int BATCH_SIZE_DEFAULT = 1000;
    private static final String BATCH_SIZE_DOC = "Most records written in one atomic Redis step (one script call that "
            + "writes the jobs and their partitions' offsets).";

    public static final ConfigDef CONFIG_DEF = configDef();

    private static ConfigDef configDef() {
        ConfigDef def = RedisConnectionConfig.define(new ConfigDef());
        int order = 0;
        def.define(QUEUE_CONFIG, Type.STRING, QUEUE_DEFAULT, new ConfigDef.NonEmptyString(), Importance.HIGH,
                        QUEUE_DOC, QUEUE_GROUP, ++order, Width.MEDIUM, "Queue")
                .define(QUEUE_KIND_CONFIG, Type.STRING, QUEUE_KIND_DEFAULT,
                        ValidString.in("reliable", "priority", "delayed"), Importance.HIGH, QUEUE_KIND_DOC,
                        QUEUE_GROUP, ++order, Width.SHORT, "Queue kind")
                .define(QUEUE_FORMAT_CONFIG, Type.STRING, QUEUE_FORMAT_DEFAULT,
                        ValidString.in(QueueFormatChecks.SINK_FORMATS.split(",")), Importance.HIGH, QUEUE_FORMAT_DOC,
                        QUEUE_GROUP, ++order, Width.SHORT, "Queue format")
                .define(QUEUE_SET_CONFIG, Type.STRING, QUEUE_SET_DEFAULT,
                        ValidString.in(QueueFormatChecks.SETS.split(",")), Importance.LOW, QUEUE_SET_DOC,
                        QUEUE_GROUP, ++order, Width.SHORT, "Queue set")
                .define(TASK_MAP_CONFIG, Type.STRING, "", Importance.LOW, TASK_MAP_DOC, QUEUE_GROUP, ++order,
                        Width.LONG, "Task map")
                .define(BATCH_SIZE_CONFIG, Type.INT, BATCH_SIZE_DEFAULT, Range.between(1, 1000), Importance.LOW,
                        BATCH_SIZE_DOC, QUEUE_GROUP, ++order, Width.SHORT, "Batch size");
        order = 0;
        def.define(PRIORITY_HEADER_CONFIG, Type.STRING, "", Importance.MEDIUM, PRIORITY_HEADER_DOC, PRIORITY_GROUP,
                        ++order, Width.SHORT, "Priority header")
                .define(PRIORITY_FIELD_CONFIG, Type.STRING, "", Importance.MEDIUM, PRIORITY_FIELD_DOC, PRIORITY_GROUP,
                        ++order, Width.SHORT, "Priority field")
                .define(PRIORITY_DEFAULT_CONFIG, Type.LONG, null,
                        new OptionalRange(-QueueConfig.MAX_PRIORITY, QueueConfig.MAX_PRIORITY), Importance.MEDIUM,
                        PRIORITY_DEFAULT_DOC, PRIORITY_GROUP, ++order, Width.SHORT, "Default priority");
        order = 0;
        def.define(DUE_HEADER_CONFIG, Type.STRING, "", Importance.MEDIUM, DUE_HEADER_DOC, DELAY_GROUP, ++order,
                        Width.SHORT, "Due time header")
                .define(DUE_FIELD_CONFIG, Type.STRING, "", Importance.MEDIUM, DUE_FIELD_DOC, DELAY_GROUP, ++order,
                        Width.SHORT, "Due time field")
                .define(DELAY_CONFIG, Type.LONG, null, new OptionalRange(0, Long.MAX_VALUE / 2), Importance.MEDIUM,
                        DELAY_DOC, DELAY_GROUP, ++order, Width.SHORT, "Fixed delay (ms)")
                .define(DUE_TIME_UNIT_CONFIG, Type.STRING, DUE_TIME_UNIT_DEFAULT,
                        ValidString.in("seconds", "milliseconds"), Importance.LOW, DUE_TIME_UNIT_DOC, DELAY_GROUP,
                        ++order, Width.SHORT, "Due time unit");
        return def;
    }

    public SinkConfig(Map<String, String> props) {
        super(CONFIG_DEF, props);
    }

    public JobFormat queueFormat() {
        return JobFormat.parse(getString(QUEUE_FORMAT_CONFIG));
    }

    /** The queue {@code name} as the format names it: the keys it is kept in. */
    public SystemQueue systemQueue(String name) {
        return new SystemQueue(queueFormat(), name, JobSet.parse(getString(QUEUE_SET_CONFIG)));
    }

    public TaskMap taskMap() {
        String spec = getString(TASK_MAP_CONFIG);
        return spec == null || spec.isBlank() ? TaskMap.NONE : TaskMap.parse(spec);
    }

    public QueueKind queueKind() {
        return QueueKind.parse(getString(QUEUE_KIND_CONFIG));
    }

    public String queueFor(String topic) {
        return getString(QUEUE_CONFIG).replace("${topic}", topic);
    }

    public int batchSize() {
        return getInt(BATCH_SIZE_CONFIG);
    }

    public Optional<String> priorityHeader() {
        return nonBlank(getString(PRIORITY_HEADER_CONFIG));
    }

    public Optional<String> priorityField() {
        return nonBlank(getString(PRIORITY_FIELD_CONFIG));
    }

    public Optional<Long> priorityDefault() {
        return Optional.ofNullable(getLong(PRIORITY_DEFAULT_CONFIG));
    }

    public Optional<String> dueHeader() {
        return nonBlank(getString(DUE_HEADER_CONFIG));
    }

    public Optional<String> dueField() {
        return nonBlank(getString(DUE_FIELD_CONFIG));
    }

    /** The fixed delay, or 0 when no due time source is configured at all. */
    public Optional<Duration> delay() {
        Long delay = getLong(DELAY_CONFIG);
        if (delay != null) {
            return Optional.of(Duration.ofMillis(delay));
        }
        return dueHeader().isEmpty() && dueField().isEmpty() ? Optional.of(Duration.ZERO) : Optional.empty();
    }

    public DueTimeUnit dueTimeUnit() {
        return DueTimeUnit.parse(getString(DUE_TIME_UNIT_CONFIG));
    }

    private static Optional<String> nonBlank(String value) {
        return value == null || value.isBlank() ? Optional.empty() : Optional.of(value.trim());
    }

    /** The checks that span several keys, added to the values {@code validate()} answers. */
    public static void validate(Map<String, ConfigValue> values) {
        boolean jobSystem = QueueFormatChecks.validate(values, QUEUE_FORMAT_CONFIG, QUEUE_SET_CONFIG, QUEUE_KIND_CONFIG);
        ConfigValue taskMap = values.get(TASK_MAP_CONFIG);
        if (taskMap.value() instanceof String spec && !spec.isBlank()) {
            if (!jobSystem) {
                taskMap.addErrorMessage("task.map renames the tasks of job systems: set queue.format=sidekiq or celery, "
                        + "or remove task.map");
            } else {
                try {
                    TaskMap.parse(spec);
                } catch (RuntimeException e) {
                    taskMap.addErrorMessage(e.getMessage());
                }
            }
        }
        String kind = String.valueOf(values.get(QUEUE_KIND_CONFIG).value());
        boolean priority = "priority".equals(kind);
        boolean delayed = "delayed".equals(kind);
        ConfigValue priorityDefault = values.get(PRIORITY_DEFAULT_CONFIG);
        if (priority && blank(values, PRIORITY_HEADER_CONFIG) && blank(values, PRIORITY_FIELD_CONFIG)
                && priorityDefault.value() == null) {
            priorityDefault.addErrorMessage("queue.kind=priority needs a priority: set priority.header or priority.field "
                    + "(where each record's priority is), or priority.default (one priority for all)");
        }
        if (!priority) {
            for (String key : List.of(PRIORITY_HEADER_CONFIG, PRIORITY_FIELD_CONFIG, PRIORITY_DEFAULT_CONFIG)) {
                if (!blank(values, key)) {
                    values.get(key).addErrorMessage(key + " only applies to queue.kind=priority, but queue.kind is "
                            + kind + "; remove it or set queue.kind=priority");
                }
            }
        }
        if (!delayed) {
            for (String key : List.of(DUE_HEADER_CONFIG, DUE_FIELD_CONFIG, DELAY_CONFIG)) {
                if (!blank(values, key)) {
                    values.get(key).addErrorMessage(key + " only applies to queue.kind=delayed, but queue.kind is "
                            + kind + "; remove it or set queue.kind=delayed");
                }
            }
        }
        ConfigValue queue = values.get(QUEUE_CONFIG);
        if (queue.value() instanceof String q && q.contains("${topic}") && values.containsKey(RedisConnectionConfig.REDIS_URI_CONFIG)
                && values.get(RedisConnectionConfig.REDIS_URI_CONFIG).value() instanceof String uri
                && uri.toLowerCase().contains("-cluster://") && !RedisConnectionConfig.hasHashTag(q.replace("${topic}", "topic"))) {
            queue.addErrorMessage("on Redis Cluster the queue needs a hash tag so its keys and offsets share a slot; "
                    + "set queue to {${topic}} or another name with braces");
        }
        List<String> fixedQueue = queue.value() instanceof String q && !q.contains("${topic}") ? List.of(q) : List.of();
        RedisConnectionConfig.validate(values, fixedQueue, QUEUE_CONFIG);
    }

    private static boolean blank(Map<String, ConfigValue> values, String key) {
        Object value = values.get(key).value();
        return value == null || value.toString().isBlank();
    }

    /** A range check that accepts an unset (null) value. */
    static final class OptionalRange implements ConfigDef.Validator {
        private final Range range;
        private final String text;

        OptionalRange(long min, long max) {
            this.range = Range.between(min, max);
            this.text = max >= Long.MAX_VALUE / 2 ? "unset, or at least " + min : "unset, or " + range;
        }

        @Override
        public void ensureValid(String name, Object value) {
            if (value != null) {
                range.ensureValid(name, value);
            }
        }

        @Override
        public String toString() {
            return text;
        }
    }
}
