package dev.qbridge.camel;

import dev.qbridge.core.consume.ConsumerHealth;
import dev.qbridge.core.consume.ConsumerSettings;
import dev.qbridge.core.consume.QueueConsumer;
import dev.qbridge.core.queue.Delivery;
import dev.qbridge.core.retry.Backoff;
import dev.qbridge.formats.JobTranslation;
import dev.qbridge.formats.UnreadableJobException;
import dev.qbridge.formats.WrittenEvent;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.Processor;
import org.apache.camel.ShutdownRunningTask;
import org.apache.camel.spi.ShutdownAware;
import org.apache.camel.support.DefaultConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Takes jobs in batches under a lease and routes one exchange per job, or with {@code batching=true} one exchange per
 * batch (its body the list of payloads). A {@link JobCompletion} per job on its exchange records the job's outcome;
 * once every exchange of the batch is done, the successes are acked in one round trip and the failures nacked (retry
 * with backoff, then dead letter). Everything that keeps the jobs safe in between (lease renewal, the reaper, Redis
 * outages, a broken queue, release on stop, health) is the core's {@link QueueConsumer}.
 * A graceful stop takes nothing new and waits for the jobs in hand.
 * <p>
 * A failure that says the destination is unavailable ({@link DestinationOutages}) is not the job's: the jobs it hit
 * stay in hand, every consumer thread stops taking, health says DESTINATION_UNAVAILABLE, and the jobs are routed again
 * as new exchanges after a growing pause (one job first, then the rest once it went through), their attempt
 * uncounted. A stop meanwhile gives them back to the queue, due at once.
 */
public class RedisqConsumer extends DefaultConsumer implements ShutdownAware {

    private static final Logger LOG = LoggerFactory.getLogger(RedisqConsumer.class);
    /** The pause before routing held jobs again: doubled after each round the destination stayed unavailable. */
    private static final Duration OUTAGE_PAUSE_MIN = Duration.ofSeconds(1);
    private static final Duration OUTAGE_PAUSE_MAX = Duration.ofSeconds(30);
    /** How often a waiting thread looks whether it should stop, or may take again. */
    private static final Duration WAIT_SLICE = Duration.ofMillis(100);

    private final RedisqEndpoint endpoint;
    /** Jobs taken and not yet acked or nacked: the shutdown strategy waits for them. */
    private final AtomicInteger inHand = new AtomicInteger();
    private final AtomicInteger loops = new AtomicInteger();
    /** Threads holding jobs their destination could not take: while any does, no thread takes new ones. */
    private final AtomicInteger waitingOutDestination = new AtomicInteger();
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
            if (waitingOutDestination.get() > 0) {
                // another thread holds jobs the destination could not take: more would only wait beside them
                pause(WAIT_SLICE);
                continue;
            }
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
        try {
            JobBatch.Held held = routeAndSettle(consumer, batch);
            if (!held.isEmpty()) {
                waitOutDestination(consumer, held);
            }
        } finally {
            inHand.addAndGet(-batch.size());
        }
    }

    /**
     * Routes one exchange per job (or one for the whole batch), waits for all, settles them, and returns those whose
     * destination was unavailable.
     * Once one exchange finds it unavailable, the jobs not yet routed are held without routing them: a destination
     * that is down costs one exchange (and, for a Kafka producer, one wait for metadata), not a batch of them.
     */
    private JobBatch.Held routeAndSettle(QueueConsumer consumer, List<Delivery> jobs) {
        JobBatch outcomes = new JobBatch(jobs.size(), endpoint.destinationOutages());
        try {
            if (endpoint.isBatching()) {
                routeBatch(jobs, outcomes);
            } else {
                for (Delivery delivery : jobs) {
                    if (outcomes.destinationUnavailable()) {
                        outcomes.notRouted(delivery);
                    } else {
                        route(delivery, outcomes);
                    }
                }
            }
            // every exchange of the batch must finish before its acks are flushed: this also bounds the work in
            // flight to batchSize jobs per consumer thread
            outcomes.awaitAll();
        } catch (InterruptedException e) {
            // a forced stop: finish what is done; the rest stays leased and comes back after its lease
            Thread.currentThread().interrupt();
            LOG.warn("queue {}: stopped with {} jobs still in flight; they are released when the consumer stops",
                    endpoint.getQueue(), outcomes.pending());
        }
        return outcomes.finish(consumer, endpoint.deadLetterQueue(), this::sleep);
    }

    /**
     * The destination cannot take the held jobs: keep them in hand (the core renews their leases), take nothing new,
     * and route them again after a growing pause, one job first and the rest once it went through. Health says
     * DESTINATION_UNAVAILABLE meanwhile. A stop gives the jobs back to the queue, due at once; their attempt is not
     * counted either way.
     */
    private void waitOutDestination(QueueConsumer consumer, JobBatch.Held held) {
        waitingOutDestination.incrementAndGet();
        boolean through = false;
        try {
            Backoff backoff = new Backoff(OUTAGE_PAUSE_MIN, OUTAGE_PAUSE_MAX);
            while (!held.isEmpty()) {
                consumer.destinationUnavailable(held.reason());
                if (!pause(backoff.next())) {
                    consumer.release(held.deliveries());
                    LOG.info("queue {}: stopping while the destination is unavailable; {} job(s) in hand are given back, "
                            + "due again at once", endpoint.getQueue(), held.deliveries().size());
                    return;
                }
                List<Delivery> jobs = held.deliveries();
                JobBatch.Held probe = routeAndSettle(consumer, jobs.subList(0, 1));
                List<Delivery> rest = List.copyOf(jobs.subList(1, jobs.size()));
                if (probe.isEmpty() && running()) {
                    backoff.reset(); // it went through: the rest goes now, and a new failure starts short again
                    held = rest.isEmpty() ? JobBatch.Held.NONE : routeAndSettle(consumer, rest);
                } else {
                    // still unavailable, or stopping (the next pause says so and gives these back)
                    List<Delivery> still = new ArrayList<>(probe.deliveries());
                    still.addAll(rest);
                    held = new JobBatch.Held(still, probe.isEmpty() ? held.reason() : probe.reason());
                }
            }
            through = true;
        } finally {
            if (waitingOutDestination.decrementAndGet() == 0 && through) {
                consumer.destinationAvailable();
            }
        }
    }

    private boolean running() {
        return taking && isRunAllowed() && !Thread.currentThread().isInterrupted();
    }

    /** Waits, unless the consumer stops meanwhile: true when the pause ran out and the consumer still runs. */
    private boolean pause(Duration pause) {
        long deadline = System.nanoTime() + pause.toNanos();
        while (running()) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return true;
            }
            if (!sleep(Duration.ofNanos(Math.min(left, WAIT_SLICE.toNanos())))) {
                return false;
            }
        }
        return false;
    }

    private void route(Delivery delivery, JobBatch outcomes) {
        Outbound out = outbound(delivery, outcomes);
        if (out == null) {
            return;
        }
        Exchange exchange = createExchange(false);
        Message in = exchange.getIn();
        in.setBody(out.body());
        in.setHeader(RedisqConstants.QUEUE, delivery.queue());
        in.setHeader(RedisqConstants.JOB_ID, delivery.id());
        if (out.eventId() != null) {
            in.setHeader(RedisqConstants.EVENT_ID, out.eventId());
        }
        in.setHeader(RedisqConstants.ATTEMPT, delivery.attempt());
        delivery.score().ifPresent(score -> in.setHeader(RedisqConstants.SCORE, score));
        exchange.getExchangeExtension().addOnCompletion(new JobCompletion(delivery, outcomes));
        process(exchange, List.of(delivery), outcomes, () -> "job " + delivery.id() + " of queue " + delivery.queue());
    }

    /**
     * The body a job is routed with: its payload, or for a job system's queue its CloudEvent with the event's id; null
     * when the job cannot be read, which then goes to the dead letters with the reason, without a retry (it would fail the same way).
     */
    private Outbound outbound(Delivery delivery, JobBatch outcomes) {
        JobTranslation translation = endpoint.translation();
        try {
            if (translation.isIdentity()) {
                return new Outbound(delivery.payload(), null);
            }
            WrittenEvent event = translation.written(delivery.payload(), delivery.hash(), delivery.score());
            return new Outbound(event.json(), event.id());
        } catch (UnreadableJobException e) {
            outcomes.failed(delivery, null, new NonRetriableJobException(
                    "unreadable " + endpoint.translation().queue().format() + " job: " + e.getMessage(), e));
            return null;
        }
    }

    /** The body a job is routed with, and the id of its CloudEvent when it is one (null for raw and json queues). */
    private record Outbound(byte[] body, String eventId) {
    }

    /** Routes {@code exchange}, which carries {@code jobs}; {@code what} names them in a failure's log line. */
    private void process(Exchange exchange, List<Delivery> jobs, JobBatch outcomes, Supplier<String> what) {
        try {
            getAsyncProcessor().process(exchange, doneSync -> {
                // an unavailable destination is logged once, by the consumer's health, not once per exchange
                if (exchange.getException() != null && !endpoint.destinationOutages().isOutage(exchange.getException())) {
                    getExceptionHandler().handleException("Error processing " + what.get(), exchange,
                            exchange.getException());
                }
                releaseExchange(exchange, false);
            });
        } catch (RuntimeException e) {
            // the route could not even start on it: its jobs are failed like any exchange failure
            for (Delivery delivery : jobs) {
                outcomes.failed(delivery, exchange, e);
            }
        }
    }

    /**
     * Routes the whole batch as one exchange: the body is the list of payloads, the job headers are lists in the same
     * order. One {@link JobCompletion} per job settles them all alike when the exchange is done, so the batch is acked
     * together after the route completed, or nacked (held, dead-lettered) together when it failed.
     */
    private void routeBatch(List<Delivery> jobs, JobBatch outcomes) {
        Exchange exchange = createExchange(false);
        Message in = exchange.getIn();
        List<byte[]> payloads = new ArrayList<>(jobs.size());
        List<Long> ids = new ArrayList<>(jobs.size());
        List<Integer> attempts = new ArrayList<>(jobs.size());
        List<Delivery> routed = new ArrayList<>(jobs.size());
        for (Delivery delivery : jobs) {
            Outbound out = outbound(delivery, outcomes);
            if (out == null) {
                continue;
            }
            routed.add(delivery);
            payloads.add(out.body());
            ids.add(delivery.id());
            attempts.add(delivery.attempt());
            exchange.getExchangeExtension().addOnCompletion(new JobCompletion(delivery, outcomes));
        }
        if (routed.isEmpty()) {
            releaseExchange(exchange, false);
            return;
        }
        in.setBody(payloads);
        in.setHeader(RedisqConstants.QUEUE, jobs.get(0).queue());
        in.setHeader(RedisqConstants.JOB_IDS, ids);
        in.setHeader(RedisqConstants.ATTEMPTS, attempts);
        process(exchange, routed, outcomes, () -> "a batch of " + routed.size() + " jobs of queue " + jobs.get(0).queue()
                + " (ids " + ids.get(0) + " to " + ids.get(ids.size() - 1) + ")");
    }

    private boolean sleep(Duration pause) {
        try {
            TimeUnit.NANOSECONDS.sleep(pause.toNanos());
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
