package dev.qbridge.camel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.qbridge.testkit.RedisServerExtension;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.test.junit5.CamelTestSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** A Redis that goes away is waited out with backoff: the consumer keeps running and resumes when it is back. */
class RedisqOutageTest extends CamelTestSupport {

    @RegisterExtension
    static RedisServerExtension redis = RedisServerExtension.withAof();

    private final List<String> seen = new CopyOnWriteArrayList<>();

    @Override
    protected RouteBuilder createRouteBuilder() {
        return new RouteBuilder() {
            @Override
            public void configure() {
                from("redisq:jobs?pollTimeout=200&redisUri=" + redis.uri()).process(e -> seen.add(e.getIn().getBody(String.class)));
            }
        };
    }

    @Test
    void consumerWaitsOutARedisRestartAndResumes() {
        redis.client().lpush("jobs", "before");
        await().atMost(Duration.ofSeconds(30)).until(() -> seen.contains("before"));

        redis.restart(); // kill -9 and start again on the same port: every pooled connection breaks
        redis.client().lpush("jobs", "after");

        await().atMost(Duration.ofSeconds(60)).until(() -> seen.contains("after"));
        assertThat(seen).containsExactly("before", "after");
        await().atMost(Duration.ofSeconds(30)).until(() -> redis.client().zcard("jobs:leases") == 0);
    }
}
