package dev.qbridge.server.metrics;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.qbridge.core.Secrets;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executors;
import java.util.function.Supplier;

/**
 * The server's HTTP endpoint, on the JDK's own HTTP server (nothing to configure, nothing to shade):
 * <ul>
 *   <li>{@code GET /health}: 200 with {@code {"status":"UP",...}} while the server runs and no connector file is bad;
 *       {@code "DEGRADED"} (still 200) when some file is bad; 503 {@code DOWN} while stopping;</li>
 *   <li>{@code GET /connectors}: every connector with its status, and every bad file with key and reason (JSON);</li>
 *   <li>{@code GET /metrics}: Micrometer's Prometheus scrape ({@link ServerMetrics}).</li>
 * </ul>
 */
public final class StatusServer implements AutoCloseable {

    /** A JSON document and the HTTP status to answer it with. */
    public record Page(int status, String json) {
    }

    private final HttpServer server;

    public StatusServer(String host, int port, Supplier<Page> health, Supplier<String> connectors, ServerMetrics metrics)
            throws IOException {
        server = HttpServer.create(new InetSocketAddress(host, port), 16);
        server.setExecutor(Executors.newFixedThreadPool(2, r -> {
            Thread t = new Thread(r, "qbridge-http");
            t.setDaemon(true);
            return t;
        }));
        server.createContext("/health", ex -> {
            Page page = health.get();
            respond(ex, page.status(), "application/json", page.json());
        });
        server.createContext("/connectors", ex -> respond(ex, 200, "application/json", connectors.get()));
        server.createContext("/metrics", ex -> respond(ex, 200, "text/plain; version=0.0.4; charset=utf-8", metrics.scrape()));
        server.createContext("/", ex -> respond(ex, 404, "text/plain", "qbridge: try /health, /connectors or /metrics\n"));
    }

    public void start() {
        server.start();
    }

    /** The bound port (useful with port 0). */
    public int port() {
        return server.getAddress().getPort();
    }

    private static void respond(HttpExchange exchange, int status, String type, String body) throws IOException {
        // masked where the text leaves the process: a reason quoting a URI never shows its password
        byte[] bytes = Secrets.redact(body).getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", type);
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    @Override
    public void close() {
        server.stop(0);
        ((java.util.concurrent.ExecutorService) server.getExecutor()).shutdownNow();
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
