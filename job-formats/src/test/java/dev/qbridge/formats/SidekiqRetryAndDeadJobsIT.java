package dev.qbridge.formats;

import static dev.qbridge.formats.Fixtures.tree;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.qbridge.testkit.JobWorker;
import dev.qbridge.testkit.RedisServerExtension;
import dev.qbridge.testkit.Sidekiq;
import io.cloudevents.CloudEvent;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import redis.clients.jedis.resps.Tuple;

/**
 * Jobs that failed under a real Sidekiq worker (its retry and dead sets) go through CloudEvents into another Redis;
 * there Sidekiq's own API sees them in the same sets at the same times, and retrying them runs them.
 */
class SidekiqRetryAndDeadJobsIT {

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
    void failedJobsKeepTheirSetTimeAndRetryStateAndRunWhenRetried() {
        List<String> jids = Sidekiq.enqueue(source.uri(), "["
                + "{\"class\": \"FlakyWorker\", \"args\": [1]},"
                + "{\"class\": \"FlakyWorker\", \"args\": [2, {\"a\": 1.0}], \"fields\": {\"backtrace\": true}},"
                + "{\"class\": \"FlakyWorker\", \"args\": [3], \"retry\": 2},"
                + "{\"class\": \"FlakyWorker\", \"args\": [4], \"retry\": 0},"
                + "{\"class\": \"FlakyWorker\", \"args\": [5], \"retry\": false}]");
        try (JobWorker failing = Sidekiq.startWorker(source.uri(), List.of("default"), List.of(), List.of("FlakyWorker"))) {
            await().atMost(Duration.ofSeconds(30)).until(() ->
                    source.client().zcard("retry") == 3 && source.client().zcard("dead") == 1);
        }
        // retry: false: Sidekiq drops the job when it fails (neither retry nor dead), so 4 of the 5 are left.

        Map<String, JsonNode> originals = new HashMap<>();
        Map<String, Double> scores = new HashMap<>();
        for (JobSet set : List.of(JobSet.RETRY, JobSet.DEAD)) {
            String key = set.toString();
            for (Tuple entry : source.client().zrangeWithScores(key.getBytes(UTF_8), 0, -1)) {
                byte[] job = entry.getBinaryElement();
                CloudEvent event = codec.toEvent(job, "default", set, Optional.of(JobExtensions.instantOfScore(entry.getScore())));
                NativeJob written = codec.toNative(JobEvents.parse(JobEvents.serialize(event)), "default");

                assertThat(tree(written.bytes())).as("rewritten field for field").isEqualTo(tree(job));
                double score = JobExtensions.scoreOf(written.at().orElseThrow());
                assertThat(score).as("kept its time").isEqualTo(entry.getScore());
                target.client().zadd(key.getBytes(UTF_8), score, written.bytes());
                originals.put(event.getId(), tree(job));
                scores.put(key + " " + event.getId(), score);
            }
        }
        assertThat(originals).hasSize(4);

        JsonNode seen = tree(Sidekiq.api(target.uri(), "Sidekiq::RetrySet.new.to_h { |e| [\"retry \" + e.jid, e.score] }"
                + ".merge(Sidekiq::DeadSet.new.to_h { |e| [\"dead \" + e.jid, e.score] })"));
        Map<String, Double> seenScores = new HashMap<>();
        seen.properties().forEach(entry -> seenScores.put(entry.getKey(), entry.getValue().doubleValue()));
        assertThat(seenScores).as("Sidekiq's API sees each job in its set at its time").isEqualTo(scores);
        assertThat(tree(Sidekiq.api(target.uri(), "Sidekiq::RetrySet.new.map { |e| [e.jid, e[\"retry_count\"], e[\"error_class\"]] }")))
                .allSatisfy(entry -> assertThat(entry.get(2).asText()).isEqualTo("RuntimeError"));

        try (JobWorker worker = Sidekiq.startWorker(target.uri(), List.of("default"), List.of("FlakyWorker"))) {
            Sidekiq.api(target.uri(), "Sidekiq::RetrySet.new.retry_all; Sidekiq::DeadSet.new.retry_all; true");

            Map<String, JsonNode> runs = worker.awaitExecuted(originals.size(), Duration.ofSeconds(60)).stream()
                    .map(Fixtures::tree).collect(Collectors.toMap(run -> run.get("jid").asText(), run -> run));
            assertThat(runs.keySet()).isEqualTo(originals.keySet());
            assertThat(jids).containsAll(runs.keySet());
            originals.forEach((jid, job) -> assertThat(runs.get(jid).get("args")).as(jid).isEqualTo(job.get("args")));
        }
    }
}
