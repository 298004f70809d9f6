package dev.qbridge.formats;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.qbridge.testkit.Celery;
import dev.qbridge.testkit.JobWorker;
import dev.qbridge.testkit.RedisServerExtension;
import dev.qbridge.testkit.Sidekiq;
import io.cloudevents.CloudEvent;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** System to system: tasks sent by Celery's client, renamed by a TaskMap, run by Sidekiq's worker. */
class CeleryTasksRunBySidekiqIT {

    @RegisterExtension
    static RedisServerExtension celery = RedisServerExtension.standalone();

    @RegisterExtension
    static RedisServerExtension sidekiq = RedisServerExtension.standalone();

    @BeforeAll
    static void bothAreInstalled() {
        Celery.requireInstalled();
        Sidekiq.requireInstalled();
    }

    @Test
    void celeryTasksRunAsTheMappedSidekiqWorkerWithKwargsAsATrailingHash() {
        List<String> ids = Celery.enqueue(celery.uri(), "["
                + "{\"task\": \"tasks.add\", \"args\": [1, 2]},"
                + "{\"task\": \"tasks.add\", \"args\": [3, 4.5], \"kwargs\": {\"round\": true, \"to\": 1.0}},"
                + "{\"task\": \"tasks.add\", \"args\": [], \"kwargs\": {\"only\": \"kwargs\"}},"
                + "{\"task\": \"tasks.mail\", \"args\": [\"\\u00e9\"]}]");
        TaskMap taskMap = TaskMap.parse("tasks.add:AddWorker,tasks.mail:MailWorker");
        CeleryCodec from = new CeleryCodec();
        SidekiqCodec to = new SidekiqCodec();

        List<byte[]> newestFirst = celery.client().lrange("celery".getBytes(StandardCharsets.UTF_8), 0, -1);
        for (int i = newestFirst.size() - 1; i >= 0; i--) {
            CloudEvent event = taskMap.apply(JobEvents.parse(JobEvents.serialize(from.toEvent(newestFirst.get(i), "celery"))));
            NativeJob job = to.toNative(event, "default");
            sidekiq.client().lpush("queue:default".getBytes(StandardCharsets.UTF_8), job.bytes());
            sidekiq.client().sadd("queues", "default");
        }

        try (JobWorker worker = Sidekiq.startWorker(sidekiq.uri(), List.of("default"), List.of("AddWorker", "MailWorker"))) {
            Map<String, JsonNode> runs = worker.awaitExecuted(ids.size(), Duration.ofSeconds(60)).stream()
                    .map(Fixtures::tree).collect(Collectors.toMap(run -> run.get("jid").asText(), run -> run));

            assertThat(runs.keySet()).as("the jid is Celery's task id").containsExactlyInAnyOrderElementsOf(ids);
            assertThat(runs.get(ids.get(0))).isEqualTo(Fixtures.tree(
                    "{\"jid\": \"" + ids.get(0) + "\", \"class\": \"AddWorker\", \"args\": [1, 2]}"));
            assertThat(runs.get(ids.get(1)).get("args")).isEqualTo(Fixtures.tree("[3, 4.5, {\"round\": true, \"to\": 1.0}]"));
            assertThat(runs.get(ids.get(2)).get("args")).isEqualTo(Fixtures.tree("[{\"only\": \"kwargs\"}]"));
            assertThat(runs.get(ids.get(3)).get("class").asText()).isEqualTo("MailWorker");
            assertThat(runs.get(ids.get(3)).get("args")).isEqualTo(Fixtures.tree("[\"\\u00e9\"]"));
        }
    }
}
