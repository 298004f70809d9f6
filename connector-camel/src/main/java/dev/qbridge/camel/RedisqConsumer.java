package dev.qbridge.camel;

import dev.qbridge.core.QueueException;
import dev.qbridge.core.consume.OutageLog;
import dev.qbridge.core.lease.LeaseRenewer;
import dev.qbridge.core.lease.Reaper;
import dev.qbridge.core.queue.Delivery;
import dev.qbridge.core.queue.RedisQueue;
import dev.qbridge.core.retry.Backoff;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.Processor;
import org.apache.camel.ShutdownRunningTask;
import org.apache.camel.spi.ShutdownAware;
import org.apache.camel.support.DefaultConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Takes jobs in batches under a lease and routes one exchange per job. A {@link JobCompletion} on each exchange
 * records its outcome; once every exchange of the batch is done, the successes are acked in one round trip and
 * the failures nacked (retry with backoff, then dead letter). Leases of jobs in flight are renewed; expired
 * leases of dead consumers are reaped. A graceful stop takes nothing new and waits for the jobs in hand.
 */
public class RedisqConsumer extends DefaultConsumer implements ShutdownAware {

    private static final Logger LOG = LoggerFactory.getLogger(RedisqConsumer.class);

    private final RedisqEndpoint endpoint;
    /** Jobs taken and not yet acked or nacked: the shutdown strategy waits for them. */
    private final AtomicInteger inHand = new AtomicInteger();
    private final AtomicInteger loops = new AtomicInteger();
    private volatile boolean taking;
    private RedisQueue queue;
    private LeaseRenewer renewer;
    private ExecutorService workers;
    private ScheduledExecutorService reaperTimer;
    private OutageLog outages;

    public RedisqConsumer(RedisqEndpoint endpoint, Processor processor) {
        super(endpoint, processor);
        this.endpoint = endpoint;
    }

    @Override
    public RedisqEndpoint getEndpoint() {
        return endpoint;
    }

    @Override
    protected void doStart() throws Exception {
        super.doStart();
        queue = endpoint.queue();
        outages = new OutageLog(LOG, "redisq consumer of queue " + queue.name());
        renewer = endpoint.isRenewLeases() ? new LeaseRenewer(queue) : null;
        var executors = endpoint.getCamelContext().getExecutorServiceManager();
        if (endpoint.getReapInterval() > 0) {
            Reaper reaper = new Reaper(endpoint.connection(), endpoint.queueConfig());
            reaperTimer = executors.newSingleThreadScheduledExecutor(this, "redisq-reaper[" + queue.name() + "]");
            reaperTimer.scheduleWithFixedDelay(() -> reap(reaper), 0, endpoint.getReapInterval(), TimeUnit.MILLISECONDS);
        }
        taking = true;
        int threads = endpoint.getConcurrentConsumers();
        workers = executors.newFixedThreadPool(this, "redisq[" + queue.name() + "]", threads);
        startLoops();
    }

    private void startLoops() {
        while (loops.get() < endpoint.getConcurrentConsumers()) {
            loops.incrementAndGet();
            workers.execute(() -> {
                try {
                    takeLoopLogged();
                } finally {
                    loops.decrementAndGet();
                }
            });
        }
    }

    private void reap(Reaper reaper) {
        try {
            Reaper.Result result = reaper.reapExpired();
            if (result.total() > 0) {
                LOG.info("queue {}: requeued {} and dead-lettered {} jobs whose lease expired", queue.name(),
                        result.requeued(), result.deadLettered());
            }
        } catch (QueueException e) {
            LOG.debug("queue {}: cannot reap expired leases now: {}", queue.name(), e.getMessage());
        }
    }

    private void takeLoop() {
        Backoff backoff = Backoff.forOutages();
        Duration wait = Duration.ofMillis(endpoint.getPollTimeout());
        while (taking && isRunAllowed()) {
            List<Delivery> batch;
            try {
                batch = queue.take(endpoint.getBatchSize(), wait);
                outages.succeeded();
                backoff.reset();
            } catch (QueueException e) {
                Duration pause = backoff.next();
                outages.failed(e, pause.toMillis());
                if (!sleep(pause)) {
                    return;
                }
                continue;
            }
            if (!batch.isEmpty()) {
                process(batch);
            }
        }
    }

    private void takeLoopLogged() {
        try {
            takeLoop();
        } catch (RuntimeException | Error e) {
            LOG.error("queue {}: consumer thread stopped by an unexpected error", queue.name(), e);
            throw e;
        }
    }

    private void process(List<Delivery> batch) {
        LeaseRenewer renewer = this.renewer; // a forced stop may clear the field while this batch finishes
        inHand.addAndGet(batch.size());
        if (renewer != null) {
            renewer.track(batch);
        }
        JobBatch outcomes = new JobBatch(batch.size());
        try {
            for (Delivery delivery : batch) {
                route(delivery, outcomes);
            }
            // every exchange of the batch must finish before its acks are flushed: this also bounds the work in
            // flight to batchSize jobs per consumer thread
            outcomes.awaitAll();
        } catch (InterruptedException e) {
            // a forced stop: finish what is done; the rest stays leased and comes back after its lease
            Thread.currentThread().interrupt();
            LOG.warn("queue {}: stopped with {} jobs still in flight; they will be delivered again after their lease",
                    queue.name(), outcomes.pending());
        } finally {
            outcomes.finish(queue, endpoint.deadLetterQueue(), this::sleep);
            if (renewer != null) {
                renewer.release(batch);
            }
            inHand.addAndGet(-batch.size());
        }
    }

    private void route(Delivery delivery, JobBatch outcomes) {
        Exchange exchange = createExchange(false);
        Message in = exchange.getIn();
        in.setBody(delivery.payload());
        in.setHeader(RedisqConstants.QUEUE, delivery.queue());
        in.setHeader(RedisqConstants.JOB_ID, delivery.id());
        in.setHeader(RedisqConstants.ATTEMPT, delivery.attempt());
        delivery.score().ifPresent(score -> in.setHeader(RedisqConstants.SCORE, score));
        exchange.getExchangeExtension().addOnCompletion(new JobCompletion(delivery, outcomes));
        try {
            getAsyncProcessor().process(exchange, doneSync -> {
                if (exchange.getException() != null) {
                    getExceptionHandler().handleException("Error processing job " + delivery.id() + " of queue "
                            + delivery.queue(), exchange, exchange.getException());
                }
                releaseExchange(exchange, false);
            });
        } catch (RuntimeException e) {
            // the route could not even start on it: the job is failed like any exchange failure
            outcomes.failed(delivery, exchange, e);
        }
    }

    private boolean sleep(Duration pause) {
        try {
            Thread.sleep(pause.toMillis());
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    // ---- graceful shutdown ------------------------------------------------------------------------

    @Override
    public boolean deferShutdown(ShutdownRunningTask shutdownRunningTask) {
        return false;
    }

    @Override
    public int getPendingExchangesSize() {
        return inHand.get();
    }

    @Override
    public void prepareShutdown(boolean suspendOnly, boolean forced) {
        taking = false; // take nothing new; the jobs in hand finish and are acked before the route stops
    }

    @Override
    protected void doStop() throws Exception {
        taking = false;
        if (workers != null) {
            // the loops return within one poll timeout once their batch is done
            endpoint.getCamelContext().getExecutorServiceManager().shutdownGraceful(workers,
                    endpoint.getPollTimeout() + endpoint.getVisibilityTimeout());
            workers = null;
        }
        if (reaperTimer != null) {
            endpoint.getCamelContext().getExecutorServiceManager().shutdownNow(reaperTimer);
            reaperTimer = null;
        }
        if (renewer != null) {
            renewer.close();
            renewer = null;
        }
        super.doStop();
    }

    @Override
    protected void doResume() throws Exception {
        super.doResume();
        if (workers != null) {
            taking = true;
            startLoops();
        }
    }

    @Override
    protected void doSuspend() throws Exception {
        taking = false;
        super.doSuspend();
    }
}
