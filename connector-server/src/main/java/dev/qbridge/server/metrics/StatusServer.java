package dev.qbridge.server.metrics;

import dev.qbridge.core.Secrets;
import dev.qbridge.server.auth.BearerToken;
import dev.qbridge.server.net.BindAddress;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.file.FileSystemOptions;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * The server's HTTP endpoint:
 * <ul>
 *   <li>{@code GET /health}: the server's health ({@link Page}); never behind the token, so that probes need none;</li>
 *   <li>{@code GET /connectors}: every connector with its status, and every bad file with key and reason (JSON);</li>
 *   <li>{@code GET /metrics}: Micrometer's Prometheus scrape ({@link ServerMetrics}).</li>
 * </ul>
 * {@code HEAD} is answered as {@code GET} without the body; another method is 405 with {@code Allow}, another path
 * 404. With a token, every path but {@code /health} answers 401 without {@code Authorization: Bearer <token>}.
 * <p>
 * On Vert.x (already in the server for {@code platform-http:}) rather than the JDK's HTTP server: the JDK's server
 * gives a pool thread to a connection from its first byte until its headers are complete, so as many clients as pool
 * threads sending half a header froze {@code /health}. Here a request costs a thread only once its headers are in;
 * a connection that has not sent a complete request head within {@link #HEADER_DEADLINE} is closed, an idle one after
 * {@link #IDLE_TIMEOUT}, and no more than {@link #MAX_CONNECTIONS} are kept open.
 */
public final class StatusServer implements AutoCloseable {

    /** A JSON document and the HTTP status to answer it with. */
    public record Page(int status, String json) {
    }

    /** Monitoring traffic is a probe and a scraper or two: enough for those, bounded against a flood. */
    static final int MAX_CONNECTIONS = 256;
    /** How long a new connection may take to send a complete request line and headers. */
    static final Duration HEADER_DEADLINE = Duration.ofSeconds(10);
    /** How long a connection may stay silent (a keep-alive between scrapes included). */
    static final Duration IDLE_TIMEOUT = Duration.ofSeconds(30);

    private static final String ALLOW = "GET, HEAD";

    private final Vertx vertx;
    private final HttpServer server;
    private final InetAddress address;
    private final Optional<BearerToken> token;
    private final Map<String, Supplier<Page>> pages;
    private final Map<HttpConnection, Long> headerDeadlines = new ConcurrentHashMap<>();
    private final AtomicInteger connections = new AtomicInteger();
    private final AtomicBoolean closed = new AtomicBoolean();

    /**
     * Binds and serves at once (a port in use fails here, before anything else starts); health answers whatever the
     * suppliers say, {@code STARTING} included.
     */
    public StatusServer(String host, int port, Optional<BearerToken> token, Supplier<Page> health, Supplier<String> connectors,
                        ServerMetrics metrics) throws IOException {
        this.address = BindAddress.resolve(host);
        this.token = token;
        this.pages = Map.of(
                "/health", health,
                "/connectors", () -> new Page(200, connectors.get()),
                "/metrics", () -> new Page(200, metrics.scrape()));
        // one event loop parses every request and answers /health; two workers build the other pages
        this.vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(1).setWorkerPoolSize(2).setInternalBlockingPoolSize(1)
                .setFileSystemOptions(new FileSystemOptions().setFileCachingEnabled(false).setClassPathResolvingEnabled(false)));
        HttpServerOptions options = new HttpServerOptions()
                .setHost(address.getHostAddress())
                .setPort(port)
                .setIdleTimeout((int) IDLE_TIMEOUT.toSeconds())
                .setIdleTimeoutUnit(TimeUnit.SECONDS)
                .setMaxInitialLineLength(4096)
                .setMaxHeaderSize(8192);
        this.server = vertx.createHttpServer(options)
                .connectionHandler(this::opened)
                .requestHandler(this::handle);
        try {
            server.listen().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            vertx.close();
            Throwable cause = e.getCause() == null ? e : e.getCause();
            throw new IOException(cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage(), cause);
        } catch (TimeoutException e) {
            vertx.close();
            throw new IOException("not listening after 30 s", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            vertx.close();
            throw new IOException("interrupted while binding", e);
        }
    }

    /** The bound port (useful with port 0). */
    public int port() {
        return server.actualPort();
    }

    /** The bound address and port, as {@code 127.0.0.1:8080}. */
    public String boundAddress() {
        return BindAddress.format(address, port());
    }

    private void opened(HttpConnection connection) {
        if (connections.incrementAndGet() > MAX_CONNECTIONS) {
            connections.decrementAndGet();
            connection.close();
            return;
        }
        long deadline = vertx.setTimer(HEADER_DEADLINE.toMillis(), id -> {
            if (headerDeadlines.remove(connection) != null) {
                connection.close();
            }
        });
        headerDeadlines.put(connection, deadline);
        connection.closeHandler(closed -> {
            connections.decrementAndGet();
            Long timer = headerDeadlines.remove(connection);
            if (timer != null) {
                vertx.cancelTimer(timer);
            }
        });
    }

    private void handle(HttpServerRequest request) {
        Long deadline = headerDeadlines.remove(request.connection());
        if (deadline != null) {
            vertx.cancelTimer(deadline);
        }
        HttpServerResponse response = request.response();
        String path = request.path();
        if (!"/health".equals(path) && token.isPresent() && !token.get().admits(request.getHeader("Authorization"))) {
            response.putHeader("WWW-Authenticate", "Bearer realm=\"qbridge\"");
            respond(request, 401, "text/plain; charset=utf-8", "qbridge: this endpoint needs Authorization: Bearer <token> "
                    + "(the token of --http-token-file)\n");
            return;
        }
        Supplier<Page> page = pages.get(path);
        if (page == null) {
            respond(request, 404, "text/plain; charset=utf-8", "qbridge: no such path; try /health, /connectors or /metrics\n");
            return;
        }
        if (!HttpMethod.GET.equals(request.method()) && !HttpMethod.HEAD.equals(request.method())) {
            response.putHeader("Allow", ALLOW);
            respond(request, 405, "text/plain; charset=utf-8", "qbridge: " + path + " answers " + ALLOW + " only\n");
            return;
        }
        String type = path.equals("/metrics") ? "text/plain; version=0.0.4; charset=utf-8" : "application/json";
        if (path.equals("/health")) {
            // read from memory on the event loop: no scrape in progress on the workers can hold a probe's answer
            Page health;
            try {
                health = page.get();
            } catch (RuntimeException e) {
                health = new Page(500, "{\"status\":\"UNKNOWN\",\"error\":" + json(String.valueOf(e)) + "}");
            }
            respond(request, health.status(), type, health.json());
            return;
        }
        vertx.executeBlocking(page::get, false).onComplete(result -> {
            if (result.succeeded()) {
                respond(request, result.result().status(), type, result.result().json());
            } else {
                respond(request, 500, "text/plain; charset=utf-8", "qbridge: " + result.cause() + "\n");
            }
        });
    }

    private static void respond(HttpServerRequest request, int status, String type, String body) {
        // masked where the text leaves the process: a reason quoting a URI never shows its password
        byte[] bytes = Secrets.redact(body).getBytes(StandardCharsets.UTF_8);
        HttpServerResponse response = request.response().setStatusCode(status)
                .putHeader("Content-Type", type)
                .putHeader("Cache-Control", "no-store")
                .putHeader("Content-Length", Integer.toString(bytes.length));
        if (HttpMethod.HEAD.equals(request.method())) {
            response.end();
        } else {
            response.end(Buffer.buffer(bytes));
        }
    }

    @Override
    public void close() {
        if (closed.getAndSet(true)) {
            return;
        }
        try {
            vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        } catch (ExecutionException | TimeoutException e) {
            // stopping anyway: the process is on its way out
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** A JSON string literal. */
    public static String json(String s) {
        if (s == null) {
            return "null";
        }
        StringBuilder b = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                default -> {
                    if (c < 0x20) {
                        b.append(String.format("\\u%04x", (int) c));
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        return b.append('"').toString();
    }
}
