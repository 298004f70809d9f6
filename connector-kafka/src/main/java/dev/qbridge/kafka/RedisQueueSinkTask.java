package dev.qbridge.kafka;

import dev.qbridge.core.QueueException;
import dev.qbridge.core.redis.JedisConnection;
import dev.qbridge.core.redis.RedisConnection;
import dev.qbridge.core.queue.DueTimeUnit;
import dev.qbridge.core.queue.Scores;
import dev.qbridge.core.retry.Backoff;
import dev.qbridge.formats.JobTranslation;
import dev.qbridge.formats.NativeJob;
import dev.qbridge.formats.SystemQueue;
import dev.qbridge.formats.UnreadableJobException;
import dev.qbridge.kafka.config.RedisConnectionConfig;
import dev.qbridge.kafka.config.SinkConfig;
import dev.qbridge.kafka.sink.ExactlyOnceWriter;
import dev.qbridge.kafka.sink.ExactlyOnceWriter.Entry;
import dev.qbridge.kafka.sink.RecordToJob;
import dev.qbridge.kafka.sink.RecordToJob.BadRecordException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.connect.errors.ConnectException;
import org.apache.kafka.connect.errors.DataException;
import org.apache.kafka.connect.errors.RetriableException;
import org.apache.kafka.connect.sink.ErrantRecordReporter;
import org.apache.kafka.connect.sink.SinkRecord;
import org.apache.kafka.connect.sink.SinkTask;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes records into Redis queues exactly once. The offsets in Redis, not Kafka's consumer group, are the
 * truth: each batch is written with its partitions' next offsets in one atomic script call, {@link #open}
 * rewinds the consumer to them, {@link #preCommit} reports them, and records below them are skipped in the
 * script itself, so a crash or rebalance at any point neither writes a record twice nor skips one.
 */
public class RedisQueueSinkTask extends SinkTask {

    private static final Logger LOG = LoggerFactory.getLogger(RedisQueueSinkTask.class);

    private SinkConfig config;
    private RedisConnection redis;
    private ExactlyOnceWriter writer;
    private RecordToJob toJob;
    private ErrantRecordReporter reporter;
    private final Backoff backoff = new Backoff(Duration.ofMillis(100), Duration.ofSeconds(10));
    /** The next offset stored in Redis for each assigned partition whose offset we know. */
    private final Map<TopicPartition, Long> stored = new ConcurrentHashMap<>();
    /** The queue of each topic, worked out once per topic instead of once per record. */
    private final Map<String, String> queueByTopic = new HashMap<>();
    private final Map<String, JobTranslation> translations = new HashMap<>();

    @Override
    public String version() {
        return Version.get();
    }

    @Override
    public void start(Map<String, String> props) {
        config = new SinkConfig(props);
        String connector = props.getOrDefault("name", "qbridge-sink");
        try {
            // lazily: a Redis outage at start is retried by put() like any other, instead of failing the task
            redis = JedisConnection.openLazily(RedisConnectionConfig.endpoint(config));
        } catch (QueueException e) {
            throw new ConnectException("cannot set up the Redis connection: " + e.getMessage(), e);
        }
        writer = new ExactlyOnceWriter(redis, connector, config.queueKind(), config.dueTimeUnit());
        toJob = new RecordToJob(config);
        reporter = errantRecordReporter();
        LOG.info("Sink task of {} writes to {} {} queue {} (dead letter queue: {})", connector, redis.endpoint(),
                config.queueKind(), config.queueFor("${topic}"), reporter != null ? "configured" : "none");
    }

    private ErrantRecordReporter errantRecordReporter() {
        try {
            return context.errantRecordReporter();
        } catch (NoSuchMethodError | NoClassDefFoundError e) {
            return null; // a worker older than Kafka 2.6
        }
    }

    /** Rewinds each partition to the offset stored in Redis, where the last atomic write left it. */
    @Override
    public void open(Collection<TopicPartition> partitions) {
        Map<String, List<TopicPartition>> byQueue = new LinkedHashMap<>();
        partitions.forEach(tp -> byQueue.computeIfAbsent(queueOf(tp.topic()), q -> new ArrayList<>()).add(tp));
        for (Map.Entry<String, List<TopicPartition>> e : byQueue.entrySet()) {
            try {
                Map<TopicPartition, Long> offsets = writer.readOffsets(translation(e.getKey()).queue().baseKey(),
                        e.getValue());
                stored.putAll(offsets);
                if (!offsets.isEmpty()) {
                    context.offset(offsets);
                    LOG.info("Resuming {} from the offsets stored in Redis beside queue {}: {}", offsets.keySet(),
                            e.getKey(), offsets);
                }
            } catch (QueueException ex) {
                // put() still skips every record below the stored offsets, so not rewinding only costs a re-read
                LOG.warn("Cannot read the offsets stored beside queue {} ({}); the records Kafka delivers again are "
                        + "skipped when written", e.getKey(), ex.getMessage());
            }
        }
    }

    @Override
    public void put(Collection<SinkRecord> records) {
        if (records.isEmpty()) {
            return;
        }
        Map<String, List<Entry>> byQueue = new LinkedHashMap<>();
        List<Future<Void>> reported = new ArrayList<>();
        for (SinkRecord record : records) {
            TopicPartition tp = new TopicPartition(record.topic(), record.kafkaPartition());
            Long floor = stored.get(tp);
            if (floor != null && record.kafkaOffset() < floor) {
                continue; // written before: Kafka redelivered it before the rewind of open() took effect
            }
            String queue = queueOf(record.topic());
            List<Entry> entries = byQueue.computeIfAbsent(queue, q -> new ArrayList<>());
            try {
                byte[] payload = toJob.payload(record);
                JobTranslation translation = translation(queue);
                if (translation.isIdentity()) {
                    entries.add(Entry.job(tp, record.kafkaOffset(), toJob.score(record, payload), payload));
                } else {
                    NativeJob job = nativeJob(translation, record, payload);
                    SystemQueue target = translation.queue();
                    String score = target.isSharedSet()
                            ? job.at().map(at -> "s" + Scores.exactScore(at, DueTimeUnit.SECONDS)).orElse("in0") // its own time
                            : ExactlyOnceWriter.listScore(target, target.keyForPriority(job.priority().orElse(0)));
                    entries.add(Entry.job(tp, record.kafkaOffset(), score, job.bytes()));
                }
            } catch (BadRecordException e) {
                reported.add(reportOrFail(record, e));
                entries.add(Entry.passOver(tp, record.kafkaOffset()));
            }
        }
        awaitReported(reported);
        try {
            for (Map.Entry<String, List<Entry>> e : byQueue.entrySet()) {
                List<Entry> entries = e.getValue();
                for (int from = 0; from < entries.size(); from += config.batchSize()) {
                    List<Entry> batch = entries.subList(from, Math.min(entries.size(), from + config.batchSize()));
                    ExactlyOnceWriter.Result result = writer.write(translation(e.getKey()).queue(), batch);
                    stored.putAll(result.nextOffsets());
                    if (result.skipped() > 0) {
                        LOG.debug("Skipped {} records of queue {} that were written before", result.skipped(), e.getKey());
                    }
                }
            }
            if (backoff.failures() > 0) {
                LOG.info("Redis is back after {} failed writes; writing again", backoff.failures());
            }
            backoff.reset();
        } catch (QueueException e) {
            if (e.isRetriable()) {
                long wait = backoff.next().toMillis();
                if (backoff.failures() == 1) {
                    LOG.warn("Cannot write to Redis ({}); retrying the batch with backoff, nothing is dropped", e.getMessage());
                }
                context.timeout(wait);
                throw new RetriableException("Redis is unavailable, retrying in " + wait + " ms: " + e.getMessage(), e);
            }
            // waiting mends none of these (a key of the wrong type, refused credentials, a slot mismatch): fail the
            // task, so its status says why; the batch wrote nothing and its records stay in Kafka, uncommitted
            throw new ConnectException("cannot write to Redis: " + e.getMessage() + ". The records stay in Kafka; fix "
                    + "this, then restart the task", e);
        }
    }

    /** What a record of {@code queue} becomes on its way in: itself, or a job system's native job. */
    private JobTranslation translation(String queue) {
        return translations.computeIfAbsent(queue, q -> new JobTranslation(config.systemQueue(q), config.taskMap()));
    }

    private static NativeJob nativeJob(JobTranslation translation, SinkRecord record, byte[] body)
            throws BadRecordException {
        try {
            return translation.inbound(body);
        } catch (UnreadableJobException e) {
            throw new BadRecordException("record " + record.topic() + "/" + record.kafkaPartition() + "@"
                    + record.kafkaOffset() + " cannot become a " + translation.queue().format() + " job: "
                    + e.getMessage());
        }
    }

    private String queueOf(String topic) {
        return queueByTopic.computeIfAbsent(topic, config::queueFor);
    }

    private Future<Void> reportOrFail(SinkRecord record, BadRecordException e) {
        if (reporter == null) {
            throw new DataException(e.getMessage() + ". To route such records to a dead letter queue instead of "
                    + "failing, set errors.tolerance=all and errors.deadletterqueue.topic.name");
        }
        LOG.debug("Reporting a bad record: {}", e.getMessage());
        return reporter.report(record, new DataException(e.getMessage()));
    }

    /** The dead letter queue must have a bad record before its offset is stored as done in Redis. */
    private static void awaitReported(List<Future<Void>> reported) {
        for (Future<Void> f : reported) {
            try {
                f.get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new RetriableException("interrupted while reporting a bad record to the dead letter queue", e);
            } catch (ExecutionException e) {
                throw new ConnectException("cannot report a bad record to the dead letter queue: " + e.getCause(), e.getCause());
            }
        }
    }

    /** The offsets stored in Redis: everything below them is in the queue, so Kafka may commit them. */
    @Override
    public Map<TopicPartition, OffsetAndMetadata> preCommit(Map<TopicPartition, OffsetAndMetadata> currentOffsets) {
        Map<TopicPartition, OffsetAndMetadata> commit = new HashMap<>();
        for (TopicPartition tp : currentOffsets.keySet()) {
            Long next = stored.get(tp);
            if (next != null) {
                commit.put(tp, new OffsetAndMetadata(next));
            }
        }
        return commit;
    }

    @Override
    public void close(Collection<TopicPartition> partitions) {
        partitions.forEach(stored::remove);
    }

    @Override
    public void stop() {
        if (redis != null) {
            redis.close();
        }
    }
}
