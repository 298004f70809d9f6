package dev.qbridge.kafka.it;

import static dev.qbridge.kafka.it.ConnectCluster.readSettled;
import static dev.qbridge.kafka.it.ConnectCluster.text;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.qbridge.kafka.RedisQueueSinkConnector;
import dev.qbridge.testkit.RedisServerExtension;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.connect.runtime.rest.entities.ConnectorStateInfo;
import org.apache.kafka.connect.util.clusters.EmbeddedConnectCluster;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import redis.clients.jedis.resps.Tuple;

/** The sink connector in a real Connect worker, writing a real Kafka into a real Redis. */
class RedisQueueSinkIT {

    @RegisterExtension
    static RedisServerExtension redis = RedisServerExtension.standalone();

    private static final Duration TIMEOUT = Duration.ofSeconds(90);
    /** How long a count must stay put before it counts as final, so that a record written twice would show. */
    private static final Duration QUIET = Duration.ofSeconds(2);

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

    private Map<String, String> sink(String topic, String... keyValues) {
        Map<String, String> props = new HashMap<>();
        props.put("connector.class", RedisQueueSinkConnector.class.getName());
        props.put("tasks.max", "1");
        props.put("topics", topic);
        props.put("redis.uri", redis.uri());
        props.put("value.converter", "org.apache.kafka.connect.converters.ByteArrayConverter");
        props.put("key.converter", "org.apache.kafka.connect.converters.ByteArrayConverter");
        for (int i = 0; i < keyValues.length; i += 2) {
            props.put(keyValues[i], keyValues[i + 1]);
        }
        return props;
    }

    private void start(String name, Map<String, String> props) {
        connect.configureConnector(name, props);
        connectors.add(name);
        await().atMost(TIMEOUT).until(() -> ConnectCluster.tasksRunning(name, 1));
    }

    private static void produce(String topic, List<String> values, String header, List<String> headerValues) {
        List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>();
        for (int i = 0; i < values.size(); i++) {
            ProducerRecord<byte[], byte[]> r = new ProducerRecord<>(topic, values.get(i).getBytes(StandardCharsets.UTF_8));
            if (header != null && headerValues.get(i) != null) {
                r.headers().add(header, headerValues.get(i).getBytes(StandardCharsets.UTF_8));
            }
            records.add(r);
        }
        ConnectCluster.sendAll(ConnectCluster.producerProps("org.apache.kafka.common.serialization.ByteArraySerializer"),
                records);
    }

    private static void produce(String topic, List<String> values) {
        produce(topic, values, null, null);
    }

    /** A reliable queue as its consumers see it: the oldest job first. */
    private static List<String> oldestFirst(String queue) {
        List<String> jobs = new ArrayList<>(redis.client().lrange(queue, 0, -1));
        Collections.reverse(jobs);
        return jobs;
    }

    /** Waits until {@code size} reaches {@code expected}, then proves it stays there for {@link #QUIET}. */
    private static void awaitSettled(java.util.function.Supplier<Long> size, long expected) {
        await().atMost(TIMEOUT).until(() -> size.get() >= expected);
        await().during(QUIET).atMost(QUIET.multipliedBy(3)).until(() -> size.get() == expected);
    }

    private static List<String> values(String prefix, int from, int to) {
        return IntStream.range(from, to).mapToObj(i -> prefix + i).toList();
    }

    @Test
    void reliableQueueGetsEveryRecordExactlyOnceInOrder() {
        connect.kafka().createTopic("sink.orders", 1);
        produce("sink.orders", values("order-", 0, 5000));
        start("sink-reliable", sink("sink.orders", "queue", "orders"));
        awaitSettled(() -> redis.client().llen("orders"), 5000);
        assertThat(oldestFirst("orders")).containsExactlyElementsOf(values("order-", 0, 5000));
        assertThat(redis.client().hget("orders:qbridge:sink-offsets:sink-reliable", "sink.orders/0")).isEqualTo("5000");
        // preCommit hands Kafka the offsets stored in Redis, so the consumer group's lag is true too
        try (var admin = connect.kafka().createAdminClient()) {
            await().atMost(TIMEOUT).until(() -> {
                var committed = admin.listConsumerGroupOffsets("connect-sink-reliable").partitionsToOffsetAndMetadata().get()
                        .get(new org.apache.kafka.common.TopicPartition("sink.orders", 0));
                return committed != null && committed.offset() == 5000;
            });
        }
    }

    @Test
    void priorityQueueScoresComeFromTheHeaderWithADefault() {
        connect.kafka().createTopic("sink.tickets", 1);
        List<String> headerValues = IntStream.range(0, 1000).mapToObj(i -> i % 4 == 0 ? null : Integer.toString(i % 4)).toList();
        produce("sink.tickets", values("ticket-", 0, 1000), "prio", headerValues);
        start("sink-priority", sink("sink.tickets", "queue", "tickets", "queue.kind", "priority",
                "priority.header", "prio", "priority.default", "9"));
        awaitSettled(() -> redis.client().zcard("tickets"), 1000);
        List<Tuple> jobs = redis.client().zrangeWithScores("tickets", 0, -1);
        assertThat(jobs).hasSize(1000);
        for (Tuple t : jobs) {
            int i = Integer.parseInt(t.getElement().substring("ticket-".length()));
            assertThat((long) Math.floor(t.getScore())).isEqualTo(i % 4 == 0 ? 9 : i % 4);
        }
        // FIFO among equal priorities
        assertThat(jobs.subList(0, 250)).extracting(Tuple::getElement)
                .containsExactlyElementsOf(IntStream.range(0, 1000).filter(i -> i % 4 == 1).mapToObj(i -> "ticket-" + i).toList());
    }

    @Test
    void delayedQueueDueTimesComeFromTheJsonFieldOrTheFixedDelay() {
        connect.kafka().createTopic("sink.reminders", 1);
        List<String> values = new ArrayList<>();
        for (int i = 0; i < 500; i++) {
            values.add(i % 2 == 0 ? "{\"n\":" + i + ",\"send_at\":" + (1_900_000_000_000L + i) + "}" : "{\"n\":" + i + "}");
        }
        produce("sink.reminders", values);
        long before = System.currentTimeMillis();
        start("sink-delayed", sink("sink.reminders", "queue", "reminders", "queue.kind", "delayed",
                "value.converter", "org.apache.kafka.connect.json.JsonConverter", "value.converter.schemas.enable", "false",
                "due.field", "send_at", "delay.ms", "3600000", "due.time.unit", "seconds"));
        awaitSettled(() -> redis.client().zcard("reminders"), 500);
        for (Tuple t : redis.client().zrangeWithScores("reminders", 0, -1)) {
            if (t.getElement().contains("send_at")) {
                long at = Long.parseLong(t.getElement().replaceAll(".*\"send_at\":(\\d+).*", "$1"));
                assertThat(t.getScore()).isEqualTo(at / 1000.0, org.assertj.core.data.Offset.offset(0.0011));
            } else {
                assertThat(t.getScore() * 1000).isBetween(before + 3_600_000d - 1000, before + 3_700_000d);
            }
        }
    }

    @Test
    void consumerOffsetsLostOrResetNeverMakeTheSinkWriteARecordTwice() {
        connect.kafka().createTopic("sink.payments", 2);
        produce("sink.payments", values("payment-", 0, 3000));
        start("sink-resume", sink("sink.payments", "queue", "payments"));
        awaitSettled(() -> redis.client().llen("payments"), 3000);

        // Kafka forgets what the sink consumed: only the offsets stored in Redis remember it
        connect.stopConnector("sink-resume");
        await().atMost(TIMEOUT).until(() -> "STOPPED".equals(connect.connectorStatus("sink-resume").connector().state()));
        connect.resetConnectorOffsets("sink-resume");
        connect.resumeConnector("sink-resume");
        await().atMost(TIMEOUT).until(() -> ConnectCluster.tasksRunning("sink-resume", 1));
        produce("sink.payments", values("payment-", 3000, 4000));

        // were any of the first 3000 read again and written, they would be in before the new ones of their partition
        awaitSettled(() -> redis.client().llen("payments"), 4000);
        assertThat(oldestFirst("payments")).containsExactlyInAnyOrderElementsOf(values("payment-", 0, 4000));
    }

    @Test
    void twoConnectorsWritingOneQueueKeepTheirOwnOffsets() {
        connect.kafka().createTopic("sink.audit", 1);
        produce("sink.audit", values("audit-", 0, 1000));
        start("sink-audit-a", sink("sink.audit", "queue", "audit"));
        start("sink-audit-b", sink("sink.audit", "queue", "audit"));
        awaitSettled(() -> redis.client().llen("audit"), 2000);
        assertThat(redis.client().hget("audit:qbridge:sink-offsets:sink-audit-a", "sink.audit/0")).isEqualTo("1000");
        assertThat(redis.client().hget("audit:qbridge:sink-offsets:sink-audit-b", "sink.audit/0")).isEqualTo("1000");
        List<String> audit = oldestFirst("audit");
        assertThat(audit.stream().distinct().toList()).containsExactlyInAnyOrderElementsOf(values("audit-", 0, 1000));
        assertThat(audit).as("once per connector").allSatisfy(v -> assertThat(Collections.frequency(audit, v)).isEqualTo(2));
    }

    @Test
    void badRecordsGoToTheDeadLetterTopicAndTheRestToTheQueue() {
        connect.kafka().createTopic("sink.jobs", 1);
        List<String> values = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            values.add(i % 3 == 0 ? "{\"n\":" + i + "}" : "{\"n\":" + i + ",\"p\":" + (i % 5) + "}");
        }
        produce("sink.jobs", values);
        start("sink-dlq", sink("sink.jobs", "queue", "jobs", "queue.kind", "priority", "priority.field", "p",
                "errors.tolerance", "all", "errors.deadletterqueue.topic.name", "sink.jobs.dlq",
                "errors.deadletterqueue.topic.replication.factor", "1",
                "errors.deadletterqueue.context.headers.enable", "true"));
        awaitSettled(() -> redis.client().zcard("jobs"), 200);
        List<ConsumerRecord<byte[], byte[]>> dead = readSettled("sink.jobs.dlq", QUIET, TIMEOUT);
        assertThat(dead).extracting(r -> text(r.value())).containsExactlyInAnyOrderElementsOf(
                IntStream.range(0, 300).filter(i -> i % 3 == 0).mapToObj(i -> "{\"n\":" + i + "}").toList());
        assertThat(text(dead.get(0).headers().lastHeader("__connect.errors.exception.message").value()))
                .contains("JSON field 'p' is missing");
        assertThat(redis.client().zrange("jobs", 0, -1)).hasSize(200).allSatisfy(v -> assertThat(v).contains("\"p\""));
    }

    @Test
    void badRecordWithoutADeadLetterTopicFailsTheTaskWithAMessageThatSaysWhatToFix() {
        connect.kafka().createTopic("sink.strict", 1);
        produce("sink.strict", List.of("{\"p\":1}", "{\"n\":2}"));
        connect.configureConnector("sink-strict", sink("sink.strict", "queue", "strict", "queue.kind", "priority",
                "priority.field", "p"));
        connectors.add("sink-strict");
        await().atMost(TIMEOUT).untilAsserted(() -> {
            ConnectorStateInfo status = connect.connectorStatus("sink-strict");
            assertThat(status.tasks()).hasSize(1);
            assertThat(status.tasks().get(0).state()).isEqualTo("FAILED");
            assertThat(status.tasks().get(0).trace()).contains("sink.strict/0@1").contains("JSON field 'p' is missing")
                    .contains("errors.deadletterqueue.topic.name");
        });
        assertThat(redis.client().exists("strict")).isFalse();
    }
}
