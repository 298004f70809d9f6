package dev.qbridge.chaos;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * One child JVM of the run (a broker or a Connect worker) with its output in a log file, killed like
 * {@code kill -9}. Unlike the testkit's {@code JavaProcess} it takes an explicit class path: a worker must not
 * see our connectors outside the plugin archive.
 */
final class ChildJvm implements AutoCloseable {

    private final String name;
    private final Process process;
    private final Path log;

    private ChildJvm(String name, Process process, Path log) {
        this.name = name;
        this.process = process;
        this.log = log;
    }

    static ChildJvm start(String name, Path dir, String classPath, List<String> jvmArgs, String mainClass,
                          String... args) {
        Path log = dir.resolve(name + ".log");
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvmArgs);
        command.add("-Dlogback.configurationFile=" + logback(dir));
        command.addAll(List.of("-cp", classPath, mainClass));
        command.addAll(List.of(args));
        try {
            Process process = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
            ChildJvm child = new ChildJvm(name, process, log);
            Runtime.getRuntime().addShutdownHook(new Thread(process::destroyForcibly, "kill-" + name));
            return child;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start java for " + mainClass, e);
        }
    }

    /** This JVM's class path, as the broker needs it. */
    static String fullClassPath() {
        return System.getProperty("java.class.path");
    }

    /** This JVM's class path without any qbridge code: a worker must load the connectors from plugin.path. */
    static String classPathWithoutQbridge() {
        Predicate<String> qbridge = entry -> entry.contains(File.separator + "dev" + File.separator + "qbridge" + File.separator)
                || Path.of(entry).getFileName().toString().startsWith("qbridge-")
                || Stream.of("testkit", "connector-core", "connector-kafka", "chaos")
                        .anyMatch(m -> entry.contains(File.separator + m + File.separator + "target" + File.separator));
        return Stream.of(fullClassPath().split(File.pathSeparator)).filter(qbridge.negate())
                .collect(Collectors.joining(File.pathSeparator));
    }

    private static Path logback(Path dir) {
        Path file = dir.resolve("logback-child.xml");
        if (!Files.exists(file)) {
            try {
                Files.writeString(file, """
                        <configuration>
                          <appender name="out" class="ch.qos.logback.core.ConsoleAppender">
                            <encoder><pattern>%d{HH:mm:ss.SSS} [%thread] %-5level %logger{0} - %msg%n</pattern></encoder>
                          </appender>
                          <logger name="dev.qbridge" level="INFO"/>
                          <logger name="kafka.server.KafkaRaftServer" level="INFO"/>
                          <logger name="org.apache.kafka.connect.runtime.WorkerSourceTask" level="INFO"/>
                          <root level="WARN"><appender-ref ref="out"/></root>
                        </configuration>
                        """);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return file;
    }

    boolean isAlive() {
        return process.isAlive();
    }

    long pid() {
        return process.pid();
    }

    /** Waits for the child to exit by itself; its exit code, or -1 if it still runs after the timeout. */
    int waitForExit(long seconds) {
        try {
            return process.waitFor(seconds, TimeUnit.SECONDS) ? process.exitValue() : -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    /** SIGKILL: no shutdown hooks, no final commits, no acks. */
    void kill9() {
        process.destroyForcibly();
        waitForExit(30);
    }

    /** The last lines of its output, for a failure message. */
    String tail(int lines) {
        try {
            List<String> all = Files.readAllLines(log, StandardCharsets.UTF_8);
            return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException | UncheckedIOException e) {
            return "(no log: " + e + ")";
        }
    }

    Path log() {
        return log;
    }

    @Override
    public void close() {
        if (process.isAlive()) {
            process.destroy();
            if (waitForExit(20) < 0) {
                kill9();
            }
        }
    }

    @Override
    public String toString() {
        return name + " (pid " + process.pid() + ")";
    }
}
