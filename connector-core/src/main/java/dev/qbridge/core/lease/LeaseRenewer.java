package dev.qbridge.core.lease;

import dev.qbridge.core.QueueException;
import dev.qbridge.core.queue.Delivery;
import dev.qbridge.core.queue.RedisQueue;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the leases of jobs still being worked on alive, renewing all of them in one round trip at half the
 * lease timeout (as Camel's SQS consumer extends visibility), so a long job is not requeued under its worker.
 * A job whose lease was already lost is dropped from tracking and reported to the log: its worker's ack will
 * then be a harmless no-op and the job's other copy is delivered again.
 */
public final class LeaseRenewer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(LeaseRenewer.class);

    private final RedisQueue queue;
    private final Set<Delivery> held = ConcurrentHashMap.newKeySet();
    private final ScheduledExecutorService timer;

    public LeaseRenewer(RedisQueue queue) {
        this.queue = queue;
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "qbridge-lease-renewer-" + queue.name());
            t.setDaemon(true);
            return t;
        });
        long period = Math.max(50, queue.config().leaseTimeout().toMillis() / 2);
        timer.scheduleWithFixedDelay(this::renewAll, period, period, TimeUnit.MILLISECONDS);
    }

    public void track(Delivery delivery) {
        held.add(delivery);
    }

    public void track(List<Delivery> deliveries) {
        held.addAll(deliveries);
    }

    public void release(Delivery delivery) {
        held.remove(delivery);
    }

    public void release(List<Delivery> deliveries) {
        deliveries.forEach(held::remove);
    }

    public int tracked() {
        return held.size();
    }

    /** The renewal period: half the lease timeout. */
    public Duration period() {
        return Duration.ofMillis(Math.max(50, queue.config().leaseTimeout().toMillis() / 2));
    }

    void renewAll() {
        List<Delivery> snapshot = new ArrayList<>(held);
        if (snapshot.isEmpty()) {
            return;
        }
        try {
            List<Boolean> stillHeld = queue.renew(snapshot);
            for (int i = 0; i < snapshot.size(); i++) {
                if (!stillHeld.get(i) && held.remove(snapshot.get(i))) {
                    LOG.warn("lease of job {} on queue {} (attempt {}) was lost before it finished; it will be delivered again",
                            snapshot.get(i).id(), queue.name(), snapshot.get(i).attempt());
                }
            }
        } catch (QueueException e) {
            LOG.warn("cannot renew {} leases on queue {}: {}", snapshot.size(), queue.name(), e.getMessage());
        }
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
