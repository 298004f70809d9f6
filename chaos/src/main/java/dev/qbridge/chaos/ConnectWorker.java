package dev.qbridge.chaos;

import java.io.IOException;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/**
 * A standalone Kafka Connect worker ({@code connect-standalone.sh worker.properties connector.properties...}) in
 * its own JVM, with Kafka's jars on the class path and our connectors only in {@code plugin.path}. It can be
 * killed with SIGKILL and started again from the same files, as a supervisor would.
 */
final class ConnectWorker implements AutoCloseable {

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private static final Duration STARTUP = Duration.ofSeconds(120);

    private final String name;
    private final Path dir;
    private final Path pluginPath;
    private final String bootstrap;
    private final Map<String, Map<String, String>> connectors;
    private ChildJvm jvm;
    private int port;
    private int starts;

    ConnectWorker(String name, Path dir, Path pluginPath, String bootstrap, Map<String, Map<String, String>> connectors) {
        this.name = name;
        this.dir = dir;
        this.pluginPath = pluginPath;
        this.bootstrap = bootstrap;
        this.connectors = new LinkedHashMap<>(connectors);
    }

    String name() {
        return name;
    }

    /** Starts the worker and waits until its REST API answers. */
    void start() throws IOException {
        Files.createDirectories(dir);
        port = KafkaBroker.freePort();
        Properties worker = new Properties();
        worker.put("bootstrap.servers", bootstrap);
        worker.put("listeners", "http://127.0.0.1:" + port);
        worker.put("plugin.path", pluginPath.toString());
        worker.put("plugin.discovery", "service_load");
        worker.put("key.converter", "org.apache.kafka.connect.converters.ByteArrayConverter");
        worker.put("value.converter", "org.apache.kafka.connect.converters.ByteArrayConverter");
        worker.put("offset.storage.file.filename", dir.resolve("standalone.offsets").toString());
        worker.put("offset.flush.interval.ms", "1000");
        worker.put("producer.linger.ms", "5");
        worker.put("producer.batch.size", "262144");
        worker.put("consumer.max.poll.records", "5000");
        // a killed worker's consumer leaves its group after this (the broker's minimum), not after 45 s
        worker.put("consumer.session.timeout.ms", "6000");
        worker.put("consumer.heartbeat.interval.ms", "1000");
        List<String> args = new ArrayList<>();
        args.add(write(dir.resolve("worker.properties"), worker).toString());
        for (Map.Entry<String, Map<String, String>> c : connectors.entrySet()) {
            Properties props = new Properties();
            props.putAll(c.getValue());
            props.put("name", c.getKey());
            args.add(write(dir.resolve(c.getKey() + ".properties"), props).toString());
        }
        jvm = ChildJvm.start(name + "-" + (++starts), dir, ChildJvm.classPathWithoutQbridge(),
                List.of("-Xms128m", "-Xmx512m"), "org.apache.kafka.connect.cli.ConnectStandalone",
                args.toArray(String[]::new));
        awaitRest();
    }

    /** SIGKILL and a new JVM from the same files. */
    void killAndRestart() throws IOException {
        jvm.kill9();
        start();
    }

    private void awaitRest() {
        long deadline = System.nanoTime() + STARTUP.toNanos();
        while (System.nanoTime() < deadline) {
            if (!jvm.isAlive()) {
                throw new IllegalStateException("worker " + name + " exited:\n" + jvm.tail(40));
            }
            try {
                if (get("/connectors").statusCode() == 200) {
                    return;
                }
            } catch (IOException | RuntimeException e) {
                // not listening yet
            }
            sleep(200);
        }
        throw new IllegalStateException("worker " + name + " did not answer within " + STARTUP.toSeconds() + " s:\n"
                + jvm.tail(40));
    }

    /** The connector's status as the REST API answers it, or "" while the worker does not know it. */
    String status(String connector) {
        try {
            HttpResponse<String> r = get("/connectors/" + connector + "/status");
            return r.statusCode() == 200 ? r.body() : "";
        } catch (IOException e) {
            return "";
        }
    }

    private HttpResponse<String> get(String path) throws IOException {
        try {
            return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                    .timeout(Duration.ofSeconds(5)).GET().build(), HttpResponse.BodyHandlers.ofString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }

    /** The first line containing {@code text} in the logs of every JVM this worker ran, or "" when none has it. */
    String firstLogLine(String text) {
        try (var files = Files.list(dir)) {
            for (Path log : files.filter(f -> f.getFileName().toString().startsWith(name + "-")
                    && f.getFileName().toString().endsWith(".log")).sorted().toList()) {
                try (var lines = Files.lines(log, java.nio.charset.StandardCharsets.ISO_8859_1)) {
                    var hit = lines.filter(l -> l.contains(text)).findFirst();
                    if (hit.isPresent()) {
                        return hit.get();
                    }
                }
            }
        } catch (IOException | java.io.UncheckedIOException e) {
            return "";
        }
        return "";
    }

    String tail(int lines) {
        return jvm == null ? "" : jvm.tail(lines);
    }

    @Override
    public void close() {
        if (jvm != null) {
            jvm.close();
        }
    }

    private static Path write(Path file, Properties props) throws IOException {
        try (OutputStream out = Files.newOutputStream(file)) {
            props.store(out, null);
        }
        return file;
    }

    static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
