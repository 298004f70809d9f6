package dev.qbridge.server.cli;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;

/**
 * A real HTTP destination that takes {@code perPost} to answer each POST with 204 and records every body it
 * answered, in order (duplicates included): what a migration delivered, exactly.
 */
final class SlowHttpServer implements AutoCloseable {

    private final HttpServer server;
    private final List<String> posted = new ArrayList<>();

    private SlowHttpServer(Duration perPost) throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 16);
        server.setExecutor(Executors.newFixedThreadPool(2));
        server.createContext("/in", exchange -> {
            String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            sleep(perPost);
            synchronized (posted) {
                posted.add(body);
            }
            exchange.sendResponseHeaders(204, -1);
            exchange.close();
        });
        server.start();
    }

    static SlowHttpServer start(Duration perPost) {
        try {
            return new SlowHttpServer(perPost);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/in";
    }

    /** Every body answered so far, in order, duplicates included. */
    List<String> posted() {
        synchronized (posted) {
            return List.copyOf(posted);
        }
    }

    private static void sleep(Duration d) {
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        server.stop(0);
        ((java.util.concurrent.ExecutorService) server.getExecutor()).shutdownNow();
    }
}
