package dev.qbridge.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.config.ConfigValue;
import org.apache.kafka.connect.source.ExactlyOnceSupport;
import org.junit.jupiter.api.Test;

/** What the connectors answer the worker before any task runs. */
class ConnectorsTest {

    private static Map<String, String> source(String... keyValues) {
        Map<String, String> props = new HashMap<>(Map.of("name", "s", "redis.uri", "redis://localhost:6379"));
        for (int i = 0; i < keyValues.length; i += 2) {
            props.put(keyValues[i], keyValues[i + 1]);
        }
        return props;
    }

    private static List<String> queuesOfTasks(String queues, int maxTasks) {
        RedisQueueSourceConnector connector = new RedisQueueSourceConnector();
        connector.start(source("queues", queues));
        return connector.taskConfigs(maxTasks).stream()
                .map(c -> c.get(RedisQueueSourceConnector.TASK_QUEUES_CONFIG)).toList();
    }

    @Test
    void tasksMaxSpreadsQueuesOverTasksAndTasksShareQueuesWhenThereAreMore() {
        assertThat(queuesOfTasks("a,b,c", 2)).containsExactly("a,c", "b");
        assertThat(queuesOfTasks("a,b", 5)).containsExactly("a", "b", "a", "b", "a");
        assertThat(queuesOfTasks("a", 1)).containsExactly("a");
    }

    @Test
    void sourceSaysHonestlyThatItIsNotExactlyOnce() {
        assertThat(new RedisQueueSourceConnector().exactlyOnceSupport(source("queues", "a")))
                .isEqualTo(ExactlyOnceSupport.UNSUPPORTED);
    }

    @Test
    void bothConnectorsReportTheBuildVersion() {
        assertThat(new RedisQueueSourceConnector().version()).matches("\\d+\\.\\d+\\.\\d+.*");
        assertThat(new RedisQueueSinkConnector().version()).isEqualTo(new RedisQueueSourceConnector().version());
    }

    private static Map<String, List<String>> errors(org.apache.kafka.connect.connector.Connector c, Map<String, String> p) {
        Map<String, List<String>> errors = new HashMap<>();
        for (ConfigValue v : c.validate(p).configValues()) {
            if (!v.errorMessages().isEmpty()) {
                errors.put(v.name(), v.errorMessages());
            }
        }
        return errors;
    }

    @Test
    void aJobSystemsFormatAndSetMistakesAreReportedOnTheKeyToFixWithTheReason() {
        assertThat(errors(new RedisQueueSourceConnector(), source("queues", "celery", "queue.format", "celery",
                "queue.set", "scheduled")).get("queue.set")).anySatisfy(m -> assertThat(m).contains("ETA"));
        assertThat(errors(new RedisQueueSinkConnector(), source("topics", "t", "queue.format", "sidekiq",
                "queue.kind", "priority")).get("queue.kind")).anySatisfy(m -> assertThat(m).contains("leave queue.kind out"));
        assertThat(errors(new RedisQueueSinkConnector(), source("topics", "t", "queue.set", "dead")).get("queue.set"))
                .anySatisfy(m -> assertThat(m).contains("applies to the job systems' formats"));
        assertThat(errors(new RedisQueueSinkConnector(), source("topics", "t", "task.map", "a:b")).get("task.map"))
                .anySatisfy(m -> assertThat(m).contains("queue.format=sidekiq or celery"));
        assertThat(errors(new RedisQueueSinkConnector(), source("topics", "t", "queue.format", "sidekiq",
                "queue.set", "scheduled", "task.map", "tasks.add:AddWorker"))).isEmpty();
    }

    @Test
    void rqIsReadBySourcesAndRefusedBySinks() {
        assertThat(errors(new RedisQueueSourceConnector(), source("queues", "default", "queue.format", "rq"))).isEmpty();
        assertThat(errors(new RedisQueueSourceConnector(), source("queues", "default", "queue.format", "rq",
                "queue.set", "dead"))).isEmpty();
        assertThat(errors(new RedisQueueSourceConnector(), source("queues", "default", "queue.format", "rq",
                "queue.set", "retry")).get("queue.set")).anySatisfy(m -> assertThat(m).contains("RQ keeps no retry set"));
        assertThat(errors(new RedisQueueSinkConnector(), source("topics", "t", "queue.format", "rq")).get("queue.format"))
                .isNotEmpty();
    }

    @Test
    void crossFieldMistakesAreReportedOnTheKeyToFix() {
        assertThat(errors(new RedisQueueSourceConnector(), source("queues", "a", "key.source", "field")))
                .containsOnlyKeys("key.field");
        assertThat(errors(new RedisQueueSourceConnector(), source("queues", "a,a"))).containsOnlyKeys("queues");
        assertThat(errors(new RedisQueueSourceConnector(), source("queues", "a", "redis.uri", "http://x")).get("redis.uri"))
                .anySatisfy(m -> assertThat(m).contains("scheme 'http' is unknown"));
        assertThat(errors(new RedisQueueSourceConnector(), source("queues", "orders",
                "redis.uri", "redis-cluster://h1:7000,h2:7001")).get("queues"))
                .anySatisfy(m -> assertThat(m).contains("{orders}"));
        assertThat(errors(new RedisQueueSinkConnector(), source("topics", "t", "queue.kind", "priority")).get("priority.default"))
                .anySatisfy(m -> assertThat(m).contains("priority.header or priority.field"));
        assertThat(errors(new RedisQueueSinkConnector(), source("topics", "t", "due.field", "at")).get("due.field"))
                .anySatisfy(m -> assertThat(m).contains("queue.kind=delayed"));
    }

    @Test
    void keyStoreKeysAreAPathThatMustExistAndAPasswordThatIsMasked(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
            throws Exception {
        for (var def : List.of(dev.qbridge.kafka.config.SourceConfig.CONFIG_DEF, dev.qbridge.kafka.config.SinkConfig.CONFIG_DEF)) {
            assertThat(def.configKeys().get("redis.keystore.password").type)
                    .isEqualTo(org.apache.kafka.common.config.ConfigDef.Type.PASSWORD);
            assertThat(def.configKeys().get("redis.keystore.path").documentation).contains("mutual TLS");
        }
        java.nio.file.Path store = java.nio.file.Files.writeString(dir.resolve("client.p12"), "not read by validate()");
        assertThat(errors(new RedisQueueSourceConnector(), source("queues", "a", "redis.uri", "rediss://h:1",
                "redis.keystore.path", dir.resolve("missing.p12").toString())).get("redis.keystore.path"))
                .anySatisfy(m -> assertThat(m).contains("no readable file there"));
        assertThat(errors(new RedisQueueSinkConnector(), source("topics", "t", "redis.keystore.path", store.toString(),
                "redis.keystore.password", "k3y-pw")).get("redis.keystore.path"))
                .anySatisfy(m -> assertThat(m).contains("redis.uri is not TLS: use rediss://"));
        assertThat(errors(new RedisQueueSinkConnector(), source("topics", "t", "redis.uri", "rediss://h:1",
                "redis.keystore.path", store.toString(), "redis.keystore.password", "k3y-pw"))).isEmpty();
    }

    @Test
    void unknownHeaderNameIsRefusedWithTheNamesAllowed() {
        Map<String, List<String>> errors = errors(new RedisQueueSourceConnector(),
                source("queues", "a", "headers", "queue,bogus"));
        assertThat(errors).containsOnlyKeys("headers");
        assertThat(errors.get("headers")).anySatisfy(m -> assertThat(m).contains("unknown header 'bogus'")
                .contains("queue, job.id, attempt, priority, due.at, taken.at"));
        assertThat(errors(new RedisQueueSourceConnector(), source("queues", "a", "headers", ""))).isEmpty();
    }
}
