package dev.qbridge.server.deploy;

import dev.qbridge.server.Qbridge;
import dev.qbridge.testkit.JavaProcess;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/** The real {@code qbridge server} in a child JVM, with its HTTP endpoint. */
final class ServerProcess implements AutoCloseable {

    /** The startup line: {@code HTTP endpoint on http://127.0.0.1:8080 (...)}, or {@code [::1]:8080}. */
    static final Pattern HTTP = Pattern.compile("HTTP endpoint on http://(\\[[^\\]]+]|[^:\\s]+):(\\d+)");
    /** The server's own logback.xml, not the tests' logback-test.xml: its masking and rate limits are under test too. */
    static final String PRODUCTION_LOGGING = String.valueOf(Qbridge.class.getResource("/logback.xml"));

    final JavaProcess process;
    final String httpHost;
    final int httpPort;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private ServerProcess(JavaProcess process) {
        this.process = process;
        String line = process.waitForOutputLine("HTTP endpoint on", Duration.ofSeconds(60));
        Matcher m = HTTP.matcher(line);
        if (!m.find()) {
            throw new IllegalStateException("no port in: " + line);
        }
        this.httpHost = m.group(1);
        this.httpPort = Integer.parseInt(m.group(2));
        process.waitForOutputLine("watching", Duration.ofSeconds(30));
    }

    static ServerProcess start(Path dir, String redisUri, String... extra) {
        return start(dir, redisUri, java.util.Map.of(), extra);
    }

    static ServerProcess start(Path dir, String redisUri, java.util.Map<String, String> env, String... extra) {
        return new ServerProcess(launch(dir.toString(), redisUri, env, extra));
    }

    /** The server process, without waiting for it to come up: for starts that must fail. */
    static JavaProcess launch(String dir, String redisUri, java.util.Map<String, String> env, String... extra) {
        // no --http-host: the server's default is under test (the loopback)
        List<String> args = new ArrayList<>(List.of("server", dir, "--redis", redisUri,
                "--settle", "300ms", "--scan-interval", "100ms", "--shutdown-timeout", "20s"));
        if (!List.of(extra).contains("--http-port")) {
            args.addAll(List.of("--http-port", "0"));
        }
        args.addAll(List.of(extra));
        return qbridge(List.of(), env, args.toArray(String[]::new));
    }

    /** Any {@code qbridge} command in a child JVM, as the jar runs it (its logging, its console), without waiting. */
    static JavaProcess qbridge(List<String> jvmArgs, java.util.Map<String, String> env, String... args) {
        JavaProcess.Builder builder = JavaProcess.builder(Qbridge.class).jvmArgs("-Xmx512m", "-Dlogback.configurationFile="
                + PRODUCTION_LOGGING).jvmArgs(jvmArgs.toArray(String[]::new)).args(args);
        env.forEach(builder::env);
        // the child runs on this JVM's class path (JavaProcess reads java.class.path): without the Log4j jars that only
        // the in-JVM Kafka of the tests brings, so that Spring and commons-logging log through SLF4J and logback as
        // they do in target/qbridge.jar, and the log masking and rate limits under test see every line
        synchronized (ServerProcess.class) {
            String testClassPath = System.getProperty("java.class.path");
            System.setProperty("java.class.path", Stream.of(testClassPath.split(File.pathSeparator))
                    .filter(entry -> !Path.of(entry).getFileName().toString().startsWith("log4j-"))
                    .collect(Collectors.joining(File.pathSeparator)));
            try {
                return builder.start();
            } finally {
                System.setProperty("java.class.path", testClassPath);
            }
        }
    }

    String get(String path) {
        try {
            HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + path))
                    .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
            return response.statusCode() + " " + response.body();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    String output() {
        return String.join("\n", process.outputLines());
    }

    /** SIGTERM, as a service manager stops the server. */
    void sigterm() {
        ProcessHandle.of(process.pid()).ifPresent(ProcessHandle::destroy);
    }

    @Override
    public void close() {
        process.close();
    }

    /** Writes a connector file the safe way: to a .tmp file, then renamed into place. */
    static Path drop(Path dir, String name, String content) {
        try {
            Path tmp = dir.resolve(name + ".tmp");
            Files.writeString(tmp, content, StandardCharsets.UTF_8);
            return Files.move(tmp, dir.resolve(name), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
