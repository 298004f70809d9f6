package dev.qbridge.camel.bridge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpServer;
import dev.qbridge.camel.RedisqConsumer;
import dev.qbridge.core.consume.ConsumerHealth.Status;
import dev.qbridge.core.queue.DeadLetter;
import dev.qbridge.core.queue.Delivery;
import dev.qbridge.core.queue.RedisQueue;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.camel.CamelContext;
import org.apache.camel.component.platform.http.vertx.VertxPlatformHttpServer;
import org.apache.camel.component.platform.http.vertx.VertxPlatformHttpServerConfiguration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** HTTP and redisq, both ways: a real Vert.x server in front, a real JDK HTTP server behind. */
class HttpBridgeIT extends BridgeTestSupport {

    private final HttpClient client = HttpClient.newHttpClient();
    private int port;
    private HttpServer peer;

    @Override
    void configure(CamelContext context) throws Exception {
        port = freePort();
        VertxPlatformHttpServerConfiguration config = new VertxPlatformHttpServerConfiguration();
        config.setBindHost("127.0.0.1");
        config.setBindPort(port);
        context.addService(new VertxPlatformHttpServer(config));
    }

    @AfterEach
    void stopPeer() {
        if (peer != null) {
            peer.stop(0);
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    private HttpResponse<String> post(String path, String body) throws Exception {
        return client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    @ParameterizedTest
    @EnumSource(Dsl.class)
    void postIsAnswered2xxOnlyOnceItsJobIsInRedis(Dsl dsl) throws Exception {
        start(dsl);
        addRoute("http-to-redisq", Map.of("path", "/jobs", "sink", redisq("inbox", "")));

        HttpResponse<String> response = post("/jobs", "{\"order\":42}");

        assertThat(response.statusCode()).isEqualTo(202);
        assertThat(response.body()).isEqualTo("{\"queue\":\"inbox\",\"pushed\":1}");
        // no waiting: the answer came after the push
        assertThat(queue("inbox").take(10)).extracting(Delivery::payloadAsString).containsExactly("{\"order\":42}");
    }

    @Test
    void jobsWaitInRedisWhileTheHttpDestinationIsDownAndEveryOneArrivesAfterWithoutAnAttemptCounted() throws Exception {
        AtomicInteger status = new AtomicInteger(503);
        Set<String> triedWhileDown = ConcurrentHashMap.newKeySet();
        Map<String, String> attempts = new ConcurrentHashMap<>();
        peer = sink(0, status, triedWhileDown, attempts);
        int sinkPort = peer.getAddress().getPort();
        start(Dsl.JAVA);
        RedisQueue outbox = queue("outbox");
        List<String> payloads = jobs("job", 30);
        outbox.push(bytes(payloads));
        // maxAttempts=2: an outage counted as the jobs' failures would dead-letter them on the second round
        addRoute("redisq-to-http", Map.of(
                "source", redisq("outbox", "batchSize=5&maxAttempts=2&initialBackoff=50&backoffJitter=0"),
                "url", "http://127.0.0.1:" + sinkPort + "/sink", "httpTimeout", "2000"));
        RedisqConsumer consumer = (RedisqConsumer) context.getRoute("redisq-to-http").getConsumer();

        // the sink answers 503
        await().atMost(Duration.ofSeconds(30)).until(() -> consumer.health().status() == Status.DESTINATION_UNAVAILABLE);
        assertThat(consumer.health().problem()).hasValueSatisfying(p -> assertThat(p).contains("HTTP 503"));

        // the sink is gone: connections are refused
        peer.stop(0);
        await().atMost(Duration.ofSeconds(30)).until(() -> consumer.health().problem().orElse("").contains("refused"));
        assertThat(consumer.health().status()).isEqualTo(Status.DESTINATION_UNAVAILABLE);
        assertThat(outbox.counts().dead()).as("no dead letters because the sink was down").isZero();
        assertThat(outbox.counts().pending()).as("every job still in Redis: " + outbox.counts()).isEqualTo(30);
        assertThat(triedWhileDown).as("nothing new taken while it was down: one batch").hasSizeLessThanOrEqualTo(5);

        // the sink is back on its port
        status.set(200);
        peer = sink(sinkPort, status, triedWhileDown, attempts);

        await().atMost(WAIT).until(() -> attempts.size() == 30 && outbox.counts().total() == 0);
        assertThat(attempts.keySet()).containsExactlyInAnyOrderElementsOf(payloads);
        assertThat(attempts.values()).as("every job arrives on its first attempt").containsOnly("1");
        assertThat(outbox.counts().dead()).isZero();
        await().atMost(WAIT).until(() -> consumer.health().isRunning());
    }

    /** A sink answering {@code status}: what it accepts goes to {@code accepted} (body to attempt header). */
    private static HttpServer sink(int port, AtomicInteger status, Set<String> refused, Map<String, String> accepted)
            throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 0);
        server.createContext("/sink", exchange -> {
            String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            int answer = status.get();
            if (answer == 200) {
                accepted.put(body, exchange.getRequestHeaders().getFirst("X-Qbridge-Attempt"));
            } else {
                refused.add(body);
            }
            exchange.sendResponseHeaders(answer, -1);
            exchange.close();
        });
        server.start();
        return server;
    }

    /** What clients send: curl's default form type, text, bytes, no type at all, and a multipart upload. */
    private static final List<Map.Entry<String, byte[]>> BODIES = List.of(
            Map.entry("application/x-www-form-urlencoded", "{\"a\":1}".getBytes(StandardCharsets.UTF_8)),
            Map.entry("application/x-www-form-urlencoded; charset=UTF-8", "a=1&b=2&b=3".getBytes(StandardCharsets.UTF_8)),
            Map.entry("text/plain", "plain text, not JSON".getBytes(StandardCharsets.UTF_8)),
            Map.entry("application/octet-stream", new byte[] {(byte) 0xff, (byte) 0xfe, 0, 1, 2}),
            Map.entry("", "{\"no\":\"content type\"}".getBytes(StandardCharsets.UTF_8)),
            Map.entry("multipart/form-data; boundary=XyZ", ("--XyZ\r\nContent-Disposition: form-data; name=\"job\"\r\n\r\n"
                    + "{\"a\":1}\r\n--XyZ--\r\n").getBytes(StandardCharsets.UTF_8)));

    @ParameterizedTest
    @EnumSource(Dsl.class)
    void everyBodyBecomesTheJobByteForByteWhateverItsContentType(Dsl dsl) throws Exception {
        start(dsl);
        addRoute("http-to-redisq", Map.of("path", "/jobs", "sink", redisq("inbox", "")));
        RedisQueue inbox = queue("inbox");

        for (Map.Entry<String, byte[]> body : BODIES) {
            HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/jobs"))
                    .POST(HttpRequest.BodyPublishers.ofByteArray(body.getValue()));
            if (!body.getKey().isEmpty()) {
                request.header("Content-Type", body.getKey());
            }
            HttpResponse<String> response = client.send(request.build(), HttpResponse.BodyHandlers.ofString());

            assertThat(response.statusCode()).as(body.getKey() + ": " + response.body()).isEqualTo(202);
            List<Delivery> taken = inbox.take(10);
            assertThat(taken).as(body.getKey()).hasSize(1);
            assertThat(taken.get(0).payload()).as(body.getKey()).isEqualTo(body.getValue());
            inbox.ack(taken);
        }
    }

    @ParameterizedTest
    @EnumSource(Dsl.class)
    void postIsAnsweredWithAServerErrorWhenThePushFails(Dsl dsl) throws Exception {
        start(dsl);
        redis.client().set("inbox", "a string, not a queue");
        addRoute("http-to-redisq", Map.of("path", "/jobs", "sink", redisq("inbox", "")));

        HttpResponse<String> response = post("/jobs", "lost?");

        assertThat(response.statusCode()).isEqualTo(500);
        assertThat(redis.client().get("inbox")).isEqualTo("a string, not a queue");
    }

    @ParameterizedTest
    @EnumSource(Dsl.class)
    void jobsArePostedAndAckedOn2xxRetriedOn5xxAndTimeoutsDeadLetteredOn4xx(Dsl dsl) throws Exception {
        Map<String, AtomicInteger> calls = new ConcurrentHashMap<>();
        Map<String, String> acceptedAttempt = new ConcurrentHashMap<>();
        Set<String> accepted = ConcurrentHashMap.newKeySet();
        Set<String> jobIds = ConcurrentHashMap.newKeySet();
        peer = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        peer.createContext("/sink", exchange -> {
            String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            int call = calls.computeIfAbsent(body, b -> new AtomicInteger()).incrementAndGet();
            jobIds.add(exchange.getRequestHeaders().getFirst("X-Qbridge-Job-Id"));
            int status = 200;
            if (body.startsWith("bad")) {
                status = 400;
            } else if (body.startsWith("flaky") && call == 1) {
                status = 503;
            } else if (body.startsWith("slow") && call == 1) {
                try {
                    Thread.sleep(3000); // far past the bridge's timeout
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            if (status == 200) {
                accepted.add(body);
                acceptedAttempt.put(body, exchange.getRequestHeaders().getFirst("X-Qbridge-Attempt"));
            }
            exchange.sendResponseHeaders(status, -1);
            exchange.close();
        });
        peer.setExecutor(java.util.concurrent.Executors.newFixedThreadPool(4));
        peer.start();
        start(dsl);
        RedisQueue outbox = queue("outbox");
        List<String> good = jobs("good", 10);
        outbox.push(bytes(good));
        outbox.push(bytes(List.of("flaky", "slow", "bad")));

        addRoute("redisq-to-http", Map.of(
                "source", redisq("outbox", "initialBackoff=50&maxAttempts=5&backoffJitter=0"),
                "url", "http://127.0.0.1:" + peer.getAddress().getPort() + "/sink",
                "httpTimeout", "500"));

        await().atMost(WAIT).until(() -> outbox.counts().pending() == 0 && outbox.counts().dead() == 1);
        assertThat(accepted).containsAll(good).contains("flaky", "slow").doesNotContain("bad");
        assertThat(calls.get("flaky").get()).as("a 503 is retried").isGreaterThanOrEqualTo(2);
        assertThat(acceptedAttempt.get("flaky")).as("a 503 is the destination's outage, not the job's attempt").isEqualTo("1");
        assertThat(calls.get("slow").get()).as("a timeout is retried").isGreaterThanOrEqualTo(2);
        assertThat(acceptedAttempt.get("slow")).as("a read timeout counts: the job may be what the sink cannot answer")
                .isEqualTo("2");
        DeadLetter dead = outbox.deadLetters(1).get(0);
        assertThat(dead.attempts()).as("the delivery answered 400 is the last one").isEqualTo(calls.get("bad").get());
        assertThat(dead.payloadAsString()).isEqualTo("bad");
        assertThat(dead.reason()).contains("HTTP 400");
        assertThat(jobIds).doesNotContainNull().hasSize(13);
    }
}
