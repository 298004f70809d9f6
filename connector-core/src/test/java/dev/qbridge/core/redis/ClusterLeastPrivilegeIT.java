package dev.qbridge.core.redis;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.qbridge.core.consume.ConsumerSettings;
import dev.qbridge.core.consume.QueueConsumer;
import dev.qbridge.core.queue.Delivery;
import dev.qbridge.core.queue.QueueConfig;
import dev.qbridge.core.queue.RedisQueue;
import dev.qbridge.core.retry.RetryPolicy;
import dev.qbridge.testkit.DocumentedAcl;
import dev.qbridge.testkit.RedisClusterExtension;
import dev.qbridge.testkit.RedisServer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import redis.clients.jedis.Protocol;

/** On a Redis Cluster the documented rule plus +cluster|slots (docs/PROTOCOL.md says so) is all a qbridge user needs. */
class ClusterLeastPrivilegeIT {

    @RegisterExtension
    static RedisClusterExtension cluster = RedisClusterExtension.threeMasters();

    @Test
    void aQueueOnAClusterRunsAsTheDocumentedUserWithoutARefusalOnAnyNode() {
        for (RedisServer node : cluster.cluster().servers()) {
            DocumentedAcl.createUser(node.client(), "qbridge", "cluster-pw", "{orders}");
            node.client().sendCommand(Protocol.Command.ACL, "SETUSER", "qbridge", "+cluster|slots");
        }
        String seeds = cluster.nodes().stream().map(n -> n.getHost() + ":" + n.getPort()).collect(Collectors.joining(","));
        RedisEndpoint endpoint = RedisEndpoint.builder("redis-cluster://" + seeds).user("qbridge").password("cluster-pw").build();
        try (JedisConnection connection = JedisConnection.open(endpoint)) {
            RedisQueue orders = new RedisQueue(connection, QueueConfig.builder("{orders}").leaseTimeout(Duration.ofMillis(300))
                    .retry(RetryPolicy.of(2, Duration.ZERO)).build());
            orders.push(IntStream.range(0, 20).mapToObj(i -> ("job-" + i).getBytes(UTF_8)).toList());
            try (QueueConsumer consumer = QueueConsumer.start(orders, ConsumerSettings.of("cluster").reapInterval(Duration.ofMillis(100)))) {
                List<Delivery> taken = new ArrayList<>();
                await().atMost(Duration.ofSeconds(20)).until(() -> {
                    taken.addAll(consumer.take(20 - taken.size(), Duration.ofMillis(500)));
                    return taken.size() == 20;
                });
                consumer.nack(taken.subList(0, 5), "again");
                consumer.ack(taken.subList(5, 20));
                List<Delivery> again = new ArrayList<>();
                await().atMost(Duration.ofSeconds(20)).until(() -> {
                    again.addAll(consumer.take(5 - again.size(), Duration.ofMillis(500)));
                    return again.size() == 5;
                });
                consumer.deadLetter(again, "no");
                assertThat(consumer.health().isRunning()).isTrue();
            }
            assertThat(orders.counts().dead()).isEqualTo(5);
            assertThat(orders.requeueDead(10)).isEqualTo(5);
            assertThat(connection.scanKeys("{orders}*", 100)).contains("{orders}");
            assertThat(orders.purge()).isPositive();
        }
        for (RedisServer node : cluster.cluster().servers()) {
            List<Map<String, String>> log = DocumentedAcl.log(node.client());
            assertThat(log).as("ACL LOG of %s", node.uri()).isEmpty();
        }
    }
}
