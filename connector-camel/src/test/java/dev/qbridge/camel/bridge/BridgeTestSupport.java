package dev.qbridge.camel.bridge;

import dev.qbridge.core.queue.QueueConfig;
import dev.qbridge.core.queue.RedisQueue;
import dev.qbridge.core.redis.JedisConnection;
import dev.qbridge.core.redis.RedisEndpoint;
import dev.qbridge.testkit.RedisServerExtension;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.apache.camel.CamelContext;
import org.apache.camel.builder.TemplatedRouteBuilder;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.spi.CamelEvent;
import org.apache.camel.support.EventNotifierSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.extension.RegisterExtension;

/** A Redis per class, a fresh Camel context per test with the templates of one DSL, and failure counting. */
abstract class BridgeTestSupport {

    @RegisterExtension
    static RedisServerExtension redis = RedisServerExtension.standalone();

    static final Duration WAIT = Duration.ofSeconds(60);

    CamelContext context;
    JedisConnection connection;
    final AtomicInteger failedExchanges = new AtomicInteger();

    /** Starts a context with the templates of {@code dsl}; {@link #configure} may add services first. */
    void start(Dsl dsl) throws Exception {
        connection = JedisConnection.open(RedisEndpoint.parse(redis.uri()));
        context = new DefaultCamelContext();
        context.getManagementStrategy().addEventNotifier(new EventNotifierSupport() {
            @Override
            public void notify(CamelEvent event) {
                if (event instanceof CamelEvent.ExchangeFailedEvent) {
                    failedExchanges.incrementAndGet();
                }
            }
        });
        configure(context);
        dsl.addTemplates(context);
        context.start();
    }

    void configure(CamelContext context) throws Exception {
    }

    @AfterEach
    void stop() {
        if (context != null) {
            context.stop();
        }
        if (connection != null) {
            connection.close();
        }
    }

    void addRoute(String template, Map<String, Object> parameters) throws Exception {
        TemplatedRouteBuilder builder = TemplatedRouteBuilder.builder(context, template).routeId(template);
        parameters.forEach(builder::parameter);
        builder.add();
    }

    String redisq(String queue, String options) {
        return "redisq:" + queue + "?redisUri=" + redis.uri() + "&pollTimeout=200" + (options.isEmpty() ? "" : "&" + options);
    }

    RedisQueue queue(String name) {
        return new RedisQueue(connection, QueueConfig.builder(name).build());
    }

    static List<String> jobs(String prefix, int n) {
        return IntStream.range(0, n).mapToObj(i -> prefix + "-" + i).toList();
    }

    static List<byte[]> bytes(List<String> texts) {
        return texts.stream().map(t -> t.getBytes(StandardCharsets.UTF_8)).toList();
    }
}
