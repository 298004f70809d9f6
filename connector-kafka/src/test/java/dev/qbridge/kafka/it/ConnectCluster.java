package dev.qbridge.kafka.it;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.connect.runtime.rest.entities.ConnectorStateInfo;
import org.apache.kafka.connect.util.clusters.EmbeddedConnectCluster;

/**
 * One real Connect cluster (one worker, one KRaft broker) for all integration tests of the JVM: starting one
 * takes several seconds, so the test classes share it and each uses its own topics, queues and connectors.
 */
public final class ConnectCluster {

    private static EmbeddedConnectCluster cluster;

    private ConnectCluster() {
    }

    public static synchronized EmbeddedConnectCluster get() {
        if (cluster == null) {
            Properties broker = new Properties();
            broker.put("offsets.topic.replication.factor", "1");
            broker.put("offsets.topic.num.partitions", "1");
            broker.put("transaction.state.log.replication.factor", "1");
            broker.put("transaction.state.log.min.isr", "1");
            broker.put("group.initial.rebalance.delay.ms", "0");
            broker.put("auto.create.topics.enable", "true");
            broker.put("num.partitions", "1");
            Map<String, String> worker = new HashMap<>();
            worker.put("plugin.discovery", "service_load");
            worker.put("offset.flush.interval.ms", "1000");
            worker.put("scheduled.rebalance.max.delay.ms", "2000");
            EmbeddedConnectCluster c = new EmbeddedConnectCluster.Builder()
                    .name("qbridge-it")
                    .numWorkers(1)
                    .numBrokers(1)
                    .brokerProps(broker)
                    .workerProps(worker)
                    .build();
            c.start();
            Runtime.getRuntime().addShutdownHook(new Thread(c::stop, "stop-connect-cluster"));
            cluster = c;
        }
        return cluster;
    }

    public static String bootstrapServers() {
        return get().kafka().bootstrapServers();
    }

    /**
     * Producer settings for test data that survive a slow broker on a busy machine: one request in flight per
     * partition, so a retried batch is always the newest one and the broker's idempotence check accepts it (with
     * several in flight, a first batch retried after later ones succeeded fails forever with
     * OUT_OF_ORDER_SEQUENCE_NUMBER and the producer never finishes).
     */
    public static Map<String, Object> producerProps(String serializer) {
        Map<String, Object> props = new HashMap<>();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
        props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, serializer);
        props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, serializer);
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        props.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, "1");
        props.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, "60000");
        props.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, "180000");
        props.put(ProducerConfig.LINGER_MS_CONFIG, "5");
        return props;
    }

    /** Sends every record and waits until Kafka has each, failing (not hanging) if one cannot be written. */
    public static <K, V> void sendAll(Map<String, Object> props, List<ProducerRecord<K, V>> records) {
        KafkaProducer<K, V> producer = new KafkaProducer<>(props);
        try {
            List<Future<RecordMetadata>> sent = new ArrayList<>(records.size());
            records.forEach(r -> sent.add(producer.send(r)));
            for (Future<RecordMetadata> f : sent) {
                f.get(3, TimeUnit.MINUTES);
            }
        } catch (Exception e) {
            throw new AssertionError("cannot write the test records to Kafka: " + e, e);
        } finally {
            producer.close(Duration.ofSeconds(30)); // bounded: a stuck producer fails the test instead of hanging it
        }
    }

    /** Reads a topic from the beginning until it holds at least {@code atLeast} records, or fails after the timeout. */
    public static List<ConsumerRecord<byte[], byte[]>> readAtLeast(String topic, int atLeast, Duration timeout) {
        return readAtLeast(bootstrapServers(), topic, atLeast, timeout);
    }

    public static List<ConsumerRecord<byte[], byte[]>> readAtLeast(String bootstrap, String topic, int atLeast,
                                                                   Duration timeout) {
        Map<String, Object> props = new HashMap<>();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, "org.apache.kafka.common.serialization.ByteArrayDeserializer");
        props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, "org.apache.kafka.common.serialization.ByteArrayDeserializer");
        props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "5000");
        List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
        long deadline = System.nanoTime() + timeout.toNanos();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props)) {
            List<TopicPartition> partitions = new ArrayList<>();
            while (partitions.isEmpty() && System.nanoTime() < deadline) {
                List<PartitionInfo> infos = consumer.partitionsFor(topic, Duration.ofSeconds(5));
                if (infos != null) {
                    infos.forEach(i -> partitions.add(new TopicPartition(topic, i.partition())));
                }
            }
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            while (out.size() < atLeast && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(200)).forEach(out::add);
            }
        }
        if (out.size() < atLeast) {
            throw new AssertionError("topic " + topic + " holds " + out.size() + " records after " + timeout.toSeconds()
                    + " s, expected at least " + atLeast);
        }
        return out;
    }

    /** Every record of a topic, up to its end offsets as they are now. */
    public static List<ConsumerRecord<byte[], byte[]>> readToEnd(String topic, Duration timeout) {
        Map<String, Object> props = new HashMap<>();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
        props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, "org.apache.kafka.common.serialization.ByteArrayDeserializer");
        props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, "org.apache.kafka.common.serialization.ByteArrayDeserializer");
        props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "5000");
        List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
        long deadline = System.nanoTime() + timeout.toNanos();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props)) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic, timeout).stream()
                    .map(i -> new TopicPartition(topic, i.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions, timeout);
            while (partitions.stream().anyMatch(tp -> consumer.position(tp) < end.get(tp))) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("could not read " + topic + " to its end " + end + " within " + timeout);
                }
                consumer.poll(Duration.ofMillis(200)).forEach(out::add);
            }
        }
        return out;
    }

    /**
     * Every record of a topic, read on until its end offsets have not moved for {@code quiet}: a test that stops at the
     * count it expects never sees a duplicate written after it, this one does.
     */
    public static List<ConsumerRecord<byte[], byte[]>> readSettled(String topic, Duration quiet, Duration timeout) {
        Map<String, Object> props = new HashMap<>();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
        props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, "org.apache.kafka.common.serialization.ByteArrayDeserializer");
        props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, "org.apache.kafka.common.serialization.ByteArrayDeserializer");
        props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "5000");
        List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
        long deadline = System.nanoTime() + timeout.toNanos();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props)) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic, timeout).stream()
                    .map(i -> new TopicPartition(topic, i.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = Map.of();
            long stableSince = System.nanoTime();
            while (true) {
                consumer.poll(Duration.ofMillis(200)).forEach(out::add);
                Map<TopicPartition, Long> now = consumer.endOffsets(partitions, timeout);
                if (!now.equals(end)) {
                    end = now;
                    stableSince = System.nanoTime();
                }
                Map<TopicPartition, Long> target = end;
                boolean atEnd = partitions.stream().allMatch(tp -> consumer.position(tp) >= target.get(tp));
                if (atEnd && System.nanoTime() - stableSince >= quiet.toNanos()) {
                    return out;
                }
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("topic " + topic + " did not settle within " + timeout.toSeconds() + " s: "
                            + out.size() + " records read, end offsets " + end);
                }
            }
        }
    }

    public static String text(byte[] bytes) {
        return bytes == null ? null : new String(bytes, StandardCharsets.UTF_8);
    }

    /** A record's headers as text, by key (the last of a repeated key). */
    public static Map<String, String> headers(ConsumerRecord<byte[], byte[]> r) {
        Map<String, String> headers = new HashMap<>();
        for (Header h : r.headers()) {
            headers.put(h.key(), text(h.value()));
        }
        return headers;
    }

    public static boolean tasksRunning(String connector, int tasks) {
        try {
            ConnectorStateInfo info = get().connectorStatus(connector);
            return info.connector().state().equals("RUNNING") && info.tasks().size() == tasks
                    && info.tasks().stream().allMatch(t -> t.state().equals("RUNNING"));
        } catch (RuntimeException e) {
            return false;
        }
    }

    public static void deleteQuietly(String connector) {
        try {
            get().deleteConnector(connector);
        } catch (RuntimeException ignored) {
            // not there
        }
    }
}
