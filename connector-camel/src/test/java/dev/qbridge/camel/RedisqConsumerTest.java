package dev.qbridge.camel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.qbridge.core.queue.DeadLetter;
import dev.qbridge.core.queue.QueueConfig;
import dev.qbridge.core.queue.QueueCounts;
import dev.qbridge.core.queue.RedisQueue;
import dev.qbridge.core.consume.ConsumerHealth;
import java.net.ConnectException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.apache.camel.builder.RouteBuilder;
import org.junit.jupiter.api.Test;

/** The consumer's guarantees: acks after the exchange, nacks on failure, drains on stop, renews leases. */
class RedisqConsumerTest extends RedisqRouteTestSupport {

    private String uri(String queue, String options) {
        return "redisq:" + queue + "?redisUri=" + redis.uri() + "&pollTimeout=200&backoffJitter=0"
                + (options.contains("initialBackoff") ? "" : "&initialBackoff=0") + (options.isEmpty() ? "" : "&" + options);
    }

    private static List<byte[]> payloads(int n) {
        return IntStream.range(0, n).mapToObj(i -> ("job-" + i).getBytes(StandardCharsets.UTF_8)).toList();
    }

    private void addRoutes(RouteBuilder builder) throws Exception {
        context.addRoutes(builder);
    }

    @Test
    void jobIsAckedOnlyWhenItsExchangeCompletes() throws Exception {
        RedisQueue jobs = queue("jobs");
        jobs.push("one".getBytes(StandardCharsets.UTF_8));
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        addRoutes(new RouteBuilder() {
            @Override
            public void configure() {
                from(uri("jobs", "")).process(e -> {
                    entered.countDown();
                    release.await(30, TimeUnit.SECONDS);
                });
            }
        });

        assertThat(entered.await(30, TimeUnit.SECONDS)).isTrue();
        assertThat(jobs.counts().inFlight()).as("leased while the exchange runs").isEqualTo(1);
        release.countDown();

        await().atMost(WAIT).until(() -> jobs.counts().total() == 0);
    }

    @Test
    void exchangeCarriesThePayloadAndJobHeaders() throws Exception {
        queue("jobs").push("hello".getBytes(StandardCharsets.UTF_8));
        List<String> seen = Collections.synchronizedList(new ArrayList<>());
        addRoutes(new RouteBuilder() {
            @Override
            public void configure() {
                from(uri("jobs", "")).process(e -> seen.add(e.getIn().getBody(String.class) + " "
                        + e.getIn().getHeader(RedisqConstants.QUEUE) + " " + e.getIn().getHeader(RedisqConstants.JOB_ID)
                        + " " + e.getIn().getHeader(RedisqConstants.ATTEMPT)));
            }
        });

        await().atMost(WAIT).until(() -> seen.size() == 1);
        assertThat(seen.get(0)).matches("hello jobs \\d+ 1");
    }

    @Test
    void failedExchangeIsRetriedWithBackoffThenDeadLettered() throws Exception {
        RedisQueue jobs = queue("jobs");
        jobs.push("doomed".getBytes(StandardCharsets.UTF_8));
        List<Integer> attempts = Collections.synchronizedList(new ArrayList<>());
        addRoutes(new RouteBuilder() {
            @Override
            public void configure() {
                from(uri("jobs", "maxAttempts=3&initialBackoff=20")).process(e -> {
                    attempts.add(e.getIn().getHeader(RedisqConstants.ATTEMPT, Integer.class));
                    throw new IllegalStateException("sink is broken");
                });
            }
        });

        await().atMost(WAIT).until(() -> jobs.counts().dead() == 1);
        assertThat(attempts).containsExactly(1, 2, 3);
        DeadLetter dead = jobs.deadLetters(1).get(0);
        assertThat(dead.attempts()).isEqualTo(3);
        assertThat(dead.reason()).contains("IllegalStateException: sink is broken");
        assertThat(dead.payloadAsString()).isEqualTo("doomed");
        assertThat(jobs.counts().pending()).isZero();
    }

    @Test
    void nonRetriableFailureIsDeadLetteredAtOnce() throws Exception {
        RedisQueue jobs = queue("jobs");
        jobs.push("bad".getBytes(StandardCharsets.UTF_8));
        AtomicInteger calls = new AtomicInteger();
        addRoutes(new RouteBuilder() {
            @Override
            public void configure() {
                from(uri("jobs", "maxAttempts=5")).process(e -> {
                    calls.incrementAndGet();
                    throw new NonRetriableJobException("payload rejected by the sink");
                });
            }
        });

        await().atMost(WAIT).until(() -> jobs.counts().dead() == 1);
        assertThat(calls).hasValue(1);
        assertThat(jobs.deadLetters(1).get(0).reason()).contains("payload rejected by the sink");
    }

    @Test
    void deadLetterPropertyOnTheExchangeDeadLettersAtOnce() throws Exception {
        RedisQueue jobs = queue("jobs");
        jobs.push("bad".getBytes(StandardCharsets.UTF_8));
        addRoutes(new RouteBuilder() {
            @Override
            public void configure() {
                from(uri("jobs", "maxAttempts=5"))
                        .setProperty(RedisqConstants.DEAD_LETTER, constant(true))
                        .throwException(new IllegalArgumentException("HTTP 400"));
            }
        });

        await().atMost(WAIT).until(() -> jobs.counts().dead() == 1);
        assertThat(jobs.deadLetters(1).get(0).attempts()).isEqualTo(1);
    }

    @Test
    void deadLetterQueueReceivesThePayloadsOfJobsOutOfAttempts() throws Exception {
        RedisQueue jobs = queue("jobs");
        RedisQueue parked = queue("jobs-parked");
        jobs.push("doomed".getBytes(StandardCharsets.UTF_8));
        addRoutes(new RouteBuilder() {
            @Override
            public void configure() {
                from(uri("jobs", "maxAttempts=2&deadLetterQueue=jobs-parked"))
                        .throwException(new IllegalStateException("down"));
            }
        });

        await().atMost(WAIT).until(() -> parked.counts().ready() == 1);
        assertThat(jobs.counts().total()).isZero();
        assertThat(parked.take(1).get(0).payloadAsString()).isEqualTo("doomed");
    }

    @Test
    void errorHandledByTheRouteAcksTheJob() throws Exception {
        RedisQueue jobs = queue("jobs");
        jobs.push("handled".getBytes(StandardCharsets.UTF_8));
        AtomicInteger handled = new AtomicInteger();
        addRoutes(new RouteBuilder() {
            @Override
            public void configure() {
                onException(IllegalStateException.class).handled(true).process(e -> handled.incrementAndGet());
                from(uri("jobs", "")).throwException(new IllegalStateException("boom"));
            }
        });

        await().atMost(WAIT).until(() -> handled.get() == 1 && jobs.counts().total() == 0);
        assertThat(jobs.counts().dead()).isZero();
    }

    @Test
    void camelRedeliveriesRunBeforeTheJobIsNacked() throws Exception {
        RedisQueue jobs = queue("jobs");
        jobs.push("flaky".getBytes(StandardCharsets.UTF_8));
        AtomicInteger calls = new AtomicInteger();
        addRoutes(new RouteBuilder() {
            @Override
            public void configure() {
                errorHandler(defaultErrorHandler().maximumRedeliveries(2).redeliveryDelay(0));
                from(uri("jobs", "maxAttempts=1")).process(e -> {
                    calls.incrementAndGet();
                    throw new IllegalStateException("flaky sink");
                });
            }
        });

        await().atMost(WAIT).until(() -> jobs.counts().dead() == 1);
        assertThat(calls).as("one delivery, tried three times in the JVM").hasValue(3);
    }

    @Test
    void acksOfABatchAreFlushedInOneRoundTrip() throws Exception {
        RedisQueue jobs = queue("jobs");
        jobs.push(payloads(100));
        long zremBefore = zremCalls();
        AtomicInteger done = new AtomicInteger();
        addRoutes(new RouteBuilder() {
            @Override
            public void configure() {
                from(uri("jobs", "batchSize=100")).process(e -> done.incrementAndGet());
            }
        });

        await().atMost(WAIT).until(() -> done.get() == 100 && jobs.counts().total() == 0);
        assertThat(zremCalls() - zremBefore).isEqualTo(1);
    }

    private long zremCalls() {
        String stats = redis.client().info("commandstats");
        for (String line : stats.split("\r?\n")) {
            if (line.startsWith("cmdstat_zrem:")) {
                return Long.parseLong(line.replaceAll("^cmdstat_zrem:calls=(\\d+),.*", "$1"));
            }
        }
        return 0;
    }

    @Test
    void gracefulStopDrainsInFlightExchangesAndStrandsNothing() throws Exception {
        RedisQueue jobs = queue("jobs");
        List<String> all = IntStream.range(0, 200).mapToObj(i -> "job-" + i).toList();
        jobs.push(all.stream().map(p -> p.getBytes(StandardCharsets.UTF_8)).toList());
        List<String> processed = Collections.synchronizedList(new ArrayList<>());
        CountDownLatch started = new CountDownLatch(5);
        addRoutes(new RouteBuilder() {
            @Override
            public void configure() {
                from(uri("jobs", "batchSize=20&concurrentConsumers=2")).routeId("slow").process(e -> {
                    started.countDown();
                    Thread.sleep(10); // a slow sink, so the stop finds jobs in flight
                    processed.add(e.getIn().getBody(String.class));
                });
            }
        });
        assertThat(started.await(30, TimeUnit.SECONDS)).isTrue();
        Set<String> inFlightAtStop = leasedPayloads("jobs");
        assertThat(inFlightAtStop).as("the stop finds jobs in flight").isNotEmpty();

        context.getRouteController().stopRoute("slow", 60, TimeUnit.SECONDS);

        QueueCounts counts = jobs.counts();
        assertThat(counts.inFlight()).as("no job left leased").isZero();
        assertThat(counts.retrying()).isZero();
        assertThat(processed).as("no job processed twice").doesNotHaveDuplicates();
        assertThat(processed).as("the jobs in flight at the stop were finished, not given back").containsAll(inFlightAtStop);
        List<String> waiting = redis.client().lrange("jobs", 0, -1);
        assertThat(waiting).as("the stop came before the end").isNotEmpty().doesNotHaveDuplicates()
                .doesNotContainAnyElementsOf(processed);
        List<String> everyJob = new ArrayList<>(processed);
        everyJob.addAll(waiting);
        assertThat(everyJob).as("every job exactly once: done or still waiting").containsExactlyInAnyOrderElementsOf(all);
    }

    /** The payloads of the jobs leased now: lease members are {@code <id>:<attempt>:<score>:<payload>}. */
    private static Set<String> leasedPayloads(String queue) {
        Set<String> payloads = new java.util.HashSet<>();
        for (String member : redis.client().zrange(queue + ":leases", 0, -1)) {
            payloads.add(member.split(":", 4)[3]);
        }
        return payloads;
    }

    @Test
    void destinationOutageKeepsTheJobsInHandTakesNothingNewAndCountsNoAttempt() throws Exception {
        RedisQueue jobs = queue("jobs");
        jobs.push(payloads(30));
        AtomicBoolean down = new AtomicBoolean(true);
        Set<String> triedWhileDown = ConcurrentHashMap.newKeySet();
        List<String> delivered = Collections.synchronizedList(new ArrayList<>());
        List<Integer> attempts = Collections.synchronizedList(new ArrayList<>());
        addRoutes(new RouteBuilder() {
            @Override
            public void configure() {
                // maxAttempts=1: a failure counted as the job's would dead-letter it at once
                from(uri("jobs", "batchSize=5&concurrentConsumers=2&maxAttempts=1")).routeId("outage").process(e -> {
                    String body = e.getIn().getBody(String.class);
                    if (down.get()) {
                        triedWhileDown.add(body);
                        throw new ConnectException("Connection refused");
                    }
                    delivered.add(body);
                    attempts.add(e.getIn().getHeader(RedisqConstants.ATTEMPT, Integer.class));
                });
            }
        });
        RedisqConsumer consumer = (RedisqConsumer) context.getRoute("outage").getConsumer();

        await().atMost(WAIT).until(() -> consumer.health().status() == ConsumerHealth.Status.DESTINATION_UNAVAILABLE);
        assertThat(consumer.health().problem()).hasValueSatisfying(p -> assertThat(p).contains("Connection refused"));
        Thread.sleep(2500); // a few more rounds of the outage
        assertThat(jobs.counts().dead()).as("no dead letters because the destination was down").isZero();
        assertThat(triedWhileDown).as("nothing new taken: at most the two batches in hand").hasSizeLessThanOrEqualTo(10);
        assertThat(jobs.counts().ready()).isGreaterThanOrEqualTo(20);

        down.set(false);

        await().atMost(WAIT).until(() -> delivered.size() == 30 && jobs.counts().total() == 0);
        assertThat(Set.copyOf(delivered)).hasSize(30);
        assertThat(attempts).as("every job arrives on its first attempt").containsOnly(1);
        assertThat(jobs.counts().dead()).isZero();
        await().atMost(WAIT).until(() -> consumer.health().isRunning());
    }

    @Test
    void stopDuringADestinationOutageGivesTheJobsInHandBackAtOnce() throws Exception {
        RedisQueue jobs = queue("jobs");
        jobs.push(payloads(10));
        addRoutes(new RouteBuilder() {
            @Override
            public void configure() {
                from(uri("jobs", "batchSize=5")).routeId("down").process(e -> {
                    throw new DestinationUnavailableException("the sink is in maintenance");
                });
            }
        });
        RedisqConsumer consumer = (RedisqConsumer) context.getRoute("down").getConsumer();
        await().atMost(WAIT).until(() -> consumer.health().status() == ConsumerHealth.Status.DESTINATION_UNAVAILABLE);
        assertThat(jobs.counts().inFlight()).as("the batch stays in hand").isEqualTo(5);

        long start = System.nanoTime();
        context.getRouteController().stopRoute("down", 30, TimeUnit.SECONDS);

        assertThat(Duration.ofNanos(System.nanoTime() - start)).as("the stop does not wait for the destination")
                .isLessThan(Duration.ofSeconds(10));
        QueueCounts counts = jobs.counts();
        assertThat(counts.inFlight()).as("no job left leased").isZero();
        assertThat(counts.pending()).as("every job back, due at once").isEqualTo(10);
        assertThat(counts.dead()).isZero();
        assertThat(Set.copyOf(jobs.take(100)).stream().map(d -> d.payloadAsString()).toList()).hasSize(10);
    }

    @Test
    void leaseOfASlowExchangeIsRenewedSoItIsNotDeliveredTwice() throws Exception {
        RedisQueue jobs = queue("jobs");
        jobs.push("slow".getBytes(StandardCharsets.UTF_8));
        List<Integer> attempts = Collections.synchronizedList(new ArrayList<>());
        addRoutes(new RouteBuilder() {
            @Override
            public void configure() {
                from(uri("jobs", "visibilityTimeout=1000&reapInterval=100")).process(e -> {
                    attempts.add(e.getIn().getHeader(RedisqConstants.ATTEMPT, Integer.class));
                    Thread.sleep(3000); // three leases long
                });
            }
        });

        await().atMost(WAIT).until(() -> jobs.counts().total() == 0);
        assertThat(attempts).containsExactly(1);
    }

    @Test
    void concurrentConsumersProcessJobsInParallel() throws Exception {
        queue("jobs").push(payloads(2));
        CyclicBarrier bothInside = new CyclicBarrier(2);
        AtomicInteger met = new AtomicInteger();
        addRoutes(new RouteBuilder() {
            @Override
            public void configure() {
                from(uri("jobs", "batchSize=1&concurrentConsumers=2")).process(e -> {
                    bothInside.await(30, TimeUnit.SECONDS); // only passes when two exchanges run at once
                    met.incrementAndGet();
                });
            }
        });

        await().atMost(WAIT).until(() -> met.get() == 2);
    }

    @Test
    void jobOfAConsumerThatDiedIsReapedAndDeliveredAgain() throws Exception {
        RedisQueue jobs = new RedisQueue(connection, QueueConfig.builder("jobs").leaseTimeout(Duration.ofMillis(200)).build());
        jobs.push("orphan".getBytes(StandardCharsets.UTF_8));
        assertThat(jobs.take(1)).hasSize(1); // a consumer took it and died
        List<Integer> attempts = Collections.synchronizedList(new ArrayList<>());
        addRoutes(new RouteBuilder() {
            @Override
            public void configure() {
                from(uri("jobs", "reapInterval=100")).process(e ->
                        attempts.add(e.getIn().getHeader(RedisqConstants.ATTEMPT, Integer.class)));
            }
        });

        await().atMost(WAIT).until(() -> attempts.size() == 1 && jobs.counts().total() == 0);
        assertThat(attempts).containsExactly(2);
    }

    @Test
    void payloadBreakingTheJsonFormatIsDeadLetteredWithoutReachingTheRoute() throws Exception {
        RedisQueue jobs = queue("jobs");
        jobs.push(List.of("{\"ok\":1}".getBytes(StandardCharsets.UTF_8), "{broken".getBytes(StandardCharsets.UTF_8)));
        List<String> seen = Collections.synchronizedList(new ArrayList<>());
        addRoutes(new RouteBuilder() {
            @Override
            public void configure() {
                from(uri("jobs", "format=json")).process(e -> seen.add(e.getIn().getBody(String.class)));
            }
        });

        await().atMost(WAIT).until(() -> jobs.counts().dead() == 1 && jobs.counts().pending() == 0);
        assertThat(seen).containsExactly("{\"ok\":1}");
    }
}
