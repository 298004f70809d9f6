package dev.qbridge.kafka.it;

import static dev.qbridge.kafka.it.ConnectCluster.headers;
import static dev.qbridge.kafka.it.ConnectCluster.text;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.qbridge.kafka.ConfigSamples;
import dev.qbridge.kafka.RedisQueueSinkConnector;
import dev.qbridge.kafka.RedisQueueSourceConnector;
import dev.qbridge.testkit.Celery;
import dev.qbridge.testkit.JobWorker;
import dev.qbridge.testkit.RedisServerExtension;
import dev.qbridge.testkit.Rq;
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
 * RQ's jobs through a real Kafka Connect worker: RQ's own client enqueues, the source connector sends each id with its
 * hash as a CloudEvent keyed by the job's id and deletes the hash once Kafka has the record, the sink writes the
 * events into another Redis as Celery tasks of the same name, and a real Celery worker runs every one.
 */
class RqThroughConnectIT {

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
        Rq.requireInstalled();
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
        for (int i = 0; i < keyValues.length; i += 2) {
            props.put(keyValues[i], keyValues[i + 1]);
        }
        if (connector == RedisQueueSourceConnector.class) {
            props.put("poll.wait.ms", "200");
        }
        connect.configureConnector(name, props);
        connectors.add(name);
        await().atMost(TIMEOUT).until(() -> ConnectCluster.tasksRunning(name, 1));
    }

    @Test
    void rqJobsGoThroughKafkaAsCloudEventsAndACeleryWorkerRunsEveryOneOnTheOtherRedis() {
        String specs = IntStream.range(0, 30).mapToObj(i -> "{\"func\": \"tasks.add\", \"args\": [" + i + ", 1]}")
                .collect(Collectors.joining(", ", "[", "]"));
        List<String> ids = Rq.enqueue(from.uri(), specs).stream().map(Rq.Enqueued::id).toList();
        connect.kafka().createTopic("rq-default", 1);

        run("rq-source", RedisQueueSourceConnector.class, "redis.uri", from.uri(), "queues", "default",
                "queue.format", "rq", "topic", "rq-${queue}");
        List<ConsumerRecord<byte[], byte[]>> records = ConnectCluster.readAtLeast("rq-default", ids.size(), TIMEOUT);
        assertThat(records).allSatisfy(r -> {
            JsonNode event = tree(text(r.value()));
            assertThat(text(r.key())).as("keyed by RQ's job id").isEqualTo(event.get("id").asText());
            assertThat(event.get("type").asText()).isEqualTo("tasks.add");
            assertThat(event.get("jobsystem").asText()).isEqualTo("rq");
        });
        assertThat(records.stream().map(r -> text(r.key())).toList()).containsAll(ids);
        await().atMost(TIMEOUT).until(() -> from.client().keys("rq:job:*").isEmpty());
        assertThat(from.client().llen("rq:queue:default")).as("drained").isZero();

        run("rq-to-celery", RedisQueueSinkConnector.class, "redis.uri", to.uri(), "topics", "rq-default",
                "queue", "celery", "queue.format", "celery");
        try (JobWorker worker = Celery.startWorker(to.uri(), List.of("celery"), List.of("tasks.add"))) {
            Map<String, JsonNode> runs = worker.awaitExecuted(ids.size(), TIMEOUT).stream()
                    .map(RqThroughConnectIT::tree).collect(Collectors.toMap(r -> r.get("id").asText(), r -> r));
            assertThat(runs.keySet()).containsExactlyInAnyOrderElementsOf(ids);
            assertThat(runs.get(ids.get(5)).get("args").toString()).isEqualTo("[5,1]");
        }
    }

    @Test
    void theRqToKafkaSampleDrainsEachOfItsQueuesIntoItsTopicAsCloudEventsKeyedByRqsJobIds() {
        Map<String, String> sample = new HashMap<>(ConfigSamples.load("rq-to-kafka.json"));
        String name = sample.remove("name");
        sample.put("redis.uri", from.uri());
        List<String> high = Rq.enqueue(from.uri(), IntStream.range(0, 12).mapToObj(i -> "{\"func\": \"tasks.add\", "
                + "\"args\": [" + i + ", 1], \"queue\": \"high\"}").collect(Collectors.joining(", ", "[", "]")))
                .stream().map(Rq.Enqueued::id).toList();
        List<String> low = Rq.enqueue(from.uri(), "[{\"func\": \"tasks.report\", \"kwargs\": {\"day\": \"mon\"}, "
                + "\"queue\": \"low\"}, {\"func\": \"tasks.report\", \"args_py\": \"((1, 2), b'x')\", \"queue\": \"low\"}]")
                .stream().map(Rq.Enqueued::id).toList();
        connect.kafka().createTopic("rq-high", 1);
        connect.kafka().createTopic("rq-low", 1);

        connect.configureConnector(name, sample);
        connectors.add(name);
        await().atMost(TIMEOUT).until(() -> ConnectCluster.tasksRunning(name, 1));
        // once every hash is deleted, Kafka has acknowledged every record: what the topics hold then is all there is
        await().atMost(TIMEOUT).until(() -> from.client().keys("rq:job:*").isEmpty());
        assertThat(from.client().llen("rq:queue:high") + from.client().llen("rq:queue:low")).as("drained").isZero();

        for (Map.Entry<String, List<String>> queue : Map.of("rq-high", high, "rq-low", low).entrySet()) {
            List<ConsumerRecord<byte[], byte[]>> records = ConnectCluster.readSettled(queue.getKey(), Duration.ofSeconds(2), TIMEOUT);
            assertThat(records).extracting(r -> text(r.key())).as("one record per job, keyed by RQ's id")
                    .containsExactlyInAnyOrderElementsOf(queue.getValue());
            assertThat(records).allSatisfy(r -> {
                assertThat(headers(r)).containsEntry("content-type", "application/cloudevents+json")
                        .containsEntry("ce_id", text(r.key())).containsEntry("ce_specversion", "1.0");
                assertThat(tree(text(r.value())).get("jobsystem").asText()).isEqualTo("rq");
            });
        }
    }

    private static JsonNode tree(String json) {
        try {
            return JSON.readTree(json);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
