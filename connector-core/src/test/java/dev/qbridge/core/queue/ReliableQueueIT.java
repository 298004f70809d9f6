package dev.qbridge.core.queue;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.qbridge.core.QueueException;
import dev.qbridge.core.lease.Reaper;
import dev.qbridge.core.RedisFixture;
import dev.qbridge.core.redis.JedisConnection;
import dev.qbridge.core.retry.RetryPolicy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.stream.IntStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class ReliableQueueIT {

    @RegisterExtension
    static RedisFixture redis = RedisFixture.standalone();

    static JedisConnection connection;

    @BeforeAll
    static void connect() {
        connection = redis.connection();
    }

    private static RedisQueue queue(QueueConfig.Builder config) {
        return new RedisQueue(connection, config.build());
    }

    private static List<byte[]> jobs(int count) {
        return IntStream.range(0, count).mapToObj(i -> ("job-" + i).getBytes(UTF_8)).toList();
    }

    private static List<String> payloads(List<Delivery> deliveries) {
        return deliveries.stream().map(Delivery::payloadAsString).toList();
    }

    @Test
    void jobsAreTakenInTheOrderTheyWerePushed() {
        RedisQueue q = queue(QueueConfig.builder("orders"));
        q.push(jobs(5));
        assertThat(payloads(q.take(3))).containsExactly("job-0", "job-1", "job-2");
        assertThat(payloads(q.take(10))).containsExactly("job-3", "job-4");
        assertThat(q.take(10)).isEmpty();
    }

    @Test
    void batchTakeLeasesEveryJobItReturnsAndLeavesTheRestReady() {
        RedisQueue q = queue(QueueConfig.builder("orders"));
        q.push(jobs(2500));
        List<Delivery> taken = q.take(5000);
        assertThat(taken).hasSize(RedisQueue.MAX_BATCH);
        assertThat(q.counts()).isEqualTo(new QueueCounts(1500, 1000, 0, 0, 0, 0));
        assertThat(taken).extracting(Delivery::attempt).containsOnly(1);
        assertThat(taken.stream().map(Delivery::id).distinct()).hasSize(1000);
    }

    @Test
    void ackedJobIsNeverRedelivered() throws Exception {
        RedisQueue q = queue(QueueConfig.builder("orders").leaseTimeout(Duration.ofMillis(200)));
        q.push(jobs(100));
        List<Delivery> taken = q.take(100);
        assertThat(q.ack(taken)).isEqualTo(100);
        Thread.sleep(400);
        assertThat(new Reaper(connection, q.config()).reapExpired().total()).isZero();
        assertThat(q.take(100)).isEmpty();
        assertThat(q.counts().total()).isZero();
    }

    @Test
    void failedJobIsRetriedAfterItsBackoffThenDeadLetteredWithTheReason() {
        RetryPolicy twoAttempts = new RetryPolicy(2, Duration.ofMillis(1500), 2.0, Duration.ofSeconds(3), 0.0);
        RedisQueue q = queue(QueueConfig.builder("orders").retry(twoAttempts));
        q.push("{\"id\":1}".getBytes(UTF_8));

        Delivery first = q.take(1).get(0);
        assertThat(q.nack(first, "HTTP 503 from billing")).isEqualTo(NackOutcome.RETRY_SCHEDULED);
        assertThat(q.take(1)).as("not before its backoff").isEmpty();
        assertThat(q.counts().retrying()).isEqualTo(1);

        List<Delivery> again = q.take(1, Duration.ofSeconds(5));
        assertThat(again).hasSize(1);
        Delivery second = again.get(0);
        assertThat(second.id()).isEqualTo(first.id());
        assertThat(second.attempt()).isEqualTo(2);
        assertThat(System.currentTimeMillis() - first.takenAtMillis()).isGreaterThanOrEqualTo(1400);

        assertThat(q.nack(second, "HTTP 503 from billing")).isEqualTo(NackOutcome.DEAD_LETTERED);
        assertThat(q.counts()).isEqualTo(new QueueCounts(0, 0, 0, 0, 1, 0));
        DeadLetter dead = q.deadLetters(10).get(0);
        assertThat(dead.reason()).isEqualTo("HTTP 503 from billing");
        assertThat(dead.attempts()).isEqualTo(2);
        assertThat(dead.payloadAsString()).isEqualTo("{\"id\":1}");
    }

    @Test
    void lateAckNeverRemovesTheCopyAnotherConsumerHolds() throws Exception {
        RedisQueue q = queue(QueueConfig.builder("orders").leaseTimeout(Duration.ofMillis(150)));
        q.push("report".getBytes(UTF_8));
        Delivery slow = q.take(1).get(0);
        Thread.sleep(300);
        new Reaper(connection, q.config()).reapExpired();
        Delivery other = q.take(1).get(0);
        assertThat(other.id()).isEqualTo(slow.id());

        assertThat(q.ack(slow)).as("the slow consumer's late ack").isFalse();
        assertThat(q.nack(slow, "late")).isEqualTo(NackOutcome.LEASE_LOST);
        assertThat(q.renew(slow)).isFalse();
        assertThat(q.counts().inFlight()).as("the other consumer still holds its copy").isEqualTo(1);
        assertThat(q.ack(other)).isTrue();
    }

    @Test
    void renewedLeaseOutlivesItsTimeout() throws Exception {
        RedisQueue q = queue(QueueConfig.builder("orders").leaseTimeout(Duration.ofSeconds(1)));
        q.push("long job".getBytes(UTF_8));
        Delivery held = q.take(1).get(0);
        Reaper reaper = new Reaper(connection, q.config());
        for (int i = 0; i < 10; i++) {
            Thread.sleep(200);
            assertThat(q.renew(held)).isTrue();
            assertThat(reaper.reapExpired().total()).isZero();
        }
        assertThat(q.ack(held)).isTrue();
    }

    @Test
    void identicalPayloadsInFlightStayTwoJobs() {
        RedisQueue q = queue(QueueConfig.builder("orders"));
        q.push(List.of("same".getBytes(UTF_8), "same".getBytes(UTF_8)));
        List<Delivery> taken = q.take(10);
        assertThat(taken).hasSize(2);
        assertThat(q.counts().inFlight()).isEqualTo(2);
        assertThat(q.ack(taken.get(0))).isTrue();
        assertThat(q.counts().inFlight()).isEqualTo(1);
    }

    @Test
    void keyOfTheWrongTypeIsNamedAndNothingIsTaken() {
        redis.client().hset("orders", "not", "a list");
        RedisQueue q = queue(QueueConfig.builder("orders"));
        assertThatThrownBy(() -> q.take(10)).isInstanceOf(QueueException.class)
                .hasMessageContaining("orders").hasMessageContaining("hash").hasMessageContaining("list")
                .satisfies(e -> assertThat(((QueueException) e).kind()).isEqualTo(QueueException.Kind.WRONG_TYPE));
        assertThatThrownBy(() -> q.push("x".getBytes(UTF_8))).hasMessageContaining("orders");
        assertThatThrownBy(q::counts).hasMessageContaining("orders");
        assertThat(redis.client().hget("orders", "not")).isEqualTo("a list");
        assertThat(redis.client().exists("orders:leases")).isFalse();
    }

    @Test
    void blockingTakeWakesWhenAJobArrives() throws Exception {
        RedisQueue q = queue(QueueConfig.builder("orders"));
        CompletableFuture<List<Delivery>> waiting = CompletableFuture.supplyAsync(() -> q.take(10, Duration.ofSeconds(20)));
        Thread.sleep(200);
        q.push("wake up".getBytes(UTF_8));
        assertThat(payloads(waiting.get())).containsExactly("wake up");
    }

    @Test
    void blockingTakeReturnsNothingWhenTheWaitPasses() {
        RedisQueue q = queue(QueueConfig.builder("orders"));
        assertThat(q.take(10, Duration.ofMillis(300))).isEmpty();
        assertThat(q.counts().total()).isZero();
    }

    @Test
    void jsonQueueDeadLettersUnparsablePayloadsWithTheReason() {
        RedisQueue q = queue(QueueConfig.builder("orders").format(PayloadFormat.JSON));
        redis.client().lpush("orders", "{\"ok\":true}", "{\"broken\":", "[1,2]");
        assertThat(payloads(q.take(10))).containsExactly("{\"ok\":true}", "[1,2]");
        assertThat(q.counts().dead()).isEqualTo(1);
        DeadLetter dead = q.deadLetters(1).get(0);
        assertThat(dead.payloadAsString()).isEqualTo("{\"broken\":");
        assertThat(dead.reason()).startsWith("payload is not valid JSON");
    }

    @Test
    void explicitDeadLetterSkipsRemainingAttempts() {
        RedisQueue q = queue(QueueConfig.builder("orders"));
        q.push("bad request".getBytes(UTF_8));
        Delivery d = q.take(1).get(0);
        assertThat(q.deadLetter(d, "HTTP 400")).isEqualTo(NackOutcome.DEAD_LETTERED);
        assertThat(q.deadLetters(1).get(0).reason()).isEqualTo("HTTP 400");
    }

    @Test
    void requeuedDeadLettersComeBackUnchangedWithFreshAttempts() {
        RedisQueue q = queue(QueueConfig.builder("orders"));
        q.push(List.of("first:x".getBytes(UTF_8), "second".getBytes(UTF_8)));
        q.deadLetter(q.take(10), "downstream was down");
        assertThat(q.requeueDead(100)).isEqualTo(2);
        List<Delivery> again = q.take(10);
        assertThat(payloads(again)).containsExactly("first:x", "second");
        assertThat(again).extracting(Delivery::attempt).containsOnly(1);
        assertThat(q.counts().dead()).isZero();
    }

    @Test
    void purgeRemovesEveryJobButNeverGivesAnIdOutTwice() {
        RedisQueue q = queue(QueueConfig.builder("orders"));
        q.push(jobs(3));
        Delivery zombie = q.take(1).get(0);
        q.deadLetter(q.take(1), "x");
        assertThat(q.purge()).as("ready, leases and dead").isEqualTo(3);
        assertThat(q.counts().total()).isZero();

        q.push(List.of("job-0".getBytes(UTF_8)));
        Delivery fresh = q.take(1).get(0);
        assertThat(fresh.id()).as("ids go on after a purge").isGreaterThan(zombie.id());
        assertThat(q.ack(zombie)).as("a zombie's late ack of the same payload matches nothing").isFalse();
        assertThat(q.counts().inFlight()).isEqualTo(1);
    }

    @Test
    void pushOfManyJobsIsChunkedAndKeepsOrder() {
        RedisQueue q = queue(QueueConfig.builder("orders"));
        assertThat(q.push(jobs(2500))).isEqualTo(2500);
        List<String> all = new ArrayList<>();
        for (List<Delivery> batch = q.take(1000); !batch.isEmpty(); batch = q.take(1000)) {
            all.addAll(payloads(batch));
        }
        assertThat(all).containsExactlyElementsOf(jobs(2500).stream().map(b -> new String(b, UTF_8)).toList());
    }

    @Test
    void oneTakeStopsBeforeTheJobThatWouldPassItsByteBudget() {
        RedisQueue q = queue(QueueConfig.builder("orders").batchMaxBytes(10_000));
        q.push(IntStream.range(0, 10).mapToObj(i -> (i + "-" + "x".repeat(2_998)).getBytes(UTF_8)).toList());
        assertThat(q.take(1000)).as("3 x 3,000 bytes fit in 10,000; a fourth would not")
                .extracting(d -> d.payloadAsString().substring(0, 2)).containsExactly("0-", "1-", "2-");
        assertThat(q.take(1000)).as("the job put back is next, the order unchanged")
                .extracting(d -> d.payloadAsString().substring(0, 2)).containsExactly("3-", "4-", "5-");
        assertThat(q.counts().ready()).isEqualTo(4);
    }

    @Test
    void aJobLargerThanTheByteBudgetIsStillTakenAloneSoNothingIsStuck() {
        RedisQueue q = queue(QueueConfig.builder("orders"));
        q.push(IntStream.range(0, 6).mapToObj(i -> new byte[5 * 1024 * 1024]).toList());
        for (int i = 0; i < 6; i++) {
            assertThat(q.take(1000)).as("5 MB jobs one at a time under the default 4 MB budget").hasSize(1);
        }
        assertThat(q.take(1000)).isEmpty();
    }
}
