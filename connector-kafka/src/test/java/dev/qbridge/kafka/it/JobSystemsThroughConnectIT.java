package dev.qbridge.kafka.it;

import static dev.qbridge.kafka.it.ConnectCluster.headers;
import static dev.qbridge.kafka.it.ConnectCluster.text;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.qbridge.kafka.RedisQueueSinkConnector;
import dev.qbridge.kafka.RedisQueueSourceConnector;
import dev.qbridge.testkit.Celery;
import dev.qbridge.testkit.JobWorker;
import dev.qbridge.testkit.RedisServerExtension;
import dev.qbridge.testkit.Sidekiq;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.connect.util.clusters.EmbeddedConnectCluster;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Job systems through a real Kafka Connect worker: the systems' own clients enqueue into one Redis, the source
 * connector sends every job to a topic as a CloudEvent keyed by its id, the sink connector writes them into another
 * Redis as the systems' own clients would, and the systems' own workers run every one there.
 */
class JobSystemsThroughConnectIT {

    private static final Duration TIMEOUT = Duration.ofSeconds(90);
    private static final ObjectMapper JSON = new ObjectMapper();

    @RegisterExtension
    static RedisServerExtension from = RedisServerExtension.standalone();

    @RegisterExtension
    static RedisServerExtension to = RedisServerExtension.standalone();

    private static EmbeddedConnectCluster connect;
    private final List<String> connectors = new ArrayList<>();

    @BeforeAll
    static void start() {
        Sidekiq.requireInstalled();
        Celery.requireInstalled();
        connect = ConnectCluster.get();
    }

    @AfterEach
    void cleanUp() {
        connectors.forEach(ConnectCluster::deleteQuietly);
    }

    private void run(String name, Class<?> connector, String... keyValues) {
        Map<String, String> props = new HashMap<>();
        props.put("connector.class", connector.getName());
        props.put("tasks.max", "1");
        props.put("value.converter", "org.apache.kafka.connect.converters.ByteArrayConverter");
        props.put("key.converter", "org.apache.kafka.connect.storage.StringConverter");
        props.put("poll.wait.ms", "200");
        for (int i = 0; i < keyValues.length; i += 2) {
            props.put(keyValues[i], keyValues[i + 1]);
        }
        if (connector == RedisQueueSinkConnector.class) {
            props.remove("poll.wait.ms");
        }
        connect.configureConnector(name, props);
        connectors.add(name);
        await().atMost(TIMEOUT).until(() -> ConnectCluster.tasksRunning(name, 1));
    }

    @Test
    void sidekiqJobsGoThroughKafkaAsCloudEventsAndSidekiqRunsEveryOneOnTheOtherRedis() {
        List<String> specs = new ArrayList<>();
        IntStream.range(0, 40).forEach(i -> specs.add("{\"class\": \"AddWorker\", \"args\": [" + i + "]}"));
        List<String> jids = Sidekiq.enqueue(from.uri(), "[" + String.join(", ", specs) + "]");
        connect.kafka().createTopic("sidekiq-default", 1);

        run("sidekiq-source", RedisQueueSourceConnector.class, "redis.uri", from.uri(), "queues", "default",
                "queue.format", "sidekiq", "topic", "sidekiq-${queue}");
        List<ConsumerRecord<byte[], byte[]>> records = ConnectCluster.readAtLeast("sidekiq-default", jids.size(), TIMEOUT);
        assertThat(records).allSatisfy(r -> {
            JsonNode event = tree(text(r.value()));
            assertThat(text(r.key())).as("keyed by the jid").isEqualTo(event.get("id").asText());
            assertThat(headers(r)).containsEntry("content-type", "application/cloudevents+json")
                    .containsEntry("ce_type", "AddWorker").containsEntry("ce_id", text(r.key()));
        });
        assertThat(records.stream().map(r -> text(r.key())).toList()).containsAll(jids);

        run("sidekiq-sink", RedisQueueSinkConnector.class, "redis.uri", to.uri(), "topics", "sidekiq-default",
                "queue", "default", "queue.format", "sidekiq");
        try (JobWorker worker = Sidekiq.startWorker(to.uri(), List.of("default"), List.of("AddWorker"))) {
            Map<String, JsonNode> runs = worker.awaitExecuted(jids.size(), TIMEOUT).stream()
                    .map(JobSystemsThroughConnectIT::tree).collect(Collectors.toMap(r -> r.get("jid").asText(), r -> r));
            assertThat(runs.keySet()).containsExactlyInAnyOrderElementsOf(jids);
            assertThat(runs.get(jids.get(9)).get("args").toString()).isEqualTo("[9]");
        }
        assertThat(from.client().llen("queue:default")).as("drained").isZero();
        assertThat(to.client().smembers("queues")).containsExactly("default");
    }

    @Test
    void sidekiqScheduledJobsGoThroughKafkaKeepingTheirTimeAndRunWhenDue() throws Exception {
        List<String> specs = new ArrayList<>();
        IntStream.range(0, 5).forEach(i -> specs.add("{\"class\": \"AddWorker\", \"args\": [" + i + "], \"in\": 4}"));
        specs.add("{\"class\": \"AddWorker\", \"args\": [99], \"queue\": \"other\", \"in\": 4}");
        List<String> jids = Sidekiq.enqueue(from.uri(), "[" + String.join(", ", specs) + "]");
        String dueTimes = Sidekiq.api(from.uri(), "Sidekiq::ScheduledSet.new.select { |j| j.queue == 'default' }"
                + ".map { |j| [j.jid, j.at.to_f.round(3)] }.sort");
        connect.kafka().createTopic("sidekiq-scheduled", 1);

        run("scheduled-source", RedisQueueSourceConnector.class, "redis.uri", from.uri(), "queues", "default",
                "queue.format", "sidekiq", "queue.set", "scheduled", "topic", "sidekiq-scheduled");
        run("scheduled-sink", RedisQueueSinkConnector.class, "redis.uri", to.uri(), "topics", "sidekiq-scheduled",
                "queue", "default", "queue.format", "sidekiq", "queue.set", "scheduled");

        await().atMost(TIMEOUT).until(() -> to.client().zcard("schedule") == 5);
        assertThat(Sidekiq.api(to.uri(), "Sidekiq::ScheduledSet.new.map { |j| [j.jid, j.at.to_f.round(3)] }.sort"))
                .as("the same jobs, each at its own time").isEqualTo(dueTimes);
        assertThat(from.client().zrange("schedule", 0, -1)).as("the other queue's job stays").hasSize(1)
                .allSatisfy(j -> assertThat(j).contains(jids.get(5)));
        try (JobWorker worker = Sidekiq.startWorker(to.uri(), List.of("default"), List.of("AddWorker"))) {
            List<String> ran = worker.awaitExecuted(5, TIMEOUT).stream().map(r -> tree(r).get("jid").asText()).toList();
            assertThat(ran).containsExactlyInAnyOrderElementsOf(jids.subList(0, 5));
        }
    }

    @Test
    void celeryTasksGoThroughKafkaAndACeleryWorkerRunsEveryOneOnTheOtherRedis() {
        List<String> specs = new ArrayList<>();
        IntStream.range(0, 30).forEach(i -> specs.add("{\"task\": \"tasks.add\", \"args\": [" + i + ", 1]"
                + (i % 3 == 0 ? ", \"priority\": 6" : "") + "}"));
        List<String> ids = Celery.enqueue(from.uri(), "[" + String.join(", ", specs) + "]");
        connect.kafka().createTopic("celery-tasks", 1);

        run("celery-source", RedisQueueSourceConnector.class, "redis.uri", from.uri(), "queues", "celery",
                "queue.format", "celery", "topic", "celery-tasks");
        run("celery-sink", RedisQueueSinkConnector.class, "redis.uri", to.uri(), "topics", "celery-tasks",
                "queue", "celery", "queue.format", "celery");

        try (JobWorker worker = Celery.startWorker(to.uri(), List.of("celery"), List.of("tasks.add"))) {
            List<String> ran = worker.awaitExecuted(ids.size(), TIMEOUT).stream()
                    .map(r -> tree(r).get("id").asText()).toList();
            assertThat(ran).containsExactlyInAnyOrderElementsOf(ids);
        }
        assertThat(from.client().llen("celery") + from.client().llen("celery\u0006\u00166")).as("drained").isZero();
    }

    private static JsonNode tree(String json) {
        try {
            return JSON.readTree(json);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
