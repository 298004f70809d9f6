package dev.qbridge.testkit;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * The real Celery (Debian's {@code python3-celery} 5.2 with kombu and {@code python3-redis}, run by
 * {@code /usr/bin/python3}, not whatever python3 comes first on the PATH) against a test redis-server: its own
 * client sends tasks, its own worker process runs them.
 *
 * <pre>{@code
 * Celery.requireInstalled();
 * List<String> ids = Celery.enqueue(redis.uri(), "[{\"task\": \"tasks.add\", \"args\": [1, 2], \"kwargs\": {}}]");
 * try (JobWorker worker = Celery.startWorker(redis.uri(), List.of("celery"), List.of("tasks.add"))) {
 *     worker.awaitExecuted(1, Duration.ofSeconds(30)); // {"id": ..., "task": "tasks.add", "args": [1, 2], ...}
 * }
 * }</pre>
 */
public final class Celery {
    /** Debian's interpreter, where python3-celery is installed. */
    public static final String PYTHON = "/usr/bin/python3";
    private static final String CLIENT = "celery_client.py";
    private static final String TASKS = "qbridge_celery_tasks.py";
    private static Boolean installed;

    private Celery() {
    }

    /** Skips the test (fails it in CI) unless /usr/bin/python3 imports celery and redis. */
    public static synchronized void requireInstalled() {
        if (installed == null) {
            installed = JobSystemScripts.runs(List.of(PYTHON, "-c", "import celery, kombu, redis"));
        }
        if (!installed) {
            Unavailable.skipOrFail("Celery is not installed: " + PYTHON + " must import celery, kombu and redis "
                    + "(Debian: apt-get install python3-celery python3-redis)");
        }
    }

    /**
     * Sends tasks with Celery's client ({@code send_task}) through the server at {@code redisUri} and returns
     * their ids in order. {@code specsJson} is a JSON array of {@code {"task", "args"}} with optional
     * {@code "kwargs"}, {@code "queue"}, {@code "countdown"} (seconds: an eta), {@code "expires"} (seconds),
     * {@code "priority"}, {@code "serializer"} (e.g. {@code "pickle"}, for a message only Python can read).
     */
    public static List<String> enqueue(String redisUri, String specsJson) {
        requireInstalled();
        Path dir = JobSystemScripts.copy("qbridge-celery-client-", CLIENT, TASKS);
        try {
            return JobSystemScripts.runClient("celery-client", List.of(PYTHON, CLIENT, "specs.json"), dir, specsJson,
                    Map.of("QBRIDGE_BROKER_URL", redisUri));
        } finally {
            TestFiles.deleteQuietly(dir);
        }
    }

    /**
     * Starts {@code celery worker} (one process: the solo pool) consuming {@code queues}, with tasks named
     * {@code tasks} that record each run; returns once it is ready.
     */
    public static JobWorker startWorker(String redisUri, List<String> queues, List<String> tasks) {
        requireInstalled();
        Path dir = JobSystemScripts.copy("qbridge-celery-worker-", TASKS);
        Path record = dir.resolve("executed.jsonl");
        List<String> command = List.of(PYTHON, "-m", "celery", "-A", "qbridge_celery_tasks", "worker",
                "-Q", String.join(",", queues), "-P", "solo", "-c", "1", "-n", "qbridge@%h", "-l", "INFO",
                "--without-gossip", "--without-mingle", "--without-heartbeat");
        ToolProcess process = ToolProcess.start("celery-worker", command, dir, Map.of(
                "QBRIDGE_BROKER_URL", redisUri,
                "QBRIDGE_RECORD_FILE", record.toString(),
                "QBRIDGE_TASKS", String.join(",", tasks),
                "PYTHONPATH", dir.toString()));
        try {
            process.waitForOutputLine(" ready.", Duration.ofSeconds(60));
        } catch (RuntimeException e) {
            process.close();
            TestFiles.deleteQuietly(dir);
            throw e;
        }
        return new JobWorker(process, dir, record);
    }
}
