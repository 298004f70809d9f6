package dev.qbridge.server.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpServer;
import dev.qbridge.core.queue.NewJob;
import dev.qbridge.core.queue.QueueConfig;
import dev.qbridge.core.queue.QueueKind;
import dev.qbridge.core.queue.RedisQueue;
import dev.qbridge.core.redis.JedisConnection;
import dev.qbridge.core.redis.RedisConnection;
import dev.qbridge.core.redis.RedisEndpoint;
import dev.qbridge.testkit.InJvmKafka;
import dev.qbridge.testkit.RedisServerExtension;
import dev.qbridge.testkit.Rq;
import dev.qbridge.testkit.Sidekiq;
import jakarta.jms.BytesMessage;
import jakarta.jms.Connection;
import jakarta.jms.Message;
import jakarta.jms.MessageConsumer;
import jakarta.jms.MessageProducer;
import jakarta.jms.Session;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.apache.activemq.artemis.core.config.impl.ConfigurationImpl;
import org.apache.activemq.artemis.core.server.embedded.EmbeddedActiveMQ;
import org.apache.activemq.artemis.jms.client.ActiveMQConnectionFactory;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every sample of config-samples/server, loaded by the real server process at once and run against real peers:
 * Kafka (KRaft, in this JVM), Artemis (TCP acceptor), an HTTP peer, directories and a second Redis.
 */
class ConfigSamplesIT {

    private static final Path SAMPLES = Path.of("..", "config-samples", "server");
    private static final Duration PATIENCE = Duration.ofSeconds(90);

    @RegisterExtension
    static RedisServerExtension redis = RedisServerExtension.standalone();

    @RegisterExtension
    static RedisServerExtension otherRedis = RedisServerExtension.standalone();

    static InJvmKafka kafka;
    static EmbeddedActiveMQ artemis;
    static String jmsUrl;
    static HttpServer webhooks;
    static final List<String> received = Collections.synchronizedList(new ArrayList<>());

    @TempDir
    static Path work;

    @BeforeAll
    static void startPeers() throws Exception {
        kafka = InJvmKafka.start();

        jmsUrl = "tcp://127.0.0.1:" + freePort();
        artemis = new EmbeddedActiveMQ().setConfiguration(new ConfigurationImpl()
                .setPersistenceEnabled(false).setSecurityEnabled(false).setJournalDirectory(work.resolve("artemis").toString())
                .addAcceptorConfiguration("tcp", jmsUrl));
        artemis.start();

        webhooks = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 8);
        webhooks.createContext("/hooks", ex -> {
            received.add(new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
            ex.sendResponseHeaders(204, -1);
            ex.close();
        });
        webhooks.start();
    }

    @AfterAll
    static void stopPeers() throws Exception {
        if (webhooks != null) {
            webhooks.stop(0);
        }
        if (artemis != null) {
            artemis.stop();
        }
        if (kafka != null) {
            kafka.close();
        }
    }

    @Test
    void everySampleIsLoadedAndMovesJobs() throws Exception {
        Path dir = Files.createDirectories(work.resolve("connectors"));
        Path in = Files.createDirectories(work.resolve("in"));
        Path out = Files.createDirectories(work.resolve("out"));
        List<String> samples = copySamples(dir);
        int platformHttpPort = freePort();

        try (RedisConnection main = JedisConnection.open(RedisEndpoint.parse(redis.uri()));
             RedisConnection other = JedisConnection.open(RedisEndpoint.parse(otherRedis.uri()))) {
            // jobs waiting before the server starts: the first take sees them all, so priority order is observable
            queue(main, "urgent", QueueKind.PRIORITY).pushJobs(List.of(NewJob.of("p9").withPriority(9),
                    NewJob.of("p1").withPriority(1), NewJob.of("p5").withPriority(5)));

            try (ServerProcess server = ServerProcess.start(dir, redis.uri(), Map.of(
                    "QBRIDGE_FILE_OUT", out.toString(),
                    "QBRIDGE_FILE_IN", in.toString(),
                    "WEBHOOK_URL", "http://127.0.0.1:" + webhooks.getAddress().getPort() + "/hooks",
                    "JMS_BROKER_URL", jmsUrl,
                    "KAFKA_BROKERS", kafka.bootstrapServers(),
                    "OTHER_REDIS_URL", otherRedis.uri()),
                    "--platform-http-port", Integer.toString(platformHttpPort))) {

                await().atMost(PATIENCE).untilAsserted(() -> {
                    String status = server.get("/connectors");
                    assertThat(status).contains("\"badFiles\":[]");
                    for (String name : samples) {
                        assertThat(status).contains("{\"name\":\"" + name + "\"");
                    }
                });
                assertThat(server.get("/connectors")).doesNotContain("\"status\":\"Stopped\"");

                // redis-to-file: one file per job
                pushLines(main, "outbox-files", "file", 10);
                await().atMost(PATIENCE).until(() -> files(out, ".job").size() == 10);

                // file-to-redis: one job per line
                Files.writeString(in.resolve("batch.txt"), "line-1\nline-2\nline-3\n");
                await().atMost(PATIENCE).until(() -> queue(main, "inbox-files", QueueKind.RELIABLE).counts().ready() == 3);

                // redis-to-http: each job POSTed to the webhook
                pushLines(main, "webhooks", "{\"hook\":", 5);
                await().atMost(PATIENCE).until(() -> received.size() == 5);

                // http-to-redis: 202 once the job is in Redis
                HttpClient client = HttpClient.newHttpClient();
                for (int i = 1; i <= 3; i++) {
                    HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + platformHttpPort
                            + "/jobs")).POST(HttpRequest.BodyPublishers.ofString("posted-" + i)).build(), HttpResponse.BodyHandlers.ofString());
                    assertThat(r.statusCode()).isEqualTo(202);
                }
                assertThat(queue(main, "inbox-http", QueueKind.RELIABLE).counts().ready()).isEqualTo(3);

                // redis-to-jms and jms-to-redis
                pushLines(main, "outbox-jms", "jms-out-", 4);
                assertThat(receiveJms("orders", 4)).containsExactlyInAnyOrder("jms-out-1", "jms-out-2", "jms-out-3", "jms-out-4");
                sendJms("incoming", 4);
                await().atMost(PATIENCE).until(() -> queue(main, "inbox-jms", QueueKind.RELIABLE).counts().ready() == 4);

                // redis-to-kafka, kafka-to-redis, priority-to-kafka
                pushLines(main, "outbox-kafka", "kafka-out-", 6);
                assertThat(readKafka("orders", 6)).containsExactlyInAnyOrderElementsOf(
                        IntStream.rangeClosed(1, 6).mapToObj(i -> "kafka-out-" + i).toList());
                produceKafka("events", 6);
                await().atMost(PATIENCE).until(() -> queue(main, "inbox-kafka", QueueKind.RELIABLE).counts().ready() == 6);
                assertThat(readKafka("urgent", 3)).containsExactly("p1", "p5", "p9");

                // sidekiq-to-kafka: jobs from Sidekiq's own client, as CloudEvents keyed by their jid
                List<String> jids = Sidekiq.enqueue(redis.uri(), "[{\"class\": \"AddWorker\", \"args\": [1]},"
                        + " {\"class\": \"AddWorker\", \"args\": [2]}]");
                List<ConsumerRecord<byte[], byte[]>> events = readKafkaRecords("sidekiq-jobs", 2);
                assertThat(events).allSatisfy(e -> assertThat(text(e.value())).contains("\"specversion\":\"1.0\"",
                        "\"type\":\"AddWorker\"", "\"id\":\"" + text(e.key()) + "\""));
                assertThat(events).extracting(e -> text(e.key())).containsExactlyInAnyOrderElementsOf(jids);

                // rq-to-kafka: jobs from RQ's own client (pickle), as CloudEvents keyed by RQ's job id; the id and its
                // hash are gone from RQ's Redis once Kafka has the records
                List<String> rqIds = Rq.enqueue(redis.uri(), "[{\"func\": \"tasks.add\", \"args\": [1, 2]},"
                        + " {\"func\": \"tasks.add\", \"args_py\": \"(3, (4, 5))\"}, {\"func\": \"tasks.mul\", \"kwargs\": {\"k\": 6}}]")
                        .stream().map(Rq.Enqueued::id).toList();
                List<ConsumerRecord<byte[], byte[]>> rqRecords = readKafkaRecords("rq-jobs", 3);
                assertThat(rqRecords).hasSize(3).allSatisfy(r -> assertThat(text(r.value()))
                        .startsWith("{\"specversion\":\"1.0\",\"id\":\"" + text(r.key()) + "\"")
                        .contains("\"datacontenttype\":\"application/json\"", "\"jobsystem\":\"rq\""));
                assertThat(rqRecords).extracting(r -> text(r.key())).containsExactlyInAnyOrderElementsOf(rqIds);
                await().atMost(PATIENCE).until(() -> redis.client().keys("rq:job:*").isEmpty()
                        && redis.client().llen("rq:queue:default") == 0);

                // kafka-to-celery: plain jobs become Celery tasks in kombu's envelope
                produceKafka("celery-tasks", List.of("{\"type\": \"tasks.add\", \"args\": [2, 3]}",
                        "{\"type\": \"tasks.add\", \"args\": [4, 5]}"));
                await().atMost(PATIENCE).until(() -> redis.client().llen("celery") == 2);
                assertThat(redis.client().lrange("celery", 0, -1)).allSatisfy(task -> assertThat(task)
                        .contains("\"task\": \"tasks.add\"", "\"delivery_tag\""));

                // delayed-to-file: only the due job is taken
                long now = Instant.now().getEpochSecond();
                main.eval(dev.qbridge.core.script.LuaScript.load(ConfigSamplesIT.class, "zadd"), List.of(bytes("reminders")),
                        List.of(bytes(Long.toString(now - 5)), bytes("due"), bytes(Long.toString(now + 3600)), bytes("later")));
                await().atMost(PATIENCE).until(() -> files(out.resolve("reminders"), ".job").size() == 1);
                assertThat(queue(main, "reminders", QueueKind.DELAYED).counts().delayed()).isEqualTo(1);

                // reliable-to-priority: to the other Redis
                pushLines(main, "tickets", "ticket-", 7);
                await().atMost(PATIENCE).until(() -> queue(other, "tickets-by-priority", QueueKind.PRIORITY).counts().ready() == 7);

                // routes/audit.camel.yaml
                pushLines(main, "audit", "audit-", 3);
                await().atMost(PATIENCE).until(() -> Files.exists(out.resolve("audit.log"))
                        && Files.readAllLines(out.resolve("audit.log")).size() == 3);

                assertThat(server.output()).doesNotContain("BAD CONNECTOR FILE");
                // every peer is up: no sample may be reported failing (a health that cries wolf is no health), also
                // once longer than a problem takes to be reported
                await().during(Duration.ofSeconds(15)).atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofSeconds(1))
                        .until(() -> server.get("/health").startsWith("200 {\"status\":\"UP\""));
                assertThat(server.get("/connectors")).doesNotContain("\"status\":\"Failing\"");
                assertThat(server.output()).doesNotContain("is failing since");
            }
        }
    }

    private static List<String> copySamples(Path dir) throws IOException {
        List<String> names = new ArrayList<>();
        Files.createDirectories(dir.resolve("routes"));
        try (Stream<Path> files = Files.list(SAMPLES)) {
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                Files.copy(f, dir.resolve(f.getFileName()));
                names.add(f.getFileName().toString().replace(".properties", ""));
            }
        }
        try (Stream<Path> routes = Files.list(SAMPLES.resolve("routes"))) {
            for (Path f : routes.toList()) {
                Files.copy(f, dir.resolve("routes").resolve(f.getFileName()));
            }
        }
        assertThat(names).hasSizeGreaterThanOrEqualTo(14);
        return names;
    }

    private static RedisQueue queue(RedisConnection redis, String name, QueueKind kind) {
        return new RedisQueue(redis, QueueConfig.builder(name).kind(kind).build());
    }

    private static void pushLines(RedisConnection redis, String queue, String prefix, int n) {
        List<byte[]> jobs = new ArrayList<>();
        for (int i = 1; i <= n; i++) {
            jobs.add(bytes(prefix.endsWith(":") ? prefix + i + "}" : prefix + i));
        }
        queue(redis, queue, QueueKind.RELIABLE).push(jobs);
    }

    private static List<Path> files(Path dir, String suffix) throws IOException {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(f -> f.getFileName().toString().endsWith(suffix)).toList();
        }
    }

    private static List<String> receiveJms(String queue, int n) throws Exception {
        List<String> bodies = new ArrayList<>();
        try (ActiveMQConnectionFactory factory = new ActiveMQConnectionFactory(jmsUrl);
             Connection connection = factory.createConnection()) {
            connection.start();
            Session session = connection.createSession(false, Session.AUTO_ACKNOWLEDGE);
            MessageConsumer consumer = session.createConsumer(session.createQueue(queue));
            long deadline = System.nanoTime() + PATIENCE.toNanos();
            while (bodies.size() < n && System.nanoTime() < deadline) {
                Message m = consumer.receive(1000);
                if (m instanceof BytesMessage b) {
                    byte[] data = new byte[(int) b.getBodyLength()];
                    b.readBytes(data);
                    bodies.add(new String(data, StandardCharsets.UTF_8));
                } else if (m != null) {
                    bodies.add(m.getBody(String.class));
                }
            }
        }
        return bodies;
    }

    private static void sendJms(String queue, int n) throws Exception {
        try (ActiveMQConnectionFactory factory = new ActiveMQConnectionFactory(jmsUrl);
             Connection connection = factory.createConnection()) {
            Session session = connection.createSession(false, Session.AUTO_ACKNOWLEDGE);
            MessageProducer producer = session.createProducer(session.createQueue(queue));
            for (int i = 1; i <= n; i++) {
                producer.send(session.createTextMessage("jms-in-" + i));
            }
        }
    }

    private static List<String> readKafka(String topic, int n) {
        return readKafkaRecords(topic, n).stream().map(r -> text(r.value())).toList();
    }

    private static List<ConsumerRecord<byte[], byte[]>> readKafkaRecords(String topic, int n) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        p.put(ConsumerConfig.GROUP_ID_CONFIG, "samples-test-" + topic);
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            consumer.subscribe(List.of(topic));
            long deadline = System.nanoTime() + PATIENCE.toNanos();
            while (records.size() < n && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(500)).forEach(records::add);
            }
        }
        return records;
    }

    private static String text(byte[] bytes) {
        return bytes == null ? null : new String(bytes, StandardCharsets.UTF_8);
    }

    private static void produceKafka(String topic, List<String> values) throws Exception {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer())) {
            for (String value : values) {
                producer.send(new ProducerRecord<>(topic, bytes(value))).get();
            }
        }
    }

    private static void produceKafka(String topic, int n) throws Exception {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer())) {
            for (int i = 1; i <= n; i++) {
                producer.send(new ProducerRecord<>(topic, bytes("event-" + i))).get();
            }
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
