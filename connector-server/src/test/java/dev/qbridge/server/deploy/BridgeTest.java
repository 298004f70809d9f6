package dev.qbridge.server.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class BridgeTest {

    private static Bridge choose(String source, String sink, String template, Map<String, String> parameters, String jmsBean)
            throws BadFileException {
        return Bridge.choose(Path.of("c.properties"), "hash", "c", source, sink, Optional.ofNullable(template), parameters, jmsBean);
    }

    private static Bridge choose(String source, String sink) throws BadFileException {
        return choose(source, sink, null, Map.of(), "factory");
    }

    @Test
    void redisToKafkaRunsTheKafkaBridgeWithTopicAndBrokers() throws Exception {
        Bridge bridge = choose("redisq:orders?batchSize=50", "kafka:orders?brokers=k1:9092,k2:9092");

        assertThat(bridge.template()).contains("redisq-to-kafka");
        assertThat(bridge.parameters()).containsEntry("source", "redisq:orders?batchSize=50").containsEntry("topic", "orders")
                .containsEntry("brokers", "k1:9092,k2:9092");
    }

    @Test
    void theKafkaClientOfABridgeIsNamedAfterTheConnectorUnlessTheUriNamesItAndItsTimeoutsCanBeSet() throws Exception {
        assertThat(choose("redisq:orders", "kafka:orders?brokers=k:9092").parameters()).containsEntry("clientId", "qbridge-c");
        assertThat(choose("kafka:events?brokers=k:9092", "redisq:inbox").parameters()).containsEntry("clientId", "qbridge-c");
        assertThat(choose("redisq:orders", "kafka:orders?brokers=k:9092&clientId=mine&maxBlockMs=5000&requestTimeoutMs=4000"
                + "&deliveryTimeoutMs=9000").parameters()).containsEntry("clientId", "mine").containsEntry("maxBlockMs", "5000")
                .containsEntry("requestTimeoutMs", "4000").containsEntry("deliveryTimeoutMs", "9000");
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
        assertThat(choose("redisq:a", "kafka:t?brokers=k:1&linger=5", "none", Map.of(), null).template()).isEmpty();
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
        assertThatThrownBy(() -> choose("jms:queue:q", "redisq:q", null, Map.of(), null))
                .isInstanceOfSatisfying(BadFileException.class, e -> assertThat(e.report().key()).isEqualTo("jms.brokerUrl"));
    }

    @Test
    void templateParametersReachTheTemplate() throws Exception {
        Bridge bridge = choose("file:/in", "redisq:q", null, Map.of("split", "line"), null);

        assertThat(bridge.parameters()).containsEntry("split", "line");
    }

    @Test
    void theFileBridgeTakesItsJsonLinesModeAsTemplateParameters() throws Exception {
        Bridge bridge = choose("redisq:orders", "file:/var/out", null,
                Map.of("fileFormat", "jsonLines", "linesFileName", "orders-host1.jsonl"), null);

        assertThat(bridge.template()).contains("redisq-to-file");
        assertThat(bridge.parameters()).containsEntry("directory", "/var/out").containsEntry("fileFormat", "jsonLines")
                .containsEntry("linesFileName", "orders-host1.jsonl");
    }

    @Test
    void theRouteSaysWhichEndpointsAreCreatedFirstAndWhichKeyAFailureOfTheRouteIsBlamedOn() throws Exception {
        Bridge toKafka = choose("redisq:orders", "kafka:orders?brokers=k:9092");
        Bridge fromJms = choose("jms:queue:in", "redisq:inbox");
        Bridge plain = choose("redisq:a", "jms:queue:b", "none", Map.of(), "factory");
        Bridge mine = choose("redisq:a", "redisq:b", "slow-bridge", Map.of("delay", "5"), null);

        assertThat(toKafka.endpoints()).containsExactly(Map.entry("source", "redisq:orders"));
        assertThat(toKafka.faultKey()).isEqualTo("sink");
        assertThat(fromJms.endpoints()).containsExactly(Map.entry("sink", "redisq:inbox"));
        assertThat(fromJms.faultKey()).isEqualTo("source");
        assertThat(plain.endpoints()).containsEntry("source", "redisq:a").containsEntry("sink", "jms:queue:b?connectionFactory=#factory");
        assertThat(plain.parameters()).containsEntry("sink", "jms:queue:b?connectionFactory=#factory");
        assertThat(mine.endpoints()).containsOnlyKeys("source", "sink");
        assertThat(mine.faultKey()).isEqualTo("template");
        assertThat(mine.parameters()).containsEntry("delay", "5");
    }

    @Test
    void aKafkaBridgeWithoutBrokersSaysWhatToSet() {
        assertThatThrownBy(() -> choose("redisq:a", "kafka:t"))
                .isInstanceOfSatisfying(BadFileException.class, e -> {
                    assertThat(e.report().key()).isEqualTo("sink");
                    assertThat(e.report().reason()).contains("brokers=");
                });
        assertThatThrownBy(() -> choose("kafka:t?groupId=g", "redisq:a"))
                .isInstanceOfSatisfying(BadFileException.class, e -> assertThat(e.report().key()).isEqualTo("source"));
    }
}
