package dev.qbridge.camel.bridge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.qbridge.camel.RedisqConsumer;
import dev.qbridge.core.consume.ConsumerHealth.Status;
import dev.qbridge.core.queue.Delivery;
import dev.qbridge.core.queue.RedisQueue;
import jakarta.jms.BytesMessage;
import jakarta.jms.Connection;
import jakarta.jms.DeliveryMode;
import jakarta.jms.JMSException;
import jakarta.jms.Message;
import jakarta.jms.MessageConsumer;
import jakarta.jms.MessageProducer;
import jakarta.jms.Session;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.activemq.artemis.core.config.impl.ConfigurationImpl;
import org.apache.activemq.artemis.core.server.JournalType;
import org.apache.activemq.artemis.core.server.embedded.EmbeddedActiveMQ;
import org.apache.activemq.artemis.core.settings.impl.AddressFullMessagePolicy;
import org.apache.activemq.artemis.core.settings.impl.AddressSettings;
import org.apache.activemq.artemis.jms.client.ActiveMQConnectionFactory;
import org.apache.camel.CamelContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** JMS and redisq, both ways, with an embedded ActiveMQ Artemis broker. */
class JmsBridgeIT extends BridgeTestSupport {

    private static EmbeddedActiveMQ broker;
    private static ActiveMQConnectionFactory factory;
    @TempDir
    static Path journal;

    /** A persistent broker, its journal in a temporary directory: a restart keeps what it accepted, and only that. */
    @BeforeAll
    static void startBroker() throws Exception {
        ConfigurationImpl config = new ConfigurationImpl();
        config.setPersistenceEnabled(true);
        config.setJournalType(JournalType.NIO);
        config.setJournalDirectory(journal.resolve("journal").toString());
        config.setBindingsDirectory(journal.resolve("bindings").toString());
        config.setPagingDirectory(journal.resolve("paging").toString());
        config.setLargeMessagesDirectory(journal.resolve("large-messages").toString());
        config.setSecurityEnabled(false);
        config.addAcceptorConfiguration("in-vm", "vm://0");
        // redeliver a rolled-back message forever, quickly: the test decides when the push may succeed
        config.addAddressSetting("#", new AddressSettings().setMaxDeliveryAttempts(-1).setRedeliveryDelay(50));
        // a broker that refuses messages while the address holds one: the send fails, as when a broker is full
        config.addAddressSetting("full", new AddressSettings().setMaxDeliveryAttempts(-1).setMaxSizeBytes(1)
                .setAddressFullMessagePolicy(AddressFullMessagePolicy.FAIL));
        broker = new EmbeddedActiveMQ();
        broker.setConfiguration(config);
        broker.start();
        factory = new ActiveMQConnectionFactory("vm://0");
    }

    @AfterAll
    static void stopBroker() throws Exception {
        factory.close();
        broker.stop();
    }

    /** Stops the broker and starts it again from its journal: what it holds afterwards, it had on disk. */
    private static void restartBroker() throws Exception {
        broker.stop();
        broker.start();
    }

    @Override
    void configure(CamelContext context) {
        context.getRegistry().bind("connectionFactory", factory);
    }

    private static void send(String queue, List<String> texts) throws JMSException {
        try (Connection connection = factory.createConnection()) {
            Session session = connection.createSession(false, Session.AUTO_ACKNOWLEDGE);
            MessageProducer producer = session.createProducer(session.createQueue(queue));
            for (String text : texts) {
                producer.send(session.createTextMessage(text));
            }
        }
    }

    private static List<String> receive(String queue, int n) throws JMSException {
        return receive(queue, n, new ArrayList<>());
    }

    /** Receives up to {@code n} bodies; the delivery mode of each goes to {@code modes}. */
    private static List<String> receive(String queue, int n, List<Integer> modes) throws JMSException {
        List<String> bodies = new ArrayList<>();
        try (Connection connection = factory.createConnection()) {
            connection.start();
            Session session = connection.createSession(false, Session.AUTO_ACKNOWLEDGE);
            MessageConsumer consumer = session.createConsumer(session.createQueue(queue));
            while (bodies.size() < n) {
                Message message = consumer.receive(WAIT.toMillis());
                if (message == null) {
                    break;
                }
                modes.add(message.getJMSDeliveryMode());
                bodies.add(message instanceof BytesMessage bytes ? new String(bytes.getBody(byte[].class))
                        : message.getBody(String.class));
            }
        }
        return bodies;
    }

    private static long brokerCount(String queue) {
        var q = broker.getActiveMQServer().locateQueue(queue);
        return q == null ? 0 : q.getMessageCount();
    }

    @ParameterizedTest
    @EnumSource(Dsl.class)
    void everyJmsMessageBecomesAJobAndLeavesTheBroker(Dsl dsl) throws Exception {
        start(dsl);
        String destination = "in-" + dsl.name().toLowerCase();
        List<String> messages = jobs("msg", 20);
        send(destination, messages);

        addRoute("jms-to-redisq", Map.of("destination", "queue:" + destination, "sink", redisq("inbox", "")));

        RedisQueue inbox = queue("inbox");
        await().atMost(WAIT).until(() -> inbox.counts().ready() == 20 && brokerCount(destination) == 0);
        assertThat(inbox.take(100)).extracting(Delivery::payloadAsString).containsExactlyElementsOf(messages);
    }

    @Test
    void jmsMessageIsNotAcknowledgedUntilItsJobIsInRedis() throws Exception {
        start(Dsl.JAVA);
        redis.client().set("inbox", "a string, not a queue"); // every push fails
        send("held", List.of("precious"));
        addRoute("jms-to-redisq", Map.of("destination", "queue:held", "sink", redisq("inbox", "")));

        await().atMost(WAIT).until(() -> failedExchanges.get() >= 2);
        assertThat(brokerCount("held")).as("rolled back, still on the broker").isEqualTo(1);

        redis.client().del("inbox");
        RedisQueue inbox = queue("inbox");
        await().atMost(WAIT).until(() -> inbox.counts().ready() == 1 && brokerCount("held") == 0);
        assertThat(inbox.take(1).get(0).payloadAsString()).isEqualTo("precious");
    }

    @ParameterizedTest
    @EnumSource(Dsl.class)
    void everyJobBecomesAPersistentJmsMessageBeforeItIsAcked(Dsl dsl) throws Exception {
        start(dsl);
        String destination = "out-" + dsl.name().toLowerCase();
        RedisQueue outbox = queue("outbox");
        List<String> payloads = jobs("job", 20);
        outbox.push(bytes(payloads));

        addRoute("redisq-to-jms", Map.of("source", redisq("outbox", "batchSize=10"), "destination", "queue:" + destination));

        await().atMost(WAIT).until(() -> outbox.counts().total() == 0);
        context.stop();
        restartBroker(); // what the broker had only in memory is gone now

        List<Integer> modes = new ArrayList<>();
        assertThat(receive(destination, 20, modes)).containsExactlyElementsOf(payloads);
        assertThat(modes).as("every message was sent persistent").hasSize(20).containsOnly(DeliveryMode.PERSISTENT);
    }

    @Test
    void jobsWaitInRedisWhileTheBrokerIsDownAndEveryOneArrivesAfterWithoutAnAttemptCounted() throws Exception {
        start(Dsl.JAVA);
        RedisQueue outbox = queue("outbox");
        List<String> payloads = jobs("job", 20);
        outbox.push(bytes(payloads));
        broker.stop();
        try {
            // maxAttempts=1: an outage counted as the jobs' failures would dead-letter them at once
            addRoute("redisq-to-jms", Map.of("source", redisq("outbox", "batchSize=10&maxAttempts=1"),
                    "destination", "queue:while-down"));
            RedisqConsumer consumer = (RedisqConsumer) context.getRoute("redisq-to-jms").getConsumer();

            await().atMost(Duration.ofSeconds(30)).until(() -> consumer.health().status() == Status.DESTINATION_UNAVAILABLE);
            assertThat(consumer.health().problem()).hasValueSatisfying(p -> assertThat(p).contains("AMQ219007"));
            assertThat(outbox.counts().dead()).as("no dead letters because the broker was down").isZero();
            assertThat(outbox.counts().pending()).as("every job still in Redis").isEqualTo(20);
        } finally {
            broker.start();
        }

        await().atMost(WAIT).until(() -> outbox.counts().total() == 0);
        assertThat(receive("while-down", 20)).containsExactlyInAnyOrderElementsOf(payloads);
        assertThat(outbox.counts().dead()).isZero();
    }

    @Test
    void jobIsAckedOnlyAfterTheBrokerAcceptedItsMessage() throws Exception {
        start(Dsl.JAVA);
        send("full", List.of("blocker")); // fills the address: the broker now refuses every send
        RedisQueue outbox = queue("outbox");
        outbox.push(bytes(List.of("precious")));
        addRoute("redisq-to-jms", Map.of("source", redisq("outbox", "initialBackoff=50&maxAttempts=1000&backoffJitter=0"),
                "destination", "queue:full", "messageType", "Text"));

        await().atMost(WAIT).until(() -> failedExchanges.get() >= 2);
        assertThat(outbox.counts().pending()).as("the job waits for a retry, not acked").isEqualTo(1);

        assertThat(receive("full", 1)).containsExactly("blocker"); // room again
        await().atMost(WAIT).until(() -> outbox.counts().total() == 0);
        assertThat(receive("full", 1)).containsExactly("precious");
    }
}
