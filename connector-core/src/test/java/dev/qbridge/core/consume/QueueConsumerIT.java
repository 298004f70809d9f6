package dev.qbridge.core.consume;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.qbridge.core.RedisFixture;
import dev.qbridge.core.consume.ConsumerHealth.Status;
import dev.qbridge.core.queue.Delivery;
import dev.qbridge.core.queue.QueueConfig;
import dev.qbridge.core.queue.RedisQueue;
import dev.qbridge.core.redis.RedisConnection;
import dev.qbridge.core.retry.RetryPolicy;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.slf4j.LoggerFactory;

/** The one lease lifecycle every driver uses: what it promises while Redis, the queue or the destination misbehave. */
class QueueConsumerIT {

    @RegisterExtension
    static RedisFixture redis = RedisFixture.withAof();

    private static RedisQueue queue(QueueConfig.Builder config) {
        return new RedisQueue(redis.connection(), config.build());
    }

    private static List<String> payloads(List<Delivery> deliveries) {
        return deliveries.stream().map(Delivery::payloadAsString).toList();
    }

    @Test
    void aCompanionKeyOfTheWrongTypeSidelinesTheQueueNamesTheKeyAndLosesNothing() {
        redis.client().set("L2:seq", "not-a-number");
        redis.client().lpush("L2", "k1", "k2");
        try (QueueConsumer consumer = QueueConsumer.start(queue(QueueConfig.builder("L2")), ConsumerSettings.of("test"))) {
            assertThat(consumer.take(10, Duration.ofMillis(200))).isEmpty();
            assertThat(consumer.health().status()).isEqualTo(Status.QUEUE_BROKEN);
            assertThat(consumer.health().problem()).hasValueSatisfying(p -> assertThat(p).contains("L2:seq holds a string"));
            assertThat(redis.client().lrange("L2", 0, -1)).as("every job is still ready").containsExactly("k2", "k1");

            redis.client().del("L2:seq");
            List<Delivery> taken = consumer.take(10, Duration.ofSeconds(5));
            assertThat(payloads(taken)).as("taken once the key is fixed").containsExactly("k1", "k2");
            assertThat(consumer.health().isRunning()).isTrue();
            consumer.ack(taken);
        }
    }

    @Test
    void aFailedJobThatCannotReachItsDeadLettersStaysLeasedUntilTheKeyIsFixed() {
        redis.client().set("W4:dead", "str");
        RedisQueue queue = queue(QueueConfig.builder("W4").retry(RetryPolicy.of(1, Duration.ZERO)));
        queue.push("poison".getBytes(UTF_8));
        Logger log = (Logger) LoggerFactory.getLogger(QueueConsumer.class);
        ListAppender<ILoggingEvent> events = new ListAppender<>();
        events.start();
        log.addAppender(events);
        try (QueueConsumer consumer = QueueConsumer.start(queue, ConsumerSettings.of("test").reapInterval(Duration.ofMillis(200)))) {
            List<Delivery> taken = consumer.take(1, Duration.ofSeconds(1));
            consumer.nack(taken, "handler failed");

            assertThat(redis.client().zcard("W4:leases")).as("still leased, not lost").isEqualTo(1);
            assertThat(consumer.inHand()).as("held, its lease renewed, until the dead letter is written").isEqualTo(1);
            assertThat(consumer.health().status()).isEqualTo(Status.QUEUE_BROKEN);
            assertThat(consumer.health().problem()).hasValueSatisfying(p -> assertThat(p).contains("W4:dead holds a string"));
            assertThat(consumer.take(1, Duration.ofMillis(200))).as("no new takes meanwhile").isEmpty();

            redis.client().del("W4:dead");
            await().atMost(Duration.ofSeconds(5)).until(() -> consumer.inHand() == 0);
            assertThat(queue.deadLetters(1)).singleElement().satisfies(d -> {
                assertThat(d.payloadAsString()).isEqualTo("poison");
                assertThat(d.reason()).isEqualTo("handler failed");
            });
            await().atMost(Duration.ofSeconds(2)).until(() -> consumer.health().isRunning());
        } finally {
            log.detachAppender(events);
        }
        assertThat(events.list).extracting(ILoggingEvent::getFormattedMessage)
                .noneMatch(m -> m.contains("delivered again after its lease"));
    }

    @Test
    void anAckDuringARedisOutageIsWrittenOnceRedisIsBackAndTheJobIsNeverDeliveredAgain() throws Exception {
        RedisQueue queue = queue(QueueConfig.builder("orders").leaseTimeout(Duration.ofSeconds(1)));
        queue.push(IntStream.range(0, 5).mapToObj(i -> ("job-" + i).getBytes(UTF_8)).toList());
        try (QueueConsumer consumer = QueueConsumer.start(queue, ConsumerSettings.of("test")
                .reapInterval(Duration.ofMillis(200)))) {
            List<Delivery> taken = consumer.take(5, Duration.ofSeconds(1));
            assertThat(taken).hasSize(5);

            redis.kill();
            consumer.ack(taken);
            assertThat(consumer.inHand()).as("the acks wait for Redis").isEqualTo(5);
            assertThat(consumer.health().status()).isEqualTo(Status.REDIS_UNAVAILABLE);
            Thread.sleep(1500); // past the lease timeout while Redis is down
            redis.restart();

            await().atMost(Duration.ofSeconds(15)).until(() -> consumer.inHand() == 0);
            Thread.sleep(1500); // past the lease timeout, with the reaper running
            assertThat(queue.counts().total()).as("acked, not requeued").isZero();
            assertThat(consumer.take(5, Duration.ofMillis(200))).isEmpty();
        }
    }

    @Test
    void jobsStillInHandWhenTheConsumerStopsAreDueAgainAtOnce() {
        RedisQueue queue = queue(QueueConfig.builder("orders").leaseTimeout(Duration.ofMinutes(5)));
        queue.push(List.of("a".getBytes(UTF_8), "b".getBytes(UTF_8)));
        QueueConsumer first = QueueConsumer.start(queue, ConsumerSettings.of("first"));
        List<Delivery> held = first.take(2, Duration.ofSeconds(1));
        first.close();

        try (QueueConsumer second = QueueConsumer.start(queue, ConsumerSettings.of("second"))) {
            List<Delivery> again = second.take(2, Duration.ofSeconds(1));
            assertThat(payloads(again)).as("not after the 5-minute lease").containsExactlyInAnyOrder("a", "b");
            assertThat(again).extracting(Delivery::id).containsExactlyInAnyOrderElementsOf(
                    held.stream().map(Delivery::id).toList());
            assertThat(queue.counts().dead()).isZero();
            second.ack(again);
        }
    }

    @Test
    void aTakeNeverGoesPastTheRoomLeft() {
        RedisQueue queue = queue(QueueConfig.builder("orders"));
        queue.push(IntStream.range(0, 100).mapToObj(i -> ("job-" + i).getBytes(UTF_8)).toList());
        try (QueueConsumer consumer = QueueConsumer.start(queue, ConsumerSettings.of("test").maxInHand(30))) {
            List<Delivery> first = consumer.take(25, Duration.ZERO);
            assertThat(consumer.take(25, Duration.ZERO)).hasSize(5);
            assertThat(consumer.take(25, Duration.ofMillis(100))).as("full").isEmpty();
            consumer.ack(first);
            assertThat(consumer.take(100, Duration.ZERO)).hasSize(25);
        }
    }

    @Test
    void theLeasesOfJobsInHandAreRenewedSoTheReaperLeavesThemAlone() throws Exception {
        RedisQueue queue = queue(QueueConfig.builder("orders").leaseTimeout(Duration.ofMillis(300)));
        queue.push("slow".getBytes(UTF_8));
        try (QueueConsumer consumer = QueueConsumer.start(queue, ConsumerSettings.of("test")
                .reapInterval(Duration.ofMillis(100)))) {
            List<Delivery> taken = consumer.take(1, Duration.ofSeconds(1));
            Thread.sleep(1500); // five lease timeouts
            assertThat(queue.counts().inFlight()).isEqualTo(1);
            assertThat(queue.counts().retrying()).isZero();
            consumer.ack(taken);
            assertThat(queue.counts().total()).isZero();
        }
    }

    @Test
    void aRenewalThatRacesAnAckTakesTheAckedJobsForNothingLost() {
        // a connection that runs a lease renewal right after each ack's ZREM, before the ack returns: the renewal
        // finds those leases gone, as one on the timer thread does when an ack lands between its snapshot and reply
        AtomicReference<QueueConsumer> consumerRef = new AtomicReference<>();
        RedisConnection real = redis.connection();
        RedisConnection renewingAfterZrem = (RedisConnection) Proxy.newProxyInstance(getClass().getClassLoader(),
                new Class<?>[] {RedisConnection.class}, (proxy, method, args) -> {
                    Object result;
                    try {
                        result = method.invoke(real, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                    if (method.getName().equals("zrem")) {
                        consumerRef.get().renewAll();
                    }
                    return result;
                });
        RedisQueue queue = new RedisQueue(renewingAfterZrem, QueueConfig.builder("raced").build());
        queue.push(List.of("a".getBytes(UTF_8), "b".getBytes(UTF_8)));
        Logger log = (Logger) LoggerFactory.getLogger(QueueConsumer.class);
        ListAppender<ILoggingEvent> events = new ListAppender<>();
        events.start();
        log.addAppender(events);
        try (QueueConsumer consumer = QueueConsumer.start(queue, ConsumerSettings.of("test"))) {
            consumerRef.set(consumer);
            List<Delivery> taken = consumer.take(2, Duration.ofSeconds(1));
            consumer.ack(taken.subList(0, 1));

            assertThat(events.list).extracting(ILoggingEvent::getFormattedMessage).as("no lease was lost")
                    .noneMatch(m -> m.contains("expired before they were renewed"));
            assertThat(consumer.inHand()).as("the unacked job is still in hand").isEqualTo(1);
            consumer.ack(taken.subList(1, 2));
            assertThat(queue.counts().total()).isZero();
        } finally {
            log.detachAppender(events);
        }
    }

    @Test
    void aDestinationOutageIsReportedUntilTheDestinationTakesJobsAgain() {
        try (QueueConsumer consumer = QueueConsumer.start(queue(QueueConfig.builder("orders")), ConsumerSettings.of("test"))) {
            consumer.destinationUnavailable("Connection refused: localhost:9092");
            assertThat(consumer.health().status()).isEqualTo(Status.DESTINATION_UNAVAILABLE);
            assertThat(consumer.health().problem()).hasValue("Connection refused: localhost:9092");
            consumer.destinationAvailable();
            assertThat(consumer.health().isRunning()).isTrue();
        }
    }
}
