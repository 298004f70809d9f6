package dev.qbridge.server.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class BridgeTest {

    private static ConnectorSpec spec(String source, String sink, String template, Map<String, String> parameters) {
        return new ConnectorSpec("c", true, Path.of("c.properties"), source, sink, Optional.ofNullable(template), parameters,
                Optional.empty(), Optional.empty(), Optional.empty(), Duration.ofSeconds(30), "hash");
    }

    private static Bridge choose(String source, String sink) throws BadFileException {
        return Bridge.choose(spec(source, sink, null, Map.of()), "factory");
    }

    @Test
    void redisToKafkaRunsTheKafkaBridgeWithTopicAndBrokers() throws Exception {
        Bridge bridge = choose("redisq:orders?batchSize=50", "kafka:orders?brokers=k1:9092,k2:9092");

        assertThat(bridge.template()).contains("redisq-to-kafka");
        assertThat(bridge.parameters()).containsEntry("source", "redisq:orders?batchSize=50").containsEntry("topic", "orders")
                .containsEntry("brokers", "k1:9092,k2:9092");
    }

    @Test
    void kafkaToRedisKeepsTheGroup() throws Exception {
        Bridge bridge = choose("kafka:events?brokers=k:9092&groupId=g", "redisq:inbox");

        assertThat(bridge.template()).contains("kafka-to-redisq");
        assertThat(bridge.parameters()).containsEntry("topic", "events").containsEntry("groupId", "g").containsEntry("sink", "redisq:inbox");
    }

    @Test
    void filesHttpAndJmsMapToTheirBridges() throws Exception {
        assertThat(choose("redisq:q", "file:/var/out").parameters()).containsEntry("directory", "/var/out");
        assertThat(choose("file:/var/in?readLock=rename", "redisq:q").parameters()).containsEntry("directory", "/var/in")
                .containsEntry("readLock", "rename");
        assertThat(choose("redisq:q", "https://api.example.com/hooks").parameters()).containsEntry("url", "https://api.example.com/hooks");
        assertThat(choose("platform-http:/jobs", "redisq:q").parameters()).containsEntry("path", "/jobs");
        assertThat(choose("jms:queue:orders", "redisq:q").parameters()).containsEntry("destination", "queue:orders")
                .containsEntry("connectionFactory", "factory");
        assertThat(choose("redisq:q", "jms:topic:events?jmsMessageType=Text").parameters()).containsEntry("destination", "topic:events")
                .containsEntry("messageType", "Text");
    }

    @Test
    void redisToRedisAndOtherPairsRunThePlainRoute() throws Exception {
        assertThat(choose("redisq:a", "redisq:b?kind=priority").template()).isEmpty();
        assertThat(choose("timer:tick", "log:x").template()).isEmpty();
        assertThat(Bridge.choose(spec("redisq:a", "kafka:t?brokers=k:1&linger=5", "none", Map.of()), null).template()).isEmpty();
    }

    @Test
    void anOptionTheBridgeDoesNotTakeIsReportedAgainstItsKey() {
        assertThatThrownBy(() -> choose("redisq:a", "kafka:t?brokers=k:1&lingerMs=5"))
                .isInstanceOfSatisfying(BadFileException.class, e -> {
                    assertThat(e.report().key()).isEqualTo("sink");
                    assertThat(e.report().reason()).contains("lingerMs", "redisq-to-kafka", "template = none");
                });
    }

    @Test
    void jmsWithoutABrokerSaysWhatToSet() {
        assertThatThrownBy(() -> Bridge.choose(spec("jms:queue:q", "redisq:q", null, Map.of()), null))
                .isInstanceOfSatisfying(BadFileException.class, e -> assertThat(e.report().key()).isEqualTo("jms.brokerUrl"));
    }

    @Test
    void templateParametersReachTheTemplate() throws Exception {
        Bridge bridge = Bridge.choose(spec("file:/in", "redisq:q", null, Map.of("split", "line")), null);

        assertThat(bridge.parameters()).containsEntry("split", "line");
    }
}
