package dev.qbridge.core.queue;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.qbridge.core.QueueException;
import dev.qbridge.core.RedisFixture;
import dev.qbridge.core.lease.Reaper;
import dev.qbridge.core.retry.RetryPolicy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A reliable queue kept in several lists (Celery keeps priorities in {@code <q>}, {@code <q>\x06\x163},
 * {@code <q>\x06\x166}, {@code <q>\x06\x169}, consumed in that order): the extra ready lists are served after the
 * queue's own, in order, under the same lease, budget and checks, and counted and purged with it.
 */
class ExtraReadyListsIT {

    @RegisterExtension
    static RedisFixture redis = RedisFixture.standalone();

    private static final String Q = "celery";
    private static final String P3 = "celery\u0006\u00163";
    private static final String P6 = "celery\u0006\u00166";
    private static final String P9 = "celery\u0006\u00169";

    private static QueueConfig.Builder config() {
        return QueueConfig.builder(Q).extraReadyLists(List.of(P3, P6, P9));
    }

    private static RedisQueue queue(QueueConfig.Builder config) {
        return new RedisQueue(redis.connection(), config.build());
    }

    /** Pushes as kombu does: LPUSH, so that the first pushed is the first popped from the tail. */
    private static void lpush(String list, String... jobs) {
        for (String job : jobs) {
            redis.client().lpush(list, job);
        }
    }

    private static List<String> payloads(List<Delivery> deliveries) {
        return deliveries.stream().map(Delivery::payloadAsString).toList();
    }

    @Test
    void readyPagesOfAnySizeShowEveryListInTakeOrderAndTakeNothing() {
        RedisQueue queue = queue(config());
        lpush(Q, "own-1", "own-2");
        lpush(P6, "six-1", "six-2", "six-3");
        lpush(P9, "nine-1");
        List<String> order = List.of("own-1", "own-2", "six-1", "six-2", "six-3", "nine-1");

        for (int size = 1; size <= 7; size++) {
            List<String> seen = new ArrayList<>();
            ReadyPage page = queue.readyPage(0, size);
            seen.addAll(page.jobs().stream().map(j -> new String(j.payload(), UTF_8)).toList());
            while (!page.end() && !page.jobs().isEmpty()) {
                page = queue.readyPage(page.next(), size);
                seen.addAll(page.jobs().stream().map(j -> new String(j.payload(), UTF_8)).toList());
            }
            assertThat(seen).as("pages of %d", size).isEqualTo(order);
        }
        assertThat(queue.readyPage(6, 3).jobs()).isEmpty();
        assertThat(queue.readyPage(0, 1).jobs().get(0).score()).isEmpty();
        assertThat(payloads(queue.take(10))).as("what a take serves, in the same order").isEqualTo(order);
    }

    @Test
    void readyJobsAreServedFromTheQueueThenEachExtraListInOrder() {
        RedisQueue queue = queue(config());
        lpush(P6, "six-1", "six-2");
        lpush(Q, "own-1", "own-2");
        lpush(P3, "three-1", "three-2", "three-3");
        lpush(P9, "nine-1");

        assertThat(payloads(queue.take(4))).containsExactly("own-1", "own-2", "three-1", "three-2");
        assertThat(payloads(queue.take(1))).containsExactly("three-3");
        lpush(Q, "own-3"); // the queue's own list comes first again as soon as it holds a job
        assertThat(payloads(queue.take(10))).containsExactly("own-3", "six-1", "six-2", "nine-1");
        assertThat(queue.take(10)).isEmpty();
        assertThat(redis.client().exists(Q, P3, P6, P9)).isZero();
    }

    @Test
    void takesFromExtraListsOneAtATimeGiveConsecutiveIdsAndKeepTheOrder() {
        RedisQueue queue = queue(config());
        lpush(P9, "nine-1");
        lpush(P3, "three-1", "three-2");
        List<Delivery> taken = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            taken.addAll(queue.take(1));
        }
        assertThat(payloads(taken)).containsExactly("three-1", "three-2", "nine-1");
        assertThat(taken).extracting(Delivery::id).containsExactly(1L, 2L, 3L);
    }

    @Test
    void theByteBudgetSpansTheListsAndLeavesTheRestInPlaceInOrder() {
        RedisQueue queue = queue(config().batchMaxBytes(10));
        lpush(Q, "aaaa");
        lpush(P3, "bbbb", "cccc", "dddd");
        assertThat(payloads(queue.take(10))).containsExactly("aaaa", "bbbb");
        assertThat(redis.client().lrange(P3, 0, -1)).containsExactly("dddd", "cccc");
        assertThat(payloads(queue.take(10))).containsExactly("cccc", "dddd");
    }

    @Test
    void aJobTakenFromAnExtraListThatFailsComesBackAndIsServed() {
        RedisQueue queue = queue(config().retry(RetryPolicy.of(5, Duration.ZERO)));
        lpush(P6, "six-1");
        Delivery first = queue.take(10).get(0);
        assertThat(queue.nack(first, "failed")).isEqualTo(NackOutcome.RETRY_SCHEDULED);

        Delivery again = queue.take(10).get(0);
        assertThat(again.payloadAsString()).isEqualTo("six-1");
        assertThat(again.id()).isEqualTo(first.id());
        assertThat(again.attempt()).isEqualTo(2);
        assertThat(queue.ack(again)).isTrue();
        assertThat(queue.counts().total()).isZero();
    }

    @Test
    void aJobTakenFromAnExtraListWhoseConsumerDiedIsReapedAndServed() throws Exception {
        QueueConfig shortLease = config().leaseTimeout(Duration.ofMillis(100)).build();
        RedisQueue queue = new RedisQueue(redis.connection(), shortLease);
        lpush(P9, "nine-1");
        Delivery lost = queue.take(10).get(0);
        Thread.sleep(150);
        assertThat(new Reaper(redis.connection(), shortLease).reapExpired().requeued()).isEqualTo(1);

        lpush(Q, "own-1"); // a requeued job has waited longest: it comes before every ready list
        assertThat(queue.take(10)).extracting(Delivery::payloadAsString, Delivery::id, Delivery::attempt)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("nine-1", lost.id(), 2),
                        org.assertj.core.groups.Tuple.tuple("own-1", lost.id() + 1, 1));
    }

    @Test
    void countsAndPurgeIncludeTheExtraLists() {
        RedisQueue queue = queue(config());
        lpush(Q, "own-1");
        lpush(P3, "three-1", "three-2");
        lpush(P9, "nine-1");
        assertThat(queue.counts().ready()).isEqualTo(4);
        assertThat(queue.exists()).isTrue();
        queue.take(1);
        assertThat(queue.counts()).extracting(QueueCounts::ready, QueueCounts::inFlight).containsExactly(3L, 1L);

        queue.purge();
        assertThat(redis.client().exists(Q, P3, P6, P9, Q + ":leases")).isZero();
        assertThat(queue.counts().total()).isZero();
    }

    @Test
    void aTakeThatWaitsIsWokenByAJobInAnExtraList() throws Exception {
        RedisQueue queue = queue(config().maxIdleWait(Duration.ofMillis(50)));
        CompletableFuture<List<Delivery>> waiting = CompletableFuture.supplyAsync(() -> queue.take(10, Duration.ofSeconds(5)));
        Thread.sleep(200);
        lpush(P9, "nine-1");
        assertThat(payloads(waiting.get(2, TimeUnit.SECONDS))).containsExactly("nine-1");
    }

    @Test
    void anExtraListOfAnotherTypeIsRefusedAndNothingIsTaken() {
        RedisQueue queue = queue(config());
        lpush(Q, "own-1", "own-2");
        lpush(P3, "three-1");
        redis.client().hset(P6, "field", "value"); // reached after the first two lists gave their jobs
        lpush(P9, "nine-1");
        redis.client().set(Q + ":seq", "41");
        List<String> keys = List.of(Q, P3, P6, P9, Q + ":leases", Q + ":seq");
        Map<String, byte[]> before = dump(keys);

        assertThatThrownBy(() -> queue.take(10)).isInstanceOfSatisfying(QueueException.class, e -> {
            assertThat(e.kind()).isEqualTo(QueueException.Kind.WRONG_TYPE);
            assertThat(e.getMessage()).contains("WRONGTYPE key " + P6 + " holds a hash, but it must be an extra ready list of "
                    + "queue celery (a list); nothing was taken");
        });
        Map<String, byte[]> after = dump(keys);
        for (String key : keys) {
            assertThat(after.get(key)).as("key %s is unchanged, byte for byte", key).isEqualTo(before.get(key));
        }
        assertThatThrownBy(() -> queue.counts()).hasMessageContaining(P6 + " holds a hash");
    }

    @Test
    void extraReadyListsAreForReliableQueuesAndMustBeListsOfTheirOwn() {
        assertThatThrownBy(() -> config().kind(QueueKind.PRIORITY).build()).isInstanceOf(QueueException.class)
                .hasMessageContaining("reliable");
        assertThatThrownBy(() -> QueueConfig.builder(Q).extraReadyLists(List.of(Q + ":retry")).build())
                .hasMessageContaining("a key of the queue itself");
        assertThatThrownBy(() -> QueueConfig.builder(Q).extraReadyLists(List.of(P3, P3)).build())
                .hasMessageContaining("named twice");
        assertThat(QueueConfig.builder(Q).build().extraReadyLists()).isEmpty();
    }

    private static Map<String, byte[]> dump(List<String> keys) {
        Map<String, byte[]> dumps = new LinkedHashMap<>();
        for (String key : keys) {
            byte[] value = redis.client().dump(key.getBytes(UTF_8));
            dumps.put(key, value == null ? null : Arrays.copyOf(value, value.length));
        }
        return dumps;
    }
}
