package dev.qbridge.server.migrate;

import dev.qbridge.camel.RedisqEndpoint;
import dev.qbridge.core.QueueException;
import dev.qbridge.core.queue.QueueConfig;
import dev.qbridge.core.queue.QueueCounts;
import dev.qbridge.core.queue.RedisQueue;
import dev.qbridge.core.redis.JedisConnection;
import dev.qbridge.core.redis.RedisConnection;
import dev.qbridge.core.redis.RedisEndpoint;
import dev.qbridge.server.QbridgeException;
import dev.qbridge.server.RedisqEndpoints;
import jakarta.jms.Connection;
import jakarta.jms.ConnectionFactory;
import java.io.File;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.time.Duration;
import java.util.Collection;
import java.util.Locale;
import java.util.Properties;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.camel.Endpoint;
import org.apache.camel.component.file.FileEndpoint;
import org.apache.camel.component.http.HttpEndpoint;
import org.apache.camel.component.jms.JmsEndpoint;
import org.apache.camel.component.kafka.KafkaConfiguration;
import org.apache.camel.component.kafka.KafkaEndpoint;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.apache.kafka.common.Node;

/**
 * Reaches the system behind an endpoint before a migration takes anything: the Redis of a redisq: queue (and reads
 * the queue, so a key of the wrong type shows now), Kafka's brokers, the JMS broker, the HTTP host, a file directory.
 * Read only: nothing is written, no topic or queue is created. Each check gives up after {@link #TIMEOUT}.
 */
public final class EndpointCheck {

    /** The longest one check waits for an answer. */
    public static final Duration TIMEOUT = Duration.ofSeconds(10);

    private EndpointCheck() {
    }

    /**
     * Returns what was reached, for the output ("reached Kafka at host:9092: 1 broker"), or a note that qbridge has no
     * check for the endpoint's kind; throws a {@link QbridgeException} (exit 1) naming the endpoint when it cannot be
     * reached.
     */
    public static String reach(Endpoint endpoint, boolean source) {
        if (endpoint instanceof RedisqEndpoint redisq) {
            return redis(redisq);
        }
        if (endpoint instanceof KafkaEndpoint kafka) {
            return kafka(kafka.getConfiguration(), source);
        }
        if (endpoint instanceof JmsEndpoint jms) {
            return jms(jms);
        }
        if (endpoint instanceof HttpEndpoint http) {
            return http(http.getHttpUri());
        }
        if (endpoint instanceof FileEndpoint file) {
            return directory(file.getFile(), source);
        }
        String scheme = endpoint.getEndpointUri().split(":", 2)[0];
        return "not checked: qbridge has no check for " + scheme + ": endpoints (the endpoint was created)";
    }

    private static String redis(RedisqEndpoint e) {
        RedisEndpoint redis = RedisqEndpoints.redis(e);
        QueueConfig config = RedisqEndpoints.queue(e);
        try (RedisConnection connection = JedisConnection.open(redis)) {
            QueueCounts c = new RedisQueue(connection, config).counts();
            return "reached Redis at " + redis + ": " + config.kind() + " queue " + config.name() + " holds " + n(c.ready())
                    + " ready, " + n(c.inFlight()) + " in flight, " + n(c.retrying()) + " retrying, " + n(c.dead()) + " dead";
        } catch (QueueException ex) {
            if (ex.kind() == QueueException.Kind.WRONG_TYPE) {
                throw new QbridgeException("queue " + config.name() + " on " + redis + " cannot take jobs: " + ex.getMessage(), ex);
            }
            throw new QbridgeException("cannot reach Redis at " + redis + ": " + ex.getMessage(), ex);
        }
    }

    private static String kafka(KafkaConfiguration configuration, boolean source) {
        Properties client = source ? configuration.createConsumerProperties() : configuration.createProducerProperties();
        Properties admin = new Properties();
        // the endpoint's connection and security settings, without the producer's or consumer's own
        client.forEach((k, v) -> {
            if (AdminClientConfig.configNames().contains(String.valueOf(k))) {
                admin.put(k, v);
            }
        });
        String brokers = configuration.getBrokers();
        if (brokers == null || brokers.isBlank()) {
            throw new QbridgeException("no Kafka brokers: add brokers=host:9092 to the URI");
        }
        admin.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, brokers); // Camel's producer adds it itself, later
        admin.put(AdminClientConfig.CLIENT_ID_CONFIG, "qbridge-migrate-check");
        admin.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) TIMEOUT.toMillis());
        admin.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) TIMEOUT.toMillis());
        try (Admin kafka = Admin.create(admin)) {
            Collection<Node> nodes = kafka.describeCluster(new DescribeClusterOptions().timeoutMs((int) TIMEOUT.toMillis()))
                    .nodes().get(TIMEOUT.toMillis() + 1000, TimeUnit.MILLISECONDS);
            return "reached Kafka at " + brokers + ": " + nodes.size() + (nodes.size() == 1 ? " broker" : " brokers");
        } catch (ExecutionException | TimeoutException | RuntimeException ex) {
            Throwable cause = ex instanceof ExecutionException && ex.getCause() != null ? ex.getCause() : ex;
            throw new QbridgeException("cannot reach Kafka at " + brokers + " within " + TIMEOUT.toSeconds() + "s: "
                    + QbridgeException.describe(cause) + " (check brokers= and that the brokers run)", ex);
        } catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            throw new QbridgeException("interrupted while reaching Kafka at " + brokers, ex);
        }
    }

    private static String jms(JmsEndpoint e) {
        return bounded("the JMS broker", () -> {
            ConnectionFactory factory = e.getConfiguration().getOrCreateConnectionFactory();
            try (Connection connection = factory.createConnection()) {
                connection.getMetaData();
                return "reached the JMS broker (" + connection.getMetaData().getJMSProviderName() + ")";
            }
        }, " (check --jms-broker-url or the endpoint's connectionFactory, and that the broker runs)");
    }

    private static String http(URI uri) {
        String host = uri.getHost();
        int port = uri.getPort() > 0 ? uri.getPort() : "https".equalsIgnoreCase(uri.getScheme()) ? 443 : 80;
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(host, port), (int) TIMEOUT.toMillis());
            return "reached the HTTP host " + host + ":" + port + " (a TCP connection; nothing was sent)";
        } catch (java.io.IOException ex) {
            throw new QbridgeException("cannot reach the HTTP host " + host + ":" + port + ": " + QbridgeException.describe(ex), ex);
        }
    }

    private static String directory(File dir, boolean source) {
        if (source) {
            if (!dir.isDirectory() || !dir.canRead()) {
                throw new QbridgeException("cannot read directory " + dir + ": " + (dir.exists() ? "it is not a readable directory"
                        : "it does not exist"));
            }
            return "directory " + dir + " is readable";
        }
        if (dir.isDirectory()) {
            if (!dir.canWrite()) {
                throw new QbridgeException("cannot write to directory " + dir + ": permission denied");
            }
            return "directory " + dir + " is writable";
        }
        File parent = dir.getAbsoluteFile().getParentFile();
        while (parent != null && !parent.exists()) {
            parent = parent.getParentFile();
        }
        if (dir.exists() || parent == null || !parent.canWrite()) {
            throw new QbridgeException("cannot write to directory " + dir + ": " + (dir.exists() ? "it is not a directory"
                    : "it cannot be created under " + parent));
        }
        return "directory " + dir + " does not exist yet; it will be created";
    }

    /** Runs a check that has no timeout of its own, and gives up after {@link #TIMEOUT}. */
    private static String bounded(String what, Callable<String> check, String hint) {
        ExecutorService executor = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "qbridge-check");
            t.setDaemon(true);
            return t;
        });
        try {
            Future<String> result = executor.submit(check);
            return result.get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException ex) {
            throw new QbridgeException("cannot reach " + what + ": " + QbridgeException.describe(ex.getCause()) + hint, ex.getCause());
        } catch (TimeoutException ex) {
            throw new QbridgeException("cannot reach " + what + ": no answer within " + TIMEOUT.toSeconds() + "s" + hint, ex);
        } catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            throw new QbridgeException("interrupted while reaching " + what, ex);
        } finally {
            executor.shutdownNow();
        }
    }

    private static String n(long value) {
        return String.format(Locale.ROOT, "%,d", value);
    }
}
