package dev.qbridge.formats;

import static dev.qbridge.formats.Fixtures.tree;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.qbridge.testkit.JobWorker;
import dev.qbridge.testkit.RedisServerExtension;
import dev.qbridge.testkit.Sidekiq;
import io.cloudevents.CloudEvent;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import redis.clients.jedis.RedisClient;
import redis.clients.jedis.resps.Tuple;

/**
 * Sidekiq's own client enqueues into one Redis; every job goes through the neutral envelope (CloudEvents JSON, as
 * a file or a topic would hold it) into a second Redis, where Sidekiq's own worker runs it.
 */
class SidekiqJobsThroughCloudEventsIT {
    private static final int READY = 20;
    private static final int SCHEDULED = 3;

    @RegisterExtension
    static RedisServerExtension source = RedisServerExtension.standalone();

    @RegisterExtension
    static RedisServerExtension target = RedisServerExtension.standalone();

    private final SidekiqCodec codec = new SidekiqCodec();

    @BeforeAll
    static void sidekiqIsInstalled() {
        Sidekiq.requireInstalled();
    }

    @Test
    void everyJobRunsOnTheOtherRedisWithItsJidArgsAndEveryFieldKept() {
        List<String> specs = new ArrayList<>();
        IntStream.range(0, READY - 5).forEach(i -> specs.add("{\"class\": \"AddWorker\", \"args\": [" + i + ", " + i * 1.5
                + ", \"s" + i + "\", {\"k\": [" + i + ", null, true]}]}"));
        specs.add("{\"class\": \"AddWorker\", \"args\": [1796673940.1421893, 1.0], \"queue\": \"critical\", \"retry\": 5}");
        specs.add("{\"class\": \"AddWorker\", \"args\": [\"\\u00e9\\u00fc\"], \"queue\": \"critical\", \"retry\": false}");
        specs.add("{\"class\": \"HardWorker\", \"args\": [], \"fields\": {\"tags\": [\"billing\"], \"backtrace\": true}}");
        specs.add("{\"class\": \"HardWorker\", \"args\": [{\"deep\": {\"a\": [1, 2]}}], \"fields\": {\"custom\": {\"n\": 1}}}");
        specs.add("{\"class\": \"AddWorker\", \"args\": [12345678901234567890]}");
        IntStream.range(0, SCHEDULED).forEach(i -> specs.add("{\"class\": \"AddWorker\", \"args\": [\"later" + i + "\"], \"in\": 2}"));
        List<String> jids = Sidekiq.enqueue(source.uri(), "[" + String.join(", ", specs) + "]");
        assertThat(jids).hasSize(READY + SCHEDULED).doesNotHaveDuplicates();

        Map<String, ObjectNode> originals = new HashMap<>();
        for (String queue : List.of("default", "critical")) {
            moveReadyQueue(queue, originals);
        }
        moveSchedule(originals);

        assertThat(originals.keySet()).containsExactlyInAnyOrderElementsOf(jids);
        assertThat(target.client().smembers("queues")).containsExactlyInAnyOrder("default", "critical");
        try (JobWorker worker = Sidekiq.startWorker(target.uri(), List.of("default", "critical"),
                List.of("AddWorker", "HardWorker"))) {
            List<String> executed = worker.awaitExecuted(jids.size(), Duration.ofSeconds(60));

            Map<String, JsonNode> runs = executed.stream().map(Fixtures::tree)
                    .collect(Collectors.toMap(run -> run.get("jid").asText(), run -> run));
            assertThat(runs).as("each job ran once").hasSize(executed.size());
            assertThat(runs.keySet()).containsExactlyInAnyOrderElementsOf(jids);
            originals.forEach((jid, job) -> {
                assertThat(runs.get(jid).get("class")).as(jid).isEqualTo(job.get("class"));
                assertThat(runs.get(jid).get("args")).as(jid).isEqualTo(job.get("args"));
            });
        }
        assertThat(target.client().llen("queue:default") + target.client().llen("queue:critical")
                + target.client().zcard("schedule")).as("nothing left behind").isZero();
    }

    /** LPUSH + SADD as Sidekiq's client does, oldest first so the worker meets them in the same order. */
    private void moveReadyQueue(String queue, Map<String, ObjectNode> originals) {
        RedisClient from = source.client();
        List<byte[]> newestFirst = from.lrange(("queue:" + queue).getBytes(UTF_8), 0, -1);
        for (int i = newestFirst.size() - 1; i >= 0; i--) {
            byte[] job = newestFirst.get(i);
            CloudEvent event = JobEvents.parse(JobEvents.serialize(codec.toEvent(job, queue)));
            NativeJob written = codec.toNative(event, queue);
            assertThat(tree(written.bytes())).as("rewritten field for field").isEqualTo(tree(job));
            assertThat(written.at()).isEmpty();
            target.client().lpush(("queue:" + queue).getBytes(UTF_8), written.bytes());
            target.client().sadd("queues", queue);
            originals.put(event.getId(), tree(job));
        }
    }

    private void moveSchedule(Map<String, ObjectNode> originals) {
        for (Tuple entry : source.client().zrangeWithScores("schedule".getBytes(UTF_8), 0, -1)) {
            byte[] job = entry.getBinaryElement();
            String queue = tree(job).get("queue").asText();
            CloudEvent event = codec.toEvent(job, queue, JobSet.SCHEDULED,
                    Optional.of(JobExtensions.instantOfScore(entry.getScore())));
            NativeJob written = codec.toNative(JobEvents.parse(JobEvents.serialize(event)), queue);
            assertThat(tree(written.bytes())).as("rewritten field for field").isEqualTo(tree(job));
            double score = JobExtensions.scoreOf(written.at().orElseThrow());
            assertThat(score).as("kept its time").isEqualTo(entry.getScore());
            target.client().zadd("schedule".getBytes(UTF_8), score, written.bytes());
            originals.put(event.getId(), tree(job));
        }
    }
}
