package dev.qbridge.kafka;

import dev.qbridge.core.QueueException;
import dev.qbridge.core.consume.ConsumerSettings;
import dev.qbridge.core.consume.QueueConsumer;
import dev.qbridge.core.queue.Delivery;
import dev.qbridge.core.queue.RedisQueue;
import dev.qbridge.core.redis.JedisConnection;
import dev.qbridge.core.redis.RedisConnection;
import dev.qbridge.kafka.config.RedisConnectionConfig;
import dev.qbridge.kafka.config.SourceConfig;
import dev.qbridge.kafka.source.DropClassifier;
import dev.qbridge.kafka.source.JobRecord;
import dev.qbridge.kafka.source.Prefetcher;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.connect.errors.ConnectException;
import org.apache.kafka.connect.source.SourceRecord;
import org.apache.kafka.connect.source.SourceTask;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Takes jobs from Redis queues and hands them to Kafka, at least once. Each queue is read through the core's
 * {@link QueueConsumer}, which keeps the taken jobs safe until they are settled: it renews their leases while Kafka
 * is slow, reaps the leases of dead tasks, waits out a Redis outage with backoff, skips a queue whose key holds
 * another type, and releases what is still in hand when the task stops. The task keeps only what is its own: the
 * records, the acks that {@link #commitRecord} collects (written in one round trip per queue), the
 * {@code max.in.flight} bound over all its queues, and the choice between ack and dead letter. Everything that talks
 * to Redis (takes, acks, dead letters) runs on the {@link Prefetcher}'s thread, one batch ahead of Connect's thread,
 * which only converts and sends.
 */
public class RedisQueueSourceTask extends SourceTask {

    private static final Logger LOG = LoggerFactory.getLogger(RedisQueueSourceTask.class);
    private static final String DROPPED_REASON = "Kafka Connect dropped the record under errors.tolerance=all: a "
            + "converter, a transform or the producer failed on it (see the worker's log); replay it once fixed";
    private static final String MAX_REQUEST_SIZE_OVERRIDE = "producer.override.max.request.size";
    /**
     * How long the batch taken ahead waits for Connect's next poll before it goes back to its queues: a paused
     * connector must not keep jobs leased that other consumers could take.
     */
    public static final Duration UNPOLLED_BATCH_HELD = Duration.ofSeconds(5);
    /** How long a poll over several queues, all empty, waits before it looks at them again. */
    private static final long IDLE_PAUSE_MILLIS = 100;

    /** A job Kafka is done with: acked when {@code reason} is null, dead-lettered otherwise. */
    private record Finished(Delivery delivery, String reason) {
    }

    /** What happens to a group of finished jobs of one queue: one ack, or one dead-letter call per reason. */
    private record Outcome(String queue, String reason) {
    }

    private SourceConfig config;
    private RedisConnection redis;
    private final Map<String, QueueConsumer> consumers = new LinkedHashMap<>();
    private List<QueueConsumer> rotation = List.of();
    private JobRecord.Factory records;
    private DropClassifier drops;
    private Prefetcher<SourceRecord> prefetcher;
    private int maxInFlight;
    private int maxJobBytes;

    /** Filled by {@link #commitRecord} (producer threads) and by the takes, drained by {@link #finishPending()}. */
    private final ConcurrentLinkedQueue<Finished> finished = new ConcurrentLinkedQueue<>();
    private final Object room = new Object();
    private volatile boolean waitingForRoom;
    private volatile boolean stopping;
    private int nextQueue;

    @Override
    public String version() {
        return Version.get();
    }

    @Override
    public void start(Map<String, String> props) {
        config = new SourceConfig(props);
        maxInFlight = config.maxInFlight();
        maxJobBytes = config.maxJobBytes();
        warnIfProducerRefusesSmallerJobs(props);
        String connector = props.getOrDefault("name", "qbridge-source");
        String assigned = props.getOrDefault(RedisQueueSourceConnector.TASK_QUEUES_CONFIG,
                String.join(",", config.queues()));
        try {
            // lazily: a Redis outage at start is waited out by the consumers like any other
            redis = JedisConnection.openLazily(RedisConnectionConfig.endpoint(config));
            for (String name : assigned.split(",")) {
                if (name.isBlank()) {
                    continue;
                }
                RedisQueue queue = new RedisQueue(redis, config.queueConfig(name.trim()));
                // each consumer may hold the whole bound; poll() keeps the sum over the queues within it
                consumers.put(queue.name(), QueueConsumer.start(queue, ConsumerSettings
                        .of("source connector " + connector + ", queue " + queue.name())
                        .maxInHand(maxInFlight)
                        .reapInterval(config.reaperInterval())
                        .renewLeases(true)));
            }
        } catch (QueueException e) {
            stop();
            throw new ConnectException("cannot read the queues " + assigned + ": " + e.getMessage(), e);
        }
        rotation = List.copyOf(consumers.values());
        records = new JobRecord.Factory(config);
        drops = new DropClassifier(props);
        prefetcher = new Prefetcher<>("qbridge-source-" + connector + "-redis", this::nextBatch, this::finishPending,
                this::release, UNPOLLED_BATCH_HELD);
        LOG.info("Source task reads {} queue(s) {} from {} (max.in.flight {}, batch.size {}, batch.max.bytes {})",
                config.queueFormat().isJobSystem() ? config.queueFormat() : config.queueKind(), consumers.keySet(),
                redis.endpoint(), maxInFlight, config.batchSize(),
                config.batchMaxBytes());
    }

    /** Only a connector's producer override is visible to the task; the worker's own producer settings are not. */
    private void warnIfProducerRefusesSmallerJobs(Map<String, String> props) {
        String override = props.get(MAX_REQUEST_SIZE_OVERRIDE);
        long maxRequestSize;
        try {
            maxRequestSize = override == null ? Long.MAX_VALUE : Long.parseLong(override.trim());
        } catch (NumberFormatException e) {
            return; // the worker refuses it when it builds the producer, with its own message
        }
        if (maxRequestSize < maxJobBytes) {
            LOG.warn("{}={} is smaller than {}={}: jobs between the two sizes will fail in the producer instead of "
                    + "going to the dead-letter list with their size; lower {} or raise {}", MAX_REQUEST_SIZE_OVERRIDE,
                    maxRequestSize, SourceConfig.MAX_JOB_BYTES_CONFIG, maxJobBytes, SourceConfig.MAX_JOB_BYTES_CONFIG,
                    MAX_REQUEST_SIZE_OVERRIDE);
        }
    }

    /**
     * Hands Connect the batch the prefetcher's thread took meanwhile, waiting up to poll.wait.ms for one. Talks to
     * no Redis itself (that thread writes the acks too), so the worker's thread only converts and sends. Never
     * throws for Redis trouble: the consumers wait it out with backoff and say so once, and the poll returns null
     * meanwhile.
     */
    @Override
    public List<SourceRecord> poll() throws InterruptedException {
        if (stopping) {
            return null;
        }
        return prefetcher.poll(config.pollWait());
    }

    /**
     * One step of the prefetcher's thread: writes what Kafka finished, then takes at most the room left under
     * {@code max.in.flight} (the batches taken ahead count: they are in hand), or waits for room.
     */
    private List<SourceRecord> nextBatch() throws InterruptedException {
        finishPending();
        int free = maxInFlight - inHand();
        if (free <= 0) {
            awaitRoom(); // Kafka has not confirmed enough yet: take nothing rather than exceed the bound
            return List.of();
        }
        return take(Math.min(free, config.batchSize()));
    }

    /** Gives back a batch taken ahead that Connect did not ask for: due again at once, for any consumer. */
    private void release(List<SourceRecord> batch) {
        Map<String, List<Delivery>> byQueue = new LinkedHashMap<>();
        for (SourceRecord r : batch) {
            Delivery d = ((JobRecord) r).delivery();
            byQueue.computeIfAbsent(d.queue(), q -> new ArrayList<>()).add(d);
        }
        byQueue.forEach((queue, deliveries) -> consumers.get(queue).release(deliveries));
        LOG.debug("Gave back {} job(s) taken ahead: Connect did not poll for {} (paused?)", batch.size(),
                UNPOLLED_BATCH_HELD);
    }

    /** Jobs taken from all queues and not yet settled in Redis. */
    private int inHand() {
        int sum = 0;
        for (QueueConsumer consumer : rotation) {
            sum += consumer.inHand();
        }
        return sum;
    }

    /** Takes at most {@code max} jobs over the queues in turn, waiting up to poll.wait.ms when all are empty. */
    private List<SourceRecord> take(int max) throws InterruptedException {
        List<SourceRecord> out = new ArrayList<>(max);
        if (rotation.isEmpty()) {
            Thread.sleep(config.pollWait().toMillis());
            return out;
        }
        if (rotation.size() == 1) {
            // one queue: wait for its first job in Redis itself (a blocking read), not in a polling loop
            QueueConsumer only = rotation.get(0);
            addRecords(only, only.take(max, config.pollWait()), out);
            return out;
        }
        for (int i = 0; i < rotation.size() && out.size() < max && !stopping; i++) {
            QueueConsumer consumer = rotation.get((nextQueue + i) % rotation.size());
            // without waiting: a skipped queue or an outage answers empty at once, the other queues still get a turn
            addRecords(consumer, consumer.take(max - out.size(), Duration.ZERO), out);
        }
        nextQueue = (nextQueue + 1) % rotation.size();
        if (out.isEmpty() && !stopping) {
            synchronized (room) {
                room.wait(Math.min(IDLE_PAUSE_MILLIS, config.pollWait().toMillis())); // woken early by stop()
            }
        }
        return out;
    }

    private void addRecords(QueueConsumer consumer, List<Delivery> taken, List<SourceRecord> out) {
        for (Delivery d : taken) {
            // the producer would refuse it, and Connect hands commitRecord no exception to say why: catch it here
            if (d.payload().length > maxJobBytes) {
                finished.add(new Finished(d, tooLargeReason(d)));
                continue;
            }
            try {
                out.add(records.create(d, consumer.queue().config()));
            } catch (IOException | RuntimeException e) {
                finished.add(new Finished(d, "cannot build a Kafka record from the job: " + e.getMessage()));
            }
        }
    }

    private String tooLargeReason(Delivery d) {
        return String.format(Locale.ROOT, "job of %,d bytes is over %s=%,d (Kafka refuses records over the producer's "
                + "max.request.size and the topic's max.message.bytes); raise them and %s, then requeue it from %s:dead",
                d.payload().length, SourceConfig.MAX_JOB_BYTES_CONFIG, maxJobBytes, SourceConfig.MAX_JOB_BYTES_CONFIG,
                d.queue());
    }

    /**
     * Waits until Kafka finished some jobs (commitRecord wakes it), or stop. Runs on the prefetcher's thread, the one
     * that also writes the acks (finishPending), so nothing else frees room while it waits.
     */
    private void awaitRoom() throws InterruptedException {
        synchronized (room) {
            waitingForRoom = true;
            try {
                if (finished.isEmpty() && inHand() >= maxInFlight && !stopping) {
                    room.wait(config.pollWait().toMillis());
                }
            } finally {
                waitingForRoom = false;
            }
        }
    }

    /**
     * Called once Kafka acknowledged the record (metadata set), or when Connect dropped it (metadata null): a
     * transform filtered it out, so the job is done and acked, or an error dropped it under
     * errors.tolerance=all, so the job goes to the queue's dead-letter list. Only collects: the prefetcher's thread
     * writes, within a few milliseconds while jobs flow.
     */
    @Override
    public void commitRecord(SourceRecord record, RecordMetadata metadata) {
        if (!(record instanceof JobRecord job)) {
            return;
        }
        String reason = metadata != null || drops.wasFiltered(record) ? null : DROPPED_REASON;
        finished.add(new Finished(job.delivery(), reason));
        if (waitingForRoom) {
            synchronized (room) {
                room.notifyAll();
            }
        }
    }

    @Override
    public void commit() {
        // acks are written by the prefetcher's thread; nothing else to do when Connect commits its (informative) offsets
    }

    /**
     * Acks (and dead-letters) what Kafka is done with, in one round trip per queue and outcome. The consumer keeps
     * what Redis does not take now and writes it again, so nothing here waits for, or fails with, an outage.
     */
    private synchronized void finishPending() {
        if (finished.isEmpty()) {
            return;
        }
        Map<Outcome, List<Delivery>> groups = new LinkedHashMap<>();
        List<Delivery> group = null;
        String queue = null;
        String reason = null;
        for (Finished f; (f = finished.poll()) != null; ) {
            // runs of one queue and outcome are the rule: look the group up only when the run changes
            if (group == null || !f.delivery().queue().equals(queue) || !Objects.equals(f.reason(), reason)) {
                queue = f.delivery().queue();
                reason = f.reason();
                group = groups.computeIfAbsent(new Outcome(queue, reason), o -> new ArrayList<>());
            }
            group.add(f.delivery());
        }
        groups.forEach((outcome, deliveries) -> {
            QueueConsumer consumer = consumers.get(outcome.queue());
            if (outcome.reason() == null) {
                consumer.ack(deliveries);
            } else {
                consumer.deadLetter(deliveries, outcome.reason());
            }
        });
    }

    /**
     * Acks what Kafka confirmed (Connect waits for the records in flight before it stops a task), then closes the
     * consumers: they write what Redis has not taken yet and release the jobs still in hand, due again at once.
     */
    @Override
    public void stop() {
        stopping = true;
        synchronized (room) {
            room.notifyAll();
        }
        if (prefetcher != null) {
            // a take blocked in Redis ends within min(poll.wait.ms, 1 s); if it outlasts this, closing its consumer
            // below makes it give back what it took
            prefetcher.close(Duration.ofMillis(Math.min(config.pollWait().toMillis(), 1000) + 500));
        }
        finishPending();
        consumers.values().forEach(QueueConsumer::close);
        if (drops != null) {
            drops.close();
        }
        if (redis != null) {
            redis.close();
        }
    }
}
