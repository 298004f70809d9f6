package dev.qbridge.server.cli;

import dev.qbridge.core.Secrets;
import dev.qbridge.server.QbridgeException;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The Redis of the demo, in this order: the one named with {@code --redis}; the one at localhost:6379 if it answers;
 * a private one started for the demo from the {@code redis-server} on the PATH; as a last resort the Redis 6.2 that
 * embedded-redis bundles (Linux x86-64 and arm64 only: the shaded jar leaves out its Windows and macOS binaries). A
 * private Redis listens on 127.0.0.1 only, on a free port, saves nothing, and is stopped when the demo ends.
 */
final class DemoRedis implements AutoCloseable {

    private static final Pattern VERSION = Pattern.compile("v=([0-9][0-9.]*)");

    private final String uri;
    private final String description;
    private final AutoCloseable stop;

    private DemoRedis(String uri, String description, AutoCloseable stop) {
        this.uri = uri;
        this.description = description;
        this.stop = stop;
    }

    static DemoRedis pick(String uri, boolean forcePrivate, PrintWriter console) throws IOException {
        if (uri != null) {
            return new DemoRedis(uri, Secrets.redact(uri), null);
        }
        if (!forcePrivate && answersPing("localhost", 6379)) {
            return new DemoRedis("redis://localhost:6379", "redis://localhost:6379 (the local Redis; only "
                    + DemoCommand.PREFIX + "* keys are touched)", null);
        }
        int port = freeLoopbackPort();
        Optional<Path> onPath = onPath("redis-server", System.getenv("PATH"));
        if (onPath.isPresent()) {
            console.println("Starting a private Redis for the demo: " + onPath.get() + " on 127.0.0.1:" + port + "...");
            console.flush();
            return startFromPath(onPath.get(), port);
        }
        console.println("No redis-server on the PATH: starting the bundled Redis 6.2 on 127.0.0.1:" + port + "...");
        console.flush();
        return startBundled(port);
    }

    String uri() {
        return uri;
    }

    /** Which Redis, and where: the demo's first line. */
    String description() {
        return description;
    }

    @Override
    public void close() throws Exception {
        if (stop != null) {
            stop.close();
        }
    }

    private static DemoRedis startFromPath(Path binary, int port) throws IOException {
        Path workDir = Files.createTempDirectory("qbridge-demo-redis");
        Path log = workDir.resolve("redis.log");
        Process process = new ProcessBuilder(binary.toString(), "--port", Integer.toString(port), "--bind", "127.0.0.1",
                "--protected-mode", "yes", "--save", "", "--appendonly", "no", "--dir", workDir.toString(),
                "--daemonize", "no")
                .directory(workDir.toFile())
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
        // Ctrl-C ends the demo without its try-with-resources: the private Redis must not outlive it
        Thread onExit = new Thread(process::destroy, "qbridge-demo-redis-stop");
        Runtime.getRuntime().addShutdownHook(onExit);
        AutoCloseable stop = () -> {
            process.destroy(); // SIGTERM: Redis exits at once, and saves nothing with save ""
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
            deleteQuietly(workDir);
            try {
                Runtime.getRuntime().removeShutdownHook(onExit);
            } catch (IllegalStateException shuttingDown) {
                // the hook runs anyway, on a process already gone
            }
        };
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!answersPing("127.0.0.1", port)) {
            if (!process.isAlive() || System.nanoTime() > deadline) {
                String output = Files.exists(log) ? Files.readString(log) : "";
                try {
                    stop.close();
                } catch (Exception e) {
                    // already failing: the message below says why
                }
                throw new QbridgeException("demo: " + binary + " did not start on 127.0.0.1:" + port + ": "
                        + lastLine(output) + " (or pass --redis <redis-uri>)");
            }
            sleep(50);
        }
        return new DemoRedis("redis://127.0.0.1:" + port, "redis-server " + version(binary) + " from " + binary
                + " on 127.0.0.1:" + port + " (private to the demo, stopped when it ends)", stop);
    }

    private static DemoRedis startBundled(int port) {
        redis.embedded.RedisServer server;
        try {
            server = redis.embedded.RedisServer.newRedisServer()
                    .port(port)
                    .bind("127.0.0.1")
                    .setting("protected-mode yes")
                    .setting("save \"\"")
                    .setting("appendonly no")
                    .onShutdownForceStop(true)
                    .build();
            server.start();
        } catch (IOException | RuntimeException e) {
            String os = System.getProperty("os.name") + " " + System.getProperty("os.arch");
            boolean bundledHere = os.startsWith("Linux") && List.of("amd64", "x86_64", "aarch64").contains(System.getProperty("os.arch"));
            throw new QbridgeException("demo: no Redis to run on: none answers at localhost:6379, there is no redis-server "
                    + "on the PATH, and the bundled Redis " + (bundledHere ? "did not start (" + e.getMessage() + ")"
                        : "is for Linux x86-64 and arm64 only, not " + os) + ": install Redis, or pass --redis <redis-uri>", e);
        }
        return new DemoRedis("redis://127.0.0.1:" + port, "the bundled Redis 6.2 (embedded-redis) on 127.0.0.1:" + port
                + " (no redis-server on the PATH; stopped when the demo ends)", server::stop);
    }

    /** The version {@code redis-server --version} prints, or "(version unknown)". */
    private static String version(Path binary) {
        try {
            Process p = new ProcessBuilder(binary.toString(), "--version").redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readNBytes(4096), StandardCharsets.UTF_8);
            p.waitFor(5, TimeUnit.SECONDS);
            Matcher m = VERSION.matcher(out);
            return m.find() ? m.group(1) : "(version unknown)";
        } catch (IOException e) {
            return "(version unknown)";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "(version unknown)";
        }
    }

    static Optional<Path> onPath(String name, String path) {
        if (path == null) {
            return Optional.empty();
        }
        for (String entry : path.split(File.pathSeparator)) {
            if (entry.isBlank()) {
                continue;
            }
            Path candidate = Path.of(entry, name);
            if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }

    private static int freeLoopbackPort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    /** A bare PING: no pool, nothing left behind when nothing listens. */
    static boolean answersPing(String host, int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(host, port), 300);
            socket.setSoTimeout(500);
            socket.getOutputStream().write("PING\r\n".getBytes(StandardCharsets.US_ASCII));
            InputStream in = socket.getInputStream();
            StringBuilder reply = new StringBuilder();
            for (int c = in.read(); c != -1 && c != '\n' && reply.length() < 100; c = in.read()) {
                reply.append((char) c);
            }
            return reply.toString().startsWith("+PONG");
        } catch (IOException e) {
            return false;
        }
    }

    private static String lastLine(String output) {
        List<String> lines = output.lines().filter(l -> !l.isBlank()).toList();
        return lines.isEmpty() ? "it printed nothing" : lines.get(lines.size() - 1).strip();
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new QbridgeException("demo: interrupted while starting Redis");
        }
    }

    private static void deleteQuietly(Path dir) {
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        } catch (IOException e) {
            // a temp directory left behind is harmless
        }
    }
}
