package dev.qbridge.camel;

import dev.qbridge.core.consume.ConsumerHealth;
import dev.qbridge.core.consume.ConsumerSettings;
import dev.qbridge.core.consume.QueueConsumer;
import dev.qbridge.core.queue.Delivery;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
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
 * the failures nacked (retry with backoff, then dead letter). Everything that keeps the jobs safe in between (lease
 * renewal, the reaper, Redis outages, a broken queue, release on stop, health) is the core's {@link QueueConsumer}.
 * A graceful stop takes nothing new and waits for the jobs in hand.
 */
public class RedisqConsumer extends DefaultConsumer implements ShutdownAware {

    private static final Logger LOG = LoggerFactory.getLogger(RedisqConsumer.class);

    private final RedisqEndpoint endpoint;
    /** Jobs taken and not yet acked or nacked: the shutdown strategy waits for them. */
    private final AtomicInteger inHand = new AtomicInteger();
    private final AtomicInteger loops = new AtomicInteger();
    private volatile boolean taking;
    private volatile QueueConsumer consumer;
    private ExecutorService workers;

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
        var queue = endpoint.queue();
        int threads = endpoint.getConcurrentConsumers();
        consumer = QueueConsumer.start(queue, ConsumerSettings.of("redisq consumer of queue " + queue.name())
                .maxInHand(endpoint.getBatchSize() * threads)
                .reapInterval(Duration.ofMillis(endpoint.getReapInterval()))
                .renewLeases(endpoint.isRenewLeases()));
        taking = true;
        workers = endpoint.getCamelContext().getExecutorServiceManager().newFixedThreadPool(this,
                "redisq[" + queue.name() + "]", threads);
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

    private void takeLoop() {
        QueueConsumer consumer = this.consumer;
        Duration wait = Duration.ofMillis(endpoint.getPollTimeout());
        while (taking && isRunAllowed()) {
            List<Delivery> batch = consumer.take(endpoint.getBatchSize(), wait);
            if (!batch.isEmpty()) {
                process(consumer, batch);
            }
        }
    }

    private void takeLoopLogged() {
        try {
            takeLoop();
        } catch (RuntimeException | Error e) {
            LOG.error("queue {}: consumer thread stopped by an unexpected error", endpoint.getQueue(), e);
            throw e;
        }
    }

    private void process(QueueConsumer consumer, List<Delivery> batch) {
        inHand.addAndGet(batch.size());
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
            LOG.warn("queue {}: stopped with {} jobs still in flight; they are released when the consumer stops",
                    endpoint.getQueue(), outcomes.pending());
        } finally {
            outcomes.finish(consumer, endpoint.deadLetterQueue(), this::sleep);
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

    /** Whether this consumer moves jobs, and if not, why and since when; STOPPED before it starts. */
    public ConsumerHealth health() {
        QueueConsumer c = consumer;
        return c == null ? new ConsumerHealth(ConsumerHealth.Status.STOPPED, Optional.empty(), Instant.now()) : c.health();
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
        if (consumer != null) {
            consumer.close(); // releases what a forced stop left in hand, due again at once
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
