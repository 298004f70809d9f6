package dev.qbridge.core.queue;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.qbridge.core.delay.DelayedPromoter;
import dev.qbridge.core.lease.Reaper;
import dev.qbridge.core.RedisFixture;
import dev.qbridge.core.redis.JedisConnection;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import redis.clients.jedis.RedisClient;

/** The guide's raw commands, issued through Jedis, interoperate with our queues byte for byte. */
class GuideCompatibilityIT {

    @RegisterExtension
    static RedisFixture redis = RedisFixture.standalone();

    static JedisConnection connection;

    @BeforeAll
    static void connect() {
        connection = redis.connection();
    }

    private static RedisClient guide() {
        return redis.client();
    }

    @Test
    void jobPushedWithPlainLpushIsConsumedByteForByte() {
        byte[] binary = {'{', 0, ':', (byte) 0xff, (byte) 0xc3, '\n', ':', '}'};
        guide().lpush("my_queue".getBytes(UTF_8), binary);
        guide().lpush("my_queue", "{\"task\": \"send_email\", \"to\": \"user@example.com\"}");

        RedisQueue q = new RedisQueue(connection, QueueConfig.builder("my_queue").build());
        List<Delivery> taken = q.take(10);
        assertThat(taken.get(0).payload()).isEqualTo(binary);
        assertThat(taken.get(1).payloadAsString()).isEqualTo("{\"task\": \"send_email\", \"to\": \"user@example.com\"}");
        assertThat(q.ack(taken)).isEqualTo(2);
    }

    @Test
    void jobWePushIsConsumedByTheGuidesReliableConsumer() {
        RedisQueue q = new RedisQueue(connection, QueueConfig.builder("my_reliable_queue").build());
        byte[] payload = "{\"task\": \"process_image\", \"image_id\": \"12345\"}".getBytes(UTF_8);
        q.push(payload);

        byte[] job = guide().brpoplpush("my_reliable_queue".getBytes(UTF_8), "my_reliable_queue:processing".getBytes(UTF_8), 30);
        assertThat(job).isEqualTo(payload);
        assertThat(guide().lrem("my_reliable_queue:processing".getBytes(UTF_8), 1, job)).isEqualTo(1);
        assertThat(guide().exists("my_reliable_queue")).isFalse();
    }

    @Test
    void prioritiesWrittenWithPlainZaddAreHonoured() {
        guide().zadd("priority_queue", 10, "{'task': 'log_cleanup'}");
        guide().zadd("priority_queue", 1, "{'task': 'critical_alert'}");
        RedisQueue q = new RedisQueue(connection, QueueConfig.builder("priority_queue").kind(QueueKind.PRIORITY).build());
        q.pushJobs(List.of(NewJob.of("ours at 5").withPriority(5)));

        List<Delivery> taken = q.take(10);
        assertThat(taken).extracting(Delivery::payloadAsString)
                .containsExactly("{'task': 'critical_alert'}", "ours at 5", "{'task': 'log_cleanup'}");
        assertThat(taken.get(0).scoreValue()).contains(1.0);
    }

    @Test
    void jobWePushWithPriorityIsReadableByTheGuidesBzpopmin() {
        RedisQueue q = new RedisQueue(connection, QueueConfig.builder("priority_queue").kind(QueueKind.PRIORITY).build());
        q.pushJobs(List.of(NewJob.of("low").withPriority(10), NewJob.of("high").withPriority(1)));
        assertThat(guide().bzpopmin(5, "priority_queue").getValue().getElement()).isEqualTo("high");
    }

    @Test
    void delayedJobScheduledWithTimeTimeSecondsIsPromotedWhenDue() throws Exception {
        double now = System.currentTimeMillis() / 1000.0;
        guide().zadd("delayed_queue", now - 1.5, "{\"due\":\"past\"}");
        guide().zadd("delayed_queue", now + 3600, "{\"due\":\"in an hour\"}");

        DelayedPromoter promoter = new DelayedPromoter(connection, "delayed_queue", "main_queue", DueTimeUnit.SECONDS);
        assertThat(promoter.promoteDue()).isEqualTo(1);
        assertThat(guide().rpop("main_queue")).isEqualTo("{\"due\":\"past\"}");
        assertThat(guide().zcard("delayed_queue")).isEqualTo(1);
    }

    @Test
    void jobsStuckInTheGuidesProcessingListAreRescuedByTheReaper() throws Exception {
        guide().lpush("my_reliable_queue", "a", "b");
        guide().brpoplpush("my_reliable_queue", "my_reliable_queue:processing", 1);
        guide().brpoplpush("my_reliable_queue", "my_reliable_queue:processing", 1);
        // a foreign consumer that finished one of them acks it the guide's way
        guide().lrem("my_reliable_queue:processing", 1, "b");

        QueueConfig config = QueueConfig.builder("my_reliable_queue").build();
        Reaper reaper = new Reaper(connection, config);
        Duration threshold = Duration.ofMillis(300);
        assertThat(reaper.rescueGuideProcessing(threshold).rescued()).as("first pass only starts the clock").isZero();
        Thread.sleep(400);
        assertThat(reaper.rescueGuideProcessing(threshold).rescued()).isEqualTo(1);

        assertThat(guide().llen("my_reliable_queue:processing")).isZero();
        assertThat(guide().exists("my_reliable_queue:processing:seen")).isFalse();
        RedisQueue q = new RedisQueue(connection, config);
        assertThat(q.take(10)).extracting(Delivery::payloadAsString).containsExactly("a");
    }

    @Test
    void identicalStuckPayloadsAreRescuedOneCopyAtATimeNeverCollapsed() throws Exception {
        guide().rpush("q:processing", "dup", "dup");
        QueueConfig config = QueueConfig.builder("q").build();
        Reaper reaper = new Reaper(connection, config);
        Duration threshold = Duration.ofMillis(100);
        reaper.rescueGuideProcessing(threshold);
        long rescued = 0;
        for (int i = 0; i < 50 && rescued < 2; i++) {
            Thread.sleep(120);
            rescued += reaper.rescueGuideProcessing(threshold).rescued();
        }
        assertThat(rescued).isEqualTo(2);
        assertThat(guide().lrange("q", 0, -1)).containsExactly("dup", "dup");
    }

    @Test
    void countsSeeTheGuidesProcessingList() {
        guide().lpush("my_queue:processing", "held by a foreign consumer");
        RedisQueue q = new RedisQueue(connection, QueueConfig.builder("my_queue").build());
        assertThat(q.counts().guideProcessing()).isEqualTo(1);
        assertThat(q.counts().total()).isEqualTo(1);
    }
}
