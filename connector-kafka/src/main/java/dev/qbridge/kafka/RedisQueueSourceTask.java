package dev.qbridge.kafka;

import dev.qbridge.core.QueueException;
import dev.qbridge.core.lease.LeaseRenewer;
import dev.qbridge.core.lease.Reaper;
import dev.qbridge.core.queue.Delivery;
import dev.qbridge.core.queue.RedisQueue;
import dev.qbridge.core.redis.JedisConnection;
import dev.qbridge.core.redis.RedisConnection;
import dev.qbridge.core.retry.Backoff;
import dev.qbridge.kafka.config.RedisConnectionConfig;
import dev.qbridge.kafka.config.SourceConfig;
import dev.qbridge.kafka.source.DropClassifier;
import dev.qbridge.kafka.source.JobRecord;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.connect.errors.ConnectException;
import org.apache.kafka.connect.source.SourceRecord;
import org.apache.kafka.connect.source.SourceTask;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Takes jobs from Redis queues and hands them to Kafka, at least once. A taken job sits under a lease (renewed
 * while Kafka is slow) until {@link #commitRecord} says Kafka has it; the acks collected there are sent to Redis
 * in one round trip per queue on the next {@link #poll}. The task never holds more than {@code max.in.flight}
 * jobs: it takes at most the room left. A task or worker that dies leaves its jobs leased; the reaper of any task
 * of the connector returns them once the lease expired, so nothing is lost.
 */
public class RedisQueueSourceTask extends SourceTask {

    private static final Logger LOG = LoggerFactory.getLogger(RedisQueueSourceTask.class);
    private static final String DROPPED_REASON = "Kafka Connect dropped the record under errors.tolerance=all: a "
            + "converter, a transform or the producer failed on it (see the worker's log); replay it once fixed";
    private static final String MAX_REQUEST_SIZE_OVERRIDE = "producer.override.max.request.size";

    /** One queue the task reads, with what keeps its jobs safe. */
    private record Source(RedisQueue queue, LeaseRenewer renewer, Reaper reaper) {
    }

    /** A job Kafka is done with: acked when {@code reason} is null, dead-lettered otherwise. */
    private record Finished(Delivery delivery, String reason) {
    }

    /** What happens to a group of finished jobs of one queue: one ack, or one dead-letter call per reason. */
    private record Outcome(String queue, String reason) {
    }

    private SourceConfig config;
    private RedisConnection redis;
    private final Map<String, Source> sources = new LinkedHashMap<>();
    private List<Source> rotation = List.of();
    private JobRecord.Factory records;
    private DropClassifier drops;
    private int maxInFlight;
    private int maxJobBytes;

    /** Jobs taken and not yet acked or dead-lettered in Redis; only {@link #poll} adds to it. */
    private final AtomicInteger held = new AtomicInteger();
    /** Filled by {@link #commitRecord} (producer threads), drained by {@link #finishPending()}. */
    private final ConcurrentLinkedQueue<Finished> finished = new ConcurrentLinkedQueue<>();
    /** Drained but not yet written to Redis because it was unavailable; retried first. */
    private final List<Finished> unflushed = new ArrayList<>();
    private final Object room = new Object();
    private volatile boolean waitingForRoom;
    private volatile boolean stopping;
    private final Backoff outage = new Backoff(Duration.ofMillis(100), Duration.ofSeconds(5));
    private int nextQueue;
    private long nextReapAtMillis;
    /** Queues whose key holds another data type: skipped until then, so the task's other queues keep flowing. */
    private final Map<Source, Long> sidelinedUntil = new HashMap<>();
    private final Map<Source, Backoff> sidelineBackoff = new HashMap<>();

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
        String assigned = props.getOrDefault(RedisQueueSourceConnector.TASK_QUEUES_CONFIG,
                String.join(",", config.queues()));
        try {
            redis = JedisConnection.openLazily(RedisConnectionConfig.endpoint(config));
            for (String name : assigned.split(",")) {
                if (name.isBlank()) {
                    continue;
                }
                var queueConfig = config.queueConfig(name.trim());
                RedisQueue queue = new RedisQueue(redis, queueConfig);
                sources.put(queue.name(), new Source(queue, new LeaseRenewer(queue), new Reaper(redis, queueConfig)));
            }
        } catch (QueueException e) {
            stop();
            throw new ConnectException("cannot read the queues " + assigned + ": " + e.getMessage(), e);
        }
        rotation = List.copyOf(sources.values());
        records = new JobRecord.Factory(config);
        drops = new DropClassifier(props);
        LOG.info("Source task reads {} queue(s) {} from {} (max.in.flight {}, batch.size {})", config.queueKind(),
                sources.keySet(), redis.endpoint(), maxInFlight, config.batchSize());
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

    @Override
    public List<SourceRecord> poll() throws InterruptedException {
        try {
            finishPending();
            reapWhenDue();
            int free = maxInFlight - held.get();
            if (free <= 0) {
                awaitRoom();
                finishPending();
                free = maxInFlight - held.get();
                if (free <= 0) {
                    return null; // Kafka has not confirmed enough yet: take nothing rather than exceed the bound
                }
            }
            List<SourceRecord> out = take(Math.min(free, config.batchSize()));
            if (outage.failures() > 0) {
                LOG.info("Redis is back after {} failed polls; reading the queues again", outage.failures());
                outage.reset();
            }
            return out.isEmpty() ? null : out;
        } catch (QueueException e) {
            if (stopping) {
                return null;
            }
            if (!e.isRetriable()) {
                throw new ConnectException("cannot read from Redis: " + e.getMessage(), e);
            }
            // wait here: the worker would poll again at once and flood a Redis that is restarting
            if (outage.failures() == 0) {
                LOG.warn("Redis is unavailable ({}); polling again with backoff. Jobs already taken stay leased and "
                        + "are acked once Redis is back, or delivered again if their lease expires", e.getMessage());
            }
            long wait = outage.next().toMillis();
            synchronized (room) {
                room.wait(wait); // woken early by stop()
            }
            return null;
        }
    }

    /** Takes at most {@code max} jobs over the queues in turn, waiting up to poll.wait.ms when all are empty. */
    private List<SourceRecord> take(int max) throws InterruptedException {
        List<SourceRecord> out = new ArrayList<>(max);
        if (rotation.isEmpty()) {
            Thread.sleep(config.pollWait().toMillis());
            return out;
        }
        for (int i = 0; i < rotation.size() && out.size() < max && !stopping; i++) {
            Source source = rotation.get((nextQueue + i) % rotation.size());
            if (isSidelined(source)) {
                continue;
            }
            try {
                addRecords(source, source.queue().take(max - out.size()), out);
                readable(source);
            } catch (QueueException e) {
                if (e.kind() == QueueException.Kind.WRONG_TYPE) {
                    sideline(source, e);
                    continue;
                }
                if (out.isEmpty()) {
                    throw e;
                }
                // jobs already taken from other queues are leased to us: hand them to Kafka, not to the void
                LOG.warn("Cannot take from queue {} ({}); sending the {} jobs taken from the others", source.queue().name(),
                        e.getMessage(), out.size());
                break;
            }
        }
        nextQueue = (nextQueue + 1) % rotation.size();
        if (out.isEmpty() && !stopping) {
            Source only = rotation.get(0);
            if (rotation.size() == 1 && !isSidelined(only)) {
                try {
                    addRecords(only, only.queue().take(max, config.pollWait()), out);
                } catch (QueueException e) {
                    if (e.kind() != QueueException.Kind.WRONG_TYPE) {
                        throw e;
                    }
                    sideline(only, e);
                }
            } else {
                synchronized (room) {
                    room.wait(Math.min(100, config.pollWait().toMillis())); // woken early by stop()
                }
            }
        }
        return out;
    }

    private boolean isSidelined(Source source) {
        Long until = sidelinedUntil.get(source);
        return until != null && System.currentTimeMillis() < until;
    }

    /**
     * A key of the wrong type pops nothing and holds no job to dead-letter: say so once, skip the queue with a
     * growing backoff, and keep serving the task's other queues, so one bad key never stops the rest.
     */
    private void sideline(Source source, QueueException e) {
        Backoff backoff = sidelineBackoff.computeIfAbsent(source, s -> new Backoff(Duration.ofSeconds(1), Duration.ofMinutes(1)));
        long wait = backoff.next().toMillis();
        sidelinedUntil.put(source, System.currentTimeMillis() + wait);
        if (backoff.failures() == 1) {
            LOG.error("Queue {} is skipped: {}; the task keeps reading its other queues and looks at this one again "
                    + "with backoff until the key is fixed", source.queue().name(), e.getMessage());
        }
    }

    private void readable(Source source) {
        if (sidelinedUntil.remove(source) != null) {
            sidelineBackoff.remove(source);
            LOG.info("Queue {} is readable again", source.queue().name());
        }
    }

    private void addRecords(Source source, List<Delivery> taken, List<SourceRecord> out) {
        if (taken.isEmpty()) {
            return;
        }
        held.addAndGet(taken.size());
        source.renewer().track(taken);
        for (Delivery d : taken) {
            // the producer would refuse it, and Connect hands commitRecord no exception to say why: catch it here
            if (d.payload().length > maxJobBytes) {
                finished.add(new Finished(d, tooLargeReason(d)));
                continue;
            }
            try {
                out.add(records.create(d, source.queue().config()));
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

    private void awaitRoom() throws InterruptedException {
        synchronized (room) {
            waitingForRoom = true;
            try {
                if (finished.isEmpty() && !stopping) {
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
     * errors.tolerance=all, so the job goes to the queue's dead-letter list. Only collects; poll() writes.
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
        // acks are written by poll(); nothing else to do when Connect commits its (informative) offsets
    }

    /** Acks (and dead-letters) what Kafka is done with, in one round trip per queue and outcome. */
    private synchronized void finishPending() {
        for (Finished f; (f = finished.poll()) != null; ) {
            unflushed.add(f);
        }
        if (unflushed.isEmpty()) {
            return;
        }
        Map<Outcome, List<Delivery>> groups = new LinkedHashMap<>();
        for (Finished f : unflushed) {
            groups.computeIfAbsent(new Outcome(f.delivery().queue(), f.reason()), o -> new ArrayList<>()).add(f.delivery());
        }
        unflushed.clear();
        Iterator<Map.Entry<Outcome, List<Delivery>>> pending = groups.entrySet().iterator();
        try {
            while (pending.hasNext()) {
                Map.Entry<Outcome, List<Delivery>> group = pending.next();
                write(group.getKey(), group.getValue());
                pending.remove();
            }
        } finally {
            // what Redis did not take stays for the next poll, which takes nothing new until it is written
            groups.forEach((outcome, deliveries) ->
                    deliveries.forEach(d -> unflushed.add(new Finished(d, outcome.reason()))));
        }
    }

    private void write(Outcome outcome, List<Delivery> deliveries) {
        Source source = sources.get(outcome.queue());
        if (outcome.reason() == null) {
            source.queue().ack(deliveries);
        } else {
            source.queue().deadLetter(deliveries, outcome.reason());
            LOG.warn("{} job(s) of queue {} went to its dead-letter list {}: {}", deliveries.size(),
                    source.queue().name(), source.queue().name() + ":dead", outcome.reason());
        }
        source.renewer().release(deliveries);
        held.addAndGet(-deliveries.size());
    }

    private void reapWhenDue() {
        long now = System.currentTimeMillis();
        if (now < nextReapAtMillis) {
            return;
        }
        nextReapAtMillis = now + config.reaperInterval().toMillis();
        for (Source source : rotation) {
            Reaper.Result result = source.reaper().reapExpired();
            if (result.total() > 0) {
                LOG.info("Queue {}: {} job(s) whose lease expired (their task or worker died) were requeued, {} "
                        + "dead-lettered after too many attempts", source.queue().name(), result.requeued(),
                        result.deadLettered());
            }
        }
    }

    @Override
    public void stop() {
        stopping = true;
        synchronized (room) {
            room.notifyAll();
        }
        try {
            finishPending();
        } catch (QueueException | NullPointerException e) {
            LOG.warn("Cannot ack the last jobs Kafka confirmed ({}); they are delivered again once their lease expires",
                    e.getMessage());
        }
        sources.values().forEach(s -> s.renewer().close());
        if (drops != null) {
            drops.close();
        }
        if (redis != null) {
            redis.close();
        }
    }
}
