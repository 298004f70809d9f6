package dev.qbridge.testkit;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The real Sidekiq (Debian's {@code ruby-sidekiq}, 6.4) against a test redis-server: its own client enqueues jobs,
 * its own worker process runs them.
 *
 * <pre>{@code
 * Sidekiq.requireInstalled();
 * List<String> jids = Sidekiq.enqueue(redis.uri(), "[{\"class\": \"AddWorker\", \"args\": [1, 2]},"
 *         + " {\"class\": \"AddWorker\", \"args\": [3, 4], \"in\": 2, \"queue\": \"critical\", \"retry\": 5}]");
 * try (JobWorker worker = Sidekiq.startWorker(redis.uri(), List.of("default", "critical"), List.of("AddWorker"))) {
 *     worker.awaitExecuted(2, Duration.ofSeconds(30)); // {"jid": ..., "class": "AddWorker", "args": [1, 2]}
 * }
 * }</pre>
 */
public final class Sidekiq {
    private static final String CLIENT = "sidekiq_client.rb";
    private static final String WORKER = "sidekiq_worker.rb";
    private static final String API = "sidekiq_api.rb";
    private static Boolean installed;

    private Sidekiq() {
    }

    /** Skips the test (fails it in CI) unless ruby with the sidekiq gem and the sidekiq command are installed. */
    public static synchronized void requireInstalled() {
        if (installed == null) {
            installed = JobSystemScripts.runs(List.of("ruby", "-e", "require 'sidekiq'"))
                    && JobSystemScripts.runs(List.of("sidekiq", "--version"));
        }
        if (!installed) {
            Unavailable.skipOrFail("Sidekiq is not installed: ruby with the sidekiq gem and the sidekiq command are "
                    + "needed (Debian: apt-get install ruby-sidekiq)");
        }
    }

    /**
     * Enqueues jobs with Sidekiq's client into the server at {@code redisUri} and returns their jids in order.
     * {@code specsJson} is a JSON array of {@code {"class", "args"}} with optional {@code "queue"},
     * {@code "retry"} (through {@code set(queue:, retry:)}), {@code "in"} (seconds, {@code perform_in}: the
     * schedule set) and {@code "fields"} (more fields of the job, pushed with {@code Sidekiq::Client.push}).
     */
    public static List<String> enqueue(String redisUri, String specsJson) {
        requireInstalled();
        Path dir = JobSystemScripts.copy("qbridge-sidekiq-client-", CLIENT);
        try {
            return JobSystemScripts.runClient("sidekiq-client", List.of("ruby", CLIENT, "specs.json"), dir, specsJson,
                    Map.of("REDIS_URL", redisUri));
        } finally {
            TestFiles.deleteQuietly(dir);
        }
    }

    /**
     * Evaluates Ruby with Sidekiq's own API against the server at {@code redisUri} and returns the value as JSON,
     * e.g. {@code Sidekiq::RetrySet.new.map(&:jid)} or {@code Sidekiq::DeadSet.new.retry_all}: what Sidekiq
     * itself (its Web UI, its scheduler) sees of the jobs qbridge wrote.
     */
    public static String api(String redisUri, String rubyExpression) {
        requireInstalled();
        Path dir = JobSystemScripts.copy("qbridge-sidekiq-api-", API);
        try {
            List<String> result = JobSystemScripts.run("sidekiq-api", List.of("ruby", API, rubyExpression), dir,
                    Map.of("REDIS_URL", redisUri), "RESULT ");
            if (result.size() != 1) {
                throw new IllegalStateException("sidekiq_api.rb printed " + result.size() + " results for " + rubyExpression);
            }
            return result.get(0);
        } finally {
            TestFiles.deleteQuietly(dir);
        }
    }

    /**
     * Starts {@code sidekiq} on {@code queues} with worker classes named {@code workerClasses}, each recording the
     * jobs it runs; returns once it processes. Scheduled and retry jobs are enqueued within about a second of
     * being due (Sidekiq's default is 5 to 15 seconds).
     */
    public static JobWorker startWorker(String redisUri, List<String> queues, List<String> workerClasses) {
        return startWorker(redisUri, queues, workerClasses, List.of());
    }

    /** As {@link #startWorker(String, List, List)}, plus classes whose jobs always raise (to fill retry and dead). */
    public static JobWorker startWorker(String redisUri, List<String> queues, List<String> workerClasses,
            List<String> failingClasses) {
        requireInstalled();
        Path dir = JobSystemScripts.copy("qbridge-sidekiq-worker-", WORKER);
        Path record = dir.resolve("executed.jsonl");
        List<String> command = new ArrayList<>(List.of("sidekiq", "-r", "./" + WORKER, "-c", "2", "-t", "5"));
        queues.forEach(queue -> command.addAll(List.of("-q", queue)));
        ToolProcess process = ToolProcess.start("sidekiq", command, dir, Map.of(
                "REDIS_URL", redisUri,
                "QBRIDGE_RECORD_FILE", record.toString(),
                "QBRIDGE_WORKER_CLASSES", String.join(",", workerClasses),
                "QBRIDGE_FAILING_CLASSES", String.join(",", failingClasses)));
        try {
            process.waitForOutputLine("qbridge worker started", Duration.ofSeconds(60));
        } catch (RuntimeException e) {
            process.close();
            TestFiles.deleteQuietly(dir);
            throw e;
        }
        return new JobWorker(process, dir, record);
    }
}
