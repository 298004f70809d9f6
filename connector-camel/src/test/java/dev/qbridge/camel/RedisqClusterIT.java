package dev.qbridge.camel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.qbridge.testkit.RedisClusterExtension;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.camel.CamelExecutionException;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.test.junit5.CamelTestSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** On a Redis Cluster, a queue named with a hash tag is pushed, consumed and acked like on one server. */
class RedisqClusterIT extends CamelTestSupport {

    @RegisterExtension
    static RedisClusterExtension cluster = RedisClusterExtension.threeMasters();

    private final List<String> seen = new CopyOnWriteArrayList<>();

    private static String clusterUri() {
        return "redis-cluster://" + cluster.nodes().stream().map(n -> n.getHost() + ":" + n.getPort())
                .collect(Collectors.joining(","));
    }

    @Override
    protected RouteBuilder createRouteBuilder() {
        return new RouteBuilder() {
            @Override
            public void configure() {
                from("redisq:{orders}?pollTimeout=200&redisUri=" + clusterUri())
                        .process(e -> seen.add(e.getIn().getBody(String.class)));
            }
        };
    }

    @Test
    void hashTaggedQueueIsPushedConsumedAndAckedOnACluster() {
        List<String> jobs = IntStream.range(0, 50).mapToObj(i -> "order-" + i).toList();
        template.sendBody("redisq:{orders}?redisUri=" + clusterUri(), jobs);

        await().atMost(Duration.ofSeconds(60)).until(() -> seen.size() == 50
                && cluster.client().zcard("{orders}:leases") == 0 && cluster.client().llen("{orders}") == 0);
        assertThat(seen).containsExactlyElementsOf(jobs);
    }

    @Test
    void queueWithoutHashTagIsRefusedWithAdviceOnACluster() {
        assertThatThrownBy(() -> template.sendBody("redisq:orders?redisUri=" + clusterUri(), "x"))
                .isInstanceOf(CamelExecutionException.class)
                .hasStackTraceContaining("name the queue with a hash tag, such as {orders}");
    }
}
