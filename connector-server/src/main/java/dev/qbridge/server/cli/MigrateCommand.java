package dev.qbridge.server.cli;

import dev.qbridge.camel.RedisqEndpoint;
import dev.qbridge.core.QueueException;
import dev.qbridge.core.lease.Reaper;
import dev.qbridge.core.queue.Delivery;
import dev.qbridge.core.queue.QueueConfig;
import dev.qbridge.core.queue.QueueCounts;
import dev.qbridge.core.queue.QueueKind;
import dev.qbridge.core.queue.RedisQueue;
import dev.qbridge.core.redis.JedisConnection;
import dev.qbridge.core.redis.RedisConnection;
import dev.qbridge.core.redis.RedisEndpoint;
import dev.qbridge.server.QbridgeException;
import dev.qbridge.server.RedisqEndpoints;
import dev.qbridge.server.Secrets;
import dev.qbridge.server.deploy.ConnectorSpec;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.camel.CamelContext;
import org.apache.camel.Endpoint;
import org.apache.camel.Exchange;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.component.kafka.KafkaConstants;
import org.apache.camel.component.kafka.consumer.KafkaManualCommit;
import org.apache.camel.impl.DefaultCamelContext;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code qbridge migrate}: moves (or copies) a backlog from one endpoint to another and stops when the source is
 * drained or the limit is reached. From a redisq: source each batch is taken under a lease, written to the
 * destination, and acked only then: a migration killed at any point and run again loses nothing (jobs of the killed
 * run come back when their lease expires, and the new run waits for them). From other sources (Kafka, JMS, files)
 * a route reads until the source stays idle; Kafka offsets are committed only for records the destination has.
 */
@Command(name = "migrate",
        header = "Move or copy a backlog between a Redis queue and Kafka, JMS, files, HTTP or another Redis queue.",
        description = {"",
            "--from and --to are Camel endpoint URIs:",
            "  redisq:<queue>?redisUri=redis://host:6379&kind=reliable|priority|delayed   a Redis queue",
            "  kafka:<topic>?brokers=host:9092   jms:queue:<name>   file:<dir>   http://host/path",
            "",
            "A move acks each job at the source only once the destination has it: interrupted (even by kill "
                    + "-9) and run again, it loses nothing. It stops when the source is drained (redisq: nothing "
                    + "ready, retrying or in flight; other sources: nothing new for --idle-timeout) or --limit jobs "
                    + "were written, then prints a verification line (source before and after, written to the "
                    + "destination) and exits with 3 if the numbers disagree.",
            ""},
        footer = {"",
            "Examples:",
            "  qbridge migrate --redis redis://old:6379 --from redisq:orders --to 'redisq:orders?redisUri=redis://new'",
            "  qbridge migrate --from redisq:orders --to 'kafka:orders?brokers=localhost:9092'",
            "  qbridge migrate --from 'kafka:orders?brokers=localhost:9092' --to redisq:orders",
            "  qbridge migrate --copy --limit 100 --from redisq:orders --to file:/tmp/sample"},
        mixinStandardHelpOptions = true,
        usageHelpAutoWidth = true)
public final class MigrateCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--from", paramLabel = "<uri>", required = true, description = "The source endpoint URI.")
    String from;

    @Option(names = "--to", paramLabel = "<uri>", required = true, description = "The destination endpoint URI.")
    String to;

    @Option(names = "--copy",
            description = "Copy instead of move: the source keeps every job (redisq: sources only; read a quiet queue).")
    boolean copy;

    @Option(names = "--limit", paramLabel = "<n>", description = "Stop after this many jobs. Default: the whole backlog.")
    Long limit;

    @Option(names = "--dry-run", description = "Check both endpoints and show what would be moved; write nothing.")
    boolean dryRun;

    @Option(names = {"-r", "--redis"}, paramLabel = "<redis-uri>", defaultValue = "${QBRIDGE_REDIS_URL:-redis://localhost:6379}",
            description = "The Redis of redisq: endpoints that name no redisUri. Default: $QBRIDGE_REDIS_URL, else "
                    + "${DEFAULT-VALUE}.")
    String redisUri;

    @Option(names = "--jms-broker-url", paramLabel = "<url>",
            description = "An Apache Artemis broker URL (tcp://host:61616): the connection factory of jms: endpoints that "
                    + "name none.")
    String jmsBrokerUrl;

    @Option(names = "--batch-size", paramLabel = "<n>", defaultValue = "500",
            description = "Jobs taken, written and acked together (1 to 1000). Default: ${DEFAULT-VALUE}.")
    int batchSize;

    @Option(names = "--max-rate", paramLabel = "<jobs/s>",
            description = "Write at most this many jobs per second. Default: as fast as possible.")
    Integer maxRate;

    @Option(names = "--idle-timeout", paramLabel = "<duration>", defaultValue = "10s", converter = DurationConverter.class,
            description = "Sources other than redisq: count as drained after this long without a job. Default: "
                    + "${DEFAULT-VALUE}.")
    Duration idleTimeout;

    @Option(names = "--in-flight-wait", paramLabel = "<duration>", converter = DurationConverter.class,
            description = "How long to wait for jobs in flight at a redisq: source (an interrupted run's, or another "
                    + "consumer's) to come back. Default: the source's visibilityTimeout plus 5s.")
    Duration inFlightWait;

    @Option(names = "--progress", paramLabel = "<mode>", defaultValue = "auto",
            description = "auto (a bar on a terminal, lines otherwise), bar, lines or none. Default: ${DEFAULT-VALUE}.")
    String progressMode;

    private static final String JMS_FACTORY = "qbridgeMigrateJms";

    private PrintWriter out;

    /** jms: endpoints get the --jms-broker-url connection factory unless they name one. */
    private String withJms(String uri) {
        if (jmsBrokerUrl == null || !ConnectorSpec.scheme(uri).equals("jms") || uri.contains("connectionFactory=")) {
            return uri;
        }
        return uri + (uri.contains("?") ? "&" : "?") + "connectionFactory=#" + JMS_FACTORY;
    }

    @Override
    public Integer call() throws Exception {
        out = spec.commandLine().getOut();
        if (batchSize < 1 || batchSize > RedisQueue.MAX_BATCH) {
            throw new QbridgeException(2, "--batch-size must be between 1 and " + RedisQueue.MAX_BATCH, null);
        }
        if (limit != null && limit < 1) {
            throw new QbridgeException(2, "--limit must be at least 1", null);
        }
        Progress.Mode mode;
        try {
            mode = Progress.Mode.valueOf(progressMode.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new QbridgeException(2, "--progress must be auto, bar, lines or none", null);
        }
        String source = withJms(withSafeDefaults(from, true));
        String destination = withJms(withSafeDefaults(to, false));
        try (CamelContext context = new DefaultCamelContext()) {
            context.getComponent("redisq", dev.qbridge.camel.RedisqComponent.class).setRedisUri(redisUri);
            if (jmsBrokerUrl != null) {
                context.getRegistry().bind(JMS_FACTORY, dev.qbridge.server.deploy.JmsFactories.artemis(jmsBrokerUrl, null, null));
            }
            context.start();
            Endpoint target = endpoint(context, "--to", destination);
            Endpoint origin = endpoint(context, "--from", source);
            if (origin.getEndpointUri().equals(target.getEndpointUri())) {
                throw new QbridgeException(2, "--from and --to are the same endpoint", null);
            }
            Progress progress = new Progress(out, mode, Duration.ofSeconds(2));
            if (origin instanceof RedisqEndpoint redisq) {
                return fromRedis(context, redisq, target, progress);
            }
            if (copy) {
                throw new QbridgeException(2, "--copy needs a redisq: source (reading Kafka never removes records; "
                        + "for other sources, configure the endpoint not to consume, such as "
                                + "file:...?noop=true)", null);
            }
            return fromRoute(context, source, target, progress);
        }
    }

    private Endpoint endpoint(CamelContext context, String option, String uri) {
        try {
            return context.getEndpoint(uri);
        } catch (RuntimeException e) {
            throw new QbridgeException(2, option + " " + Secrets.redact(uri) + ": " + QbridgeException.describe(e), e);
        }
    }

    // ---- from a Redis queue ---------------------------------------------------------------------

    private int fromRedis(CamelContext context, RedisqEndpoint e, Endpoint target, Progress progress) {
        QueueConfig qc = RedisqEndpoints.queue(e);
        QueueKind kind = qc.kind();
        RedisEndpoint redis = RedisqEndpoints.redis(e);
        if (target instanceof RedisqEndpoint t && t.getQueue().equals(e.getQueue())
                && RedisqEndpoints.redis(t).equals(redis)) {
            throw new QbridgeException(2, "--from and --to are the same queue " + e.getQueue() + " on " + redis
                    + ": a move would take and push the same jobs forever", null);
        }
        try (RedisConnection connection = JedisConnection.open(redis)) {
            RedisQueue queue = new RedisQueue(connection, qc);
            QueueCounts before = queue.counts();
            long backlog = before.ready() + before.retrying() + (copy ? 0 : before.inFlight());
            long planned = limit == null ? backlog : Math.min(limit, backlog);
            String what = copy ? "copy" : "move";
            out.println("migrate: " + what + " " + n(planned) + " jobs from " + Secrets.redact(from) + " (" + kind
                    + " queue " + e.getQueue() + " on " + redis + ": " + describe(before) + ") to " + Secrets.redact(to));
            if (dryRun) {
                out.println("dry run: nothing written; the destination endpoint was created and checked");
                return 0;
            }
            progress.total(planned);
            long written;
            try (JobWriter writer = new JobWriter(context, target)) {
                written = copy ? copyFrom(connection, qc, writer, progress) : moveFrom(queue, qc, connection, writer, progress);
            }
            progress.finish(written);
            QueueCounts after = queue.counts();
            return verify(before, after, written, progress.seconds());
        } catch (QueueException ex) {
            throw new QbridgeException("source " + Secrets.redact(from) + ": " + ex.getMessage(), ex);
        }
    }

    private long moveFrom(RedisQueue queue, QueueConfig config, RedisConnection connection, JobWriter writer, Progress progress) {
        Reaper reaper = new Reaper(connection, config);
        Duration wait = inFlightWait != null ? inFlightWait : config.leaseTimeout().plusSeconds(5);
        long written = 0;
        long waitingSince = 0;
        Throttle throttle = new Throttle(maxRate);
        while (limit == null || written < limit) {
            int n = (int) Math.min(batchSize, limit == null ? batchSize : limit - written);
            List<Delivery> batch = queue.take(n);
            if (batch.isEmpty()) {
                reaper.reapExpired(); // leases of an interrupted run come back once they expire
                QueueCounts c = queue.counts();
                if (c.ready() > 0) {
                    continue;
                }
                if (c.inFlight() + c.retrying() == 0) {
                    break; // drained
                }
                if (waitingSince == 0) {
                    waitingSince = System.nanoTime();
                    out.println("migrate: waiting up to " + wait.toSeconds() + "s for " + n(c.inFlight()) + " jobs in flight and "
                            + n(c.retrying()) + " retrying (an interrupted run's leases expire, then they are moved too)");
                    out.flush();
                } else if (System.nanoTime() - waitingSince > wait.toNanos()) {
                    break;
                }
                sleep(Duration.ofMillis(100));
                continue;
            }
            waitingSince = 0;
            List<JobWriter.Job> jobs = new ArrayList<>(batch.size());
            batch.forEach(d -> jobs.add(job(config, d.payload(), d.scoreValue().orElse(null))));
            try {
                writer.write(jobs);
            } catch (JobWriter.WriteFailed f) {
                // what the destination has leaves the source; the rest goes back (a retry, after the backoff)
                queue.ack(batch.subList(0, f.written));
                queue.nack(batch.subList(f.written, batch.size()),
                        "migrate to " + Secrets.redact(to) + " failed: " + f.getMessage());
                progress.finish(written + f.written);
                throw new QbridgeException("migration stopped after " + n(written + f.written) + " jobs: " + f.getMessage()
                        + "; the jobs not written are back in the source; run the same command again to go on", f);
            }
            queue.ack(batch); // only now: the destination has every job of the batch
            written += batch.size();
            progress.update(written, false);
            throttle.after(batch.size());
        }
        return written;
    }

    private long copyFrom(RedisConnection connection, QueueConfig config, JobWriter writer, Progress progress) {
        byte[] key = config.name().getBytes(StandardCharsets.UTF_8);
        long written = 0;
        long offset = 0;
        Throttle throttle = new Throttle(maxRate);
        while (limit == null || written < limit) {
            int n = (int) Math.min(batchSize, limit == null ? batchSize : limit - written);
            List<JobWriter.Job> jobs = new ArrayList<>(n);
            if (config.kind() == QueueKind.RELIABLE) {
                // in the order consumers would take them: from the tail
                List<byte[]> page = new ArrayList<>(connection.lrange(key, -(offset + n), -(offset + 1)));
                Collections.reverse(page);
                page.forEach(p -> jobs.add(job(config, p, null)));
            } else {
                for (Map.Entry<byte[], Double> m : connection.zrangeWithScores(key, offset, offset + n - 1).entrySet()) {
                    jobs.add(job(config, m.getKey(), m.getValue()));
                }
            }
            if (jobs.isEmpty()) {
                break;
            }
            writer.write(jobs);
            written += jobs.size();
            offset += jobs.size();
            progress.update(written, false);
            throttle.after(jobs.size());
            if (jobs.size() < n) {
                break;
            }
        }
        return written;
    }

    private static JobWriter.Job job(QueueConfig config, byte[] payload, Double score) {
        if (score == null || config.kind() == QueueKind.RELIABLE) {
            return new JobWriter.Job(payload, null, null);
        }
        if (config.kind() == QueueKind.PRIORITY) {
            return new JobWriter.Job(payload, (long) Math.floor(score), null);
        }
        return new JobWriter.Job(payload, null, (long) (score * config.dueTimeUnit().millisPerUnit()));
    }

    private int verify(QueueCounts before, QueueCounts after, long written, double seconds) {
        long sourceBefore = before.pending();
        long sourceAfter = after.pending();
        boolean ok = copy ? sourceBefore == sourceAfter : sourceBefore - sourceAfter == written;
        out.printf(Locale.ROOT, "verify: source before %s, after %s; written to destination %s; %s in %.1fs: %s%n",
                n(sourceBefore), n(sourceAfter), n(written), copy ? "copied" : "moved", seconds,
                ok ? "OK" : copy ? "MISMATCH (the source changed during the copy)"
                        : "MISMATCH (source shrank by " + n(sourceBefore - sourceAfter) + "; other producers or consumers were active?)");
        if (after.inFlight() > 0 && !copy) {
            out.println("note: " + n(after.inFlight()) + " jobs are still in flight at the source (another consumer's, or "
                    + "leases that did not expire within --in-flight-wait); run again to move them once they are back");
        }
        if (after.delayed() > 0 && !copy) {
            out.println("note: " + n(after.delayed()) + " delayed jobs are not due yet and stay in the source; copy them "
                    + "with --copy, or move them once due");
        }
        out.flush();
        return ok ? 0 : 3;
    }

    private static String describe(QueueCounts c) {
        return n(c.ready()) + " ready, " + n(c.retrying()) + " retrying, " + n(c.inFlight()) + " in flight, " + n(c.delayed())
                + " delayed, " + n(c.dead()) + " dead";
    }

    // ---- from any other endpoint ----------------------------------------------------------------

    private int fromRoute(CamelContext context, String source, Endpoint target, Progress progress) throws Exception {
        out.println("migrate: move jobs from " + Secrets.redact(from) + " to " + Secrets.redact(to)
                + " until nothing new arrives for " + idleTimeout.toSeconds() + "s" + (limit == null ? "" : " or " + n(limit) + " jobs"));
        if (dryRun) {
            out.println("dry run: nothing read or written; both endpoints were created and checked");
            return 0;
        }
        AtomicLong read = new AtomicLong();
        AtomicLong written = new AtomicLong();
        AtomicLong lastJob = new AtomicLong(System.nanoTime());
        AtomicReference<Exception> failure = new AtomicReference<>();
        JobWriter writer = new JobWriter(context, target);
        Throttle throttle = new Throttle(maxRate);
        boolean kafka = ConnectorSpec.scheme(source).equals("kafka");
        context.addRoutes(new RouteBuilder(context) {
            @Override
            public void configure() {
                from(source).routeId("qbridge-migrate").process(exchange -> {
                    if ((limit != null && read.get() >= limit) || failure.get() != null) {
                        // over the limit: fail the exchange so the source keeps the job (and stop soon)
                        throw new IllegalStateException("migration limit reached");
                    }
                    read.incrementAndGet();
                    byte[] payload = exchange.getIn().getMandatoryBody(byte[].class);
                    try {
                        writer.write(List.of(new JobWriter.Job(payload, null, null)));
                    } catch (JobWriter.WriteFailed f) {
                        read.decrementAndGet();
                        failure.compareAndSet(null, f);
                        throw f;
                    }
                    written.incrementAndGet();
                    lastJob.set(System.nanoTime());
                    if (kafka) {
                        commitIfLastOfPoll(exchange, written.get());
                    }
                    progress.update(written.get(), false);
                    throttle.after(1);
                });
            }
        });
        while (failure.get() == null && (limit == null || written.get() < limit)
                && System.nanoTime() - lastJob.get() < idleTimeout.toNanos()) {
            sleep(Duration.ofMillis(100));
        }
        context.getRouteController().stopRoute("qbridge-migrate", 30, java.util.concurrent.TimeUnit.SECONDS);
        writer.close();
        progress.finish(written.get());
        if (failure.get() != null) {
            throw new QbridgeException("migration stopped after " + n(written.get()) + " jobs: " + failure.get().getMessage()
                    + "; run the same command again to go on", failure.get());
        }
        boolean ok = read.get() == written.get();
        out.printf(Locale.ROOT, "verify: read from source %s; written to destination %s; moved in %.1fs: %s%n", n(read.get()),
                n(written.get()), progress.seconds(), ok ? "OK" : "MISMATCH");
        out.flush();
        return ok ? 0 : 3;
    }

    /** Kafka: commit the offsets once the destination has every record of a poll, never before. */
    private static void commitIfLastOfPoll(Exchange exchange, long written) {
        KafkaManualCommit commit = exchange.getIn().getHeader(KafkaConstants.MANUAL_COMMIT, KafkaManualCommit.class);
        Boolean last = exchange.getIn().getHeader(KafkaConstants.LAST_POLL_RECORD, Boolean.class);
        if (commit != null && (Boolean.TRUE.equals(last) || written % 1000 == 0)) {
            commit.commit();
        }
    }

    /**
     * A JMS source is transacted, so that a message leaves the broker only once written. Kafka endpoints carry bytes
     * unchanged (byte-array serializers) unless the URI says otherwise; a Kafka source
     * reads from the earliest offset under group qbridge-migrate and commits only what the destination has.
     */
    static String withSafeDefaults(String uri, boolean source) {
        StringBuilder s = new StringBuilder(uri);
        if (source && ConnectorSpec.scheme(uri).equals("jms")) {
            add(s, "transacted", "true"); // a message is acknowledged only when its exchange succeeded
            add(s, "cacheLevelName", "CACHE_CONSUMER"); // one session and consumer for the whole migration
            return s.toString();
        }
        if (!ConnectorSpec.scheme(uri).equals("kafka")) {
            return uri;
        }
        if (source) {
            add(s, "valueDeserializer", "org.apache.kafka.common.serialization.ByteArrayDeserializer");
            add(s, "groupId", "qbridge-migrate");
            add(s, "autoOffsetReset", "earliest");
            add(s, "autoCommitEnable", "false");
            add(s, "allowManualCommit", "true");
            add(s, "breakOnFirstError", "true"); // a failed record is read again, never skipped by a later commit
        } else {
            add(s, "valueSerializer", "org.apache.kafka.common.serialization.ByteArraySerializer");
        }
        return s.toString();
    }

    private static void add(StringBuilder uri, String option, String value) {
        String query = uri.indexOf("?") < 0 ? "" : uri.substring(uri.indexOf("?") + 1);
        if (!("&" + query).contains("&" + option + "=")) {
            uri.append(uri.indexOf("?") < 0 ? '?' : '&').append(option).append('=').append(value);
        }
    }

    private static void sleep(Duration d) {
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new QbridgeException("interrupted", e);
        }
    }

    private static String n(long value) {
        return String.format(Locale.ROOT, "%,d", value);
    }

    /** Paces writes to --max-rate. */
    private static final class Throttle {
        private final Integer rate;
        private final long started = System.nanoTime();
        private long count;

        Throttle(Integer rate) {
            this.rate = rate;
        }

        void after(int jobs) {
            if (rate == null || rate <= 0) {
                return;
            }
            count += jobs;
            long due = started + (long) (count * 1e9 / rate);
            long wait = due - System.nanoTime();
            if (wait > 0) {
                sleep(Duration.ofNanos(wait).plusMillis(0));
            }
        }
    }
}
