package dev.qbridge.formats;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.qbridge.testkit.Celery;
import dev.qbridge.testkit.JobWorker;
import dev.qbridge.testkit.RedisServerExtension;
import dev.qbridge.testkit.Sidekiq;
import io.cloudevents.CloudEvent;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import redis.clients.jedis.resps.Tuple;

/** System to system the other way: jobs enqueued by Sidekiq's client, renamed by a TaskMap, run by Celery's worker. */
class SidekiqJobsRunByCeleryIT {

    @RegisterExtension
    static RedisServerExtension sidekiq = RedisServerExtension.standalone();

    @RegisterExtension
    static RedisServerExtension celery = RedisServerExtension.standalone();

    @BeforeAll
    static void bothAreInstalled() {
        Sidekiq.requireInstalled();
        Celery.requireInstalled();
    }

    @Test
    void sidekiqJobsRunAsTheMappedCeleryTaskAndAScheduledOneWaitsForItsEta() {
        List<String> jids = Sidekiq.enqueue(sidekiq.uri(), "["
                + "{\"class\": \"AddWorker\", \"args\": [1, 2]},"
                + "{\"class\": \"AddWorker\", \"args\": [1.5, {\"k\": null}], \"retry\": 3},"
                + "{\"class\": \"AddWorker\", \"args\": [\"later\"], \"in\": 3}]");
        TaskMap taskMap = TaskMap.parse("AddWorker:tasks.add");
        SidekiqCodec from = new SidekiqCodec();
        CeleryCodec to = new CeleryCodec();

        List<byte[]> newestFirst = sidekiq.client().lrange("queue:default".getBytes(UTF_8), 0, -1);
        for (int i = newestFirst.size() - 1; i >= 0; i--) {
            write(to, taskMap.apply(wire(from.toEvent(newestFirst.get(i), "default"))));
        }
        Instant due = null;
        for (Tuple entry : sidekiq.client().zrangeWithScores("schedule".getBytes(UTF_8), 0, -1)) {
            due = JobExtensions.instantOfScore(entry.getScore());
            write(to, taskMap.apply(wire(from.toEvent(entry.getBinaryElement(), "default", JobSet.SCHEDULED, Optional.of(due)))));
        }

        try (JobWorker worker = Celery.startWorker(celery.uri(), List.of("celery"), List.of("tasks.add"))) {
            Map<String, JsonNode> runs = worker.awaitExecuted(jids.size(), Duration.ofSeconds(60)).stream()
                    .map(Fixtures::tree).collect(Collectors.toMap(run -> run.get("id").asText(), run -> run));
            Instant allRan = Instant.now();

            assertThat(runs.keySet()).as("the task id is Sidekiq's jid").containsExactlyInAnyOrderElementsOf(jids);
            assertThat(runs.get(jids.get(0))).isEqualTo(Fixtures.tree("{\"id\": \"" + jids.get(0)
                    + "\", \"task\": \"tasks.add\", \"args\": [1, 2], \"kwargs\": {}, \"retries\": 0}"));
            assertThat(runs.get(jids.get(1)).get("args")).isEqualTo(Fixtures.tree("[1.5, {\"k\": null}]"));
            assertThat(runs.get(jids.get(2)).get("args")).isEqualTo(Fixtures.tree("[\"later\"]"));
            assertThat(allRan).as("the scheduled job ran at its eta, not before").isAfterOrEqualTo(due);
        }
    }

    private static CloudEvent wire(CloudEvent event) {
        return JobEvents.parse(JobEvents.serialize(event));
    }

    private static void write(CeleryCodec codec, CloudEvent event) {
        NativeJob task = codec.toNative(event, "celery");
        assertThat(task.priority()).hasValue(0);
        celery.client().lpush("celery".getBytes(UTF_8), task.bytes());
    }
}
