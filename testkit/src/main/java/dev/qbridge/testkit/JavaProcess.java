package dev.qbridge.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A child JVM for crash tests: runs a main class from this JVM's class path with the same java binary, output
 * (stdout and stderr) to a file, and can be killed like {@code kill -9}.
 *
 * <pre>{@code
 * try (JavaProcess worker = JavaProcess.start(Worker.class, redis.uri())) {
 *     worker.waitForOutputLine("took job", Duration.ofSeconds(10));
 *     worker.kill9();
 * }
 * }</pre>
 */
public final class JavaProcess implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(JavaProcess.class);
    private static final Duration POLL = Duration.ofMillis(20);
    private static final int OUTPUT_TAIL_LINES = 30;

    private final Process process;
    private final String mainClass;
    private final Path dir;
    private final Path outputFile;
    private boolean closed;

    private JavaProcess(Process process, String mainClass, Path dir, Path outputFile) {
        this.process = process;
        this.mainClass = mainClass;
        this.dir = dir;
        this.outputFile = outputFile;
    }

    public static JavaProcess start(Class<?> mainClass, String... args) {
        return builder(mainClass.getName()).args(args).start();
    }

    public static JavaProcess start(String mainClass, String... args) {
        return builder(mainClass).args(args).start();
    }

    public static Builder builder(String mainClass) {
        return new Builder(mainClass);
    }

    public static Builder builder(Class<?> mainClass) {
        return new Builder(mainClass.getName());
    }

    public long pid() {
        return process.pid();
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** The child's stdout and stderr, interleaved as written. */
    public Path outputFile() {
        return outputFile;
    }

    public List<String> outputLines() {
        return TestFiles.readLines(outputFile);
    }

    /**
     * Polls the output until a line contains {@code text} and returns that line. Fails fast if the child exits
     * first, or after {@code timeout}, with the last lines of its output.
     */
    public String waitForOutputLine(String text, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            boolean exited = !process.isAlive(); // read before the output, so no line written before exit is missed
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

    /** Waits for the child to exit by itself and returns its exit code. */
    public int waitForExit(Duration timeout) {
        try {
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                throw failure("did not exit within " + timeout.toMillis() + " ms");
            }
            return process.exitValue();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while waiting for " + mainClass, e);
        }
    }

    /** SIGKILL (no shutdown hooks run), then wait until it is gone. Returns the exit code (137 on Linux). */
    public int kill9() {
        process.destroyForcibly();
        int exitCode = waitForExit(Duration.ofSeconds(10));
        LOG.info("Killed {} (pid {}) with SIGKILL", mainClass, process.pid());
        return exitCode;
    }

    /** Kills the child if it still runs and deletes its output. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        ShutdownCleanup.unregister(this);
        if (process.isAlive()) {
            process.destroyForcibly();
            try {
                process.waitFor(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        TestFiles.deleteQuietly(dir);
    }

    @Override
    public String toString() {
        return "JavaProcess[" + mainClass + ", pid " + process.pid() + "]";
    }

    private IllegalStateException failure(String what) {
        List<String> lines = TestFiles.lastLines(outputFile, OUTPUT_TAIL_LINES);
        return new IllegalStateException(mainClass + " (pid " + process.pid() + ") " + what + ". Last lines of "
                + outputFile + ":" + System.lineSeparator() + "  " + String.join(System.lineSeparator() + "  ", lines));
    }

    /** The same java binary as this JVM: another JDK on the PATH could not run our classes. */
    static String javaBinary() {
        Path fromHome = Path.of(System.getProperty("java.home"), "bin", "java");
        if (fromHome.toFile().canExecute()) {
            return fromHome.toString();
        }
        return ProcessHandle.current().info().command()
                .orElseThrow(() -> new IllegalStateException("Cannot find the java binary of this JVM"));
    }

    /** Options for a child JVM. */
    public static final class Builder {
        private final String mainClass;
        private final List<String> jvmArgs = new ArrayList<>();
        private final List<String> args = new ArrayList<>();
        private final Map<String, String> env = new LinkedHashMap<>();

        private Builder(String mainClass) {
            this.mainClass = mainClass;
        }

        /** E.g. {@code -Xmx256m} or {@code -Dkey=value}. */
        public Builder jvmArgs(String... jvmArgs) {
            this.jvmArgs.addAll(List.of(jvmArgs));
            return this;
        }

        public Builder args(String... args) {
            this.args.addAll(List.of(args));
            return this;
        }

        /** An environment variable for the child, on top of this JVM's environment. */
        public Builder env(String name, String value) {
            env.put(name, value);
            return this;
        }

        public JavaProcess start() {
            Path dir = TestFiles.newTempDir("qbridge-java-");
            Path output = dir.resolve("output.log");
            List<String> command = new ArrayList<>();
            command.add(javaBinary());
            command.addAll(jvmArgs);
            command.addAll(List.of("-cp", System.getProperty("java.class.path"), mainClass));
            command.addAll(args);
            try {
                ProcessBuilder builder = new ProcessBuilder(command)
                        .directory(dir.toFile())
                        .redirectErrorStream(true)
                        .redirectOutput(output.toFile())
                        // EOF on stdin: a child that reads it must not hang on a pipe nobody writes to.
                        .redirectInput(ProcessBuilder.Redirect.from(nullFile()));
                builder.environment().putAll(env);
                JavaProcess child = new JavaProcess(builder.start(), mainClass, dir, output);
                ShutdownCleanup.register(child);
                LOG.info("Started {} (pid {}), output in {}", mainClass, child.pid(), output);
                return child;
            } catch (IOException e) {
                TestFiles.deleteQuietly(dir);
                throw new UncheckedIOException("Cannot start java for " + mainClass, e);
            }
        }

        private static java.io.File nullFile() {
            return new java.io.File(System.getProperty("os.name").startsWith("Windows") ? "NUL" : "/dev/null");
        }
    }
}
