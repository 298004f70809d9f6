package dev.qbridge.kafka.it;

import static dev.qbridge.kafka.it.ConnectCluster.readSettled;
import static dev.qbridge.kafka.it.ConnectCluster.text;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.qbridge.core.queue.DeadLetter;
import dev.qbridge.core.queue.NewJob;
import dev.qbridge.core.queue.QueueConfig;
import dev.qbridge.core.queue.QueueCounts;
import dev.qbridge.core.queue.QueueKind;
import dev.qbridge.core.queue.RedisQueue;
import dev.qbridge.core.redis.JedisConnection;
import dev.qbridge.core.redis.RedisEndpoint;
import dev.qbridge.kafka.RedisQueueSourceConnector;
import dev.qbridge.kafka.source.JobRecord;
import dev.qbridge.testkit.RedisServerExtension;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.connect.util.clusters.EmbeddedConnectCluster;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The source connector in a real Connect worker, reading a real Redis into a real Kafka. */
class RedisQueueSourceIT {

    @RegisterExtension
    static RedisServerExtension redis = RedisServerExtension.standalone();

    private static final Duration TIMEOUT = Duration.ofSeconds(90);
    /**
     * How long a topic's end must stay put before it counts as read: every test waits until Redis holds nothing of
     * its queue (a job is acked only once Kafka has its record, so nothing is on its way), then reads on this long,
     * so that a duplicate would be seen rather than cut off at the expected count.
     */
    private static final Duration QUIET = Duration.ofSeconds(2);
    private static final ObjectMapper JSON = new ObjectMapper();

    private static EmbeddedConnectCluster connect;
    private JedisConnection connection;
    private final List<String> connectors = new ArrayList<>();

    @BeforeAll
    static void startConnect() {
        connect = ConnectCluster.get();
    }

    @BeforeEach
    void connect() {
        connection = JedisConnection.open(RedisEndpoint.parse(redis.uri()));
    }

    @AfterEach
    void cleanUp() {
        connectors.forEach(ConnectCluster::deleteQuietly);
        connection.close();
    }

    private void startSource(String name, int tasks, String... keyValues) {
        Map<String, String> props = new HashMap<>();
        props.put("connector.class", RedisQueueSourceConnector.class.getName());
        props.put("tasks.max", Integer.toString(tasks));
        props.put("redis.uri", redis.uri());
        props.put("value.converter", "org.apache.kafka.connect.converters.ByteArrayConverter");
        props.put("key.converter", "org.apache.kafka.connect.storage.StringConverter");
        props.put("poll.wait.ms", "200");
        for (int i = 0; i < keyValues.length; i += 2) {
            props.put(keyValues[i], keyValues[i + 1]);
        }
        connect.configureConnector(name, props);
        connectors.add(name);
        await().atMost(TIMEOUT).until(() -> ConnectCluster.tasksRunning(name, tasks));
    }

    private RedisQueue queue(String name, QueueKind kind) {
        return new RedisQueue(connection, QueueConfig.builder(name).kind(kind).build());
    }

    /** Waits until the queue holds no job in any state but dead letters: every other one is in Kafka. */
    private void awaitDrained(String name, QueueKind kind) {
        await().atMost(TIMEOUT).untilAsserted(() -> assertThat(queue(name, kind).counts().pending()).isZero());
    }

    private static List<String> texts(String prefix, int count) {
        return IntStream.range(0, count).mapToObj(i -> prefix + i).toList();
    }

    private static Map<String, String> headers(ConsumerRecord<byte[], byte[]> r) {
        Map<String, String> headers = new HashMap<>();
        for (Header h : r.headers()) {
            headers.put(h.key(), text(h.value()));
        }
        return headers;
    }

    @Test
    void reliableQueueJobsReachKafkaAndAreAckedOnlyAfterwards() {
        connect.kafka().createTopic("src.emails", 1);
        connect.kafka().createTopic("src.invoices", 1);
        List<byte[]> emails = IntStream.range(0, 5000).mapToObj(i -> ("email-" + i).getBytes(StandardCharsets.UTF_8)).toList();
        List<byte[]> invoices = IntStream.range(0, 3000).mapToObj(i -> ("invoice-" + i).getBytes(StandardCharsets.UTF_8)).toList();
        queue("emails", QueueKind.RELIABLE).push(emails);
        queue("invoices", QueueKind.RELIABLE).push(invoices);

        startSource("src-reliable", 2, "queues", "emails,invoices", "topic", "src.${queue}", "key.source", "id");

        awaitDrained("emails", QueueKind.RELIABLE);
        awaitDrained("invoices", QueueKind.RELIABLE);
        assertThat(queue("emails", QueueKind.RELIABLE).counts().total()).isZero();
        assertThat(queue("invoices", QueueKind.RELIABLE).counts().total()).isZero();
        List<ConsumerRecord<byte[], byte[]>> fromEmails = readSettled("src.emails", QUIET, TIMEOUT);
        List<ConsumerRecord<byte[], byte[]>> fromInvoices = readSettled("src.invoices", QUIET, TIMEOUT);
        // one task per queue: FIFO order is kept, and each job is there once
        assertThat(fromEmails).extracting(r -> text(r.value())).containsExactlyElementsOf(texts("email-", 5000));
        assertThat(fromInvoices).extracting(r -> text(r.value())).containsExactlyInAnyOrderElementsOf(texts("invoice-", 3000));
        assertThat(fromEmails).allSatisfy(r -> {
            assertThat(text(r.key())).isEqualTo(headers(r).get(JobRecord.ID_HEADER));
            assertThat(headers(r)).containsEntry(JobRecord.QUEUE_HEADER, "emails").containsEntry(JobRecord.ATTEMPT_HEADER, "1");
        });
        assertThat(fromEmails).extracting(r -> headers(r).get(JobRecord.ID_HEADER)).doesNotHaveDuplicates();
    }

    @Test
    void severalTasksSharingOneQueueDeliverEveryJobOnce() {
        connect.kafka().createTopic("shared", 3);
        queue("shared", QueueKind.RELIABLE).push(IntStream.range(0, 6000)
                .mapToObj(i -> ("shared-" + i).getBytes(StandardCharsets.UTF_8)).toList());

        startSource("src-shared", 3, "queues", "shared", "batch.size", "100");

        awaitDrained("shared", QueueKind.RELIABLE);
        assertThat(queue("shared", QueueKind.RELIABLE).counts().total()).isZero();
        List<ConsumerRecord<byte[], byte[]>> records = readSettled("shared", QUIET, TIMEOUT);
        assertThat(records).extracting(r -> text(r.value())).containsExactlyInAnyOrderElementsOf(texts("shared-", 6000));
    }

    @Test
    void priorityQueueJobsReachKafkaAsSchemalessJsonWithTheirPriority() throws Exception {
        connect.kafka().createTopic("tickets", 1);
        List<NewJob> jobs = new ArrayList<>();
        for (int i = 0; i < 2000; i++) {
            jobs.add(NewJob.of("{\"customer\":\"c" + (i % 7) + "\",\"n\":" + i + "}").withPriority(i % 10));
        }
        queue("{tickets}", QueueKind.PRIORITY).pushJobs(jobs);

        startSource("src-priority", 1, "queues", "{tickets}", "queue.kind", "priority", "value.type", "json",
                "value.converter", "org.apache.kafka.connect.json.JsonConverter", "value.converter.schemas.enable", "false",
                "key.source", "field", "key.field", "customer");

        awaitDrained("{tickets}", QueueKind.PRIORITY);
        assertThat(queue("{tickets}", QueueKind.PRIORITY).counts().total()).isZero();
        List<ConsumerRecord<byte[], byte[]>> records = readSettled("tickets", QUIET, TIMEOUT);
        List<Integer> numbers = new ArrayList<>();
        for (ConsumerRecord<byte[], byte[]> r : records) {
            Map<?, ?> value = JSON.readValue(r.value(), Map.class);
            int n = (Integer) value.get("n");
            numbers.add(n);
            assertThat(text(r.key())).isEqualTo("c" + (n % 7));
            assertThat(headers(r)).containsEntry(JobRecord.PRIORITY_HEADER, Integer.toString(n % 10))
                    .containsEntry(JobRecord.QUEUE_HEADER, "{tickets}");
        }
        // lowest priority first: the first batch taken holds only priority-0 jobs
        assertThat(numbers).containsExactlyInAnyOrderElementsOf(IntStream.range(0, 2000).boxed().toList());
        assertThat(records.subList(0, 200)).allSatisfy(r -> assertThat(headers(r)).containsEntry(JobRecord.PRIORITY_HEADER, "0"));
    }

    @Test
    void delayedQueueJobsReachKafkaOnlyOnceTheyAreDue() {
        connect.kafka().createTopic("reminders", 1);
        Instant later = Instant.now().plusSeconds(4);
        List<NewJob> jobs = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            jobs.add(i % 2 == 0 ? NewJob.of("now-" + i) : NewJob.of("later-" + i).dueAt(later));
        }
        queue("reminders", QueueKind.DELAYED).pushJobs(jobs);

        startSource("src-delayed", 1, "queues", "reminders", "queue.kind", "delayed", "value.type", "string",
                "value.converter", "org.apache.kafka.connect.storage.StringConverter");

        awaitDrained("reminders", QueueKind.DELAYED);
        assertThat(queue("reminders", QueueKind.DELAYED).counts().total()).isZero();
        List<ConsumerRecord<byte[], byte[]>> records = readSettled("reminders", QUIET, TIMEOUT);
        assertThat(records).extracting(r -> text(r.value())).containsExactlyInAnyOrderElementsOf(
                IntStream.range(0, 300).mapToObj(i -> (i % 2 == 0 ? "now-" : "later-") + i).toList());
        for (ConsumerRecord<byte[], byte[]> r : records) {
            long due = Long.parseLong(headers(r).get(JobRecord.DUE_HEADER));
            long taken = Long.parseLong(headers(r).get(JobRecord.TAKEN_HEADER));
            assertThat(taken).as("taken at or after it was due").isGreaterThanOrEqualTo(due - 5); // ms rounding of scores
            if (text(r.value()).startsWith("later")) {
                assertThat(due).isEqualTo(later.toEpochMilli());
            }
        }
    }

    @Test
    void recordFilteredByATransformIsAckedAndDroppedOrOversizedOnesGoToTheDeadLetterList() {
        connect.kafka().createTopic("events", 1);
        List<byte[]> jobs = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            String payload = switch (i % 3) {
                case 0 -> "{\"body\":\"ok-" + i + "\"}"; // reaches Kafka as its body
                case 1 -> "null";                        // a tombstone: the Filter transform drops it
                default -> Integer.toString(i);         // not an object: ExtractField fails on it
            };
            jobs.add(payload.getBytes(StandardCharsets.UTF_8));
        }
        // over max.job.bytes and the producer's max.request.size: without the limit the producer would refuse it
        // and Connect would hand it back without saying why
        byte[] oversized = ("{\"body\":\"" + "y".repeat(1_100_000 - 11) + "\"}").getBytes(StandardCharsets.UTF_8);
        jobs.add(150, oversized);
        queue("events", QueueKind.RELIABLE).push(jobs);

        startSource("src-transforms", 1, "queues", "events", "value.type", "json",
                "value.converter", "org.apache.kafka.connect.json.JsonConverter", "value.converter.schemas.enable", "false",
                "errors.tolerance", "all",
                "transforms", "dropNulls,body",
                "transforms.dropNulls.type", "org.apache.kafka.connect.transforms.Filter",
                "transforms.dropNulls.predicate", "isNull",
                "predicates", "isNull",
                "predicates.isNull.type", "org.apache.kafka.connect.transforms.predicates.RecordIsTombstone",
                "transforms.body.type", "org.apache.kafka.connect.transforms.ExtractField$Value",
                "transforms.body.field", "body");

        await().atMost(TIMEOUT).untilAsserted(() -> {
            QueueCounts counts = queue("events", QueueKind.RELIABLE).counts();
            assertThat(counts.dead()).isEqualTo(101);
            assertThat(counts.pending()).isZero();
        });
        List<ConsumerRecord<byte[], byte[]>> records = readSettled("events", QUIET, TIMEOUT);
        assertThat(records).extracting(r -> text(r.value())).containsExactlyInAnyOrderElementsOf(
                IntStream.range(0, 300).filter(i -> i % 3 == 0).mapToObj(i -> "\"ok-" + i + "\"").toList());
        List<DeadLetter> dead = queue("events", QueueKind.RELIABLE).deadLetters(200);
        assertThat(dead).filteredOn(d -> d.payload().length == oversized.length).singleElement()
                .satisfies(d -> assertThat(d.reason()).startsWith("job of 1,100,000 bytes is over max.job.bytes=1,000,000"));
        List<DeadLetter> dropped = dead.stream().filter(d -> d.payload().length < oversized.length).toList();
        assertThat(dropped).extracting(DeadLetter::payloadAsString).hasSize(100).doesNotHaveDuplicates()
                .allSatisfy(p -> assertThat(p).doesNotStartWith("{").isNotEqualTo("null"));
        assertThat(dropped).allSatisfy(d -> assertThat(d.reason()).contains("errors.tolerance=all"));
    }
}
