package dev.qbridge.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The real BullMQ (npm {@code bullmq} with {@code ioredis}, the versions pinned by {@code testkit/bullmq/package.json}
 * and its lock file, run by {@code node}) against a test redis-server: its own {@code Queue} adds jobs, its own
 * {@code Worker} process runs them. {@code .ci/run} installs the packages with {@code npm ci} into
 * {@code testkit/bullmq/node_modules} (git-ignored), found from the working directory upwards, or at
 * {@code $QBRIDGE_BULLMQ_MODULES}.
 *
 * <pre>{@code
 * Bullmq.requireInstalled();
 * List<Bullmq.Added> jobs = Bullmq.add(redis.uri(), "[{\"name\": \"mail\", \"data\": {\"to\": \"a\"}, \"opts\": {\"priority\": 2}}]");
 * try (JobWorker worker = Bullmq.startWorker(redis.uri(), List.of("default"))) {
 *     worker.awaitExecuted(1, Duration.ofSeconds(30)); // {"queue", "id", "name", "data", "opts", "priority", ...}
 * }
 * }</pre>
 */
public final class Bullmq {
    /** Where {@code .ci/run} installs the packages, relative to the repository's root. */
    public static final String MODULES = "testkit/bullmq/node_modules";
    /** Overrides where the packages are. */
    public static final String MODULES_VARIABLE = "QBRIDGE_BULLMQ_MODULES";
    private static final String CLIENT = "bullmq_client.js";
    private static final String WORKER = "bullmq_worker.js";
    private static final String API = "bullmq_api.js";
    private static Optional<Path> modules;

    /** A job BullMQ's Queue added: its id, and its data as {@code JSON.stringify} wrote it. */
    public record Added(String id, String dataJson) {
    }

    private Bullmq() {
    }

    /** Skips the test (fails it in CI) unless node runs BullMQ and ioredis from the installed packages. */
    public static synchronized Path requireInstalled() {
        if (modules == null) {
            modules = find().filter(dir -> JobSystemScripts.runs(List.of("node", "-e",
                    "require(process.argv[1] + '/bullmq'); require(process.argv[1] + '/ioredis')", dir.toString())));
        }
        if (modules.isEmpty()) {
            Unavailable.skipOrFail("BullMQ is not installed: node must run, and " + MODULES + " (or $"
                    + MODULES_VARIABLE + ") must hold bullmq and ioredis (cd testkit/bullmq && npm ci; Debian: "
                    + "apt-get install nodejs npm)");
        }
        return modules.get();
    }

    /**
     * Adds jobs with BullMQ's {@code Queue.add} into the server at {@code redisUri} and returns them in order.
     * {@code specsJson} is a JSON array of {@code {"name"}} with optional {@code "data"} (any JSON value),
     * {@code "opts"} (BullMQ's job options: {@code priority}, {@code delay}, {@code attempts}, {@code backoff},
     * {@code jobId}, {@code lifo}, ...) and {@code "queue"} (default {@code default}).
     */
    public static List<Added> add(String redisUri, String specsJson) {
        Path nodeModules = requireInstalled();
        Path dir = JobSystemScripts.copy("qbridge-bullmq-client-", CLIENT);
        try {
            List<Added> jobs = new ArrayList<>();
            for (String line : JobSystemScripts.runClient("bullmq-client", List.of("node", CLIENT, "specs.json"), dir,
                    specsJson, Map.of("QBRIDGE_REDIS_URL", redisUri, "NODE_PATH", nodeModules.toString()))) {
                String[] parts = line.split("\t", 2);
                jobs.add(new Added(parts[0], parts[1]));
            }
            return jobs;
        } finally {
            TestFiles.deleteQuietly(dir);
        }
    }

    /**
     * Runs JavaScript with BullMQ's own API against the server at {@code redisUri} and returns its value as JSON:
     * {@code code} is the body of an async function of {@code queue} ({@code queue('dead')} is a BullMQ Queue) and
     * {@code connection}, e.g. {@code return (await queue('dead').getFailed()).map(job => job.id);}. What BullMQ itself
     * (its Queue, its dashboards) sees of the jobs qbridge wrote.
     */
    public static String api(String redisUri, String code) {
        Path nodeModules = requireInstalled();
        Path dir = JobSystemScripts.copy("qbridge-bullmq-api-", API);
        try {
            Files.writeString(dir.resolve("code.js"), code, StandardCharsets.UTF_8);
            List<String> result = JobSystemScripts.run("bullmq-api", List.of("node", API, "code.js"), dir,
                    Map.of("QBRIDGE_REDIS_URL", redisUri, "NODE_PATH", nodeModules.toString()), "RESULT ");
            if (result.size() != 1) {
                throw new IllegalStateException("bullmq_api.js printed " + result.size() + " results for " + code);
            }
            return result.get(0);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot write the code to " + dir, e);
        } finally {
            TestFiles.deleteQuietly(dir);
        }
    }

    /**
     * Starts a BullMQ {@code Worker} on each of {@code queues}, one job at a time; returns once they run. An idle
     * worker waits for the queue's marker up to 60 s ({@code drainDelay}, BullMQ's default is 5 s), so a job added
     * without the marker that wakes blocked workers is not run within a test's patience.
     */
    public static JobWorker startWorker(String redisUri, List<String> queues) {
        return startWorker(redisUri, queues, List.of());
    }

    /**
     * As {@link #startWorker(String, List)}; the jobs named in {@code failingNames} throw after they are recorded,
     * so that BullMQ retries them or moves them to its failed set.
     */
    public static JobWorker startWorker(String redisUri, List<String> queues, List<String> failingNames) {
        Path nodeModules = requireInstalled();
        Path dir = JobSystemScripts.copy("qbridge-bullmq-worker-", WORKER);
        Path record = dir.resolve("executed.jsonl");
        List<String> command = new ArrayList<>(List.of("node", WORKER));
        command.addAll(queues);
        ToolProcess process = ToolProcess.start("bullmq-worker", command, dir, Map.of(
                "QBRIDGE_REDIS_URL", redisUri,
                "QBRIDGE_RECORD_FILE", record.toString(),
                "QBRIDGE_FAIL_NAMES", String.join(",", failingNames),
                "NODE_PATH", nodeModules.toString()));
        try {
            process.waitForOutputLine("WORKER READY", Duration.ofSeconds(60));
        } catch (RuntimeException e) {
            process.close();
            TestFiles.deleteQuietly(dir);
            throw e;
        }
        return new JobWorker(process, dir, record);
    }

    /** The packages' folder: $QBRIDGE_BULLMQ_MODULES, else testkit/bullmq/node_modules here or in a parent dir. */
    private static Optional<Path> find() {
        String configured = System.getenv(MODULES_VARIABLE);
        if (configured != null && !configured.isBlank()) {
            return Optional.of(Paths.get(configured).toAbsolutePath());
        }
        for (Path dir = Paths.get("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            Path candidate = dir.resolve(MODULES);
            if (Files.isRegularFile(candidate.resolve("bullmq/package.json"))) {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }
}
