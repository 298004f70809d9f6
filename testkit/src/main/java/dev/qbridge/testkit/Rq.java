package dev.qbridge.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The real RQ (Debian's {@code python3-rq} 1.13 with {@code python3-redis}, run by {@code /usr/bin/python3}, not
 * whatever python3 comes first on the PATH) against a test redis-server: its own client enqueues jobs, its own
 * {@code rq worker} process runs them.
 *
 * <pre>{@code
 * Rq.requireInstalled();
 * List<Rq.Enqueued> jobs = Rq.enqueue(redis.uri(), "[{\"func\": \"tasks.add\", \"args_py\": \"(1, (2, 3), b'x')\"}]");
 * try (JobWorker worker = Rq.startWorker(redis.uri(), List.of("default"), List.of("tasks.add"), false)) {
 *     worker.awaitExecuted(1, Duration.ofSeconds(30)); // {"id", "func", "args": "(1, (2, 3), b'x')", "kwargs": "{}", ...}
 * }
 * }</pre>
 */
public final class Rq {
    /** Debian's interpreter, where python3-rq is installed. */
    public static final String PYTHON = Celery.PYTHON;
    private static final String CLIENT = "rq_client.py";
    private static final String RECORD = "qbridge_rq_record.py";
    private static Boolean installed;

    /**
     * A job RQ's client enqueued: its id, and what its function will be called with as Python's repr of the args
     * tuple and the kwargs dict (a worker's record has the same two strings when it ran the job with the same values
     * of the same types).
     */
    public record Enqueued(String id, String argsRepr, String kwargsRepr) {
    }

    private Rq() {
    }

    /** Skips the test (fails it in CI) unless /usr/bin/python3 imports rq and redis. */
    public static synchronized void requireInstalled() {
        if (installed == null) {
            installed = JobSystemScripts.runs(List.of(PYTHON, "-c", "import rq, redis"));
        }
        if (!installed) {
            Unavailable.skipOrFail("RQ is not installed: " + PYTHON + " must import rq and redis "
                    + "(Debian: apt-get install python3-rq python3-redis)");
        }
    }

    /**
     * Enqueues jobs with RQ's client ({@code Queue.enqueue}, {@code enqueue_at}) into the server at {@code redisUri}
     * and returns them in order. {@code specsJson} is a JSON array of {@code {"func"}} with optional {@code "args"}
     * (JSON) or {@code "args_py"} (a Python literal, for tuples and bytes), {@code "kwargs"} / {@code "kwargs_py"},
     * {@code "meta"} / {@code "meta_py"}, {@code "queue"}, {@code "serializer": "json"} (RQ's JSONSerializer),
     * {@code "at"} (epoch seconds: the scheduled registry), {@code "job_timeout"}, {@code "result_ttl"},
     * {@code "ttl"}, {@code "failure_ttl"}, {@code "description"}, {@code "at_front"}.
     */
    public static List<Enqueued> enqueue(String redisUri, String specsJson) {
        requireInstalled();
        Path dir = JobSystemScripts.copy("qbridge-rq-client-", CLIENT);
        try {
            List<Enqueued> jobs = new ArrayList<>();
            for (String line : JobSystemScripts.runClient("rq-client", List.of(PYTHON, CLIENT, "specs.json"), dir,
                    specsJson, Map.of("QBRIDGE_REDIS_URL", redisUri))) {
                String[] parts = line.split("\t", 3);
                jobs.add(new Enqueued(parts[0], parts[1], parts[2]));
            }
            return jobs;
        } finally {
            TestFiles.deleteQuietly(dir);
        }
    }

    /**
     * Starts {@code rq worker} (RQ's own Worker, which forks a work horse per job) on {@code queues}, with the
     * functions {@code functions} (dotted paths such as {@code tasks.add}, made as modules in the worker's dir) that
     * record each run; with {@code jsonSerializer}, the worker reads RQ's JSONSerializer. Returns once it listens.
     */
    public static JobWorker startWorker(String redisUri, List<String> queues, List<String> functions,
                                        boolean jsonSerializer) {
        return startWorker(redisUri, queues, functions, jsonSerializer, false);
    }

    /**
     * As {@link #startWorker(String, List, List, boolean)}; with {@code withScheduler}, the worker also runs RQ's
     * scheduler ({@code --with-scheduler}), which enqueues the jobs of {@code rq:scheduled:<q>} when they are due.
     */
    public static JobWorker startWorker(String redisUri, List<String> queues, List<String> functions,
                                        boolean jsonSerializer, boolean withScheduler) {
        requireInstalled();
        Path dir = JobSystemScripts.copy("qbridge-rq-worker-", RECORD);
        Path record = dir.resolve("executed.jsonl");
        writeModules(dir, functions);
        List<String> command = new ArrayList<>(List.of(PYTHON, "-m", "rq.cli", "worker", "--url", redisUri,
                "--name", "qbridge-" + ProcessHandle.current().pid() + "-" + System.nanoTime()));
        if (jsonSerializer) {
            command.addAll(List.of("--serializer", "rq.serializers.JSONSerializer"));
        }
        if (withScheduler) {
            command.add("--with-scheduler");
        }
        command.addAll(queues);
        ToolProcess process = ToolProcess.start("rq-worker", command, dir, Map.of(
                "QBRIDGE_RECORD_FILE", record.toString(),
                "PYTHONPATH", dir.toString()));
        try {
            process.waitForOutputLine("Listening on", Duration.ofSeconds(60));
        } catch (RuntimeException e) {
            process.close();
            TestFiles.deleteQuietly(dir);
            throw e;
        }
        return new JobWorker(process, dir, record);
    }

    /** For {@code pkg.mod.f}: pkg/__init__.py and pkg/mod.py defining {@code f = recorder("pkg.mod.f")}. */
    private static void writeModules(Path dir, List<String> functions) {
        Map<String, List<String>> modules = new LinkedHashMap<>();
        for (String function : functions) {
            int dot = function.lastIndexOf('.');
            if (dot <= 0 || !function.matches("[A-Za-z_][A-Za-z0-9_]*(\\.[A-Za-z_][A-Za-z0-9_]*)+")) {
                throw new IllegalArgumentException("'" + function + "' is not a dotted path of a function (tasks.add)");
            }
            modules.computeIfAbsent(function.substring(0, dot), m -> new ArrayList<>()).add(function);
        }
        try {
            for (Map.Entry<String, List<String>> module : modules.entrySet()) {
                String[] parts = module.getKey().split("\\.");
                Path parent = dir;
                for (int i = 0; i < parts.length - 1; i++) {
                    parent = parent.resolve(parts[i]);
                    Files.createDirectories(parent);
                    Path init = parent.resolve("__init__.py");
                    if (!Files.exists(init)) {
                        Files.writeString(init, "");
                    }
                }
                StringBuilder source = new StringBuilder("from qbridge_rq_record import recorder\n");
                for (String function : module.getValue()) {
                    source.append(function.substring(function.lastIndexOf('.') + 1))
                            .append(" = recorder(\"").append(function).append("\")\n");
                }
                Files.writeString(parent.resolve(parts[parts.length - 1] + ".py"), source, StandardCharsets.UTF_8);
            }
        } catch (IOException e) {
            TestFiles.deleteQuietly(dir);
            throw new UncheckedIOException("Cannot write the RQ worker's task modules to " + dir, e);
        }
    }
}
