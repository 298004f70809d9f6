package dev.qbridge.formats;

import static dev.qbridge.formats.Fixtures.tree;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.qbridge.testkit.Celery;
import dev.qbridge.testkit.JobWorker;
import dev.qbridge.testkit.RedisServerExtension;
import io.cloudevents.CloudEvent;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Celery's own client sends tasks into one Redis; every task goes through the neutral envelope (CloudEvents JSON)
 * into a second Redis, where Celery's own worker runs it.
 */
class CeleryTasksThroughCloudEventsIT {
    private static final int PLAIN = 15;
    /** kombu's Redis transport keeps a priority's tasks in a list of its own, "<queue>\x06\x16<priority>". */
    private static final String PRIORITY_SEPARATOR = "\u0006\u0016";

    @RegisterExtension
    static RedisServerExtension source = RedisServerExtension.standalone();

    @RegisterExtension
    static RedisServerExtension target = RedisServerExtension.standalone();

    private final CeleryCodec codec = new CeleryCodec();

    @BeforeAll
    static void celeryIsInstalled() {
        Celery.requireInstalled();
    }

    @Test
    void everyTaskRunsOnTheOtherRedisWithItsIdArgsKwargsAndEveryFieldKept() {
        List<String> specs = new ArrayList<>();
        IntStream.range(0, PLAIN).forEach(i -> specs.add("{\"task\": \"tasks.add\", \"args\": [" + i + ", " + i * 1.5
                + "], \"kwargs\": {\"label\": \"n" + i + "\", \"nested\": {\"l\": [" + i + ", null]}}}"));
        specs.add("{\"task\": \"tasks.add\", \"args\": [1796673940.1421893, 1.0, 12345678901234567890], \"queue\": \"other\"}");
        specs.add("{\"task\": \"tasks.mail\", \"args\": [\"\\u00e9\\u00fc\"], \"queue\": \"other\", \"priority\": 3}");
        specs.add("{\"task\": \"tasks.mail\", \"args\": [], \"kwargs\": {\"to\": \"x\"}, \"queue\": \"other\", \"priority\": 6}");
        specs.add("{\"task\": \"tasks.add\", \"args\": [\"soon\"], \"countdown\": 2, \"expires\": 3600}");
        List<String> ids = Celery.enqueue(source.uri(), "[" + String.join(", ", specs) + "]");
        assertThat(ids).hasSize(specs.size()).doesNotHaveDuplicates();

        Map<String, ObjectNode> originals = new HashMap<>();
        for (String queue : List.of("celery", "other")) {
            for (String key : List.of(queue, queue + PRIORITY_SEPARATOR + "3", queue + PRIORITY_SEPARATOR + "6")) {
                move(key, queue, originals);
            }
        }

        assertThat(originals.keySet()).containsExactlyInAnyOrderElementsOf(ids);
        try (JobWorker worker = Celery.startWorker(target.uri(), List.of("celery", "other"),
                List.of("tasks.add", "tasks.mail"))) {
            List<String> executed = worker.awaitExecuted(ids.size(), Duration.ofSeconds(60));

            Map<String, JsonNode> runs = executed.stream().map(Fixtures::tree)
                    .collect(Collectors.toMap(run -> run.get("id").asText(), run -> run));
            assertThat(runs).as("each task ran once").hasSize(executed.size());
            assertThat(runs.keySet()).containsExactlyInAnyOrderElementsOf(ids);
            originals.forEach((id, message) -> {
                JsonNode body = tree(new String(Base64.getDecoder().decode(message.get("body").asText()), UTF_8));
                assertThat(runs.get(id).get("task")).as(id).isEqualTo(message.at("/headers/task"));
                assertThat(runs.get(id).get("args")).as(id).isEqualTo(body.get(0));
                assertThat(runs.get(id).get("kwargs")).as(id).isEqualTo(body.get(1));
                assertThat(runs.get(id).get("retries").intValue()).isZero();
            });
        }
    }

    /** One list of the source, oldest first, to the same list of the target. */
    private void move(String key, String queue, Map<String, ObjectNode> originals) {
        List<byte[]> newestFirst = source.client().lrange(key.getBytes(UTF_8), 0, -1);
        for (int i = newestFirst.size() - 1; i >= 0; i--) {
            byte[] message = newestFirst.get(i);
            CloudEvent event = JobEvents.parse(JobEvents.serialize(codec.toEvent(message, queue)));
            NativeJob written = codec.toNative(event, queue);

            ObjectNode expected = tree(message);
            ObjectNode actual = tree(written.bytes());
            assertThat(actual.at("/properties/delivery_tag").asText()).isNotEqualTo(expected.at("/properties/delivery_tag").asText());
            ((ObjectNode) expected.get("properties")).remove("delivery_tag");
            ((ObjectNode) actual.get("properties")).remove("delivery_tag");
            assertThat(actual).as("rewritten field for field but a fresh delivery_tag").isEqualTo(expected);
            int priority = written.priority().orElseThrow();
            String targetKey = priority == 0 ? queue : queue + PRIORITY_SEPARATOR + priority;
            assertThat(targetKey).isEqualTo(key);
            target.client().lpush(targetKey.getBytes(UTF_8), written.bytes());
            originals.put(event.getId(), expected);
        }
    }
}
