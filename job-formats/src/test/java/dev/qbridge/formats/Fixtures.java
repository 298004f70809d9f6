package dev.qbridge.formats;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;

/**
 * Jobs as the real clients wrote them, captured once from a test redis-server (testkit's client and worker
 * scripts): {@code sidekiq/} by Sidekiq 6.4.1 (Debian ruby-sidekiq, Ruby 3.1), {@code celery/} by Celery 5.2.6
 * with kombu 5.2.4 (Debian python3-celery, Python 3.11). A {@code .score} file holds the sorted-set score the job
 * was kept under. {@code celery/retried.json} is a task that called {@code self.retry(countdown=3600)}, as the
 * worker put it back into the list when it stopped while holding it (hence {@code redelivered}).
 */
final class Fixtures {

    private Fixtures() {
    }

    static byte[] bytes(String name) {
        try (InputStream in = Fixtures.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("test resource " + name + " is missing");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String text(String name) {
        return new String(bytes(name), StandardCharsets.UTF_8).trim();
    }

    static Instant score(String name) {
        return JobExtensions.instantOfScore(Double.parseDouble(text(name)));
    }

    static ObjectNode tree(byte[] json) {
        return (ObjectNode) Json.tree(json, "test JSON");
    }

    static JsonNode tree(String json) {
        return Json.tree(json.getBytes(StandardCharsets.UTF_8), "test JSON");
    }

    static String string(byte[] bytes) {
        return new String(bytes, StandardCharsets.UTF_8);
    }
}
