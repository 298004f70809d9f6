package dev.qbridge.camel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.qbridge.core.queue.Delivery;
import dev.qbridge.core.queue.QueueConfig;
import dev.qbridge.core.queue.RedisQueue;
import dev.qbridge.core.redis.JedisConnection;
import dev.qbridge.core.redis.RedisEndpoint;
import dev.qbridge.testkit.RedisServerExtension;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.test.junit5.CamelTestSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.data.redis.connection.RedisStandaloneConfiguration;
import org.springframework.data.redis.connection.jedis.JedisConnectionFactory;
import org.springframework.data.redis.serializer.StringRedisSerializer;

/**
 * camel-spring-redis 4.17.0 (built for an older Jedis) beside Jedis 8: its SUBSCRIBE consumer, on a spring-data-redis
 * JedisConnectionFactory, turns fire-and-forget pub/sub messages into durable redisq jobs.
 */
class SpringRedisPubSubToRedisqIT extends CamelTestSupport {

    @RegisterExtension
    static RedisServerExtension redis = RedisServerExtension.standalone();

    @Override
    protected void bindToRegistry(org.apache.camel.spi.Registry registry) {
        JedisConnectionFactory factory = new JedisConnectionFactory(new RedisStandaloneConfiguration(redis.host(), redis.port()));
        factory.afterPropertiesSet();
        factory.start();
        registry.bind("redisFactory", factory);
        registry.bind("stringSerializer", new StringRedisSerializer());
    }

    @Override
    protected RouteBuilder createRouteBuilder() {
        return new RouteBuilder() {
            @Override
            public void configure() {
                from("spring-redis://" + redis.host() + ":" + redis.port() + "?command=SUBSCRIBE&channels=events"
                        + "&connectionFactory=#redisFactory&serializer=#stringSerializer")
                        .to("redisq:events?redisUri=" + redis.uri());
            }
        };
    }

    @Test
    void everyPublishedMessageBecomesADurableJob() {
        // pub/sub drops what is published before the subscription: probe until the route listens
        await().atMost(Duration.ofSeconds(30)).until(() -> redis.client().publish("events", "probe") > 0);
        List<String> messages = IntStream.range(0, 50).mapToObj(i -> "event-" + i).toList();
        messages.forEach(m -> assertThat(redis.client().publish("events", m)).isEqualTo(1));

        try (JedisConnection connection = JedisConnection.open(RedisEndpoint.parse(redis.uri()))) {
            RedisQueue events = new RedisQueue(connection, QueueConfig.builder("events").build());
            await().atMost(Duration.ofSeconds(30)).until(() -> events.counts().ready() >= 51);
            List<String> jobs = new ArrayList<>();
            events.take(1000).stream().map(Delivery::payloadAsString).forEach(jobs::add);
            assertThat(jobs).containsAll(messages).contains("probe");
        }
    }
}
