package dev.qbridge.camel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.qbridge.core.queue.Delivery;
import dev.qbridge.core.queue.QueueKind;
import dev.qbridge.core.queue.RedisQueue;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.camel.CamelExecutionException;
import org.apache.camel.Exchange;
import org.junit.jupiter.api.Test;

/** The producer's guarantees: a push is in Redis when the exchange goes on, with the priority or due time asked for. */
class RedisqProducerTest extends RedisqRouteTestSupport {

    private String uri(String queue, String options) {
        return "redisq:" + queue + "?redisUri=" + redis.uri() + (options.isEmpty() ? "" : "&" + options);
    }

    @Test
    void pushedBodyIsAJobInRedisWhenTheExchangeReturns() {
        Exchange reply = template.request(uri("jobs", ""), e -> e.getIn().setBody("hello"));

        assertThat(reply.getMessage().getHeader(RedisqConstants.PUSHED, Long.class)).isEqualTo(1L);
        assertThat(reply.getMessage().getHeader(RedisqConstants.QUEUE)).isEqualTo("jobs");
        List<Delivery> taken = queue("jobs", QueueKind.RELIABLE).take(10);
        assertThat(taken).extracting(Delivery::payloadAsString).containsExactly("hello");
    }

    @Test
    void collectionBodyIsPushedAsABatchInOrder() {
        Exchange reply = template.request(uri("jobs", ""), e -> e.getIn().setBody(List.of("a", "b", "c")));

        assertThat(reply.getMessage().getHeader(RedisqConstants.PUSHED, Long.class)).isEqualTo(3L);
        assertThat(queue("jobs", QueueKind.RELIABLE).take(10)).extracting(Delivery::payloadAsString)
                .containsExactly("a", "b", "c");
    }

    @Test
    void priorityHeaderDecidesWhichJobIsTakenFirst() {
        template.sendBodyAndHeader(uri("tasks", "kind=priority"), "later", RedisqConstants.PRIORITY, 10);
        template.sendBodyAndHeader(uri("tasks", "kind=priority"), "first", RedisqConstants.PRIORITY, 1);
        template.sendBody(uri("tasks", "kind=priority&defaultPriority=5"), "middle");

        assertThat(queue("tasks", QueueKind.PRIORITY).take(10)).extracting(Delivery::payloadAsString)
                .containsExactly("first", "middle", "later");
    }

    @Test
    void delayHeaderKeepsTheJobUntilItIsDue() {
        Exchange reply = template.request(uri("later", "kind=delayed"), e -> {
            e.getIn().setBody("in an hour");
            e.getIn().setHeader(RedisqConstants.DELAY, Duration.ofHours(1));
        });
        template.sendBodyAndHeader(uri("later", "kind=delayed"), "due now", RedisqConstants.DUE_AT, Instant.now().minusSeconds(1));

        long dueAt = reply.getMessage().getHeader(RedisqConstants.DUE_AT, Long.class);
        assertThat(dueAt).isCloseTo(Instant.now().plus(Duration.ofHours(1)).toEpochMilli(), within(60_000L));
        RedisQueue later = queue("later", QueueKind.DELAYED);
        assertThat(later.take(10)).extracting(Delivery::payloadAsString).containsExactly("due now");
        assertThat(later.counts().delayed()).isEqualTo(1);
    }

    @Test
    void defaultDelayOfTheEndpointAppliesWhenNoHeaderNamesOne() {
        template.sendBody(uri("later", "kind=delayed&defaultDelay=1h"), "deferred");

        RedisQueue later = queue("later", QueueKind.DELAYED);
        assertThat(later.take(10)).isEmpty();
        assertThat(later.counts().delayed()).isEqualTo(1);
    }

    @Test
    void pushIntoAKeyOfAnotherTypeFailsTheExchange() {
        redis.client().set("jobs", "not a list");

        org.assertj.core.api.Assertions.assertThatThrownBy(() -> template.sendBody(uri("jobs", ""), "x"))
                .isInstanceOf(CamelExecutionException.class)
                .cause().hasMessage("WRONGTYPE key jobs holds a string, but it must be a reliable queue (a list); nothing was pushed");
    }

    @Test
    void bytesArePushedUnchanged() {
        byte[] payload = {0, (byte) 0xff, ':', '\n', 42};
        template.sendBody(uri("jobs", ""), payload);

        assertThat(queue("jobs", QueueKind.RELIABLE).take(1).get(0).payload()).isEqualTo(payload);
    }

    @Test
    void endpointsOfOneRedisShareOneConnectionPool() {
        template.sendBody(uri("a", ""), "1");
        template.sendBody(uri("b", ""), "2");

        RedisqEndpoint a = context.getEndpoint(uri("a", ""), RedisqEndpoint.class);
        RedisqEndpoint b = context.getEndpoint(uri("b", ""), RedisqEndpoint.class);
        assertThat(a.connection()).isSameAs(b.connection());
        assertThat(Map.of("a", queue("a", QueueKind.RELIABLE).counts().ready(), "b", queue("b", QueueKind.RELIABLE).counts().ready()))
                .containsEntry("a", 1L).containsEntry("b", 1L);
    }
}
