package dev.qbridge.testkit;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * A job system's real worker process ({@link Sidekiq#startWorker}, {@link Celery#startWorker}, {@link Rq#startWorker},
 * {@link Bullmq#startWorker}) whose jobs record each run as one JSON line: Sidekiq {@code {"jid", "class", "args"}},
 * Celery {@code {"id", "task", "args", "kwargs", "retries"}}, RQ {@code {"id", "func", "args", "kwargs", ...}}, BullMQ
 * {@code {"queue", "id", "name", "data", "opts", "priority", "processedOn", ...}}. Closing it kills it (and its
 * children) and deletes its dir.
 */
public final class JobWorker implements AutoCloseable {
    private static final Duration POLL = Duration.ofMillis(100);

    private final ToolProcess process;
    private final Path dir;
    private final Path recordFile;

    JobWorker(ToolProcess process, Path dir, Path recordFile) {
        this.process = process;
        this.dir = dir;
        this.recordFile = recordFile;
    }

    /** The jobs run so far, one JSON line each, in the order they ran. */
    public List<String> executed() {
        return TestFiles.readLines(recordFile).stream().filter(line -> !line.isBlank()).toList();
    }

    /**
     * Waits until at least {@code count} jobs ran, and returns them all. Fails with the worker's log if it exits or
     * the time is up first.
     */
    public List<String> awaitExecuted(int count, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            boolean exited = !process.isAlive();
            List<String> executed = executed();
            if (executed.size() >= count) {
                return executed;
            }
            if (exited) {
                throw process.failure("exited after running " + executed.size() + " of " + count + " jobs");
            }
            if (System.nanoTime() > deadline) {
                throw process.failure("ran " + executed.size() + " of " + count + " jobs within " + timeout.toMillis()
                        + " ms");
            }
            RedisServer.sleep(POLL);
        }
    }

    /** The worker's own log (both systems log each job they run and each they reject). */
    public List<String> log() {
        return process.outputLines();
    }

    public long pid() {
        return process.pid();
    }

    /** SIGTERM: the worker finishes the jobs it holds and exits. */
    public void stop() {
        process.stop(Duration.ofSeconds(15));
    }

    /** SIGKILL, with its children. */
    public void kill9() {
        process.kill9();
    }

    @Override
    public void close() {
        process.close();
        TestFiles.deleteQuietly(dir);
    }

    @Override
    public String toString() {
        return "JobWorker[" + process + "]";
    }
}
