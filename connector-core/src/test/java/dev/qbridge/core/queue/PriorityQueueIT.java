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
import java.util.stream.IntStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class PriorityQueueIT {

    @RegisterExtension
    static RedisFixture redis = RedisFixture.standalone();

    static JedisConnection connection;

    @BeforeAll
    static void connect() {
        connection = redis.connection();
    }

    private static RedisQueue queue(QueueConfig.Builder builder) {
        return new RedisQueue(connection, builder.kind(QueueKind.PRIORITY).build());
    }

    @Test
    void lowerScoreIsTakenFirst() {
        RedisQueue q = queue(QueueConfig.builder("alerts"));
        q.pushJobs(List.of(NewJob.of("p3").withPriority(3), NewJob.of("p-1").withPriority(-1), NewJob.of("p0")));
        assertThat(q.take(10)).extracting(Delivery::payloadAsString).containsExactly("p-1", "p0", "p3");
    }

    @Test
    void jobsOfEqualPriorityAreTakenInTheOrderTheyWerePushed() {
        RedisQueue q = queue(QueueConfig.builder("alerts"));
        List<NewJob> jobs = IntStream.range(0, 3000).mapToObj(i -> NewJob.of("job-" + i).withPriority(i % 2 == 0 ? 7 : 2)).toList();
        q.pushJobs(jobs);
        List<String> taken = new ArrayList<>();
        for (List<Delivery> batch = q.take(1000); !batch.isEmpty(); batch = q.take(1000)) {
            batch.forEach(d -> taken.add(d.payloadAsString()));
        }
        List<String> expected = new ArrayList<>();
        IntStream.range(0, 3000).filter(i -> i % 2 == 1).forEach(i -> expected.add("job-" + i));
        IntStream.range(0, 3000).filter(i -> i % 2 == 0).forEach(i -> expected.add("job-" + i));
        assertThat(taken).containsExactlyElementsOf(expected);
    }

    @Test
    void requeuedJobKeepsItsPriorityForDeadLettersAndReports() throws Exception {
        RedisQueue q = queue(QueueConfig.builder("alerts").leaseTimeout(Duration.ofMillis(150))
                .retry(RetryPolicy.of(1, Duration.ZERO)));
        q.pushJobs(List.of(NewJob.of("urgent").withPriority(-5)));
        Delivery d = q.take(1).get(0);
        Thread.sleep(300);
        assertThat(new Reaper(connection, q.config()).reapExpired().deadLettered()).isEqualTo(1);
        DeadLetter dead = q.deadLetters(1).get(0);
        assertThat(Double.parseDouble(dead.score().orElseThrow())).isBetween(-5.0, -4.0);
        assertThat(dead.reason()).contains("lease expired");
        assertThat(d.scoreValue().orElseThrow()).isBetween(-5.0, -4.0);
    }

    @Test
    void requeuedDeadLetterKeepsItsPriority() {
        RedisQueue q = queue(QueueConfig.builder("alerts"));
        q.pushJobs(List.of(NewJob.of("urgent").withPriority(1)));
        q.deadLetter(q.take(1).get(0), "failed");
        q.pushJobs(List.of(NewJob.of("normal").withPriority(5)));
        assertThat(q.requeueDead(10)).isEqualTo(1);
        assertThat(q.take(10)).extracting(Delivery::payloadAsString).containsExactly("urgent", "normal");
    }

    @Test
    void defaultPriorityAppliesToJobsThatNameNone() {
        RedisQueue q = queue(QueueConfig.builder("alerts").defaultPriority(100));
        q.push("plain".getBytes(UTF_8));
        q.pushJobs(List.of(NewJob.of("urgent").withPriority(1)));
        assertThat(q.take(10)).extracting(Delivery::payloadAsString).containsExactly("urgent", "plain");
    }

    @Test
    void priorityOutsideTheExactRangeIsRefused() {
        RedisQueue q = queue(QueueConfig.builder("alerts"));
        assertThatThrownBy(() -> q.pushJobs(List.of(NewJob.of("x").withPriority(QueueConfig.MAX_PRIORITY + 1))))
                .isInstanceOf(QueueException.class).hasMessageContaining("priority");
    }

    @Test
    void listKeyUsedAsPriorityQueueIsNamedAndUntouched() {
        redis.client().lpush("alerts", "a list job");
        RedisQueue q = queue(QueueConfig.builder("alerts"));
        assertThatThrownBy(() -> q.take(1)).hasMessageContaining("alerts").hasMessageContaining("sorted set");
        assertThat(redis.client().llen("alerts")).isEqualTo(1);
    }

    @Test
    void aDueRetryOfALowPriorityJobWaitsBehindUrgentReadyJobs() {
        RedisQueue q = queue(QueueConfig.builder("alerts").retry(RetryPolicy.of(5, Duration.ZERO)));
        q.pushJobs(List.of(NewJob.of("low").withPriority(10)));
        q.nack(q.take(1).get(0), "failed"); // due again at once, with its priority 10
        q.pushJobs(List.of(NewJob.of("urgent-1").withPriority(1), NewJob.of("urgent-2").withPriority(1),
                NewJob.of("later").withPriority(20)));
        assertThat(q.take(10)).extracting(Delivery::payloadAsString).containsExactly("urgent-1", "urgent-2", "low", "later");
    }

    @Test
    void infiniteScoresOfGuideProducersAreTakenInOrderAndKeptAcrossRetries() {
        redis.client().eval("return redis.call('ZADD', KEYS[1], '-inf', 'first', 'inf', 'last', '5', 'middle')", 1, "alerts");
        RedisQueue q = queue(QueueConfig.builder("alerts").retry(RetryPolicy.of(5, Duration.ZERO)));
        List<Delivery> taken = q.take(10);
        assertThat(taken).extracting(Delivery::payloadAsString).containsExactly("first", "middle", "last");
        assertThat(taken).extracting(d -> d.scoreValue().orElseThrow())
                .containsExactly(Double.NEGATIVE_INFINITY, 5.0, Double.POSITIVE_INFINITY);
        assertThat(q.counts().dead()).isZero();

        q.nack(taken, "again");
        assertThat(q.take(10)).extracting(Delivery::payloadAsString).containsExactly("first", "middle", "last");
    }

    @Test
    void thePriorityRangeHasNoBackDoorAtLongMinValue() {
        RedisQueue q = queue(QueueConfig.builder("alerts"));
        assertThatThrownBy(() -> q.pushJobs(List.of(NewJob.of("x").withPriority(Long.MIN_VALUE))))
                .hasMessageContaining("outside");
        assertThatThrownBy(() -> QueueConfig.builder("alerts").defaultPriority(Long.MIN_VALUE).build())
                .hasMessageContaining("defaultPriority");
    }
}
