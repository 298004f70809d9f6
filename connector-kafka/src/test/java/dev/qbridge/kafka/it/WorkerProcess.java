package dev.qbridge.kafka.it;

import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;

/**
 * A real Kafka Connect worker in its own JVM, as an operator runs it: Kafka's jars on the class path, and our
 * connectors only in the plugin archive unzipped into {@code plugin.path} (this module's classes and the
 * qbridge jars are taken off the class path, so the worker can only find them there). It can be killed like
 * {@code kill -9}, to prove what a crash loses.
 */
public final class WorkerProcess implements AutoCloseable {

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private final Process process;
    private final Path log;
    private final int port;

    private WorkerProcess(Process process, Path log, int port) {
        this.process = process;
        this.log = log;
        this.port = port;
    }

    /** Unzips the plugin archive the build made into a fresh plugin.path directory. */
    public static Path unzipPluginArchive(Path dir) throws IOException {
        Path archive = Path.of(System.getProperty("qbridge.pluginArchive", "target/qbridge-kafka-connect.zip"));
        if (!Files.exists(archive)) {
            throw new IllegalStateException("plugin archive " + archive + " is missing: run mvn verify (package first)");
        }
        Path pluginPath = Files.createDirectories(dir.resolve("plugins"));
        try (ZipInputStream zip = new ZipInputStream(Files.newInputStream(archive))) {
            for (ZipEntry e; (e = zip.getNextEntry()) != null; ) {
                Path target = pluginPath.resolve(e.getName()).normalize();
                if (e.isDirectory()) {
                    Files.createDirectories(target);
                } else {
                    Files.createDirectories(target.getParent());
                    Files.copy(zip, target);
                }
            }
        }
        return pluginPath;
    }

    /** A standalone worker running the given connector config (as {@code connect-standalone.sh worker connector}). */
    public static WorkerProcess standalone(Path dir, Path pluginPath, String bootstrap, Map<String, String> connector)
            throws IOException {
        int port = freePort();
        Properties worker = baseWorker(pluginPath, bootstrap, port);
        worker.put("offset.storage.file.filename", dir.resolve("standalone.offsets").toString());
        Path workerFile = write(dir.resolve("worker-" + port + ".properties"), worker);
        Properties conn = new Properties();
        conn.putAll(connector);
        Path connectorFile = write(dir.resolve("connector-" + port + ".properties"), conn);
        return start(dir, port, "org.apache.kafka.connect.cli.ConnectStandalone", workerFile.toString(),
                connectorFile.toString());
    }

    /** A distributed worker (as {@code connect-distributed.sh}); connectors are posted to its REST API. */
    public static WorkerProcess distributed(Path dir, Path pluginPath, String bootstrap, String groupId) throws IOException {
        int port = freePort();
        Properties worker = baseWorker(pluginPath, bootstrap, port);
        worker.put("group.id", groupId);
        worker.put("config.storage.topic", groupId + "-configs");
        worker.put("offset.storage.topic", groupId + "-offsets");
        worker.put("status.storage.topic", groupId + "-status");
        worker.put("config.storage.replication.factor", "1");
        worker.put("offset.storage.replication.factor", "1");
        worker.put("status.storage.replication.factor", "1");
        worker.put("offset.storage.partitions", "1");
        worker.put("status.storage.partitions", "1");
        Path workerFile = write(dir.resolve("worker-" + port + ".properties"), worker);
        return start(dir, port, "org.apache.kafka.connect.cli.ConnectDistributed", workerFile.toString());
    }

    private static Properties baseWorker(Path pluginPath, String bootstrap, int port) {
        Properties worker = new Properties();
        worker.put("bootstrap.servers", bootstrap);
        worker.put("listeners", "http://127.0.0.1:" + port);
        worker.put("plugin.path", pluginPath.toString());
        worker.put("plugin.discovery", "service_load");
        worker.put("key.converter", "org.apache.kafka.connect.converters.ByteArrayConverter");
        worker.put("value.converter", "org.apache.kafka.connect.converters.ByteArrayConverter");
        worker.put("offset.flush.interval.ms", "1000");
        // a killed worker's consumer leaves its group after this, not after the 45 s default
        worker.put("consumer.session.timeout.ms", "10000");
        worker.put("consumer.heartbeat.interval.ms", "1000");
        return worker;
    }

    private static WorkerProcess start(Path dir, int port, String mainClass, String... args) throws IOException {
        Path log = dir.resolve("worker-" + port + ".log");
        Path logback = dir.resolve("logback-worker.xml");
        if (!Files.exists(logback)) {
            Files.writeString(logback, """
                    <configuration>
                      <appender name="out" class="ch.qos.logback.core.ConsoleAppender">
                        <encoder><pattern>%d{HH:mm:ss.SSS} [%thread] %-5level %logger{0} - %msg%n</pattern></encoder>
                      </appender>
                      <logger name="dev.qbridge" level="INFO"/>
                      <logger name="org.apache.kafka.connect.runtime.isolation" level="INFO"/>
                      <root level="WARN"><appender-ref ref="out"/></root>
                    </configuration>
                    """);
        }
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx512m", "-Dlogback.configurationFile=" + logback, "-cp", workerClassPath(), mainClass));
        command.addAll(Arrays.asList(args));
        Process process = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
                .redirectOutput(log.toFile()).start();
        WorkerProcess worker = new WorkerProcess(process, log, port);
        worker.awaitRest(Duration.ofSeconds(90));
        return worker;
    }

    /** This JVM's class path without our connectors: the worker must load them from plugin.path. */
    static String workerClassPath() {
        return Stream.of(System.getProperty("java.class.path").split(File.pathSeparator))
                .filter(entry -> !entry.contains("connector-kafka" + File.separator + "target"))
                .filter(entry -> !Path.of(entry).getFileName().toString().startsWith("qbridge-"))
                .collect(Collectors.joining(File.pathSeparator));
    }

    private void awaitRest(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("worker exited with " + process.exitValue() + ":\n" + tail());
            }
            try {
                if (get("/connectors").statusCode() == 200) {
                    return;
                }
            } catch (IOException | RuntimeException e) {
                // not listening yet
            }
            pause(200);
        }
        throw new IllegalStateException("worker REST API did not answer within " + timeout.toSeconds() + " s:\n" + tail());
    }

    public HttpResponse<String> get(String path) throws IOException {
        return send(HttpRequest.newBuilder(uri(path)).GET().build());
    }

    public HttpResponse<String> post(String path, String json) throws IOException {
        return send(HttpRequest.newBuilder(uri(path)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json)).build());
    }

    private HttpResponse<String> send(HttpRequest request) throws IOException {
        try {
            return HTTP.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }

    private URI uri(String path) {
        return URI.create("http://127.0.0.1:" + port + path);
    }

    /** The connector's status as JSON text, or "" while the worker does not know it. */
    public String status(String connector) {
        try {
            HttpResponse<String> r = get("/connectors/" + connector + "/status");
            return r.statusCode() == 200 ? r.body() : "";
        } catch (IOException e) {
            return "";
        }
    }

    public boolean runs(String connector) {
        String status = status(connector);
        return status.contains("\"tasks\":[{") && !status.contains("FAILED") && !status.contains("UNASSIGNED")
                && !status.contains("PAUSED");
    }

    /** SIGKILL: no shutdown hooks, no final commits, no acks. */
    public void kill9() {
        process.destroyForcibly();
        try {
            process.waitFor(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    public String tail() {
        try {
            List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }

    @Override
    public void close() {
        if (process.isAlive()) {
            process.destroy();
            try {
                if (!process.waitFor(20, TimeUnit.SECONDS)) {
                    kill9();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                kill9();
            }
        }
    }

    private static Path write(Path file, Properties props) throws IOException {
        try (OutputStream out = Files.newOutputStream(file)) {
            props.store(out, null);
        }
        return file;
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    private static void pause(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Deletes a directory tree, for @AfterAll. */
    public static void deleteTree(Path dir) {
        if (dir == null || !Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
