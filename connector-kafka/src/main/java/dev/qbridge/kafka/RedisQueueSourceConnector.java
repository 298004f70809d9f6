package dev.qbridge.kafka;

import dev.qbridge.kafka.config.SourceConfig;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.config.Config;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigValue;
import org.apache.kafka.connect.connector.Task;
import org.apache.kafka.connect.source.ConnectorTransactionBoundaries;
import org.apache.kafka.connect.source.ExactlyOnceSupport;
import org.apache.kafka.connect.source.SourceConnector;

/**
 * Reads Redis queues (reliable, priority or delayed) into Kafka topics, at least once: a job is acked in Redis
 * only after Kafka confirmed its record, so a crash anywhere delivers it again instead of losing it.
 */
public class RedisQueueSourceConnector extends SourceConnector {

    /** The queues one task reads, comma separated; set by {@link #taskConfigs(int)} only. */
    public static final String TASK_QUEUES_CONFIG = "task.queues";

    private Map<String, String> props;

    @Override
    public String version() {
        return Version.get();
    }

    @Override
    public void start(Map<String, String> props) {
        SourceConfig config = new SourceConfig(props);
        config.queueKind(); // fail on start, not in every task, when the config is unusable
        this.props = Map.copyOf(props);
    }

    @Override
    public Class<? extends Task> taskClass() {
        return RedisQueueSourceTask.class;
    }

    /**
     * Spreads the queues over at most {@code maxTasks} tasks. With fewer tasks than queues, a task reads several;
     * with more, several tasks share a queue, which is safe because each take moves jobs into leases atomically.
     */
    @Override
    public List<Map<String, String>> taskConfigs(int maxTasks) {
        List<String> queues = new SourceConfig(props).queues();
        int tasks = Math.max(1, maxTasks);
        List<List<String>> assignment = new ArrayList<>();
        for (int t = 0; t < tasks; t++) {
            assignment.add(new ArrayList<>());
        }
        if (tasks <= queues.size()) {
            for (int q = 0; q < queues.size(); q++) {
                assignment.get(q % tasks).add(queues.get(q));
            }
        } else {
            for (int t = 0; t < tasks; t++) {
                assignment.get(t).add(queues.get(t % queues.size()));
            }
        }
        List<Map<String, String>> configs = new ArrayList<>(tasks);
        for (List<String> taskQueues : assignment) {
            Map<String, String> taskProps = new HashMap<>(props);
            taskProps.put(TASK_QUEUES_CONFIG, String.join(",", taskQueues));
            configs.add(taskProps);
        }
        return configs;
    }

    @Override
    public void stop() {
        // the connector holds nothing: tasks own their Redis connections
    }

    @Override
    public ConfigDef config() {
        return SourceConfig.CONFIG_DEF;
    }

    @Override
    public Config validate(Map<String, String> connectorConfigs) {
        Config config = super.validate(connectorConfigs);
        Map<String, ConfigValue> values = new HashMap<>();
        config.configValues().forEach(v -> values.put(v.name(), v));
        SourceConfig.validate(values);
        return config;
    }

    /**
     * Unsupported, honestly: a job is acked in Redis after Kafka committed its record, and Redis cannot take
     * part in a Kafka transaction, so a crash between the two delivers the job again (at least once).
     */
    @Override
    public ExactlyOnceSupport exactlyOnceSupport(Map<String, String> connectorConfig) {
        return ExactlyOnceSupport.UNSUPPORTED;
    }

    @Override
    public ConnectorTransactionBoundaries canDefineTransactionBoundaries(Map<String, String> connectorConfig) {
        return ConnectorTransactionBoundaries.UNSUPPORTED;
    }
}
