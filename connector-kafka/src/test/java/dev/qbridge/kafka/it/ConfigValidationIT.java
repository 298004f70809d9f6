package dev.qbridge.kafka.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.qbridge.kafka.ConfigSamples;
import dev.qbridge.kafka.RedisQueueSinkConnector;
import dev.qbridge.kafka.RedisQueueSourceConnector;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.kafka.connect.runtime.rest.entities.ConfigInfo;
import org.apache.kafka.connect.runtime.rest.entities.ConfigInfos;
import org.junit.jupiter.api.Test;

/** Invalid configs are refused by the worker's REST validate call, on the key to fix, saying how. */
class ConfigValidationIT {

    private static Map<String, List<String>> errors(Class<?> connector, Map<String, String> config) {
        ConfigInfos infos = ConnectCluster.get().validateConnectorConfig(connector.getName(), config);
        return infos.configs().stream()
                .map(ConfigInfo::configValue)
                .filter(v -> !v.errors().isEmpty())
                .collect(Collectors.toMap(v -> v.name(), v -> v.errors()));
    }

    private static Map<String, String> config(Class<?> connector, String... keyValues) {
        Map<String, String> config = new HashMap<>();
        config.put("name", "validate-me");
        config.put("connector.class", connector.getName());
        for (int i = 0; i < keyValues.length; i += 2) {
            config.put(keyValues[i], keyValues[i + 1]);
        }
        return config;
    }

    @Test
    void sourceConfigWithMistakesIsRejectedWithWhatToFix() {
        Map<String, List<String>> errors = errors(RedisQueueSourceConnector.class, config(RedisQueueSourceConnector.class,
                "redis.uri", "redis://localhost:6379", "queues", "orders", "key.source", "field",
                "queue.kind", "fifo", "lease.timeout.ms", "10", "max.in.flight", "0"));
        assertThat(errors).containsOnlyKeys("key.field", "queue.kind", "lease.timeout.ms", "max.in.flight");
        assertThat(errors.get("key.field")).anySatisfy(m -> assertThat(m).contains("key.source=field needs key.field"));
        assertThat(errors.get("queue.kind")).anySatisfy(m -> assertThat(m).contains("reliable, priority, delayed"));
        assertThat(errors.get("lease.timeout.ms")).anySatisfy(m -> assertThat(m).contains("at least 1000"));
    }

    @Test
    void sourceConfigWithoutRedisOrQueuesIsRejected() {
        Map<String, List<String>> errors = errors(RedisQueueSourceConnector.class, config(RedisQueueSourceConnector.class,
                "redis.uri", "localhost:6379"));
        assertThat(errors).containsOnlyKeys("redis.uri", "queues");
        assertThat(errors.get("redis.uri")).anySatisfy(m -> assertThat(m).contains("has no scheme"));
        assertThat(errors.get("queues")).anySatisfy(m -> assertThat(m).contains("Missing required configuration"));
    }

    @Test
    void sinkConfigWithMistakesIsRejectedWithWhatToFix() {
        Map<String, List<String>> errors = errors(RedisQueueSinkConnector.class, config(RedisQueueSinkConnector.class,
                "topics", "orders", "redis.uri", "redis-cluster://localhost:7000,localhost:7001",
                "queue.kind", "priority", "due.header", "due"));
        assertThat(errors).containsOnlyKeys("priority.default", "due.header", "queue");
        assertThat(errors.get("priority.default")).anySatisfy(m -> assertThat(m).contains("set priority.header or priority.field"));
        assertThat(errors.get("due.header")).anySatisfy(m -> assertThat(m).contains("only applies to queue.kind=delayed"));
        assertThat(errors.get("queue")).anySatisfy(m -> assertThat(m).contains("{${topic}}"));
    }

    @Test
    void everySampleConfigPassesTheWorkersValidation() {
        for (var sample : ConfigSamples.all()) {
            Map<String, String> config = ConfigSamples.load(sample);
            String connector = config.get("connector.class");
            Class<?> type = connector.endsWith("SinkConnector") ? RedisQueueSinkConnector.class : RedisQueueSourceConnector.class;
            assertThat(errors(type, config)).as("errors of %s", sample.getFileName()).isEmpty();
        }
    }
}
