package dev.qbridge.chaos;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.Uuid;

/**
 * A single-node KRaft Kafka (broker and controller in one process) in its own JVM, {@code kafka.Kafka} as an
 * operator runs it, with fixed ports and a persistent log directory, so it can be killed with SIGKILL and started
 * again on the same data. (The in-JVM {@code KafkaClusterTestKit} cannot do that: it picks new ports and cannot
 * restart a node it shut down, and a broker in our own JVM could not be killed like a process.)
 */
final class KafkaBroker implements AutoCloseable {

    private static final List<String> JVM_ARGS = List.of("-Xms256m", "-Xmx768m", "-XX:+UseG1GC");
    private static final Duration STARTUP = Duration.ofSeconds(120);

    private final Path dir;
    private final Path config;
    private final int port;
    private ChildJvm jvm;
    private int starts;

    private KafkaBroker(Path dir, Path config, int port) {
        this.dir = dir;
        this.config = config;
        this.port = port;
    }

    /** Formats a fresh log directory under {@code dir} and starts the broker on it. */
    static KafkaBroker start(Path dir) throws IOException {
        Files.createDirectories(dir);
        int port = freePort();
        int controllerPort = freePort();
        Properties p = new Properties();
        p.put("process.roles", "broker,controller");
        p.put("node.id", "1");
        p.put("controller.quorum.voters", "1@127.0.0.1:" + controllerPort);
        p.put("listeners", "PLAINTEXT://127.0.0.1:" + port + ",CONTROLLER://127.0.0.1:" + controllerPort);
        p.put("advertised.listeners", "PLAINTEXT://127.0.0.1:" + port);
        p.put("controller.listener.names", "CONTROLLER");
        p.put("inter.broker.listener.name", "PLAINTEXT");
        p.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
        p.put("log.dirs", dir.resolve("data").toString());
        p.put("num.partitions", "1");
        p.put("auto.create.topics.enable", "true");
        // one node: every internal topic with one replica, or consumers and transactions wait forever
        p.put("offsets.topic.replication.factor", "1");
        p.put("offsets.topic.num.partitions", "1");
        p.put("transaction.state.log.replication.factor", "1");
        p.put("transaction.state.log.min.isr", "1");
        p.put("share.coordinator.state.topic.replication.factor", "1");
        p.put("share.coordinator.state.topic.min.isr", "1");
        p.put("group.initial.rebalance.delay.ms", "0");
        p.put("num.network.threads", "2");
        p.put("num.io.threads", "2");
        p.put("num.recovery.threads.per.data.dir", "2");
        Path config = dir.resolve("server.properties");
        try (OutputStream out = Files.newOutputStream(config)) {
            p.store(out, "qbridge chaos run: a single-node KRaft cluster");
        }
        ChildJvm format = ChildJvm.start("kafka-format", dir, ChildJvm.fullClassPath(), JVM_ARGS, "kafka.tools.StorageTool",
                "format", "-t", Uuid.randomUuid().toString(), "-c", config.toString());
        int exit = format.waitForExit(120);
        if (exit != 0) {
            format.kill9();
            throw new IllegalStateException("kafka-storage format exited with " + exit + ":\n" + format.tail(30));
        }
        KafkaBroker broker = new KafkaBroker(dir, config, port);
        broker.launch();
        return broker;
    }

    String bootstrapServers() {
        return "127.0.0.1:" + port;
    }

    /** SIGKILL, then the same broker on the same ports and log directory, once it answers again. */
    void restart() {
        jvm.kill9();
        launch();
    }

    private void launch() {
        jvm = ChildJvm.start("kafka-" + (++starts), dir, ChildJvm.fullClassPath(), JVM_ARGS, "kafka.Kafka", config.toString());
        long deadline = System.nanoTime() + STARTUP.toNanos();
        try (Admin admin = admin()) {
            while (true) {
                if (!jvm.isAlive()) {
                    throw new IllegalStateException("the Kafka broker exited:\n" + jvm.tail(40));
                }
                try {
                    if (!admin.describeCluster().nodes().get(5, TimeUnit.SECONDS).isEmpty()) {
                        return;
                    }
                } catch (Exception e) {
                    // not serving yet
                }
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("the Kafka broker did not answer within " + STARTUP.toSeconds()
                            + " s:\n" + jvm.tail(40));
                }
            }
        }
    }

    Admin admin() {
        return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers(),
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000, AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 30_000));
    }

    void createTopic(String name, int partitions) {
        try (Admin admin = admin()) {
            admin.createTopics(List.of(new NewTopic(name, partitions, (short) 1))).all().get(60, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("cannot create topic " + name + ": " + e, e);
        }
    }

    @Override
    public void close() {
        if (jvm != null) {
            jvm.close();
        }
    }

    static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
