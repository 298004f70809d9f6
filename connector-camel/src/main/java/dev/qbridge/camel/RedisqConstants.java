package dev.qbridge.camel;

import org.apache.camel.spi.Metadata;

/**
 * The message headers and exchange properties of the {@code redisq:} component. The consumer sets the job
 * headers on every exchange (with {@code batching=true}, the list headers instead of the per-job ones); the
 * producer reads the priority and delay headers of the exchange it pushes and answers with the push headers.
 */
public final class RedisqConstants {

    @Metadata(label = "consumer", description = "The queue the job was taken from, or pushed to.", javaType = "String")
    public static final String QUEUE = "CamelRedisqQueue";

    @Metadata(label = "consumer", description = "The job's id, assigned when it was first taken and kept across "
            + "redeliveries: an idempotent sink can key on it.", javaType = "long")
    public static final String JOB_ID = "CamelRedisqJobId";

    @Metadata(label = "consumer", description = "For a job system's queue (format=sidekiq, celery, rq, bullmq): the id of "
            + "the job's CloudEvent, which is the system's own id of the job (jid, task id, RQ's or BullMQ's job id). "
            + "Absent for raw and json queues.", javaType = "String")
    public static final String EVENT_ID = "CamelRedisqEventId";

    @Metadata(label = "consumer", description = "With batching=true: the ids of the jobs of the batch, in the order of "
            + "the payloads of the body.", javaType = "java.util.List<Long>")
    public static final String JOB_IDS = "CamelRedisqJobIds";

    @Metadata(label = "consumer", description = "With batching=true: the attempt of each job of the batch (1 for a first "
            + "delivery), in the order of the payloads of the body.", javaType = "java.util.List<Integer>")
    public static final String ATTEMPTS = "CamelRedisqAttempts";

    @Metadata(label = "consumer", description = "1 for the first delivery of the job, 2 for the first redelivery, and so on.",
            javaType = "int")
    public static final String ATTEMPT = "CamelRedisqAttempt";

    @Metadata(label = "consumer", description = "The sorted-set score the job had: its priority (priority queue) or its "
            + "due time (delayed queue). Absent for reliable queues.", javaType = "String")
    public static final String SCORE = "CamelRedisqScore";

    @Metadata(label = "producer", description = "The priority of the pushed job (priority queues): lower is taken first. "
            + "Overrides the endpoint's defaultPriority.", javaType = "long")
    public static final String PRIORITY = "CamelRedisqPriority";

    @Metadata(label = "producer", description = "How long the pushed job waits before it is due (delayed queues): a "
            + "java.time.Duration, or milliseconds. Overrides the endpoint's defaultDelay.", javaType = "java.time.Duration")
    public static final String DELAY = "CamelRedisqDelay";

    @Metadata(label = "producer", description = "When the pushed job is due (delayed queues): a java.time.Instant, or "
            + "epoch milliseconds. Wins over a delay. In the reply: the due time the job was given, epoch ms.",
            javaType = "java.time.Instant")
    public static final String DUE_AT = "CamelRedisqDueAt";

    @Metadata(label = "producer", description = "In the reply: how many jobs the push added. A sorted set holds each "
            + "payload once, so a payload already waiting in a priority or delayed queue is not added again.",
            javaType = "long")
    public static final String PUSHED = "CamelRedisqPushed";

    /**
     * Exchange property: set it to {@code true} before an exchange fails to dead-letter its job at once instead of
     * retrying it, for failures that no retry can mend (an HTTP 4xx, a payload the sink rejects).
     */
    @Metadata(label = "consumer", description = "Exchange property: true to dead-letter the job of a failed exchange "
            + "at once instead of retrying it.", javaType = "boolean")
    public static final String DEAD_LETTER = "CamelRedisqDeadLetter";

    private RedisqConstants() {
    }
}
