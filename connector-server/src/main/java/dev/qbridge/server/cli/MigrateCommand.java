package dev.qbridge.server.cli;

import ch.qos.logback.classic.Level;
import dev.qbridge.camel.RedisqComponent;
import dev.qbridge.camel.RedisqEndpoint;
import dev.qbridge.core.QueueException;
import dev.qbridge.core.Secrets;
import dev.qbridge.core.queue.QueueConfig;
import dev.qbridge.core.queue.QueueCounts;
import dev.qbridge.core.queue.RedisQueue;
import dev.qbridge.core.redis.JedisConnection;
import dev.qbridge.core.redis.RedisConnection;
import dev.qbridge.core.redis.RedisEndpoint;
import dev.qbridge.server.QbridgeException;
import dev.qbridge.server.RedisqEndpoints;
import dev.qbridge.server.deploy.ConnectorSpec;
import dev.qbridge.server.deploy.JmsFactories;
import dev.qbridge.server.migrate.EndpointCheck;
import dev.qbridge.server.migrate.JobWriter;
import dev.qbridge.server.migrate.MigrationFailed;
import dev.qbridge.server.migrate.RedisMigration;
import dev.qbridge.server.migrate.RouteMigration;
import dev.qbridge.server.migrate.Verification;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.camel.CamelContext;
import org.apache.camel.Endpoint;
import org.apache.camel.impl.DefaultCamelContext;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code qbridge migrate}: the options, the output and the exit codes of a migration; the work is
 * {@link RedisMigration} (from a redisq: source) or {@link RouteMigration} (from any other). Before anything is taken,
 * both endpoints are reached ({@link EndpointCheck}). Ctrl-C or SIGTERM stops a run cleanly: the write under way
 * finishes, what the destination has is acked, the rest of the batch in hand goes back to the source, and the output
 * says how many of each.
 */
@Command(name = "migrate",
        header = "Move or copy a backlog between a Redis queue and Kafka, JMS, files, HTTP or another Redis queue.",
        description = {"",
            "--from and --to are Camel endpoint URIs:",
            "  redisq:<queue>?redisUri=redis://host:6379&kind=reliable|priority|delayed   a Redis queue",
            "  kafka:<topic>?brokers=host:9092   jms:queue:<name>   file:<dir>   http://host/path",
            "",
            "Both endpoints are reached first (Redis, Kafka's brokers, the JMS broker, the HTTP host), also by "
                    + "--dry-run. A move acks each job at the source only once the destination has it; the leases of "
                    + "the batch in flight are renewed while the destination writes it: interrupted (even by kill "
                    + "-9) and run again, it loses nothing. Ctrl-C finishes the write under way and gives the rest of "
                    + "the batch back to the source. It stops when the source is drained (redisq: nothing ready, "
                    + "retrying or in flight; other sources: nothing new for --idle-timeout) or --limit jobs were "
                    + "written, then prints a verification line (source before and after, written to the destination) "
                    + "and exits with 3 if the numbers disagree.",
            ""},
        footer = {"",
            "Exit codes: 0 done, 1 failed (the message says why), 2 usage error, 3 verification MISMATCH, "
                    + "130 interrupted (143 for SIGTERM).",
            "",
            "Examples:",
            "  qbridge migrate --redis redis://old:6379 --from redisq:orders --to 'redisq:orders?redisUri=redis://new'",
            "  qbridge migrate --from redisq:orders --to 'kafka:orders?brokers=localhost:9092'",
            "  qbridge migrate --from 'kafka:orders?brokers=localhost:9092' --to redisq:orders",
            "  qbridge migrate --copy --limit 100 --from redisq:orders --to file:/tmp/sample"},
        mixinStandardHelpOptions = true,
        usageHelpAutoWidth = true)
public final class MigrateCommand implements Callable<Integer> {

    /** The exit code of a run stopped by Ctrl-C, as a shell reports a SIGINT (the JVM exits with 128 + the signal). */
    static final int INTERRUPTED = 130;

    /** How long a signal waits for the run to finish its write under way and report, before the JVM exits anyway. */
    private static final Duration STOP_GRACE = Duration.ofSeconds(10);

    private static final String JMS_FACTORY = "qbridgeMigrateJms";

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

    @Option(names = "--dry-run",
            description = "Reach both endpoints and show what would be moved; take and write nothing.")
    boolean dryRun;

    @Option(names = {"-r", "--redis"}, paramLabel = "<redis-uri>", defaultValue = "${QBRIDGE_REDIS_URL:-redis://localhost:6379}",
            description = {"The Redis of redisq: endpoints that name no redisUri. Default: $QBRIDGE_REDIS_URL, else "
                    + "redis://localhost:6379.", "Now: ${DEFAULT-VALUE}"})
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
                    + "consumer's) to come back, and for its Redis when it cannot be reached. Default: the source's "
                    + "visibilityTimeout plus 5s.")
    Duration inFlightWait;

    @Option(names = "--progress", paramLabel = "<mode>", defaultValue = "auto",
            description = "auto (a bar on a terminal, lines otherwise), bar, lines or none. Default: ${DEFAULT-VALUE}.")
    String progressMode;

    private PrintWriter out;
    private PrintWriter err;
    private volatile boolean signalled;

    @Override
    public Integer call() throws Exception {
        out = spec.commandLine().getOut();
        err = spec.commandLine().getErr();
        if (batchSize < 1 || batchSize > RedisQueue.MAX_BATCH) {
            throw new QbridgeException(2, "--batch-size must be between 1 and " + RedisQueue.MAX_BATCH, null);
        }
        if (limit != null && limit < 1) {
            throw new QbridgeException(2, "--limit must be at least 1", null);
        }
        if (maxRate != null && maxRate < 1) {
            throw new QbridgeException(2, "--max-rate must be at least 1 job per second", null);
        }
        Progress.Mode mode;
        try {
            mode = Progress.Mode.valueOf(progressMode.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new QbridgeException(2, "--progress must be auto, bar, lines or none", null);
        }
        quietKafkaClient();
        String source = withJms(withSafeDefaults(from, true));
        String destination = withJms(withSafeDefaults(to, false));
        try (CamelContext context = new DefaultCamelContext()) {
            context.getComponent("redisq", RedisqComponent.class).setRedisUri(redisUri);
            if (jmsBrokerUrl != null) {
                context.getRegistry().bind(JMS_FACTORY, JmsFactories.artemis(jmsBrokerUrl, null, null));
            }
            context.start();
            Endpoint target = endpoint(context, "--to", destination);
            Endpoint origin = endpoint(context, "--from", source);
            if (origin.getEndpointUri().equals(target.getEndpointUri())) {
                throw new QbridgeException(2, "--from and --to are the same endpoint", null);
            }
            if (copy && !(origin instanceof RedisqEndpoint)) {
                throw new QbridgeException(2, "--copy needs a redisq: source (reading Kafka never removes records; "
                        + "for other sources, configure the endpoint not to consume, such as file:...?noop=true)", null);
            }
            if (origin instanceof RedisqEndpoint redisq) {
                return fromRedis(context, redisq, target, mode);
            }
            return fromRoute(context, source, origin, target, mode);
        }
    }

    // ---- from a Redis queue ---------------------------------------------------------------------

    private int fromRedis(CamelContext context, RedisqEndpoint e, Endpoint target, Progress.Mode mode) throws Exception {
        QueueConfig config = RedisqEndpoints.queue(e);
        RedisEndpoint redis = RedisqEndpoints.redis(e);
        if (target instanceof RedisqEndpoint t && RedisqEndpoints.queue(t).name().equals(config.name())
                && RedisqEndpoints.redis(t).equals(redis)) {
            throw new QbridgeException(2, "--from and --to are the same queue " + e.getQueue() + " on " + redis
                    + ": a move would take and push the same jobs forever", null);
        }
        try (RedisConnection connection = JedisConnection.open(redis)) {
            RedisQueue queue = new RedisQueue(connection, config);
            QueueCounts before = queue.counts();
            // a move takes what is ready, retrying or in flight; a copy reads the ready key (due or not)
            long backlog = copy ? before.ready() + before.delayed() : before.ready() + before.retrying() + before.inFlight();
            if (backlog == 0) {
                out.println("migrate: nothing to move: " + (queue.exists()
                        ? config.kind() + " queue " + config.name() + " on " + redis + " holds " + describe(before)
                        : "queue " + config.name() + " does not exist on " + redis + " (no key " + config.name() + " or "
                                + config.name() + ":*)"));
                if (dryRun) {
                    out.println("--to: " + reach(target, "--to", false));
                }
                return 0;
            }
            long planned = limit == null ? backlog : Math.min(limit, backlog);
            out.println("migrate: " + (copy ? "copy " : "move ") + n(planned) + (planned == 1 ? " job" : " jobs") + " from "
                    + Secrets.redact(from) + " ("
                    + config.kind() + " queue " + config.name() + " on " + redis + ": " + describe(before) + ") to "
                    + Secrets.redact(to));
            out.println("--to: " + reach(target, "--to", false));
            if (dryRun) {
                out.println("dry run: nothing taken or written");
                return 0;
            }
            out.flush();
            Progress progress = new Progress(out, mode, Duration.ofSeconds(2));
            progress.total(planned);
            RedisMigration.Settings settings = new RedisMigration.Settings(
                    copy ? RedisMigration.Mode.COPY : RedisMigration.Mode.MOVE, limit, batchSize, maxRate, inFlightWait,
                    Duration.ofMillis(e.getReapInterval()), e.isRenewLeases());
            try (JobWriter writer = new JobWriter(context, target, Secrets.redact(to))) {
                RedisMigration migration = new RedisMigration(queue, e.translation(), writer, settings, new RedisMigration.Events() {
                    @Override
                    public void written(long total) {
                        progress.update(total, false);
                    }

                    @Override
                    public void waiting(QueueCounts c, Duration upTo) {
                        out.println("migrate: waiting up to " + upTo.toSeconds() + "s for " + n(c.inFlight())
                                + " jobs in flight and " + n(c.retrying()) + " retrying (an interrupted run's leases "
                                + "expire, then they are moved too)");
                        out.flush();
                    }

                    @Override
                    public void sourceUnavailable(String problem, Duration upTo) {
                        err.println("qbridge: the source's Redis cannot be read (" + Secrets.redact(problem)
                                + "); waiting up to " + upTo.toSeconds() + "s for it");
                        err.flush();
                    }
                });
                return stoppable(migration::stop, () -> {
                    RedisMigration.Result result;
                    try {
                        result = migration.run();
                    } catch (MigrationFailed f) {
                        progress.finish(f.written());
                        throw f;
                    }
                    progress.finish(result.written());
                    return report(queue, before, result, migration.unreadable(), progress.seconds());
                });
            }
        } catch (QueueException ex) {
            throw new QbridgeException("source " + Secrets.redact(from) + ": " + ex.getMessage(), ex);
        }
    }

    private int report(RedisQueue queue, QueueCounts before, RedisMigration.Result result, long unreadable,
                       double seconds) {
        boolean stopped = result.end() == RedisMigration.End.STOPPED;
        if (result.priorityClamped() > 0) {
            out.println("note: " + n(result.priorityClamped()) + " jobs had a priority beyond -" + n(QueueConfig.MAX_PRIORITY)
                    + ".." + n(QueueConfig.MAX_PRIORITY) + " (such as inf or -inf) and were written with the nearest one");
        }
        QueueCounts after = queue.counts();
        Verification verification = new Verification(copy ? RedisMigration.Mode.COPY : RedisMigration.Mode.MOVE, before,
                after, result.written(), unreadable);
        out.println(verification.line(stopped ? "interrupted after" : copy ? "copied in" : "moved in", seconds));
        if (stopped) {
            out.println("migrate: " + interruption(result));
        } else if (!copy) {
            if (after.inFlight() > 0) {
                out.println("note: " + n(after.inFlight()) + " jobs are still in flight at the source (another consumer's, "
                        + "or leases that did not expire within --in-flight-wait); run again to move them once they are back");
            }
            if (after.delayed() > 0) {
                out.println("note: " + n(after.delayed()) + " delayed jobs are not due yet and stay in the source; copy them "
                        + "with --copy, or move them once due");
            }
        }
        out.flush();
        return stopped ? INTERRUPTED : verification.ok() ? 0 : 3;
    }

    private String interruption(RedisMigration.Result result) {
        RedisMigration.StoppedBatch batch = result.stoppedBatch();
        if (batch == null) {
            return "interrupted after copying " + n(result.written()) + " jobs; the source is unchanged (a copy takes nothing)";
        }
        String rest = "; run the same command again to move the rest";
        if (batch.inFlight() == 0) {
            return "interrupted with no job in flight" + rest;
        }
        return "interrupted with " + n(batch.inFlight()) + " jobs in flight: " + n(batch.written()) + " written to the "
                + "destination and acked, " + n(batch.released()) + " released to the source unwritten (due again at once)"
                + rest;
    }

    private static String describe(QueueCounts c) {
        return n(c.ready()) + " ready, " + n(c.retrying()) + " retrying, " + n(c.inFlight()) + " in flight, " + n(c.delayed())
                + " delayed, " + n(c.dead()) + " dead";
    }

    // ---- from any other endpoint ----------------------------------------------------------------

    private int fromRoute(CamelContext context, String source, Endpoint origin, Endpoint target, Progress.Mode mode)
            throws Exception {
        out.println("migrate: move jobs from " + Secrets.redact(from) + " to " + Secrets.redact(to)
                + " until nothing new arrives for " + idleTimeout.toSeconds() + "s" + (limit == null ? "" : " or " + n(limit) + " jobs"));
        out.println("--from: " + reach(origin, "--from", true));
        out.println("--to: " + reach(target, "--to", false));
        if (dryRun) {
            out.println("dry run: nothing read or written");
            return 0;
        }
        out.flush();
        Progress progress = new Progress(out, mode, Duration.ofSeconds(2));
        JobWriter writer = new JobWriter(context, target, Secrets.redact(to));
        RouteMigration migration = new RouteMigration(context, source, writer,
                new RouteMigration.Settings(limit, idleTimeout, maxRate), total -> progress.update(total, false));
        return stoppable(migration::stop, () -> {
            RouteMigration.Result result;
            try {
                result = migration.run();
            } catch (MigrationFailed f) {
                progress.finish(f.written());
                throw f;
            }
            progress.finish(result.written());
            boolean ok = result.read() == result.written();
            out.printf(Locale.ROOT, "verify: read from source %s; written to destination %s; %s %.1fs: %s%n", n(result.read()),
                    n(result.written()), result.stopped() ? "interrupted after" : "moved in", progress.seconds(),
                    ok ? "OK" : "MISMATCH");
            if (result.stopped()) {
                out.println("migrate: interrupted: the jobs being written were finished; the source keeps every job not "
                        + "written; run the same command again to move the rest");
            }
            out.flush();
            return result.stopped() ? INTERRUPTED : ok ? 0 : 3;
        });
    }

    // ---- stopping on a signal -------------------------------------------------------------------

    /** The work of a run, which reports and returns the exit code. */
    private interface Run {
        int call() throws Exception;
    }

    /**
     * Runs {@code run}; a SIGINT or SIGTERM meanwhile calls {@code stop} and gives the run {@link #STOP_GRACE} to
     * finish its write under way, settle its batch and report, before the JVM exits (with 130, or 143 for SIGTERM).
     */
    private int stoppable(Runnable stop, Run run) throws Exception {
        CountDownLatch reported = new CountDownLatch(1);
        Thread hook = new Thread(() -> {
            signalled = true;
            err.println("qbridge: migrate: stopping: the write under way is finished, the rest of the batch in hand goes "
                    + "back to the source");
            err.flush();
            stop.run();
            try {
                if (!reported.await(STOP_GRACE.toMillis(), TimeUnit.MILLISECONDS)) {
                    err.println("qbridge: migrate: the destination did not finish its write within " + STOP_GRACE.toSeconds()
                            + "s; exiting: the jobs in flight stay leased at the source and come back when their lease "
                            + "(visibilityTimeout) expires; run the same command again then");
                    err.flush();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "qbridge-migrate-stop");
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            return run.call();
        } catch (RuntimeException e) {
            if (!signalled) {
                throw e;
            }
            // the JVM exits as soon as the hook returns: say it now rather than in the handler that would come too late
            err.println("qbridge: " + QbridgeException.describe(e));
            err.flush();
            return INTERRUPTED;
        } finally {
            reported.countDown();
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shuttingDown) {
                // the hook is running: it returns now that the run has reported
            }
        }
    }

    // ---- endpoints ------------------------------------------------------------------------------

    private Endpoint endpoint(CamelContext context, String option, String uri) {
        try {
            return context.getEndpoint(uri);
        } catch (RuntimeException e) {
            throw new QbridgeException(2, option + " " + Secrets.redact(uri) + ": " + QbridgeException.describe(e), e);
        }
    }

    /** Reaches the endpoint (exit 1 naming the option when it cannot be reached) and says what answered. */
    private String reach(Endpoint endpoint, String option, boolean source) {
        try {
            return EndpointCheck.reach(endpoint, source);
        } catch (QbridgeException e) {
            throw new QbridgeException(option + " " + Secrets.redact(option.equals("--to") ? to : from) + ": "
                    + e.getMessage(), e);
        }
    }

    /** jms: endpoints get the --jms-broker-url connection factory unless they name one. */
    private String withJms(String uri) {
        if (jmsBrokerUrl == null || !ConnectorSpec.scheme(uri).equals("jms") || uri.contains("connectionFactory=")) {
            return uri;
        }
        return uri + (uri.contains("?") ? "&" : "?") + "connectionFactory=#" + JMS_FACTORY;
    }

    /**
     * A JMS source is transacted, so that a message leaves the broker only once written. Kafka endpoints carry bytes
     * unchanged (byte-array serializers) unless the URI says otherwise; a Kafka source reads from the earliest offset
     * under group qbridge-migrate and commits only what the destination has; a Kafka destination gives up on a broker
     * that does not answer within seconds (the client's defaults wait minutes) unless the URI sets its own timeouts.
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
            add(s, "maxBlockMs", "10000"); // metadata of an unreachable broker: 10 s, not 60
            add(s, "requestTimeoutMs", "10000");
            if (!has(s, "lingerMs")) {
                add(s, "deliveryTimeoutMs", "20000"); // a batch unacknowledged for 20 s fails, not 120; >= linger + request
            }
        }
        return s.toString();
    }

    private static boolean has(StringBuilder uri, String option) {
        String query = uri.indexOf("?") < 0 ? "" : uri.substring(uri.indexOf("?") + 1);
        return ("&" + query).contains("&" + option + "=");
    }

    private static void add(StringBuilder uri, String option, String value) {
        if (!has(uri, option)) {
            uri.append(uri.indexOf("?") < 0 ? '?' : '&').append(option).append('=').append(value);
        }
    }

    /**
     * The Kafka client logs a warning every second while a broker is unreachable; migrate says it once, in its own
     * words, and fails within seconds. Its errors still show; -Dqbridge.debug=true shows everything.
     */
    private static void quietKafkaClient() {
        if (!Boolean.getBoolean("qbridge.debug")
                && LoggerFactory.getLogger("org.apache.kafka") instanceof ch.qos.logback.classic.Logger kafka) {
            kafka.setLevel(Level.ERROR);
        }
    }

    private static String n(long value) {
        return String.format(Locale.ROOT, "%,d", value);
    }
}
