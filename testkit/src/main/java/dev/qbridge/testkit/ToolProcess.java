package dev.qbridge.testkit;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A child process of another tool (a Sidekiq or Celery worker, a client script), output to a file in its own
 * temp dir. Stopping and killing reach its descendants too (a worker's pool children), and the JVM's exit closes
 * it if a test did not.
 */
final class ToolProcess implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ToolProcess.class);
    private static final Duration POLL = Duration.ofMillis(50);
    private static final int OUTPUT_TAIL_LINES = 40;

    private final Process process;
    private final String name;
    private final Path outputFile;
    private boolean closed;

    private ToolProcess(Process process, String name, Path outputFile) {
        this.process = process;
        this.name = name;
        this.outputFile = outputFile;
    }

    /** Starts {@code command} in {@code dir} with {@code env} on top of this JVM's environment. */
    static ToolProcess start(String name, List<String> command, Path dir, Map<String, String> env) {
        Path output = dir.resolve(name + ".log");
        try {
            ProcessBuilder builder = new ProcessBuilder(command)
                    .directory(dir.toFile())
                    .redirectErrorStream(true)
                    .redirectOutput(output.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
            builder.environment().putAll(env);
            ToolProcess child = new ToolProcess(builder.start(), name, output);
            ShutdownCleanup.register(child);
            LOG.info("Started {} (pid {}): {}, output in {}", name, child.process.pid(), command, output);
            return child;
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot start " + name + " (" + command + ")", e);
        }
    }

    long pid() {
        return process.pid();
    }

    boolean isAlive() {
        return process.isAlive();
    }

    List<String> outputLines() {
        return TestFiles.readLines(outputFile);
    }

    /** Polls the output for a line containing {@code text}; fails fast if the process exits first. */
    String waitForOutputLine(String text, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            boolean exited = !process.isAlive(); // before reading, so no line written before exit is missed
            Optional<String> line = outputLines().stream().filter(l -> l.contains(text)).findFirst();
            if (line.isPresent()) {
                return line.get();
            }
            if (exited) {
                throw failure("exited with " + process.exitValue() + " before printing a line containing \"" + text + "\"");
            }
            if (System.nanoTime() > deadline) {
                throw failure("printed no line containing \"" + text + "\" within " + timeout.toMillis() + " ms");
            }
            RedisServer.sleep(POLL);
        }
    }

    /** Waits for the process to exit by itself; fails with its output if it does not, or exits non-zero. */
    List<String> awaitSuccess(Duration timeout) {
        try {
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                throw failure("did not exit within " + timeout.toMillis() + " ms");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while waiting for " + name, e);
        }
        if (process.exitValue() != 0) {
            throw failure("exited with " + process.exitValue());
        }
        return outputLines();
    }

    /** SIGTERM, the way an operator stops a worker (it finishes what it runs); SIGKILL after {@code grace}. */
    void stop(Duration grace) {
        process.descendants().forEach(ProcessHandle::destroy);
        process.destroy();
        try {
            if (!process.waitFor(grace.toMillis(), TimeUnit.MILLISECONDS)) {
                LOG.warn("{} (pid {}) did not stop within {} ms of SIGTERM; killing it", name, pid(), grace.toMillis());
                kill9();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            kill9();
        }
    }

    /** SIGKILL to the process and its descendants, like {@code kill -9}; returns once the process is gone. */
    void kill9() {
        List<ProcessHandle> descendants = process.descendants().toList();
        process.destroyForcibly();
        descendants.forEach(ProcessHandle::destroyForcibly);
        try {
            process.waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        ShutdownCleanup.unregister(this);
        if (process.isAlive() || process.descendants().findAny().isPresent()) {
            kill9();
        }
    }

    IllegalStateException failure(String what) {
        List<String> lines = TestFiles.lastLines(outputFile, OUTPUT_TAIL_LINES);
        return new IllegalStateException(name + " (pid " + process.pid() + ") " + what + ". Last lines of "
                + outputFile + ":" + System.lineSeparator() + "  " + String.join(System.lineSeparator() + "  ", lines));
    }

    @Override
    public String toString() {
        return name + "[pid " + process.pid() + "]";
    }
}
