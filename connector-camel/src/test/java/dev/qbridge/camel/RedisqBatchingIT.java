package dev.qbridge.camel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.qbridge.core.queue.RedisQueue;
import java.net.ConnectException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.apache.camel.builder.RouteBuilder;
import org.junit.jupiter.api.Test;

/** batching=true: one exchange carries the whole batch taken, and the batch is settled together when it is done. */
class RedisqBatchingIT extends RedisqRouteTestSupport {

    private String uri(String queue, String options) {
        return "redisq:" + queue + "?redisUri=" + redis.uri() + "&pollTimeout=200&backoffJitter=0&initialBackoff=0"
                + "&batching=true&" + options;
    }

    private static List<byte[]> payloads(int n) {
        return IntStream.range(0, n).mapToObj(i -> ("job-" + i).getBytes(StandardCharsets.UTF_8)).toList();
    }

    @Test
    void oneExchangeCarriesTheBatchAndItIsAckedOnlyWhenTheExchangeCompletes() throws Exception {
        RedisQueue jobs = queue("jobs");
        List<byte[]> pushed = new ArrayList<>(payloads(9));
        pushed.add(new byte[] {(byte) 0xff, 0, (byte) 0xc3}); // not UTF-8: payloads reach the route as bytes
        jobs.push(pushed);
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        List<List<Object>> bodies = Collections.synchronizedList(new ArrayList<>());
        List<List<Object>> ids = Collections.synchronizedList(new ArrayList<>());
        List<List<Object>> attempts = Collections.synchronizedList(new ArrayList<>());
        context.addRoutes(new RouteBuilder() {
            @Override
            public void configure() {
                from(uri("jobs", "batchSize=10")).process(e -> {
                    bodies.add(new ArrayList<Object>(e.getIn().getBody(List.class)));
                    ids.add(new ArrayList<Object>(e.getIn().getHeader(RedisqConstants.JOB_IDS, List.class)));
                    attempts.add(new ArrayList<Object>(e.getIn().getHeader(RedisqConstants.ATTEMPTS, List.class)));
                    entered.countDown();
                    release.await(30, TimeUnit.SECONDS);
                });
            }
        });

        assertThat(entered.await(30, TimeUnit.SECONDS)).isTrue();
        assertThat(jobs.counts().inFlight()).as("the whole batch is leased while its exchange runs").isEqualTo(10);
        release.countDown();
        await().atMost(WAIT).until(() -> jobs.counts().total() == 0);

        assertThat(bodies).hasSize(1);
        assertThat(bodies.get(0)).allSatisfy(p -> assertThat(p).isInstanceOf(byte[].class));
        assertThat(bodies.get(0)).usingElementComparator((a, b) -> java.util.Arrays.equals((byte[]) a, (byte[]) b) ? 0 : 1)
                .containsExactlyInAnyOrderElementsOf(new ArrayList<Object>(pushed));
        assertThat(ids.get(0)).hasSize(10).doesNotHaveDuplicates();
        assertThat(attempts.get(0)).hasSize(10).containsOnly(1);
    }

    @Test
    void failedBatchExchangeNacksEveryJobOfTheBatchAndItIsRetriedTogether() throws Exception {
        RedisQueue jobs = queue("jobs");
        jobs.push(payloads(5));
        AtomicInteger exchanges = new AtomicInteger();
        List<List<Object>> attempts = Collections.synchronizedList(new ArrayList<>());
        context.addRoutes(new RouteBuilder() {
            @Override
            public void configure() {
                from(uri("jobs", "batchSize=5&maxAttempts=3")).process(e -> {
                    attempts.add(new ArrayList<Object>(e.getIn().getHeader(RedisqConstants.ATTEMPTS, List.class)));
                    if (exchanges.incrementAndGet() == 1) {
                        throw new IllegalStateException("the sink failed");
                    }
                });
            }
        });

        await().atMost(WAIT).until(() -> jobs.counts().total() == 0);
        List<Object> second = attempts.stream().skip(1).flatMap(List::stream).map(Object.class::cast).toList();
        assertThat(attempts.get(0)).containsOnly(1);
        assertThat(second).as("every job of the failed batch came back, as its second attempt").hasSize(5).containsOnly(2);
        assertThat(jobs.counts().dead()).isZero();
    }

    @Test
    void nonRetriableFailureDeadLettersTheWholeBatch() throws Exception {
        RedisQueue jobs = queue("jobs");
        jobs.push(payloads(4));
        context.addRoutes(new RouteBuilder() {
            @Override
            public void configure() {
                from(uri("jobs", "batchSize=4&maxAttempts=5")).throwException(new NonRetriableJobException("rejected"));
            }
        });

        await().atMost(WAIT).until(() -> jobs.counts().dead() == 4);
        assertThat(jobs.deadLetters(4)).allSatisfy(d -> assertThat(d.reason()).contains("rejected"));
    }

    @Test
    void destinationOutageHoldsTheBatchAndCountsNoAttempt() throws Exception {
        RedisQueue jobs = queue("jobs");
        jobs.push(payloads(6));
        AtomicBoolean down = new AtomicBoolean(true);
        List<Object> delivered = Collections.synchronizedList(new ArrayList<>());
        List<Object> attempts = Collections.synchronizedList(new ArrayList<>());
        context.addRoutes(new RouteBuilder() {
            @Override
            public void configure() {
                // maxAttempts=1: a failure counted as the jobs' would dead-letter them at once
                from(uri("jobs", "batchSize=6&maxAttempts=1")).routeId("outage").process(e -> {
                    if (down.get()) {
                        throw new ConnectException("Connection refused");
                    }
                    delivered.addAll(e.getIn().getBody(List.class));
                    attempts.addAll(e.getIn().getHeader(RedisqConstants.ATTEMPTS, List.class));
                });
            }
        });
        RedisqConsumer consumer = (RedisqConsumer) context.getRoute("outage").getConsumer();

        await().atMost(WAIT).until(() -> consumer.health().status() == dev.qbridge.core.consume.ConsumerHealth.Status.DESTINATION_UNAVAILABLE);
        assertThat(jobs.counts().inFlight()).as("held in hand").isEqualTo(6);
        down.set(false);

        await().atMost(WAIT).until(() -> delivered.size() == 6 && jobs.counts().total() == 0);
        assertThat(attempts).as("the outage counted no attempt").containsOnly(1);
        assertThat(jobs.counts().dead()).isZero();
    }
}
