package dev.qbridge.server.cli;

import dev.qbridge.core.QueueException;
import dev.qbridge.core.lease.Reaper;
import dev.qbridge.core.queue.DeadLetter;
import dev.qbridge.core.queue.HashedJob;
import dev.qbridge.core.queue.QueueConfig;
import dev.qbridge.core.queue.QueueCounts;
import dev.qbridge.core.queue.QueueKind;
import dev.qbridge.core.queue.ReadyJob;
import dev.qbridge.core.queue.RedisQueue;
import dev.qbridge.core.queue.Scores;
import dev.qbridge.core.redis.JedisConnection;
import dev.qbridge.core.redis.RedisConnection;
import dev.qbridge.core.redis.RedisEndpoint;
import dev.qbridge.core.retry.RetryPolicy;
import dev.qbridge.formats.JobFormat;
import dev.qbridge.formats.JobSet;
import dev.qbridge.formats.SystemQueue;
import dev.qbridge.server.QbridgeException;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code qbridge queues}: look after the queues of one Redis. Only needs the core: no Camel. Without a subcommand it is
 * a usage error (exit 2): this class runs nothing itself.
 */
@Command(name = "queues",
        header = "List, inspect and repair the queues of a Redis.",
        description = {"",
            "Works on the keys of docs/PROTOCOL.md. The kind of a queue is guessed from what Redis holds (a "
                    + "list is reliable; a sorted set is delayed when its scores are epoch times, otherwise "
                    + "priority); --kind overrides it."},
        mixinStandardHelpOptions = true,
        subcommands = {QueuesCommand.ListQueues.class, QueuesCommand.Stats.class, QueuesCommand.Peek.class,
            QueuesCommand.RequeueDead.class, QueuesCommand.RequeueStuck.class, QueuesCommand.Purge.class},
        usageHelpAutoWidth = true)
public final class QueuesCommand {

    @Option(names = {"-r", "--redis"}, paramLabel = "<redis-uri>", scope = picocli.CommandLine.ScopeType.INHERIT,
            defaultValue = "${QBRIDGE_REDIS_URL:-redis://localhost:6379}",
            description = {"Where Redis is: redis://[user:password@]host:port[/db], rediss://... for TLS, "
                    + "redis-cluster://h1:p1,h2:p2. Default: $QBRIDGE_REDIS_URL, else redis://localhost:6379.",
                    "Now: ${DEFAULT-VALUE}"})
    String redisUri;

    RedisConnection connect() {
        RedisEndpoint endpoint;
        try {
            endpoint = RedisEndpoint.parse(redisUri);
        } catch (QueueException e) {
            throw new QbridgeException(2, e.getMessage(), e);
        }
        try {
            return JedisConnection.open(endpoint);
        } catch (QueueException e) {
            throw new QbridgeException("cannot reach Redis at " + endpoint + ": " + e.getMessage()
                    + " (check --redis)", e);
        }
    }

    /** Options every command on one queue shares. */
    abstract static class OnQueue implements Callable<Integer> {
        @ParentCommand
        QueuesCommand parent;

        @Spec
        CommandSpec spec;

        @Parameters(index = "0", paramLabel = "<queue>", description = "The queue: the Redis key of its ready jobs.")
        String queue;

        @Option(names = "--kind", paramLabel = "<kind>", converter = KindConverter.class,
                description = "reliable, priority or delayed; guessed from Redis when not given.")
        QueueKind kind;

        @Option(names = "--format", paramLabel = "<format>", defaultValue = "raw", converter = JobFormatConverter.class,
                description = "raw or json (a guide-style queue: <queue> is its key), or sidekiq, celery or rq "
                        + "(<queue> is the system's queue name, such as default or celery; an RQ job's id is read and "
                        + "deleted with its hash rq:job:<id>). Default: ${DEFAULT-VALUE}.")
        JobFormat format;

        @Option(names = "--set", paramLabel = "<set>", defaultValue = "ready", converter = JobSetConverter.class,
                description = "Which of a job system's sets: ready, scheduled, retry or dead. Sidekiq has all four: "
                        + "scheduled, retry and dead are its schedule, retry and dead sorted sets, which every queue "
                        + "shares, seen through <queue>'s jobs only; Celery has ready only; RQ has ready, scheduled and "
                        + "dead (its rq:scheduled:<q> and rq:failed:<q> registries). Default: ${DEFAULT-VALUE}.")
        JobSet set;

        /** The queue the options name, once checked. */
        NamedQueue named;

        PrintWriter out() {
            return spec.commandLine().getOut();
        }

        @Override
        public Integer call() {
            named = new NamedQueue(queue, format, set, kind); // a usage error before Redis is reached
            try (RedisConnection redis = parent.connect()) {
                QueueInspector inspector = new QueueInspector(redis);
                QueueConfig config = named.config(inspector);
                RedisQueue q = new RedisQueue(redis, config);
                if (!q.exists() && !named.system().map(inspector::listed).orElse(false)) {
                    // a typo would otherwise read as an empty queue (or "purged", "0 requeued")
                    throw new QbridgeException("queue " + queue + " does not exist on " + redis.endpoint() + ": "
                            + named.whereLooked(config) + "; 'qbridge queues list' shows the queues there");
                }
                return run(redis, config, q);
            } catch (QueueException e) {
                throw new QbridgeException("queue " + queue + ": " + e.getMessage(), e);
            }
        }

        abstract int run(RedisConnection redis, QueueConfig config, RedisQueue q);
    }

    @Command(name = "list", header = "List the queues with their kind and counts.", mixinStandardHelpOptions = true)
    static final class ListQueues implements Callable<Integer> {
        @ParentCommand
        QueuesCommand parent;

        @Spec
        CommandSpec spec;

        @Option(names = "--match", paramLabel = "<glob>", defaultValue = "*",
                description = "Only keys matching this glob pattern (SCAN MATCH). Default: ${DEFAULT-VALUE}.")
        String pattern;

        @Option(names = "--scan-limit", paramLabel = "<n>", defaultValue = "100000",
                description = "Most keys scanned. Default: ${DEFAULT-VALUE}.")
        int limit;

        /** Whether a job system's queue name matches --match, as SCAN MATCH would match a key of that name. */
        private boolean matches(String name) {
            return Glob.matches(pattern, name);
        }

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            try (RedisConnection redis = parent.connect()) {
                QueueInspector inspector = new QueueInspector(redis);
                TreeSet<String> names = inspector.queueNames(pattern, limit);
                List<SystemQueue> systems = inspector.systemQueues(limit);
                List<String[]> rows = new ArrayList<>();
                rows.add(new String[] {"QUEUE", "FORMAT", "KIND", "READY", "IN-FLIGHT", "DELAYED", "RETRYING", "DEAD",
                    "PROCESSING"});
                // a job system's keys are shown once, as its queue, not again as guide-style lists
                Set<String> systemKeys = new HashSet<>();
                for (SystemQueue q : systems) {
                    systemKeys.add(q.readyKey());
                    systemKeys.addAll(q.moreReadyKeys());
                    if (q.format() == JobFormat.RQ) {
                        QueueInspector.RQ_REGISTRIES.forEach(r -> systemKeys.add("rq:" + r + ":" + q.name()));
                    }
                    if (matches(q.name())) {
                        rows.add(row(redis, q));
                    }
                }
                // Sidekiq's sorted sets hold every queue's jobs: counted whole, by ZCARD, and not as guide-style queues.
                // One queue's share of a set gets a row only while qbridge holds some of its jobs (schedule:<q>:leases,
                // ...): counting it reads the whole set, which list does not do for every queue and set.
                Map<String, Long> sidekiqSets = Map.of();
                List<SystemQueue> shares = new ArrayList<>();
                boolean sidekiq = systems.stream().anyMatch(q -> q.format() == JobFormat.SIDEKIQ);
                for (String name : names) {
                    QueueInspector.sidekiqShare(name).filter(q -> redis.type(QueueInspector.bytes(name)).equals("none"))
                            .ifPresent(shares::add);
                }
                if (sidekiq || !shares.isEmpty()) {
                    sidekiqSets = inspector.sidekiqSets();
                }
                if (sidekiq || !sidekiqSets.isEmpty()) {
                    systemKeys.addAll(sidekiqSets.keySet());
                    for (SystemQueue q : shares) {
                        systemKeys.add(q.baseKey());
                        rows.add(row(redis, q));
                    }
                }
                for (String name : names) {
                    if (!systemKeys.contains(name)) {
                        rows.add(guideRow(inspector, redis, name));
                    }
                }
                if (rows.size() == 1) {
                    out.println("no queues in " + redis.endpoint() + (pattern.equals("*") ? "" : " matching " + pattern));
                } else {
                    Table.print(out, rows);
                }
                if (!sidekiqSets.isEmpty()) {
                    List<String> sets = new ArrayList<>();
                    sidekiqSets.forEach((set, size) -> sets.add(set + " " + n(size) + (size == 1 ? " job" : " jobs")));
                    out.println("sidekiq's sorted sets, each shared by every queue (ZCARD, all queues' jobs): "
                            + String.join(", ", sets) + "; one queue's: qbridge queues stats <queue> --format sidekiq "
                            + "--set scheduled|retry|dead");
                }
                long unreadable = rows.stream().filter(r -> r[2].equals("?")).count();
                if (unreadable > 0) {
                    out.flush();
                    spec.commandLine().getErr().println("qbridge: " + unreadable + (unreadable == 1 ? " queue" : " queues")
                            + " could not be read (the rows with kind ?): the error names the key to fix");
                    return 1;
                }
                return 0;
            }
        }

        /** A job system's queue with its counts; kind ? and the error when it cannot be read. */
        private static String[] row(RedisConnection redis, SystemQueue q) {
            try {
                QueueCounts c = new RedisQueue(redis, q.config().build()).counts();
                return new String[] {q.name(), q.format().toString(), q.set().toString(), n(c.ready()), n(c.inFlight()),
                    n(c.delayed()), n(c.retrying()), n(c.dead()), n(c.guideProcessing())};
            } catch (QueueException e) {
                return new String[] {q.name(), q.format().toString(), "?", e.getMessage(), "", "", "", "", ""};
            }
        }

        /** A guide-style queue with its guessed kind and counts; kind ? and the error when it cannot be read. */
        private static String[] guideRow(QueueInspector inspector, RedisConnection redis, String name) {
            try {
                QueueConfig config = inspector.config(name, null);
                QueueCounts c = new RedisQueue(redis, config).counts();
                return new String[] {name, "raw", config.kind().toString(), n(c.ready()), n(c.inFlight()),
                    n(c.delayed()), n(c.retrying()), n(c.dead()), n(c.guideProcessing())};
            } catch (QueueException e) {
                return new String[] {name, "", "?", e.getMessage(), "", "", "", "", ""};
            }
        }
    }

    @Command(name = "stats", header = "Show the counts of one queue and its newest dead letters.", mixinStandardHelpOptions = true)
    static final class Stats extends OnQueue {
        @Override
        int run(RedisConnection redis, QueueConfig config, RedisQueue q) {
            QueueCounts c = q.counts();
            PrintWriter out = out();
            out.println("queue:      " + queue + " (" + named.describe(config) + ") on " + redis.endpoint());
            out.println("ready:      " + n(c.ready()));
            out.println("in flight:  " + n(c.inFlight()));
            out.println("delayed:    " + n(c.delayed()));
            out.println("retrying:   " + n(c.retrying()));
            out.println("dead:       " + n(c.dead()));
            out.println("processing: " + n(c.guideProcessing()) + " (guide-style " + config.name() + ":processing)");
            out.println("total:      " + n(c.total()));
            for (DeadLetter d : q.deadLetters(3)) {
                out.println("dead letter " + d.id() + " (attempt " + d.attempts() + ", " + Instant.ofEpochMilli(d.failedAtMillis())
                        + "): " + d.reason());
            }
            return 0;
        }
    }

    @Command(name = "peek", header = "Show the next jobs to be taken, without taking them.", mixinStandardHelpOptions = true)
    static final class Peek extends OnQueue {
        @Option(names = {"-n", "--count"}, paramLabel = "<n>", defaultValue = "10", description = "How many. Default: ${DEFAULT-VALUE}.")
        int count;

        @Option(names = "--dead", description = "Show the newest dead letters with their reasons instead.")
        boolean dead;

        @Override
        int run(RedisConnection redis, QueueConfig config, RedisQueue q) {
            if (count < 1) {
                throw new QbridgeException(2, "--count must be at least 1", null);
            }
            PrintWriter out = out();
            if (dead) {
                List<DeadLetter> letters = q.deadLetters(count);
                for (DeadLetter d : letters) {
                    out.println("#" + d.id() + " attempt " + d.attempts() + " failed " + Instant.ofEpochMilli(d.failedAtMillis())
                            + ": " + d.reason() + "\n    " + preview(d.payload()));
                }
                if (letters.isEmpty()) {
                    spec.commandLine().getErr().println("queue " + queue + " has no dead letters");
                }
                return 0;
            }
            int shown = config.jobHashes() != null ? peekHashed(config, q) : peekWhole(config, q);
            if (shown == 0) {
                QueueCounts c = q.counts();
                spec.commandLine().getErr().println("queue " + queue + " has no job " + (named.shared() ? "in "
                        + config.keys().readyKey() : "ready") + " (" + n(c.inFlight()) + " in flight, "
                        + n(c.retrying()) + " retrying, " + n(c.dead()) + " dead)");
            }
            return 0;
        }

        private int peekWhole(QueueConfig config, RedisQueue q) {
            List<ReadyJob> jobs = q.readyPage(0, count).jobs();
            for (ReadyJob job : jobs) {
                out().println(job.scoreValue().map(score -> "[" + named.score(config, score) + "] ").orElse("")
                        + preview(job.payload()));
            }
            return jobs.size();
        }

        /** Ids with their hashes, read together (one script) so that a job shows as it was when its id was read. */
        private int peekHashed(QueueConfig config, RedisQueue q) {
            List<HashedJob> jobs = q.readyWithHashes(0, count);
            String prefix = config.jobHashes().keyPrefix();
            for (HashedJob job : jobs) {
                String id = new String(job.id(), StandardCharsets.UTF_8);
                out().println(job.score().map(score -> "[" + named.score(config, Double.parseDouble(score)) + "] ").orElse("")
                        + id + " " + HashPreview.of(prefix + id, job.hash()));
            }
            return jobs.size();
        }
    }

    /** A score as the queue means it: a priority, or a due time; inf and -inf as Redis writes them. */
    static String score(QueueConfig config, double score) {
        if (Double.isInfinite(score)) {
            return (config.kind() == QueueKind.DELAYED ? "due " : "priority ") + Scores.format(score);
        }
        return config.kind() == QueueKind.DELAYED
                ? "due " + Instant.ofEpochMilli((long) (score * config.dueTimeUnit().millisPerUnit()))
                : "priority " + Scores.format(score);
    }

    @Command(name = "requeue-dead", header = "Move dead letters back to the queue, oldest first.", mixinStandardHelpOptions = true)
    static final class RequeueDead extends OnQueue {
        @Option(names = "--limit", paramLabel = "<n>", description = "Most dead letters to move. Default: all.")
        Long limit;

        @Override
        int run(RedisConnection redis, QueueConfig config, RedisQueue q) {
            if (limit != null && limit < 1) {
                throw new QbridgeException(2, "--limit must be at least 1", null);
            }
            long moved = q.requeueDead(limit == null ? Long.MAX_VALUE : limit);
            long left = q.counts().dead();
            out().println("requeued " + n(moved) + " dead letters of " + queue + "; " + n(left) + " left");
            return 0;
        }
    }

    @Command(name = "requeue-stuck", header = "Run the reaper once: requeue expired leases and stuck guide-style jobs.",
            description = {"",
            "Jobs whose lease expired (their consumer died or hung) go back to be delivered again, or to "
                    + "dead letters once out of attempts. Jobs that foreign BRPOPLPUSH consumers left in "
                    + "<queue>:processing go back to the queue once they have been seen there longer than "
                    + "--older-than: a job first seen by this run starts its clock now, so use --wait to look again "
                    + "after --older-than and rescue those still there."},
            mixinStandardHelpOptions = true)
    static final class RequeueStuck extends OnQueue {
        @Option(names = "--older-than", paramLabel = "<duration>", required = true, converter = DurationConverter.class,
                description = "How long a job must have been in <queue>:processing, e.g. 30s, 5m, 1h, PT2M.")
        Duration olderThan;

        @Option(names = "--wait", description = "After the first pass, wait --older-than and look again.")
        boolean waitAndRetry;

        @Option(names = "--max-attempts", paramLabel = "<n>", defaultValue = "5",
                description = "Deliveries after which an expired job is dead-lettered. Default: ${DEFAULT-VALUE}.")
        int maxAttempts;

        @Override
        int run(RedisConnection redis, QueueConfig config, RedisQueue q) {
            QueueConfig withAttempts = config.withRetry(RetryPolicy.of(maxAttempts, Duration.ofSeconds(1)));
            Reaper reaper = new Reaper(redis, withAttempts);
            Reaper.Result leases = reaper.reapExpired();
            Reaper.Rescue rescue = reaper.rescueGuideProcessing(olderThan);
            long rescued = rescue.rescued();
            if (waitAndRetry && rescue.tracked() > 0) {
                out().println("watching " + n(rescue.tracked()) + " jobs in " + config.name() + ":processing; looking again in "
                        + olderThan);
                out().flush();
                sleep(olderThan.plusMillis(100));
                leases = add(leases, reaper.reapExpired());
                rescue = reaper.rescueGuideProcessing(olderThan);
                rescued += rescue.rescued();
            }
            out().println("queue " + queue + ": requeued " + n(leases.requeued()) + " expired leases, dead-lettered "
                    + n(leases.deadLettered()) + ", rescued " + n(rescued) + " from " + config.name() + ":processing ("
                    + n(rescue.tracked()) + " still watched there)");
            return 0;
        }

        private static Reaper.Result add(Reaper.Result a, Reaper.Result b) {
            return new Reaper.Result(a.requeued() + b.requeued(), a.deadLettered() + b.deadLettered());
        }

        private static void sleep(Duration d) {
            try {
                Thread.sleep(d.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    @Command(name = "purge", header = "Delete every job of a queue, in every state; its id counter is kept.",
            description = {"",
                "Deletes the ready jobs, the leases of jobs in flight, retries, dead letters and the guide-style "
                        + "<queue>:processing list. The id counter <queue>:seq is kept, so that no job id is ever given "
                        + "out twice: a consumer still working on a purged job can never ack or nack a new one."},
            mixinStandardHelpOptions = true)
    static final class Purge extends OnQueue {
        @Option(names = {"-y", "--yes"}, description = "Do not ask for confirmation.")
        boolean yes;

        @Override
        int run(RedisConnection redis, QueueConfig config, RedisQueue q) {
            QueueCounts c = q.counts();
            PrintWriter out = out();
            if (!yes) {
                out.print("Delete queue " + queue + " (" + named.describe(config) + ") on " + redis.endpoint() + " with "
                        + n(c.total())
                        + " jobs (ready, in flight, retrying, dead, processing)? Type 'yes' to confirm: ");
                out.flush();
                String answer = readLine();
                if (answer == null || !(answer.trim().equalsIgnoreCase("yes") || answer.trim().equalsIgnoreCase("y"))) {
                    out.println("not purged");
                    return 1;
                }
            }
            long deleted = q.purge();
            boolean counter = !redis.type(config.keys().sequence()).equals("none");
            out.println("purged queue " + queue + ": " + n(c.total()) + " jobs, " + deleted + (deleted == 1 ? " key" : " keys")
                    + " deleted" + (named.shared() ? " (the other queues' jobs in " + config.keys().readyKey() + " are kept)" : "")
                    + (counter ? "; the id counter " + config.name() + ":seq is kept, so job ids are never reused" : ""));
            return 0;
        }

        private static String readLine() {
            try {
                return new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();
            } catch (java.io.IOException e) {
                return null;
            }
        }
    }

    static String n(long value) {
        return String.format(Locale.ROOT, "%,d", value);
    }

    static byte[] ascii(Object value) {
        return String.valueOf(value).getBytes(StandardCharsets.US_ASCII);
    }

    static String preview(byte[] payload) {
        String s = new String(payload, 0, Math.min(payload.length, 200), StandardCharsets.UTF_8);
        return payload.length > 200 ? s + "... (" + payload.length + " bytes)" : s;
    }
}
