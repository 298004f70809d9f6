package dev.qbridge.kafka.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.qbridge.kafka.RedisQueueSinkConnector;
import dev.qbridge.testkit.DocumentedAcl;
import dev.qbridge.testkit.RedisServerExtension;
import dev.qbridge.testkit.TlsAuthority;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.connect.util.clusters.EmbeddedConnectCluster;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The sink connector in a real Connect worker, writing over mutual TLS (redis.keystore.* and redis.truststore.*) to a
 * redis-server that requires client certificates, as a user granted only the ACL rule of docs/PROTOCOL.md.
 */
class MutualTlsSinkIT {

    private static final String STORE_PW = "kafka-store-pw";
    private static final String USER_PW = "kafka-user-pw";
    private static final Duration TIMEOUT = Duration.ofSeconds(90);
    private static final TlsAuthority.MutualTls TLS = TlsAuthority.mutualTls("connect", "JKS", STORE_PW);
    private static final Path TRUST_STORE = TLS.trustStore();
    private static final Path KEY_STORE = TLS.keyStore();

    @RegisterExtension
    static RedisServerExtension redis = TLS.redis();

    private static EmbeddedConnectCluster connect;
    private final List<String> connectors = new ArrayList<>();

    @BeforeAll
    static void startConnect() {
        connect = ConnectCluster.get();
    }

    @AfterEach
    void cleanUp() {
        connectors.forEach(ConnectCluster::deleteQuietly);
    }

    private static Map<String, String> sink(String topic, String queue, boolean clientCertificate) {
        Map<String, String> props = new HashMap<>();
        props.put("connector.class", RedisQueueSinkConnector.class.getName());
        props.put("tasks.max", "1");
        props.put("topics", topic);
        props.put("queue", queue);
        props.put("redis.uri", "rediss://127.0.0.1:" + redis.server().tlsPort());
        props.put("redis.user", "qbridge");
        props.put("redis.password", USER_PW);
        props.put("redis.truststore.path", TRUST_STORE.toString());
        props.put("redis.truststore.password", STORE_PW);
        if (clientCertificate) {
            props.put("redis.keystore.path", KEY_STORE.toString());
            props.put("redis.keystore.password", STORE_PW);
        }
        props.put("value.converter", "org.apache.kafka.connect.converters.ByteArrayConverter");
        props.put("key.converter", "org.apache.kafka.connect.converters.ByteArrayConverter");
        return props;
    }

    private static void produce(String topic, List<String> values) {
        List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>();
        values.forEach(v -> records.add(new ProducerRecord<>(topic, v.getBytes(StandardCharsets.UTF_8))));
        ConnectCluster.sendAll(ConnectCluster.producerProps("org.apache.kafka.common.serialization.ByteArraySerializer"),
                records);
    }

    @Test
    void recordsReachTheQueueOverMutualTlsAsALeastPrivilegeUser() {
        DocumentedAcl.createUser(redis.client(), "qbridge", USER_PW, "mtls-orders");
        connect.kafka().createTopic("mtls.orders", 1);
        List<String> values = IntStream.range(0, 200).mapToObj(i -> "order-" + i).toList();
        produce("mtls.orders", values);

        connect.configureConnector("mtls-sink", sink("mtls.orders", "mtls-orders", true));
        connectors.add("mtls-sink");
        await().atMost(TIMEOUT).until(() -> redis.client().llen("mtls-orders") == 200);
        assertThat(redis.client().hget("mtls-orders:qbridge:sink-offsets:mtls-sink", "mtls.orders/0")).isEqualTo("200");
        assertThat(DocumentedAcl.log(redis.client())).as("ACL LOG").isEmpty();
    }

    @Test
    void withoutAClientCertificateTheTaskFailsSayingTheServerRequiresOne() {
        DocumentedAcl.createUser(redis.client(), "qbridge", USER_PW, "mtls-refused");
        connect.kafka().createTopic("mtls.refused", 1);
        produce("mtls.refused", List.of("x"));

        connect.configureConnector("mtls-refused", sink("mtls.refused", "mtls-refused", false));
        connectors.add("mtls-refused");
        await().atMost(TIMEOUT).until(() -> {
            var state = connect.connectorStatus("mtls-refused");
            return state.tasks().size() == 1 && state.tasks().get(0).state().equals("FAILED");
        });
        String trace = connect.connectorStatus("mtls-refused").tasks().get(0).trace();
        assertThat(trace).contains("the server requires a client certificate (set keyStore").doesNotContain(STORE_PW)
                .doesNotContain(USER_PW);
        assertThat(redis.client().exists("mtls-refused")).isFalse();
    }
}
