package dev.qbridge.core.consume;

import dev.qbridge.core.QueueException;
import dev.qbridge.core.consume.ConsumerHealth.Status;
import dev.qbridge.core.lease.Reaper;
import dev.qbridge.core.queue.Delivery;
import dev.qbridge.core.queue.NackOutcome;
import dev.qbridge.core.queue.RedisQueue;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The lease lifecycle of one consumer of one queue, written once for every driver: the core's
 * {@link QueueWorker}, the Camel {@code redisq:} consumer, the Kafka Connect source task and {@code qbridge migrate}.
 * The driver takes jobs, hands them on, and says how each ended; this class keeps them safe in between:
 * <ul>
 *   <li><b>take within the room left</b>: never more than {@link ConsumerSettings#maxInHand()} jobs in hand;</li>
 *   <li><b>renew what is in hand</b>: every lease taken and not yet settled, at half the lease timeout;</li>
 *   <li><b>reap on a schedule</b>: expired leases of consumers that died go back to the queue;</li>
 *   <li><b>back off and report on outage</b>: an unreachable or refusing Redis is logged once and tried again with a
 *       growing pause; a settlement Redis did not take stays in hand (its lease renewed) and is written again, so an
 *       outage never loses an ack and never makes a job look failed;</li>
 *   <li><b>sideline a broken queue</b>: a key of the queue that holds another type stops takes from it, with a
 *       longer backoff and one error line naming the key, while the driver's other queues keep flowing;</li>
 *   <li><b>release on stop</b>: {@link #close()} gives back what is still in hand, due again at once;</li>
 *   <li><b>tell the truth</b>: {@link #health()} says whether jobs move and, if not, why and since when.</li>
 * </ul>
 * Thread-safe: a driver may take and settle from several threads.
 */
public final class QueueConsumer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(QueueConsumer.class);
    /** How often a settlement that Redis did not take is written again. */
    private static final Duration SETTLE_RETRY = Duration.ofSeconds(1);
    private static final Duration SIDELINE_MIN = Duration.ofSeconds(1);
    private static final Duration SIDELINE_MAX = Duration.ofMinutes(1);

    /** How a driver ended some deliveries; kept until Redis has it. */
    private record Settlement(Ending ending, List<Delivery> deliveries, String reason) {
    }

    private enum Ending { ACK, NACK, DEAD_LETTER, RELEASE }

    /** Why jobs do not move, and since when. */
    private record Problem(Status status, String reason, Instant since) {
    }

    private final RedisQueue queue;
    private final ConsumerSettings settings;
    private final Reaper reaper;
    private final Set<Delivery> inHand = ConcurrentHashMap.newKeySet();
    /** Jobs whose settlement is being written: a renewal that finds their lease gone raced their ack, lost nothing. */
    private final Set<Delivery> settling = ConcurrentHashMap.newKeySet();
    private final Queue<Settlement> unsettled = new ConcurrentLinkedQueue<>();
    private final ScheduledExecutorService timer;
    private final OutageLog outages;
    private final Object room = new Object();
    private final Backoff takeBackoff = new Backoff();
    private volatile boolean closed;
    private volatile Instant runningSince = Instant.now();
    private volatile Problem takeProblem;
    private volatile Problem settleProblem;
    private volatile Problem reapProblem;
    private volatile Problem destinationProblem;

    private QueueConsumer(RedisQueue queue, ConsumerSettings settings) {
        this.queue = queue;
        this.settings = settings;
        this.reaper = settings.reapInterval().isZero() ? null : new Reaper(queue.connection(), queue.config());
        this.outages = new OutageLog(LOG, settings.owner());
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "qbridge-leases-" + queue.name());
            t.setDaemon(true);
            return t;
        });
        if (settings.renewLeases()) {
            long period = renewalPeriod().toMillis();
            timer.scheduleWithFixedDelay(guarded(this::renewAll), period, period, TimeUnit.MILLISECONDS);
        }
        if (reaper != null) {
            timer.scheduleWithFixedDelay(guarded(this::reap), 0, settings.reapInterval().toMillis(), TimeUnit.MILLISECONDS);
        }
        timer.scheduleWithFixedDelay(guarded(this::settleAgain), SETTLE_RETRY.toMillis(), SETTLE_RETRY.toMillis(),
                TimeUnit.MILLISECONDS);
    }

    /** Starts the lifecycle (renewal, reaper, settlement retries) of one consumer of {@code queue}. */
    public static QueueConsumer start(RedisQueue queue, ConsumerSettings settings) {
        return new QueueConsumer(queue, settings);
    }

    public RedisQueue queue() {
        return queue;
    }

    public ConsumerSettings settings() {
        return settings;
    }

    // ---- take -------------------------------------------------------------------------------------

    /**
     * Takes up to {@code max} jobs, at most the room left, waiting up to {@code wait} for the first. Never throws for
     * Redis trouble: a failure is logged, reported by {@link #health()} and waited out with backoff (within
     * {@code wait}), and the call returns what it has, often nothing. Also returns empty once closed or interrupted.
     */
    public List<Delivery> take(int max, Duration wait) {
        long deadline = System.nanoTime() + wait.toNanos();
        while (!closed && !Thread.currentThread().isInterrupted()) {
            int free = room();
            if (free <= 0) {
                if (!awaitRoom(deadline)) {
                    return List.of();
                }
                continue;
            }
            long pause = takePause();
            if (pause > 0) {
                long left = deadline - System.nanoTime();
                if (left <= 0 || !sleepNanos(Math.min(pause, left)) || pause >= left) {
                    return List.of();
                }
                continue;
            }
            try {
                List<Delivery> taken = queue.take(Math.min(max, free), Duration.ofNanos(Math.max(0, deadline - System.nanoTime())));
                tookFine();
                if (closed && !taken.isEmpty()) {
                    queue.release(taken); // closed while this take blocked: give them back rather than strand them
                    return List.of();
                }
                inHand.addAll(taken);
                return taken;
            } catch (QueueException e) {
                tookBadly(e);
            }
        }
        return List.of();
    }

    /** Jobs that may still be taken before {@link ConsumerSettings#maxInHand()} is reached. */
    public int room() {
        return settings.maxInHand() - inHand.size();
    }

    /** Jobs taken and not yet settled in Redis. */
    public int inHand() {
        return inHand.size();
    }

    private long takePause() {
        Problem settle = settleProblem;
        if (settle != null && settle.status() == Status.QUEUE_BROKEN) {
            // jobs cannot be finished (a dead-letter or retry key holds another type): take no more until fixed
            return SETTLE_RETRY.toNanos();
        }
        return takeBackoff.remainingNanos();
    }

    private void tookFine() {
        takeBackoff.reset();
        Problem was = takeProblem;
        if (was != null) {
            takeProblem = null;
            recovered(was, "taking jobs again");
        }
    }

    private void tookBadly(QueueException e) {
        Problem problem = problemOf(e);
        long pauseMillis = takeBackoff.failed(problem.status() == Status.QUEUE_BROKEN);
        takeProblem = report(takeProblem, problem, e, pauseMillis);
    }

    // ---- settle -----------------------------------------------------------------------------------

    /** The destination has these jobs: they leave the queue. */
    public void ack(Collection<Delivery> deliveries) {
        settle(Ending.ACK, deliveries, null);
    }

    /** These jobs failed: each is retried after the retry policy's backoff, or dead-lettered once out of attempts. */
    public void nack(Collection<Delivery> deliveries, String reason) {
        settle(Ending.NACK, deliveries, reason);
    }

    /** These jobs can never succeed: they go to the dead letters at once, with the reason. */
    public void deadLetter(Collection<Delivery> deliveries, String reason) {
        settle(Ending.DEAD_LETTER, deliveries, reason);
    }

    /** These jobs were not worked on: they are due again at once, never dead-lettered for it. */
    public void release(Collection<Delivery> deliveries) {
        settle(Ending.RELEASE, deliveries, "released");
    }

    private void settle(Ending ending, Collection<Delivery> deliveries, String reason) {
        if (deliveries.isEmpty()) {
            return;
        }
        Settlement settlement = new Settlement(ending, List.copyOf(deliveries), reason);
        try {
            writeAndSettle(settlement);
        } catch (QueueException e) {
            // kept in hand, its leases renewed, and written again: an outage loses no ack and fails no job
            unsettled.add(settlement);
            settleFailed(e, settlement);
        }
    }

    private void writeAndSettle(Settlement s) {
        settling.addAll(s.deliveries());
        try {
            write(s);
            settled(s);
        } finally {
            s.deliveries().forEach(settling::remove);
        }
    }

    private void write(Settlement s) {
        switch (s.ending()) {
            case ACK -> {
                long acked = queue.ack(s.deliveries());
                if (acked < s.deliveries().size()) {
                    LOG.warn("{}: {} of {} jobs were acked after their lease had expired; the queue delivered them again "
                            + "(at least once)", settings.owner(), s.deliveries().size() - acked, s.deliveries().size());
                }
            }
            case NACK -> reportDeadLetters(queue.nack(s.deliveries(), s.reason()), s);
            case DEAD_LETTER -> reportDeadLetters(queue.deadLetter(s.deliveries(), s.reason()), s);
            case RELEASE -> queue.release(s.deliveries());
        }
    }

    private void reportDeadLetters(List<NackOutcome> outcomes, Settlement s) {
        List<Long> dead = new ArrayList<>();
        for (int i = 0; i < outcomes.size(); i++) {
            if (outcomes.get(i) == NackOutcome.DEAD_LETTERED) {
                dead.add(s.deliveries().get(i).id());
            }
        }
        if (!dead.isEmpty()) {
            LOG.warn("{}: job(s) {} went to the dead letters {}:dead: {}", settings.owner(),
                    dead.size() > 10 ? dead.subList(0, 10) + " and " + (dead.size() - 10) + " more" : dead, queue.name(),
                    s.reason());
        }
    }

    private void settled(Settlement s) {
        s.deliveries().forEach(inHand::remove);
        synchronized (room) {
            room.notifyAll();
        }
    }

    private void settleFailed(QueueException e, Settlement s) {
        Problem problem = problemOf(e);
        settleProblem = report(settleProblem, problem, e, SETTLE_RETRY.toMillis());
        LOG.debug("{}: could not {} {} job(s): {}", settings.owner(), s.ending().name().toLowerCase(), s.deliveries().size(),
                e.getMessage());
    }

    /** Writes again what Redis did not take; the problem clears once nothing is left over. */
    private void settleAgain() {
        int pending = unsettled.size();
        for (int i = 0; i < pending; i++) {
            Settlement s = unsettled.poll();
            if (s == null) {
                break;
            }
            try {
                writeAndSettle(s);
            } catch (QueueException e) {
                unsettled.add(s);
                settleFailed(e, s);
                return; // the rest would fail alike; try again on the next round
            }
        }
        Problem was = settleProblem;
        if (unsettled.isEmpty() && was != null) {
            settleProblem = null;
            recovered(was, "settling jobs again");
        }
    }

    // ---- renew, reap ------------------------------------------------------------------------------

    /** The renewal period: half the lease timeout. */
    public Duration renewalPeriod() {
        return Duration.ofMillis(Math.max(50, queue.config().leaseTimeout().toMillis() / 2));
    }

    /** Renews the leases of every job in hand; package-private so that a test can run one at a chosen moment. */
    void renewAll() {
        List<Delivery> snapshot = new ArrayList<>(inHand);
        if (snapshot.isEmpty()) {
            return;
        }
        try {
            List<Boolean> stillHeld = queue.renew(snapshot);
            int lost = 0;
            for (int i = 0; i < snapshot.size(); i++) {
                Delivery d = snapshot.get(i);
                // an ack written meanwhile also leaves no lease: only a job still unsettled was really lost
                if (!stillHeld.get(i) && !settling.contains(d) && inHand.remove(d)) {
                    lost++;
                }
            }
            if (lost > 0) {
                LOG.warn("{}: the leases of {} job(s) in hand expired before they were renewed (was Redis or this "
                        + "process stalled?); the queue delivers them again", settings.owner(), lost);
            }
        } catch (QueueException e) {
            LOG.debug("{}: cannot renew {} leases now: {}", settings.owner(), snapshot.size(), e.getMessage());
        }
    }

    private void reap() {
        // our own jobs first: after an outage longer than the lease, the acks waiting to be written and the leases of
        // the jobs still in hand must reach Redis before this reaper takes them for a dead consumer's
        if (!unsettled.isEmpty()) {
            settleAgain();
        }
        if (settings.renewLeases()) {
            renewAll();
        }
        try {
            Reaper.Result result = reaper.reapExpired();
            if (result.total() > 0) {
                LOG.info("{}: requeued {} and dead-lettered {} job(s) whose lease expired (their consumer died or hung)",
                        settings.owner(), result.requeued(), result.deadLettered());
            }
            Problem was = reapProblem;
            if (was != null) {
                reapProblem = null;
                recovered(was, "reaping expired leases again");
            }
        } catch (QueueException e) {
            reapProblem = report(reapProblem, problemOf(e), e, settings.reapInterval().toMillis());
        }
    }

    // ---- destination ------------------------------------------------------------------------------

    /**
     * The driver's destination cannot take jobs now (a broker down, a host unreachable): the driver keeps the jobs
     * in hand (their leases are renewed), tries again with backoff, and health says why.
     */
    public synchronized void destinationUnavailable(String reason) {
        Problem was = destinationProblem;
        if (was == null || !was.reason().equals(reason)) {
            destinationProblem = new Problem(Status.DESTINATION_UNAVAILABLE, reason, was == null ? Instant.now() : was.since());
            LOG.warn("{}: the destination cannot take jobs: {}; the {} job(s) in hand stay leased and are tried again with "
                    + "backoff", settings.owner(), reason, inHand.size());
        }
    }

    /** The destination took jobs again. */
    public synchronized void destinationAvailable() {
        Problem was = destinationProblem;
        if (was != null) {
            destinationProblem = null;
            recovered(was, "the destination takes jobs again");
        }
    }

    // ---- health -----------------------------------------------------------------------------------

    /** Whether jobs move; if not, why and since when. */
    public ConsumerHealth health() {
        if (closed) {
            return new ConsumerHealth(Status.STOPPED, Optional.empty(), runningSince);
        }
        for (Problem p : new Problem[] {settleProblem, takeProblem, reapProblem, destinationProblem}) {
            if (p != null) {
                return new ConsumerHealth(p.status(), Optional.of(p.reason()), p.since());
            }
        }
        return ConsumerHealth.running(runningSince);
    }

    private static Problem problemOf(QueueException e) {
        // unreachable, loading, refusing the credentials or the TLS handshake: the whole Redis is out of reach until it
        // is back or the password or certificates are fixed (the log says which). A missing ACL permission (PERMISSION)
        // concerns this queue's keys: the queue is broken, with the command and keys to grant, as for a wrong type.
        boolean outage = e.isRetriable() || e.kind() == QueueException.Kind.AUTH || e.kind() == QueueException.Kind.TLS;
        return new Problem(outage ? Status.REDIS_UNAVAILABLE : Status.QUEUE_BROKEN, e.getMessage(), Instant.now());
    }

    /** Logs a problem once (a new message is a new problem) and returns the one to keep. */
    private Problem report(Problem current, Problem next, QueueException e, long retryInMillis) {
        if (next.status() == Status.REDIS_UNAVAILABLE) {
            outages.failed(e, retryInMillis);
        } else if (current == null || !current.reason().equals(next.reason())) {
            LOG.error("{}: the queue is skipped: {}; its jobs stay where they are, and it is tried again with backoff ({} s "
                    + "to {} s) until this is fixed", settings.owner(), next.reason(), SIDELINE_MIN.toSeconds(),
                    SIDELINE_MAX.toSeconds());
        }
        return current != null && current.reason().equals(next.reason()) ? current : next;
    }

    private void recovered(Problem was, String what) {
        runningSince = Instant.now();
        if (was.status() == Status.REDIS_UNAVAILABLE) {
            outages.succeeded();
        } else {
            LOG.info("{}: {} ({} since {})", settings.owner(), what, was.status(), was.since());
        }
    }

    // ---- stop -------------------------------------------------------------------------------------

    /** Releases what is still in hand and stops; settlements Redis has not taken get up to 5 s. */
    @Override
    public void close() {
        close(Duration.ofSeconds(5));
    }

    /**
     * Stops taking; writes the settlements Redis has not taken yet (for up to {@code grace}); releases every job
     * still in hand, due again at once; then stops renewing and reaping. What Redis cannot be told stays leased and
     * comes back through the reaper once its lease expires: a stop never loses a job.
     */
    public void close(Duration grace) {
        if (closed) {
            return;
        }
        closed = true;
        synchronized (room) {
            room.notifyAll();
        }
        long deadline = System.nanoTime() + grace.toNanos();
        timer.shutdown();
        try {
            timer.awaitTermination(grace.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        while (!unsettled.isEmpty() && System.nanoTime() < deadline) {
            settleAgain();
            if (!unsettled.isEmpty()) {
                sleepNanos(Math.min(SETTLE_RETRY.toNanos() / 4, Math.max(0, deadline - System.nanoTime())));
            }
        }
        List<Delivery> pending = new ArrayList<>();
        unsettled.forEach(s -> pending.addAll(s.deliveries()));
        List<Delivery> untouched = new ArrayList<>(inHand);
        untouched.removeAll(pending);
        if (!untouched.isEmpty()) {
            try {
                queue.release(untouched);
                untouched.forEach(inHand::remove);
                LOG.info("{}: released {} job(s) still in hand on stop; they are due again at once", settings.owner(),
                        untouched.size());
            } catch (QueueException e) {
                pending.addAll(untouched);
            }
        }
        if (!pending.isEmpty()) {
            LOG.warn("{}: stopped with {} job(s) Redis could not be told about ({}); they stay leased in {}:leases and the "
                    + "reaper delivers them again once their lease expires", settings.owner(), pending.size(),
                    health().problem().orElse("Redis unavailable"), queue.name());
        }
        timer.shutdownNow();
    }

    public boolean isClosed() {
        return closed;
    }

    // ---- helpers ----------------------------------------------------------------------------------

    private boolean awaitRoom(long deadline) {
        synchronized (room) {
            long left = deadline - System.nanoTime();
            if (left <= 0 || closed) {
                return false;
            }
            if (room() <= 0) {
                try {
                    TimeUnit.NANOSECONDS.timedWait(room, left);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return false;
                }
            }
            return true;
        }
    }

    private static boolean sleepNanos(long nanos) {
        try {
            TimeUnit.NANOSECONDS.sleep(nanos);
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private Runnable guarded(Runnable task) {
        return () -> {
            try {
                task.run();
            } catch (RuntimeException e) {
                // a periodic task that throws is cancelled for good: log and keep the schedule
                LOG.error("{}: unexpected failure in the lease lifecycle", settings.owner(), e);
            }
        };
    }

    /**
     * When the next take may try again after failures: a short, growing pause through an outage, a longer one for a
     * broken queue (a key of the wrong type is not fixed in milliseconds).
     */
    private static final class Backoff {
        private final dev.qbridge.core.retry.Backoff outage = dev.qbridge.core.retry.Backoff.forOutages();
        private final dev.qbridge.core.retry.Backoff broken = new dev.qbridge.core.retry.Backoff(SIDELINE_MIN, SIDELINE_MAX);
        private long notBefore;

        synchronized long failed(boolean queueBroken) {
            Duration pause = queueBroken ? broken.next() : outage.next();
            notBefore = System.nanoTime() + pause.toNanos();
            return pause.toMillis();
        }

        synchronized long remainingNanos() {
            return notBefore == 0 ? 0 : Math.max(0, notBefore - System.nanoTime());
        }

        synchronized void reset() {
            outage.reset();
            broken.reset();
            notBefore = 0;
        }
    }
}
