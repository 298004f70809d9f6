package dev.qbridge.testkit;

import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;

/**
 * One real Kafka broker in this JVM: a combined KRaft broker and controller from Kafka's own test kit, on free
 * ports, with the single-node settings every test here needs (internal topics with one replica, no rebalance
 * delay). Kafka's test kit is a provided dependency of the testkit: a module that uses this class puts
 * kafka-test-common-runtime and its friends on its own test class path; the others never load Kafka.
 */
public final class InJvmKafka implements AutoCloseable {

    private final KafkaClusterTestKit cluster;

    private InJvmKafka(KafkaClusterTestKit cluster) {
        this.cluster = cluster;
    }

    /** A formatted, started broker that is ready for clients. */
    public static InJvmKafka start() {
        return start(Map.of());
    }

    /** The same with extra broker settings, such as {@code num.partitions}. */
    public static InJvmKafka start(Map<String, String> brokerProps) {
        KafkaClusterTestKit.Builder builder = new KafkaClusterTestKit.Builder(new TestKitNodes.Builder()
                .setCombined(true).setNumBrokerNodes(1).setNumControllerNodes(1).build())
                .setConfigProp("offsets.topic.replication.factor", "1")
                .setConfigProp("offsets.topic.num.partitions", "1")
                .setConfigProp("transaction.state.log.replication.factor", "1")
                .setConfigProp("transaction.state.log.min.isr", "1")
                .setConfigProp("group.initial.rebalance.delay.ms", "0");
        brokerProps.forEach(builder::setConfigProp);
        KafkaClusterTestKit cluster = null;
        try {
            cluster = builder.build();
            cluster.format();
            cluster.startup();
            cluster.waitForReadyBrokers();
            return new InJvmKafka(cluster);
        } catch (Exception e) {
            if (cluster != null) {
                try {
                    cluster.close();
                } catch (Exception suppressed) {
                    e.addSuppressed(suppressed);
                }
            }
            throw new IllegalStateException("cannot start an in-JVM Kafka broker: " + e, e);
        }
    }

    public String bootstrapServers() {
        return cluster.bootstrapServers();
    }

    /** An admin client of this broker; the caller closes it. */
    public Admin admin() {
        return cluster.admin();
    }

    /** Creates a topic with one replica and waits until the broker has it. */
    public void createTopic(String topic, int partitions) {
        try (Admin admin = admin()) {
            admin.createTopics(List.of(new NewTopic(topic, partitions, (short) 1))).all().get(1, TimeUnit.MINUTES);
        } catch (Exception e) {
            throw new IllegalStateException("cannot create topic " + topic + ": " + e, e);
        }
    }

    @Override
    public void close() {
        try {
            cluster.close();
        } catch (Exception e) {
            throw new IllegalStateException("cannot stop the in-JVM Kafka broker: " + e, e);
        }
    }
}
