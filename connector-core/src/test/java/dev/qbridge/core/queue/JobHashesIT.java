package dev.qbridge.core.queue;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.qbridge.core.QueueException;
import dev.qbridge.core.RedisFixture;
import dev.qbridge.core.lease.Reaper;
import dev.qbridge.core.queue.QueueConfig.ListEnd;
import dev.qbridge.core.redis.JedisConnection;
import dev.qbridge.core.redis.RedisEndpoint;
import dev.qbridge.core.retry.RetryPolicy;
import dev.qbridge.testkit.DocumentedAcl;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import redis.clients.jedis.Protocol;

/**
 * A queue whose list holds job ids, each job a hash of its own (RQ's {@code rq:queue:<q>} and {@code rq:job:<id>}):
 * the take leases each id and returns its hash in one step, the ack deletes the hash with the lease, nack and the
 * reaper move the id alone, and the hash is never changed by anything but an ack.
 */
class JobHashesIT {

    @RegisterExtension
    static RedisFixture redis = RedisFixture.standalone();

    private static final String LIST = "rq:queue:default";
    private static final String PREFIX = "rq:job:";
    private static final List<String> QUEUE_KEYS = List.of(LIST, LIST + ":leases", LIST + ":retry", LIST + ":reaped",
            LIST + ":dead", LIST + ":seq", "rq:queues");

    private static QueueConfig.Builder config() {
        return QueueConfig.builder(LIST).jobHashes(PREFIX, ListEnd.HEAD).registry("rq:queues", LIST)
                .leaseTimeout(Duration.ofMillis(300)).retry(RetryPolicy.of(5, Duration.ZERO));
    }

    private static RedisQueue queue() {
        return new RedisQueue(redis.connection(), config().build());
    }

    /** As RQ's client enqueues: the hash, then RPUSH of the id. */
    private static void enqueue(String id, String... fieldsAndValues) {
        Map<String, String> hash = new LinkedHashMap<>();
        for (int i = 0; i < fieldsAndValues.length; i += 2) {
            hash.put(fieldsAndValues[i], fieldsAndValues[i + 1]);
        }
        redis.client().hset(PREFIX + id, hash);
        redis.client().rpush(LIST, id);
    }

    private static Map<String, String> text(Map<String, byte[]> hash) {
        Map<String, String> out = new LinkedHashMap<>();
        hash.forEach((k, v) -> out.put(k, new String(v, UTF_8)));
        return out;
    }

    @Test
    void eachIdIsTakenFromTheHeadWithItsHash() {
        IntStream.range(0, 5).forEach(i -> enqueue("id-" + i, "data", "payload-" + i, "origin", "default"));
        redis.client().lpush(LIST, "id-front"); // RQ's enqueue(at_front=True): taken first, as by RQ's worker
        redis.client().hset(PREFIX + "id-front", "data", "front");

        List<Delivery> taken = queue().take(4);

        assertThat(taken).extracting(Delivery::payloadAsString).containsExactly("id-front", "id-0", "id-1", "id-2");
        assertThat(text(taken.get(1).hash())).containsExactly(Map.entry("data", "payload-0"), Map.entry("origin", "default"));
        assertThat(text(taken.get(0).hash())).containsExactly(Map.entry("data", "front"));
        assertThat(redis.client().lrange(LIST, 0, -1)).containsExactly("id-3", "id-4");
        assertThat(redis.client().zcard(LIST + ":leases")).isEqualTo(4);
        assertThat(redis.client().exists(PREFIX + "id-0")).as("the hash stays until the ack").isTrue();
    }

    @Test
    void theAckOfAMoveDeletesTheHashWithTheLeaseAndALateAckDeletesNothing() {
        enqueue("a", "data", "A");
        enqueue("b", "data", "B");
        RedisQueue queue = queue();
        List<Delivery> taken = queue.take(2);

        assertThat(queue.ack(taken.get(0))).isTrue();
        assertThat(redis.client().exists(PREFIX + "a")).isFalse();
        assertThat(redis.client().exists(PREFIX + "b")).isTrue();

        sleep(400); // b's lease expires: its consumer died; the reaper requeues the id
        assertThat(new Reaper(redis.connection(), queue.config()).reapExpired().requeued()).isEqualTo(1);
        assertThat(queue.ack(taken.get(1))).as("the late ack of the expired delivery").isFalse();
        assertThat(redis.client().hget(PREFIX + "b", "data")).as("kept for the id's next delivery").isEqualTo("B");

        Delivery again = queue.take(1).get(0);
        assertThat(again.attempt()).isEqualTo(2);
        assertThat(text(again.hash())).containsEntry("data", "B");
        assertThat(queue.ack(again)).isTrue();
        assertThat(redis.client().exists(PREFIX + "b")).isFalse();
        assertThat(queue.counts().total()).isZero();
    }

    @Test
    void nackedReleasedAndReapedIdsComeBackWithTheirHashIntact() {
        enqueue("n", "data", "N", "meta", "m");
        enqueue("r", "data", "R");
        enqueue("k", "data", "K");
        RedisQueue queue = queue();
        List<Delivery> taken = queue.take(3);
        Map<String, Map<String, String>> first = new LinkedHashMap<>();
        taken.forEach(d -> first.put(d.payloadAsString(), text(d.hash())));

        queue.nack(taken.get(0), "failed once");
        queue.release(List.of(taken.get(1)));
        sleep(400); // k's lease expires, as when its consumer is killed
        new Reaper(redis.connection(), queue.config()).reapExpired();

        List<Delivery> again = queue.take(10);
        assertThat(again).extracting(Delivery::payloadAsString).containsExactlyInAnyOrder("n", "r", "k");
        assertThat(again).allSatisfy(d -> {
            assertThat(d.attempt()).isEqualTo(2);
            assertThat(text(d.hash())).isEqualTo(first.get(d.payloadAsString()));
        });
        assertThat(queue.ack(again)).isEqualTo(3);
        assertThat(redis.client().keys(PREFIX + "*")).isEmpty();
    }

    @Test
    void anIdWithoutItsHashOrWithAKeyOfAnotherTypeIsDeadLetteredAndTheKeyLeftAlone() {
        redis.client().rpush(LIST, "expired");
        enqueue("ok", "data", "fine");
        redis.client().rpush(LIST, "stray");
        redis.client().set(PREFIX + "stray", "someone's string");
        RedisQueue queue = queue();

        List<Delivery> taken = queue.take(10);

        assertThat(taken).extracting(Delivery::payloadAsString).containsExactly("ok");
        List<DeadLetter> dead = queue.deadLetters(10);
        assertThat(dead).extracting(d -> new String(d.payload(), UTF_8)).containsExactlyInAnyOrder("expired", "stray");
        assertThat(dead).extracting(DeadLetter::reason).anySatisfy(r -> assertThat(r)
                .isEqualTo("its job hash rq:job:expired is missing (expired or deleted): an id without its job"));
        assertThat(dead).extracting(DeadLetter::reason).anySatisfy(r -> assertThat(r)
                .isEqualTo("its job hash rq:job:stray holds a string, not a hash: left as it is"));
        assertThat(redis.client().exists(PREFIX + "expired")).isFalse();
        assertThat(redis.client().get(PREFIX + "stray")).isEqualTo("someone's string");
        assertThat(redis.client().zcard(LIST + ":leases")).isEqualTo(1);
    }

    @Test
    void aDeadLetteredIdRequeuedGoesBehindTheReadyIdsAndFindsItsHashAgain() {
        redis.client().rpush(LIST, "late");
        RedisQueue queue = queue();
        assertThat(queue.take(10)).isEmpty(); // no hash yet: dead-lettered
        enqueue("waiting", "data", "W");
        redis.client().hset(PREFIX + "late", "data", "L"); // the hash is restored

        assertThat(queue.requeueDead(10)).isEqualTo(1);

        assertThat(redis.client().lrange(LIST, 0, -1)).as("RQ's order: pushed onto the tail").containsExactly("waiting", "late");
        assertThat(queue.take(10)).extracting(d -> text(d.hash()).get("data")).containsExactly("W", "L");
    }

    @Test
    void readyIdsAreReadWithTheirHashesInTakeOrderWithoutTakingAnything() {
        IntStream.range(0, 5).forEach(i -> enqueue("r" + i, "data", "d" + i));
        redis.client().rpush(LIST, "gone");
        RedisQueue queue = queue();

        List<HashedJob> read = queue.readyWithHashes(2, 10);

        assertThat(read).extracting(j -> new String(j.id(), UTF_8)).containsExactly("r2", "r3", "r4", "gone");
        assertThat(text(read.get(0).hash())).containsExactly(Map.entry("data", "d2"));
        assertThat(read.get(3).hash()).isEmpty();
        assertThat(redis.client().llen(LIST)).isEqualTo(6);
        assertThat(queue.readyWithHashes(0, 0)).isEmpty();

        // a queue whose consumers pop the tail (its producers LPUSH) is read from the tail
        redis.client().lpush("tailq", "t0", "t1");
        redis.client().hset(PREFIX + "t0", "data", "first");
        RedisQueue tail = new RedisQueue(redis.connection(), QueueConfig.builder("tailq").jobHashes(PREFIX, ListEnd.TAIL).build());
        assertThat(tail.readyWithHashes(0, 10)).extracting(j -> new String(j.id(), UTF_8)).containsExactly("t0", "t1");
        assertThat(tail.take(10)).extracting(Delivery::payloadAsString).containsExactly("t0");
        assertThat(tail.deadLetters(10)).extracting(DeadLetter::payloadAsString).containsExactly("t1");
    }

    @Test
    void theByteBudgetCountsEachHashWithItsId() {
        String big = "x".repeat(1000);
        IntStream.range(0, 10).forEach(i -> enqueue("j" + i, "data", big));
        RedisQueue queue = new RedisQueue(redis.connection(), config().batchMaxBytes(3500).build());

        assertThat(queue.take(10)).extracting(Delivery::payloadAsString).containsExactly("j0", "j1", "j2");
        assertThat(redis.client().lrange(LIST, 0, 0)).as("the job past the budget is back at the head").containsExactly("j3");
        assertThat(queue.take(10)).hasSize(3);
    }

    @Test
    void aPushWritesEachHashThenItsIdAndRegistersTheQueueAndNeverOverwritesAHash() {
        RedisQueue queue = queue();
        redis.client().hset(PREFIX + "old", "data", "the original");
        List<NewHashJob> jobs = List.of(job("p1", "one"), job("old", "a copy"), job("p2", "two"), job("p1", "twice"),
                new NewHashJob(bytes("p3"), Map.of("data", bytes("three")), Optional.of(Duration.ofSeconds(100))));

        HashJobsPushed result = queue.pushHashes(jobs);

        assertThat(result.pushed()).isEqualTo(3);
        assertThat(result.existing()).containsExactly("old", "p1");
        assertThat(redis.client().lrange(LIST, 0, -1)).containsExactly("p1", "p2", "p3");
        assertThat(redis.client().hgetAll(PREFIX + "p1")).containsExactly(Map.entry("data", "one"), Map.entry("status", "queued"));
        assertThat(redis.client().hget(PREFIX + "old", "data")).isEqualTo("the original");
        assertThat(redis.client().ttl(PREFIX + "p3")).isBetween(90L, 100L);
        assertThat(redis.client().ttl(PREFIX + "p1")).isEqualTo(-1L);
        assertThat(redis.client().smembers("rq:queues")).containsExactly(LIST);
        assertThat(queue.take(10)).extracting(Delivery::payloadAsString).containsExactly("p1", "p2", "p3");
        assertThatThrownBy(() -> queue.push(bytes("bare-id"))).isInstanceOf(QueueException.class)
                .hasMessageContaining("never a bare id");
    }

    @Test
    void aPurgeDeletesEveryIdWithItsHashInEveryStateAndLeavesOtherKeys() {
        IntStream.range(0, 6).forEach(i -> enqueue("id-" + i, "data", "d" + i));
        redis.client().rpush(LIST, "stray");
        redis.client().set(PREFIX + "stray", "someone's string"); // a ready id whose key is not a job's hash
        enqueue("other", "data", "O");
        redis.client().lrem(LIST, 1, "other"); // a hash no id of this queue names
        RedisQueue queue = queue();
        List<Delivery> taken = queue.take(4);
        queue.nack(taken.get(0), "failed once");
        queue.deadLetter(taken.get(1), "failed for good");
        sleep(400); // the other two leases expire
        new Reaper(redis.connection(), queue.config()).reapExpired();
        queue.take(1); // one in flight again; one left reaped
        assertThat(redis.client().lrange(LIST, 0, -1)).as("ready").containsExactly("id-4", "id-5", "stray");
        assertThat(List.of(redis.client().zcard(LIST + ":leases"), redis.client().zcard(LIST + ":retry"),
                redis.client().llen(LIST + ":reaped"), redis.client().llen(LIST + ":dead"))).as("in every state")
                .containsExactly(1L, 1L, 1L, 1L);

        assertThat(queue.purge()).isPositive();

        assertThat(redis.client().keys(PREFIX + "*")).containsExactlyInAnyOrder(PREFIX + "stray", PREFIX + "other");
        assertThat(redis.client().keys(LIST + "*")).containsExactly(LIST + ":seq");
        assertThat(queue.counts().total()).isZero();
    }

    @Test
    void keysOfAnotherTypeAreRefusedWithNothingChanged() {
        record Case(String key, Runnable corrupt, Runnable operation) {
        }
        RedisQueue queue = queue();
        List<Case> cases = List.of(
                new Case(LIST, () -> redis.client().set(LIST, "no list"), () -> queue.take(10)),
                new Case(LIST + ":leases", () -> redis.client().set(LIST + ":leases", "x"), () -> queue.take(10)),
                new Case(LIST + ":seq", () -> redis.client().set(LIST + ":seq", "no number"), () -> queue.take(10)),
                new Case(LIST, () -> redis.client().set(LIST, "no list"), () -> queue.pushHashes(List.of(job("new", "n")))),
                new Case("rq:queues", () -> redis.client().set("rq:queues", "x"), () -> queue.pushHashes(List.of(job("new", "n")))),
                new Case(LIST + ":leases", () -> redis.client().set(LIST + ":leases", "x"), () -> queue.ack(heldDelivery())),
                new Case(LIST, () -> redis.client().set(LIST, "no list"), queue::purge),
                new Case(LIST + ":dead", () -> redis.client().set(LIST + ":dead", "x"), queue::purge));
        for (Case c : cases) {
            redis.flushAll();
            enqueue("a", "data", "A");
            enqueue("b", "data", "B");
            c.corrupt().run();
            Map<String, String> before = dump();
            assertThatThrownBy(c.operation()::run).as(c.key()).isInstanceOfSatisfying(QueueException.class, e -> {
                assertThat(e.kind()).as(e.getMessage()).isEqualTo(QueueException.Kind.WRONG_TYPE);
                assertThat(e.getMessage()).contains(c.key() + " holds a");
            });
            assertThat(dump()).as("after a refusal about %s", c.key()).containsExactlyInAnyOrderEntriesOf(before);
        }
    }

    @Test
    void aTakeRefusedTheJobHashesByAclPutsEveryIdBackInOrder() {
        IntStream.range(0, 30).forEach(i -> enqueue("id-" + i, "data", "d" + i));
        RedisQueue owner = queue();
        owner.nack(owner.take(1).get(0), "once"); // a retry waiting, served first: its hash read is refused too
        redis.client().sendCommand(Protocol.Command.ACL, "SETUSER", "nojobs", "reset", "on", ">nojobs-pw",
                "~" + LIST, "~" + LIST + ":*", "~rq:queues", "+@all");
        try (JedisConnection denied = JedisConnection.open(RedisEndpoint.builder(redis.uri()).user("nojobs")
                .password("nojobs-pw").build())) {
            for (int max : new int[] {1, 5, 100}) {
                RedisQueue queue = new RedisQueue(denied, config().build());
                Map<String, String> before = dump();
                assertThatThrownBy(() -> queue.take(max)).isInstanceOfSatisfying(QueueException.class,
                        e -> assertThat(e.kind()).as(e.getMessage()).isEqualTo(QueueException.Kind.PERMISSION));
                assertThat(dump()).as("after a take of %d", max).containsExactlyInAnyOrderEntriesOf(before);
            }
            // no retry waiting: the ids popped from the list go back
            redis.client().del(LIST + ":retry");
            Map<String, String> before = dump();
            assertThatThrownBy(() -> new RedisQueue(denied, config().build()).take(7)).isInstanceOf(QueueException.class);
            assertThat(dump()).containsExactlyInAnyOrderEntriesOf(before);
        } finally {
            redis.client().sendCommand(Protocol.Command.ACL, "DELUSER", "nojobs");
        }
        assertThat(queue().take(100)).hasSize(29);
    }

    @Test
    void everythingRunsAsAUserGrantedTheDocumentedRuleForTheQueueItsJobsAndItsRegistry() {
        enqueue("given", "data", "G");
        // ~rq:job ~rq:job:* grant every job hash, ~rq:queues ~rq:queues:* the registry (docs/PROTOCOL.md, ACL)
        DocumentedAcl.createUser(redis.client(), "rq-user", "rq-pw", LIST, "rq:job", "rq:queues");
        try (JedisConnection user = JedisConnection.open(RedisEndpoint.builder(redis.uri()).user("rq-user")
                .password("rq-pw").build())) {
            RedisQueue queue = new RedisQueue(user, config().build());
            queue.pushHashes(List.of(job("pushed", "P"), new NewHashJob(bytes("expiring"), Map.of("data", bytes("E")),
                    Optional.of(Duration.ofSeconds(60)))));
            List<Delivery> taken = queue.take(10);
            assertThat(taken).hasSize(3);
            queue.nack(taken.get(0), "once");
            queue.deadLetter(taken.get(1), "dead");
            sleep(400);
            new Reaper(user, queue.config()).reapExpired();
            queue.requeueDead(10);
            List<Delivery> again = queue.take(10);
            assertThat(again).hasSize(3);
            assertThat(queue.ack(again)).isEqualTo(3);
            assertThat(DocumentedAcl.log(redis.client())).as("ACL LOG").isEmpty();
        } finally {
            redis.client().sendCommand(Protocol.Command.ACL, "DELUSER", "rq-user");
        }
        assertThat(redis.client().keys(PREFIX + "*")).isEmpty();
    }

    @Test
    void aPushOrAckRefusedByAclAfterItsFirstWriteTakesBackWhatItWrote() {
        redis.client().lpush(LIST, "waiting");
        redis.client().hset(PREFIX + "waiting", "data", "W");
        for (String denied : List.of("-sadd", "-expire", "-rpush")) {
            redis.client().sendCommand(Protocol.Command.ACL, "SETUSER", "denied", "reset", "on", ">denied-pw", "~*", "+@all",
                    denied);
            try (JedisConnection user = JedisConnection.open(RedisEndpoint.builder(redis.uri()).user("denied")
                    .password("denied-pw").build())) {
                RedisQueue queue = new RedisQueue(user, config().build());
                Map<String, String> before = dump();
                assertThatThrownBy(() -> queue.pushHashes(List.of(job("a", "A"), new NewHashJob(bytes("b"),
                        Map.of("data", bytes("B")), Optional.of(Duration.ofSeconds(60)))))).as(denied)
                        .isInstanceOfSatisfying(QueueException.class,
                                e -> assertThat(e.kind()).as(e.getMessage()).isEqualTo(QueueException.Kind.PERMISSION));
                assertThat(dump()).as("after a push without %s", denied).containsExactlyInAnyOrderEntriesOf(before);
            } finally {
                redis.client().sendCommand(Protocol.Command.ACL, "DELUSER", "denied");
            }
        }
        // an ack whose user may not delete the job hashes: refused before its first change, the lease kept
        Delivery held = queue().take(1).get(0);
        redis.client().sendCommand(Protocol.Command.ACL, "SETUSER", "nojobs", "reset", "on", ">nojobs-pw",
                "~" + LIST, "~" + LIST + ":*", "~rq:queues", "+@all");
        try (JedisConnection user = JedisConnection.open(RedisEndpoint.builder(redis.uri()).user("nojobs")
                .password("nojobs-pw").build())) {
            Map<String, String> before = dump();
            assertThatThrownBy(() -> new RedisQueue(user, config().build()).ack(held)).isInstanceOf(QueueException.class);
            assertThat(dump()).containsExactlyInAnyOrderEntriesOf(before);
        } finally {
            redis.client().sendCommand(Protocol.Command.ACL, "DELUSER", "nojobs");
        }
    }

    @Test
    void aSortedSetOfIdsIsTakenByScoreWithEachHashAndWrittenWithEachTime() {
        String registry = "rq:scheduled:default";
        RedisQueue writer = new RedisQueue(redis.connection(), QueueConfig.builder(registry).kind(QueueKind.DELAYED)
                .dueTimeUnit(DueTimeUnit.SECONDS).jobHashes(PREFIX, ListEnd.HEAD).registry("rq:queues", LIST).build());
        java.time.Instant later = java.time.Instant.ofEpochSecond(4_000_000_000L, 250_000_000);
        java.time.Instant sooner = java.time.Instant.ofEpochSecond(3_000_000_000L, 500_000_000);
        HashJobsPushed pushed = writer.pushHashes(List.of(
                new NewHashJob(bytes("late"), Map.of("data", bytes("L")), Optional.empty(), Optional.of(later)),
                new NewHashJob(bytes("soon"), Map.of("data", bytes("S")), Optional.empty(), Optional.of(sooner))));
        assertThat(pushed.pushed()).isEqualTo(2);
        assertThat(redis.client().zscore(registry, "late")).isEqualTo(4_000_000_000.25);
        assertThat(redis.client().smembers("rq:queues")).containsExactly(LIST);
        redis.client().zadd(registry, 1, "orphan"); // an id whose hash expired

        RedisQueue reader = new RedisQueue(redis.connection(), QueueConfig.builder(registry).kind(QueueKind.PRIORITY)
                .jobHashes(PREFIX, ListEnd.HEAD).leaseTimeout(Duration.ofMillis(300)).build());
        assertThat(reader.readyWithHashes(0, 10)).extracting(j -> new String(j.id(), UTF_8) + "@" + j.score().orElseThrow())
                .containsExactly("orphan@1", "soon@3000000000.5", "late@4000000000.25");
        List<Delivery> taken = reader.take(10);

        assertThat(taken).extracting(Delivery::payloadAsString).containsExactly("soon", "late");
        assertThat(taken).extracting(d -> d.score().orElseThrow()).containsExactly("3000000000.5", "4000000000.25");
        assertThat(text(taken.get(1).hash())).containsExactly(Map.entry("data", "L"));
        assertThat(reader.deadLetters(10)).extracting(DeadLetter::payloadAsString).containsExactly("orphan");
        sleep(400);
        new Reaper(redis.connection(), reader.config()).reapExpired();
        List<Delivery> again = reader.take(10);
        assertThat(again).extracting(d -> text(d.hash()).get("data")).containsExactly("S", "L");
        assertThat(reader.ack(again)).isEqualTo(2);
        assertThat(redis.client().keys(PREFIX + "*")).isEmpty();
        assertThat(redis.client().zcard(registry)).isZero();
    }

    @Test
    void aQueueOfJobHashesIsReliableWithOneListAndAPrefixOfItsOwn() {
        assertThatThrownBy(() -> QueueConfig.builder(LIST).kind(QueueKind.PRIORITY).jobHashes(PREFIX, ListEnd.HEAD)
                .sharedSet(new QueueConfig.SharedSet("schedule", "queue", "q")).build()).isInstanceOf(QueueException.class);
        assertThatThrownBy(() -> QueueConfig.builder(LIST).jobHashes(PREFIX, ListEnd.HEAD).extraReadyLists(List.of("more"))
                .build()).isInstanceOf(QueueException.class);
        assertThatThrownBy(() -> QueueConfig.builder(LIST).jobHashes("rq:queue:", ListEnd.HEAD).build())
                .hasMessageContaining("must name no key of the queue itself");
    }

    private static Delivery heldDelivery() {
        return Delivery.parse(LIST, bytes("1:1::a"), 0);
    }

    private static NewHashJob job(String id, String data) {
        Map<String, byte[]> hash = new LinkedHashMap<>();
        hash.put("data", bytes(data));
        hash.put("status", bytes("queued"));
        return NewHashJob.of(bytes(id), hash);
    }

    private static byte[] bytes(String s) {
        return s.getBytes(UTF_8);
    }

    private static Map<String, String> dump() {
        Map<String, String> dumps = new LinkedHashMap<>();
        List<String> keys = new ArrayList<>(QUEUE_KEYS);
        keys.addAll(redis.client().keys(PREFIX + "*"));
        for (String key : keys) {
            byte[] value = redis.client().dump(key.getBytes(UTF_8));
            dumps.put(key, value == null ? "(none)" : HexFormat.of().formatHex(value));
        }
        return dumps;
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
