package dev.qbridge.server.migrate;

import dev.qbridge.server.deploy.ConnectorSpec;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.LongConsumer;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.component.kafka.KafkaConstants;
import org.apache.camel.component.kafka.consumer.KafkaManualCommit;

/**
 * Moves jobs from any Camel endpoint (Kafka, JMS, files) to a destination until the source stays idle: the work of
 * {@code qbridge migrate} from a source other than a Redis queue. A route reads one job at a time and the exchange
 * succeeds only once the destination has the job, so the source keeps what was not written: a JMS source consumes in
 * a transaction, a file stays until written, and Kafka offsets are committed only for records the destination has.
 */
public final class RouteMigration {

    private static final String ROUTE = "qbridge-migrate";

    /**
     * @param limit       most jobs to write; null for no limit
     * @param idleTimeout the source counts as drained after this long without a job
     * @param maxRate     most jobs written per second; null for no pacing
     */
    public record Settings(Long limit, Duration idleTimeout, Integer maxRate) {
    }

    /** @param stopped true when {@link #stop()} ended the run */
    public record Result(long read, long written, boolean stopped) {
    }

    private final CamelContext context;
    private final String sourceUri;
    private final JobWriter destination;
    private final Settings settings;
    private final LongConsumer written;
    private volatile boolean stop;

    /** {@code sourceUri} is read by a route of {@code context}; {@code written} hears the running total. */
    public RouteMigration(CamelContext context, String sourceUri, JobWriter destination, Settings settings,
                          LongConsumer written) {
        this.context = context;
        this.sourceUri = sourceUri;
        this.destination = destination;
        this.settings = settings;
        this.written = written;
    }

    /** Asks a run to stop soon, from any thread: the jobs being written finish, nothing new is read. */
    public void stop() {
        stop = true;
    }

    /** Runs until the source is idle, the limit is reached or a stop; throws {@link MigrationFailed} on a refusal. */
    public Result run() throws Exception {
        Long limit = settings.limit();
        AtomicLong read = new AtomicLong();
        AtomicLong done = new AtomicLong();
        AtomicLong lastJob = new AtomicLong(System.nanoTime());
        AtomicReference<Exception> failure = new AtomicReference<>();
        Throttle throttle = new Throttle(settings.maxRate());
        boolean kafka = ConnectorSpec.scheme(sourceUri).equals("kafka");
        context.addRoutes(new RouteBuilder(context) {
            @Override
            public void configure() {
                from(sourceUri).routeId(ROUTE).process(exchange -> {
                    if ((limit != null && read.get() >= limit) || failure.get() != null || stop) {
                        // over the limit, failed or stopping: fail the exchange so the source keeps the job
                        throw new IllegalStateException("migration limit reached or stopping");
                    }
                    read.incrementAndGet();
                    byte[] payload = exchange.getIn().getMandatoryBody(byte[].class);
                    try {
                        destination.write(List.of(new JobWriter.Job(payload, null, null)));
                    } catch (JobWriter.WriteFailed f) {
                        read.decrementAndGet();
                        failure.compareAndSet(null, f);
                        throw f;
                    }
                    written.accept(done.incrementAndGet());
                    lastJob.set(System.nanoTime());
                    if (kafka) {
                        commitIfLastOfPoll(exchange, done.get());
                    }
                    throttle.after(1, () -> stop);
                });
            }
        });
        while (!stop && failure.get() == null && (limit == null || done.get() < limit)
                && System.nanoTime() - lastJob.get() < settings.idleTimeout().toNanos()) {
            Thread.sleep(100);
        }
        context.getRouteController().stopRoute(ROUTE, 30, TimeUnit.SECONDS);
        destination.close();
        if (failure.get() != null) {
            throw new MigrationFailed(done.get(), "migration stopped after " + String.format(Locale.ROOT, "%,d", done.get())
                    + " jobs: " + failure.get().getMessage() + "; the source keeps the refused job and those after it; run "
                    + "the same command again to go on", failure.get());
        }
        return new Result(read.get(), done.get(), stop);
    }

    /** Kafka: commit the offsets once the destination has every record of a poll, never before. */
    private static void commitIfLastOfPoll(Exchange exchange, long written) {
        KafkaManualCommit commit = exchange.getIn().getHeader(KafkaConstants.MANUAL_COMMIT, KafkaManualCommit.class);
        Boolean last = exchange.getIn().getHeader(KafkaConstants.LAST_POLL_RECORD, Boolean.class);
        if (commit != null && (Boolean.TRUE.equals(last) || written % 1000 == 0)) {
            commit.commit();
        }
    }
}
