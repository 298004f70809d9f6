package dev.qbridge.server.migrate;

import dev.qbridge.core.QueueException;
import dev.qbridge.core.consume.ConsumerHealth;
import dev.qbridge.core.consume.ConsumerSettings;
import dev.qbridge.core.consume.QueueConsumer;
import dev.qbridge.core.queue.Delivery;
import dev.qbridge.core.queue.HashedJob;
import dev.qbridge.core.queue.QueueConfig;
import dev.qbridge.core.queue.QueueCounts;
import dev.qbridge.core.queue.ReadyJob;
import dev.qbridge.core.queue.ReadyPage;
import dev.qbridge.core.queue.RedisQueue;
import dev.qbridge.core.retry.RetryPolicy;
import dev.qbridge.formats.JobTranslation;
import dev.qbridge.formats.UnreadableJobException;
import dev.qbridge.server.migrate.JobWriter.Job;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Moves or copies the jobs of one Redis queue to a destination: the work of {@code qbridge migrate} from a
 * {@code redisq:} source, which a test, the server or a benchmark can drive without the command line.
 * <p>
 * A move drives the core's {@link QueueConsumer}: each batch is taken under a lease, which is renewed while the
 * destination writes it (however slow), and acked only once the destination has it; expired leases of a killed run
 * are reaped on a schedule and moved too; a Redis outage is waited out. Killed at any point (even by kill -9), it
 * loses nothing: what it held comes back when its lease expires. Asked to {@link #stop()}, it finishes the write under
 * way, acks what the destination has and releases the rest of its batch, due again at once.
 * <p>
 * A copy reads the ready jobs page by page, in take order, without taking anything ({@link RedisQueue#readyPage}).
 */
public final class RedisMigration {

    public enum Mode { MOVE, COPY }

    /** Why a run ended. */
    public enum End {
        /** nothing ready, retrying or in flight at the source */
        DRAINED,
        /** the limit was written */
        LIMIT,
        /** jobs in flight or retrying did not come back within the in-flight wait */
        WAIT_EXPIRED,
        /** {@link #stop()} was called */
        STOPPED
    }

    /**
     * @param limit        most jobs to write; null for the whole backlog
     * @param batchSize    jobs taken, written and acked together
     * @param maxRate      most jobs written per second; null for no pacing
     * @param inFlightWait how long to wait for jobs in flight or retrying at the source (another run's, another
     *                     consumer's) and for an unreachable source Redis; null for the lease timeout plus 5 s
     * @param reapInterval how often expired leases are reaped (zero: another process reaps)
     * @param renewLeases  renew the leases of the batch in hand while the destination writes it
     */
    public record Settings(Mode mode, Long limit, int batchSize, Integer maxRate, Duration inFlightWait,
                           Duration reapInterval, boolean renewLeases) {
    }

    /** What a run reports while it goes. */
    public interface Events {
        /** {@code total} jobs are in the destination so far. */
        default void written(long total) {
        }

        /** Nothing is ready: the run waits up to {@code upTo} for the jobs in flight or retrying at the source. */
        default void waiting(QueueCounts counts, Duration upTo) {
        }

        /** The source's Redis cannot be read: the run waits up to {@code upTo} for it. */
        default void sourceUnavailable(String problem, Duration upTo) {
        }
    }

    /** The batch in hand when a stop came, and what became of its jobs; all zero when none was. */
    public record StoppedBatch(int inFlight, int written, int released) {
    }

    /**
     * @param priorityClamped jobs written with the nearest priority in range (their score was beyond it)
     * @param stoppedBatch    for a stopped move, the batch in hand at the stop; otherwise null
     */
    public record Result(End end, long written, long priorityClamped, StoppedBatch stoppedBatch) {
    }

    private static final Duration POLL = Duration.ofMillis(250);

    private final RedisQueue source;
    private final JobTranslation translation;
    private final JobWriter destination;
    private final Settings settings;
    private final Events events;
    private volatile boolean stop;
    private long clamped;
    private long unreadable;
    /** The source's count of jobs its takes dead-lettered when this migration began. */
    private final long deadLetteredOnTakeBefore;
    private long unavailableSince;

    public RedisMigration(RedisQueue source, JobWriter destination, Settings settings, Events events) {
        this(source, null, destination, settings, events);
    }

    /**
     * A migration from a job system's queue: each job leaves as {@code translation} turns it out (a CloudEvent); a job
     * it cannot read is dead-lettered at the source with the reason by a move, and stops a copy.
     */
    public RedisMigration(RedisQueue source, JobTranslation translation, JobWriter destination, Settings settings,
                          Events events) {
        if (settings.batchSize() < 1 || settings.batchSize() > RedisQueue.MAX_BATCH) {
            throw new IllegalArgumentException("batchSize must be between 1 and " + RedisQueue.MAX_BATCH);
        }
        this.source = source;
        this.translation = translation;
        this.destination = destination;
        this.settings = settings;
        this.events = events;
        this.deadLetteredOnTakeBefore = source.deadLetteredOnTake();
    }

    /** Runs the migration to its end; throws {@link MigrationFailed} when the destination refuses a job. */
    public Result run() {
        return settings.mode() == Mode.COPY ? copy() : move();
    }

    /**
     * How many jobs a move could not read and dead-lettered at the source, with the reason: here, or in the core's take
     * (a payload that breaks the queue's format, an RQ id whose job hash is gone).
     */
    public long unreadable() {
        return unreadable + source.deadLetteredOnTake() - deadLetteredOnTakeBefore;
    }

    /** Asks a run to stop soon, from any thread: see the class comment. */
    public void stop() {
        stop = true;
    }

    public boolean stopRequested() {
        return stop;
    }

    // ---- move -------------------------------------------------------------------------------------

    private Result move() {
        Duration wait = settings.inFlightWait() != null ? settings.inFlightWait()
                : source.config().leaseTimeout().plusSeconds(5);
        Throttle throttle = new Throttle(settings.maxRate());
        long written = 0;
        long waitingSince = 0;
        try (QueueConsumer consumer = QueueConsumer.start(source, ConsumerSettings.of("migrate from queue " + source.name())
                .maxInHand(settings.batchSize()).reapInterval(settings.reapInterval())
                .renewLeases(settings.renewLeases()))) {
            while (true) {
                if (stop) {
                    return new Result(End.STOPPED, written, clamped, new StoppedBatch(0, 0, 0));
                }
                if (room(written) == 0) {
                    return new Result(End.LIMIT, written, clamped, null);
                }
                List<Delivery> batch = consumer.take(room(written), POLL);
                if (!batch.isEmpty()) {
                    waitingSince = 0;
                    int done = deliver(consumer, batch, written);
                    written += done;
                    events.written(written);
                    if (stop) {
                        return new Result(End.STOPPED, written, clamped,
                                new StoppedBatch(batch.size(), done, batch.size() - done));
                    }
                    throttle.after(done, this::stopRequested);
                    continue;
                }
                // nothing taken: drained, or waiting for jobs in flight (an interrupted run's leases expire and are
                // reaped) or retrying, or for the source's Redis
                failIfBroken(consumer, written);
                QueueCounts c = counts(written, wait);
                if (c == null || c.ready() > 0) {
                    continue;
                }
                if (c.inFlight() + c.retrying() == 0) {
                    return new Result(End.DRAINED, written, clamped, null);
                }
                if (waitingSince == 0) {
                    waitingSince = System.nanoTime();
                    events.waiting(c, wait);
                } else if (System.nanoTime() - waitingSince > wait.toNanos()) {
                    return new Result(End.WAIT_EXPIRED, written, clamped, null);
                }
            }
        }
    }

    /** Writes one batch; acks what the destination has; releases what a stop left unwritten. Returns how many it has. */
    private int deliver(QueueConsumer consumer, List<Delivery> taken, long writtenBefore) {
        QueueConfig config = source.config();
        List<Job> jobs = new ArrayList<>(taken.size());
        List<Delivery> batch = new ArrayList<>(taken.size());
        for (Delivery d : taken) {
            byte[] payload;
            try {
                payload = outbound(d.payload(), d.hash(), d.score());
            } catch (UnreadableJobException e) {
                consumer.deadLetter(List.of(d), "unreadable " + translation.queue().format() + " job: " + e.getMessage());
                unreadable++;
                continue;
            }
            batch.add(d);
            jobs.add(Job.of(config, payload, d.scoreValue().orElse(null)));
        }
        if (batch.isEmpty()) {
            return 0;
        }
        int done;
        try {
            done = destination.write(jobs, this::stopRequested);
        } catch (JobWriter.WriteFailed f) {
            countClamped(batch.subList(0, f.written()));
            throw refused(consumer, batch, f, writtenBefore);
        }
        countClamped(batch.subList(0, done));
        consumer.ack(batch.subList(0, done)); // only now: the destination has them
        consumer.release(batch.subList(done, batch.size())); // a stop came first: never written, due again at once
        return done;
    }

    /**
     * The destination refused a job: what it has is acked; the refused job is nacked (an attempt, so that a job no
     * destination takes ends in the dead letters rather than stopping every run); the jobs after it were never tried
     * and are released, due again at once, with no attempt counted.
     */
    private MigrationFailed refused(QueueConsumer consumer, List<Delivery> batch, JobWriter.WriteFailed f, long writtenBefore) {
        int ok = f.written();
        consumer.ack(batch.subList(0, ok));
        Delivery refused = batch.get(ok);
        consumer.nack(List.of(refused), "migrate to " + destination.name() + ": " + f.getMessage());
        List<Delivery> untried = batch.subList(ok + 1, batch.size());
        consumer.release(untried);
        RetryPolicy retry = source.config().retry();
        String fate = retry.allowsRetryAfter(refused.attempt())
                ? "retried after the queue's backoff (attempt " + refused.attempt() + " of " + retry.maxAttempts() + ")"
                : "out of attempts (" + retry.maxAttempts() + "), it went to the dead letters " + source.name() + ":dead";
        long total = writtenBefore + ok;
        return new MigrationFailed(total, "migration stopped after " + n(total) + " jobs: " + f.getMessage() + "; refused job "
                + refused.id() + " was nacked: " + fate + (untried.isEmpty() ? "" : "; the " + n(untried.size())
                + " jobs after it were released unwritten (due again at once)") + "; run the same command again to go on", f);
    }

    /** A key of the source that holds another type stops takes for good: say which, rather than wait forever. */
    private void failIfBroken(QueueConsumer consumer, long written) {
        ConsumerHealth health = consumer.health();
        if (health.status() == ConsumerHealth.Status.QUEUE_BROKEN) {
            throw new MigrationFailed(written, "migration stopped after " + n(written) + " jobs: jobs cannot be taken from "
                    + "queue " + source.name() + ": " + health.problem().orElse("the queue is broken")
                    + "; fix that key and run the same command again", null);
        }
    }

    /** The source's counts, or null while its Redis cannot be read, for up to {@code wait}; then the run fails. */
    private QueueCounts counts(long written, Duration wait) {
        try {
            QueueCounts c = source.counts();
            unavailableSince = 0;
            return c;
        } catch (QueueException e) {
            if (!e.isRetriable()) {
                throw new MigrationFailed(written, "migration stopped after " + n(written) + " jobs: queue " + source.name()
                        + ": " + e.getMessage(), e);
            }
            long now = System.nanoTime();
            if (unavailableSince == 0) {
                unavailableSince = now;
                events.sourceUnavailable(e.getMessage(), wait);
            } else if (now - unavailableSince > wait.toNanos()) {
                throw new MigrationFailed(written, "migration stopped after " + n(written) + " jobs: the source's Redis "
                        + "could not be read for " + wait.toSeconds() + "s: " + e.getMessage() + "; what the destination has "
                        + "is acked, or comes back when its lease expires if Redis never took the ack (then it is written "
                        + "twice); run the same command again once Redis is back", e);
            }
            return null;
        }
    }

    private void countClamped(List<Delivery> written) {
        for (Delivery d : written) {
            if (Job.priorityBeyondRange(source.config(), d.scoreValue().orElse(null))) {
                clamped++;
            }
        }
    }

    /** The bytes a job leaves as: itself, or a job system's job (with its hash, for RQ) as its CloudEvent. */
    private byte[] outbound(byte[] payload, Map<String, byte[]> hash, Optional<String> score) {
        return translation == null ? payload : translation.outbound(payload, hash, score);
    }

    /** A job a copy writes; one it cannot read stops the copy, since a copy takes nothing to dead-letter. */
    private byte[] copied(byte[] payload, Optional<String> score, long position) {
        return copied(payload, Map.of(), score, position);
    }

    /** As {@link #copied(byte[], Optional, long)}, for an id read with its job hash. */
    private byte[] copied(byte[] payload, Map<String, byte[]> hash, Optional<String> score, long position) {
        try {
            return outbound(payload, hash, score);
        } catch (UnreadableJobException e) {
            throw new MigrationFailed(position, "copy stopped at job " + (position + 1) + " of the ready key: unreadable "
                    + translation.queue().format() + " job: " + e.getMessage() + "; the source is unchanged (a copy "
                    + "takes nothing); move the queue instead to dead-letter such jobs at the source", e);
        }
    }

    // ---- copy -------------------------------------------------------------------------------------

    private Result copy() {
        QueueConfig config = source.config();
        Throttle throttle = new Throttle(settings.maxRate());
        long written = 0;
        long from = 0;
        boolean end = false;
        while (room(written) > 0) {
            if (stop) {
                return new Result(End.STOPPED, written, clamped, null);
            }
            int n = room(written);
            List<Job> jobs;
            if (config.jobHashes() != null) {
                // each id with its hash, read together in one script, in the order takes would serve them
                List<HashedJob> page = source.readyWithHashes(from, n);
                from += page.size();
                end = page.size() < n;
                jobs = new ArrayList<>(page.size());
                for (HashedJob job : page) {
                    jobs.add(new Job(copied(job.id(), job.hash(), job.score(), written + jobs.size()), null, null));
                }
            } else {
                // in the order a take would serve them (every ready list of the queue; of a set shared with other
                // queues, this queue's jobs only, chosen in Redis by the rule take and counts use)
                ReadyPage page = source.readyPage(from, n);
                from = page.next();
                end = page.end();
                jobs = new ArrayList<>(page.jobs().size());
                for (ReadyJob ready : page.jobs()) {
                    byte[] payload = copied(ready.payload(), ready.score(), written + jobs.size());
                    Double score = ready.scoreValue().orElse(null);
                    if (config.sharedSet() != null) {
                        jobs.add(new Job(payload, null, null)); // a job system's time travels in its event
                    } else {
                        jobs.add(Job.of(config, payload, score));
                        clamped += Job.priorityBeyondRange(config, score) ? 1 : 0;
                    }
                }
            }
            if (jobs.isEmpty()) {
                return new Result(End.DRAINED, written, clamped, null);
            }
            int done;
            try {
                done = destination.write(jobs, this::stopRequested);
            } catch (JobWriter.WriteFailed f) {
                throw new MigrationFailed(written + f.written(), "copy stopped after " + n(written + f.written()) + " jobs: "
                        + f.getMessage() + "; the source is unchanged (a copy takes nothing)", f);
            }
            written += done;
            events.written(written);
            if (stop) {
                return new Result(End.STOPPED, written, clamped, null);
            }
            throttle.after(done, this::stopRequested);
            if (jobs.size() < n || end) {
                return new Result(End.DRAINED, written, clamped, null);
            }
        }
        return new Result(End.LIMIT, written, clamped, null);
    }

    /** Jobs the next batch may hold: the batch size, or what is left of the limit. */
    private int room(long written) {
        return (int) Math.min(settings.batchSize(), settings.limit() == null ? settings.batchSize() : settings.limit() - written);
    }

    private static String n(long value) {
        return String.format(Locale.ROOT, "%,d", value);
    }
}
