package dev.qbridge.kafka.it;

import static dev.qbridge.kafka.it.ConnectCluster.readSettled;
import static dev.qbridge.kafka.it.ConnectCluster.text;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.qbridge.kafka.ConfigSamples;
import dev.qbridge.kafka.RedisQueueSinkConnector;
import dev.qbridge.kafka.RedisQueueSourceConnector;
import dev.qbridge.kafka.Version;
import dev.qbridge.testkit.RedisServerExtension;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.jar.JarFile;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The plugin archive the build produces works as an operator uses it: unzipped into a worker's plugin.path,
 * found by plugin.discovery=service_load, configured through the REST API with the sample configs.
 */
class PluginArchiveIT {

    @RegisterExtension
    static RedisServerExtension redis = RedisServerExtension.standalone();

    private static final Duration TIMEOUT = Duration.ofSeconds(120);
    private static final ObjectMapper JSON = new ObjectMapper();

    private static Path dir;
    private static Path plugin;

    @BeforeAll
    static void unzip() throws Exception {
        ConnectCluster.get();
        dir = Files.createTempDirectory("qbridge-archive-");
        Path pluginPath = WorkerProcess.unzipPluginArchive(dir);
        try (Stream<Path> entries = Files.list(pluginPath)) {
            plugin = entries.findFirst().orElseThrow();
        }
    }

    @AfterAll
    static void delete() {
        WorkerProcess.deleteTree(dir);
    }

    @Test
    void archiveHoldsAManifestTheJarsAndServiceEntriesButNoKafkaJars() throws Exception {
        assertThat(plugin.getFileName().toString()).isEqualTo("qbridge-kafka-connect-" + Version.get());
        JsonNode manifest = JSON.readTree(plugin.resolve("manifest.json").toFile());
        assertThat(manifest.get("component_type").asText()).isEqualTo("plugin");
        assertThat(manifest.get("name").asText()).isEqualTo("qbridge-kafka-connect");
        assertThat(manifest.get("version").asText()).isEqualTo(Version.get());
        assertThat(manifest.get("component_types")).extracting(JsonNode::asText).containsExactlyInAnyOrder("source", "sink");
        assertThat(manifest.get("owner").get("username").asText()).isNotBlank();

        List<String> jars;
        try (Stream<Path> lib = Files.list(plugin.resolve("lib"))) {
            jars = lib.map(p -> p.getFileName().toString()).sorted().toList();
        }
        assertThat(jars).anyMatch(j -> j.startsWith("qbridge-connector-kafka-"))
                .anyMatch(j -> j.startsWith("qbridge-connector-core-")).anyMatch(j -> j.startsWith("jedis-"))
                .noneMatch(j -> j.startsWith("kafka-clients") || j.startsWith("connect-api") || j.startsWith("slf4j"));
        Path connectorJar = plugin.resolve("lib").resolve(jars.stream().filter(j -> j.startsWith("qbridge-connector-kafka-"))
                .findFirst().orElseThrow());
        try (JarFile jar = new JarFile(connectorJar.toFile())) {
            assertThat(new String(jar.getInputStream(jar.getEntry("META-INF/services/org.apache.kafka.connect.source.SourceConnector"))
                    .readAllBytes(), StandardCharsets.UTF_8)).contains(RedisQueueSourceConnector.class.getName());
            assertThat(new String(jar.getInputStream(jar.getEntry("META-INF/services/org.apache.kafka.connect.sink.SinkConnector"))
                    .readAllBytes(), StandardCharsets.UTF_8)).contains(RedisQueueSinkConnector.class.getName());
        }
        assertThat(plugin.resolve("doc/kafka-connect-config.md")).exists();
        assertThat(plugin.resolve("etc/redis-queue-sink.properties")).exists();
    }

    @Test
    void distributedWorkerLoadsBothConnectorsFromTheArchiveAndRunsTheSampleConfigs() throws Exception {
        try (WorkerProcess worker = WorkerProcess.distributed(dir, dir.resolve("plugins"), ConnectCluster.bootstrapServers(),
                "qbridge-archive-it")) {
            JsonNode plugins = JSON.readTree(worker.get("/connector-plugins").body());
            assertThat(plugins.findValuesAsText("class")).contains(RedisQueueSourceConnector.class.getName(),
                    RedisQueueSinkConnector.class.getName());
            for (JsonNode p : plugins) {
                if (p.get("class").asText().startsWith("dev.qbridge")) {
                    assertThat(p.get("version").asText()).isEqualTo(Version.get());
                }
            }

            // the REST sample of the sink: a delayed queue fed from a JSON field
            Map<String, String> sink = new HashMap<>(ConfigSamples.load("redis-queue-sink.json"));
            String sinkName = sink.remove("name");
            sink.remove("redis.password");
            sink.putAll(Map.of("redis.uri", redis.uri(), "topics", "archive.reminders"));
            ConnectCluster.get().kafka().createTopic("archive.reminders", 1);
            assertThat(worker.post("/connectors", JSON.writeValueAsString(Map.of("name", sinkName, "config", sink)))
                    .statusCode()).isEqualTo(201);
            List<ProducerRecord<String, String>> reminders = new java.util.ArrayList<>();
            for (int i = 0; i < 100; i++) {
                reminders.add(new ProducerRecord<>("archive.reminders", "{\"n\":" + i + ",\"send_at\":" + (2_000_000_000_000L + i) + "}"));
            }
            ConnectCluster.sendAll(ConnectCluster.producerProps("org.apache.kafka.common.serialization.StringSerializer"),
                    reminders);
            await().atMost(TIMEOUT).until(() -> redis.client().zcard(sink.get("queue")) == 100);
            assertThat(redis.client().zscore(sink.get("queue"), "{\"n\":5,\"send_at\":2000000000005}")).isEqualTo(2_000_000_000.005);

            // the REST sample of the source: a priority queue read as schemaless JSON, keyed by a field
            Map<String, String> source = new HashMap<>(ConfigSamples.load("redis-queue-source.json"));
            String sourceName = source.remove("name");
            source.remove("redis.password");
            source.putAll(Map.of("redis.uri", redis.uri(), "topic", "archive.tickets"));
            ConnectCluster.get().kafka().createTopic("archive.tickets", 1);
            for (int i = 0; i < 100; i++) {
                redis.client().zadd(source.get("queues"), i % 3, "{\"customer\":\"c" + i + "\"}");
            }
            assertThat(worker.post("/connectors", JSON.writeValueAsString(Map.of("name", sourceName, "config", source)))
                    .statusCode()).isEqualTo(201);
            // every job acked means every record is in Kafka; reading on until the topic settles would show a duplicate
            await().atMost(TIMEOUT).until(() -> redis.client().zcard(source.get("queues") + ":leases") == 0
                    && redis.client().zcard(source.get("queues")) == 0);
            List<ConsumerRecord<byte[], byte[]>> records = readSettled("archive.tickets", Duration.ofSeconds(2), TIMEOUT);
            assertThat(records).extracting(r -> text(r.key()))
                    .containsExactlyInAnyOrderElementsOf(IntStream.range(0, 100).mapToObj(i -> "c" + i).toList());
            assertThat(worker.runs(sourceName)).as(worker.status(sourceName)).isTrue();
            assertThat(worker.runs(sinkName)).as(worker.status(sinkName)).isTrue();
        }
    }
}
