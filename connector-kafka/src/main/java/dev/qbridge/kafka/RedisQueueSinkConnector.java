package dev.qbridge.kafka;

import dev.qbridge.kafka.config.SinkConfig;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.config.Config;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigValue;
import org.apache.kafka.connect.connector.Task;
import org.apache.kafka.connect.sink.SinkConnector;

/**
 * Writes Kafka records into a Redis queue (reliable, priority or delayed) exactly once: each batch and the
 * offsets of its partitions are written in one atomic Redis step, and tasks resume from the offsets in Redis.
 */
public class RedisQueueSinkConnector extends SinkConnector {

    private Map<String, String> props;

    @Override
    public String version() {
        return Version.get();
    }

    @Override
    public void start(Map<String, String> props) {
        new SinkConfig(props).queueKind(); // fail on start when the config is unusable
        this.props = Map.copyOf(props);
    }

    @Override
    public Class<? extends Task> taskClass() {
        return RedisQueueSinkTask.class;
    }

    /** Every task gets the same config: Kafka's consumer group spreads the partitions over them. */
    @Override
    public List<Map<String, String>> taskConfigs(int maxTasks) {
        List<Map<String, String>> configs = new ArrayList<>(maxTasks);
        for (int t = 0; t < maxTasks; t++) {
            configs.add(props);
        }
        return configs;
    }

    @Override
    public void stop() {
        // the connector holds nothing: tasks own their Redis connections
    }

    @Override
    public ConfigDef config() {
        return SinkConfig.CONFIG_DEF;
    }

    @Override
    public Config validate(Map<String, String> connectorConfigs) {
        Config config = super.validate(connectorConfigs);
        Map<String, ConfigValue> values = new HashMap<>();
        config.configValues().forEach(v -> values.put(v.name(), v));
        SinkConfig.validate(values);
        return config;
    }
}
