package dev.qbridge.camel.bridge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.qbridge.camel.RedisqConsumer;
import dev.qbridge.core.consume.ConsumerHealth.Status;
import dev.qbridge.core.queue.Delivery;
import dev.qbridge.core.queue.RedisQueue;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import dev.qbridge.testkit.InJvmKafka;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import javax.management.ObjectName;
import org.apache.camel.component.kafka.KafkaConfiguration;
import org.apache.camel.component.kafka.KafkaEndpoint;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Kafka and redisq, both ways, with an in-JVM KRaft broker. */
class KafkaBridgeIT extends BridgeTestSupport {

    private static InJvmKafka kafka;
    private static Admin admin;

    @BeforeAll
    static void startKafka() throws Exception {
        kafka = InJvmKafka.start();
        admin = kafka.admin();
    }

    @AfterAll
    static void stopKafka() throws Exception {
        if (admin != null) {
            admin.close();
        }
        if (kafka != null) {
            kafka.close();
        }
    }

    private static void createTopic(String topic) throws Exception {
        admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1))).all().get();
    }

    private static void produce(String topic, List<String> values) {
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(props, new StringSerializer(), new StringSerializer())) {
            values.forEach(v -> producer.send(new ProducerRecord<>(topic, v)));
            producer.flush();
        }
    }

    private static List<ConsumerRecord<String, String>> consume(String topic, int n) {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        props.put(ConsumerConfig.GROUP_ID_CONFIG, "verifier-" + topic);
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        List<ConsumerRecord<String, String>> records = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(props, new StringDeserializer(), new StringDeserializer())) {
            consumer.subscribe(List.of(topic));
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (records.size() < n && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(200)).forEach(records::add);
            }
        }
        return records;
    }

    private static long committed(String group, String topic) throws Exception {
        Map<TopicPartition, OffsetAndMetadata> offsets = admin.listConsumerGroupOffsets(group)
                .partitionsToOffsetAndMetadata().get();
        OffsetAndMetadata offset = offsets.get(new TopicPartition(topic, 0));
        return offset == null ? 0 : offset.offset();
    }

    @ParameterizedTest
    @EnumSource(Dsl.class)
    void everyRecordBecomesAJobAndItsOffsetIsCommittedAfterThePush(Dsl dsl) throws Exception {
        start(dsl);
        String topic = "in-" + dsl.name().toLowerCase();
        createTopic(topic);
        List<String> values = jobs("record", 20);
        produce(topic, values);

        addRoute("kafka-to-redisq", Map.of("topic", topic, "brokers", kafka.bootstrapServers(), "groupId", "g-" + topic,
                "sink", redisq("inbox", "")));

        RedisQueue inbox = queue("inbox");
        await().atMost(WAIT).until(() -> inbox.counts().ready() == 20 && committed("g-" + topic, topic) == 20);
        assertThat(inbox.take(100)).extracting(Delivery::payloadAsString).containsExactlyElementsOf(values);
        assertThat(kafkaClient("consumer", "qbridge-kafka-to-redisq-" + topic))
                .as("the consumer's client id names the bridge, for logs and quotas").isTrue();
    }

    @Test
    void offsetIsNotCommittedWhileThePushFails() throws Exception {
        start(Dsl.JAVA);
        createTopic("held");
        redis.client().set("inbox", "a string, not a queue"); // every push fails
        produce("held", List.of("precious"));
        addRoute("kafka-to-redisq", Map.of("topic", "held", "brokers", kafka.bootstrapServers(), "groupId", "g-held",
                "sink", redisq("inbox", "")));

        await().atMost(WAIT).until(() -> failedExchanges.get() >= 2);
        assertThat(committed("g-held", "held")).isZero();

        redis.client().del("inbox");
        RedisQueue inbox = queue("inbox");
        await().atMost(WAIT).until(() -> inbox.counts().ready() >= 1 && committed("g-held", "held") == 1);
        assertThat(inbox.take(10)).extracting(Delivery::payloadAsString).containsOnly("precious");
    }

    @ParameterizedTest
    @EnumSource(Dsl.class)
    void everyJobBecomesARecordKeyedByJobIdBeforeItIsAcked(Dsl dsl) throws Exception {
        start(dsl);
        String topic = "out-" + dsl.name().toLowerCase();
        createTopic(topic);
        RedisQueue outbox = queue("outbox");
        List<String> payloads = jobs("job", 20);
        outbox.push(bytes(payloads));

        addRoute("redisq-to-kafka", Map.of("source", redisq("outbox", "batchSize=10"), "topic", topic,
                "brokers", kafka.bootstrapServers()));

        await().atMost(WAIT).until(() -> outbox.counts().total() == 0);
        List<ConsumerRecord<String, String>> records = consume(topic, 20);
        assertThat(records).extracting(ConsumerRecord::value).containsExactlyElementsOf(payloads);
        assertThat(Set.copyOf(records.stream().map(ConsumerRecord::key).toList())).hasSize(20).doesNotContainNull();
        assertThat(records.get(0).value().getBytes(StandardCharsets.UTF_8)).isEqualTo(payloads.get(0).getBytes(StandardCharsets.UTF_8));
        assertThat(kafkaClient("producer", "qbridge-redisq-to-kafka-" + topic))
                .as("the producer's client id names the bridge, for logs and quotas").isTrue();
    }

    @Test
    void jobsWaitInRedisWhileKafkaIsUnreachableAndEveryOneArrivesAfterWithoutAnAttemptCounted() throws Exception {
        createTopic("later");
        String[] broker = kafka.bootstrapServers().split(",")[0].split(":");
        try (TcpGate gate = new TcpGate(new InetSocketAddress(broker[0], Integer.parseInt(broker[1])))) {
            start(Dsl.JAVA);
            RedisQueue outbox = queue("outbox");
            List<String> payloads = jobs("job", 20);
            outbox.push(bytes(payloads));
            // maxAttempts=1: an outage counted as the jobs' failures would dead-letter them at once
            addRoute("redisq-to-kafka", Map.of("source", redisq("outbox", "batchSize=10&maxAttempts=1"), "topic", "later",
                    "brokers", "127.0.0.1:" + gate.port(), "clientId", "qbridge-orders-to-kafka"));
            RedisqConsumer consumer = (RedisqConsumer) context.getRoute("redisq-to-kafka").getConsumer();
            KafkaConfiguration producer = context.getEndpoints().stream().filter(KafkaEndpoint.class::isInstance)
                    .map(e -> ((KafkaEndpoint) e).getConfiguration()).findFirst().orElseThrow();
            assertThat(producer.getMaxBlockMs()).isEqualTo(10_000);
            assertThat(producer.getRequestTimeoutMs()).isEqualTo(10_000);
            assertThat(producer.getDeliveryTimeoutMs()).isEqualTo(20_000);
            assertThat(producer.getClientId()).as("a parameter overrides the default").isEqualTo("qbridge-orders-to-kafka");

            // the broker's port is closed: the producer gives up on metadata after maxBlockMs, not the client's 60 s
            long start = System.nanoTime();
            await().atMost(Duration.ofSeconds(30)).until(() -> consumer.health().status() == Status.DESTINATION_UNAVAILABLE);
            System.out.println("KAFKA-OUTAGE health turned after " + Duration.ofNanos(System.nanoTime() - start).toMillis() + " ms");
            assertThat(consumer.health().problem()).hasValueSatisfying(p -> assertThat(p).contains("TimeoutException"));
            assertThat(outbox.counts().dead()).as("no dead letters because Kafka was down").isZero();
            assertThat(outbox.counts().pending()).as("every job still in Redis").isEqualTo(20);

            gate.open(); // the broker is reachable again

            await().atMost(WAIT).until(() -> outbox.counts().total() == 0);
            List<ConsumerRecord<String, String>> records = consume("later", 20);
            assertThat(records).extracting(ConsumerRecord::value).containsExactlyInAnyOrderElementsOf(payloads);
            assertThat(outbox.counts().dead()).isZero();
            await().atMost(WAIT).until(() -> consumer.health().isRunning());
        }
    }

    private static boolean kafkaClient(String type, String clientId) throws Exception {
        return ManagementFactory.getPlatformMBeanServer().isRegistered(
                new ObjectName("kafka." + type + ":type=app-info,id=" + clientId));
    }
}
