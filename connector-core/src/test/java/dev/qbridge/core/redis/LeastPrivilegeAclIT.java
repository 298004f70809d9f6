package dev.qbridge.core.redis;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.qbridge.core.QueueException;
import dev.qbridge.core.QueueException.Kind;
import dev.qbridge.core.consume.ConsumerHealth.Status;
import dev.qbridge.core.consume.ConsumerSettings;
import dev.qbridge.core.consume.QueueConsumer;
import dev.qbridge.core.consume.QueueWorker;
import dev.qbridge.core.delay.DelayedPromoter;
import dev.qbridge.core.lease.Reaper;
import dev.qbridge.core.queue.Delivery;
import dev.qbridge.core.queue.DueTimeUnit;
import dev.qbridge.core.queue.NackOutcome;
import dev.qbridge.core.queue.NewJob;
import dev.qbridge.core.queue.QueueConfig;
import dev.qbridge.core.queue.QueueKind;
import dev.qbridge.core.queue.RedisQueue;
import dev.qbridge.core.retry.RetryPolicy;
import dev.qbridge.testkit.DocumentedAcl;
import dev.qbridge.testkit.RedisServer;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Protocol;
import redis.clients.jedis.RedisClient;

/**
 * Everything the core does, run as a Redis user granted only the rule docs/PROTOCOL.md gives (read from the document),
 * with Redis' ACL LOG as the witness: it records every command and key refused to the user, inside scripts too.
 */
class LeastPrivilegeAclIT {

    private static final String USER = "qbridge";
    private static final String PASSWORD = "least-pw-5";

    static RedisServer server;
    static RedisClient admin;
    JedisConnection connection;

    @BeforeAll
    static void start() {
        server = RedisServer.start();
        admin = server.client();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @BeforeEach
    void grantTheDocumentedRule() {
        admin.flushAll();
        admin.sendCommand(Protocol.Command.SCRIPT, "FLUSH"); // so that the first call of every script goes by EVAL
        DocumentedAcl.createUser(admin, USER, PASSWORD, "jobs", "urgent", "later", "failed");
        connection = JedisConnection.open(RedisEndpoint.builder(server.uri()).user(USER).password(PASSWORD).build());
    }

    @AfterEach
    void close() {
        connection.close();
    }

    private static RedisQueue queue(RedisConnection redis, QueueConfig.Builder config) {
        return new RedisQueue(redis, config.build());
    }

    private static List<byte[]> payloads(String prefix, int n) {
        List<byte[]> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add((prefix + i).getBytes(UTF_8));
        }
        return out;
    }

    @Test
    void theDocumentedRuleIsNarrow() {
        String rule = DocumentedAcl.rule();
        assertThat(rule).startsWith("ACL SETUSER qbridge reset on ><password> ~<queue> ~<queue>:* ")
                .doesNotContain("@").doesNotContain("~*").doesNotContain("allkeys").doesNotContain("allcommands")
                .doesNotContain("+acl").doesNotContain("+config").doesNotContain("+keys").doesNotContain("+flush");
        assertThatThrownBy(() -> connection.jedis().set("jobs", "x")).as("a command outside the rule").hasMessageContaining("NOPERM");
        assertThatThrownBy(() -> connection.jedis().lpush("elsewhere", "x")).as("a key outside the rule")
                .hasMessageContaining("NOPERM");
        assertThat(DocumentedAcl.log(admin)).as("the ACL LOG witnesses refusals").hasSize(2);
    }

    @Test
    void aReliableQueueRunsThroughItsWholeLifecycleWithoutARefusal() throws Exception {
        QueueConfig.Builder config = QueueConfig.builder("jobs").leaseTimeout(Duration.ofMillis(600))
                .retry(RetryPolicy.of(2, Duration.ofMillis(50)));
        RedisQueue jobs = queue(connection, config);
        jobs.push(payloads("job-", 30));

        // a worker with its consumer's renewal and reaper: successes acked, failures retried, then dead-lettered
        Set<String> handled = ConcurrentHashMap.newKeySet();
        QueueConsumer consumer = QueueConsumer.start(jobs, ConsumerSettings.of("acl test").reapInterval(Duration.ofMillis(100)));
        try (QueueWorker worker = QueueWorker.start(consumer, d -> {
            if (d.payloadAsString().endsWith("7")) {
                throw new IllegalStateException("fails every time");
            }
            if (d.payloadAsString().equals("job-3")) {
                Thread.sleep(900); // longer than the lease: only renewal keeps it
            }
            handled.add(d.payloadAsString());
        }, 2, 5)) {
            await().atMost(Duration.ofSeconds(15)).until(() -> handled.size() == 27 && jobs.counts().dead() == 3);
            assertThat(worker.health().isRunning()).isTrue();
        }

        // a consumer that dies with a job leased: the reaper of another one requeues it
        jobs.push("orphan".getBytes(UTF_8));
        assertThat(jobs.take(1)).hasSize(1);
        try (QueueConsumer reaping = QueueConsumer.start(jobs, ConsumerSettings.of("reaper").reapInterval(Duration.ofMillis(100)))) {
            List<Delivery> again = reaping.take(1, Duration.ofSeconds(5));
            assertThat(again).singleElement().satisfies(d -> assertThat(d.attempt()).isEqualTo(2));
            reaping.release(again);
            List<Delivery> released = reaping.take(1, Duration.ofSeconds(2));
            reaping.deadLetter(released, "given up");
            assertThat(reaping.health().isRunning()).isTrue();
        }

        // an empty reliable queue blocks in Redis (BLMOVE) rather than polling
        assertThat(jobs.take(1, Duration.ofMillis(300))).isEmpty();

        // operators: dead letters read, requeued, the guide's processing list rescued, then a purge
        assertThat(jobs.deadLetters(10)).hasSize(4);
        assertThat(jobs.requeueDead(10)).isEqualTo(4);
        admin.lpush("jobs:processing", "stuck-1", "stuck-2");
        Reaper reaper = new Reaper(connection, config.build());
        assertThat(reaper.rescueGuideProcessing(Duration.ofMillis(50)).tracked()).isEqualTo(2);
        Thread.sleep(100);
        assertThat(reaper.rescueGuideProcessing(Duration.ofMillis(50)).rescued()).isEqualTo(2);
        assertThat(reaper.reapExpired().total()).isZero();
        assertThat(jobs.exists()).isTrue();
        assertThat(jobs.counts().ready()).isEqualTo(6);
        assertThat(jobs.purge()).isPositive();
        assertThat(jobs.counts().total()).isZero();

        assertThat(DocumentedAcl.log(admin)).as("ACL LOG").isEmpty();
    }

    @Test
    void priorityAndDelayedQueuesAndThePromoterRunWithoutARefusal() {
        RedisQueue urgent = queue(connection, QueueConfig.builder("urgent").kind(QueueKind.PRIORITY)
                .retry(RetryPolicy.of(3, Duration.ZERO)));
        urgent.pushJobs(List.of(NewJob.of("low").withPriority(5), NewJob.of("high").withPriority(1)));
        try (QueueConsumer consumer = QueueConsumer.start(urgent, ConsumerSettings.of("priority").reapInterval(Duration.ofMillis(100)))) {
            List<Delivery> first = consumer.take(1, Duration.ofSeconds(2));
            assertThat(first).singleElement().satisfies(d -> assertThat(d.payloadAsString()).isEqualTo("high"));
            consumer.nack(first, "try again");
            List<Delivery> rest = consumer.take(2, Duration.ofSeconds(2));
            assertThat(rest).extracting(Delivery::payloadAsString).containsExactly("high", "low");
            assertThat(urgent.renew(rest)).containsOnly(true);
            consumer.ack(rest);
        }

        RedisQueue later = queue(connection, QueueConfig.builder("later").kind(QueueKind.DELAYED)
                .dueTimeUnit(DueTimeUnit.MILLISECONDS));
        later.pushJobs(List.of(NewJob.of("now").withDelay(Duration.ZERO),
                NewJob.of("past").dueAt(Instant.now().minusSeconds(1)), NewJob.of("tomorrow").withDelay(Duration.ofDays(1))));
        List<Delivery> due = later.take(10);
        assertThat(due).extracting(Delivery::payloadAsString).containsExactlyInAnyOrder("now", "past");
        assertThat(later.nack(due, "no")).containsOnly(NackOutcome.RETRY_SCHEDULED);
        assertThat(later.counts().delayed()).isEqualTo(1);

        RedisQueue failed = queue(connection, QueueConfig.builder("failed").kind(QueueKind.DELAYED)
                .dueTimeUnit(DueTimeUnit.MILLISECONDS));
        failed.pushJobs(List.of(NewJob.of("due-a").withDelay(Duration.ZERO), NewJob.of("due-b").withDelay(Duration.ZERO)));
        assertThat(new DelayedPromoter(connection, "failed", "jobs", DueTimeUnit.MILLISECONDS).promoteDue()).isEqualTo(2);
        assertThat(queue(connection, QueueConfig.builder("jobs")).take(10)).hasSize(2);

        assertThat(DocumentedAcl.log(admin)).as("ACL LOG").isEmpty();
    }

    @Test
    void extraReadyListsAndARegistryNeedOnlyTheirKeysGranted() {
        // the documented rule names keys by the queue's name; a job system's other lists and its registry set are
        // granted as the document says, each by its own key pattern
        admin.sendCommand(Protocol.Command.ACL, "SETUSER", USER, "~jobs\u0006\u0016*", "~queues");
        RedisQueue jobs = queue(connection, QueueConfig.builder("jobs").extraReadyLists(List.of("jobs\u0006\u00163"))
                .registry("queues", "jobs"));
        jobs.push(payloads("own-", 2));
        admin.lpush("jobs\u0006\u00163", "three-0");
        assertThat(jobs.counts().ready()).isEqualTo(3);
        assertThat(jobs.take(10)).extracting(Delivery::payloadAsString).containsExactly("own-0", "own-1", "three-0");
        assertThat(admin.smembers("queues")).containsExactly("jobs");
        jobs.purge();
        assertThat(DocumentedAcl.log(admin)).as("ACL LOG").isEmpty();
    }

    @Test
    void aMissingPermissionNamesTheCommandAndKeysAndBreaksTheQueueInsteadOfPosingAsAnOutage() {
        admin.sendCommand(Protocol.Command.ACL, "SETUSER", USER, "-time"); // as if the rule had forgotten TIME
        RedisQueue jobs = queue(connection, QueueConfig.builder("jobs"));
        jobs.push("j".getBytes(UTF_8));

        assertThatThrownBy(() -> jobs.take(1))
                .isInstanceOfSatisfying(QueueException.class, e -> {
                    assertThat(e.kind()).isEqualTo(Kind.PERMISSION);
                    assertThat(e.isRetriable()).isFalse();
                })
                .hasMessageStartingWith("the Redis user 'qbridge' at redis://qbridge:***@")
                .hasMessageContaining("lacks a permission for EVALSHA (script take-list, which calls ")
                .hasMessageContaining(" TIME ")
                .hasMessageContaining("on keys jobs, jobs:leases, jobs:retry, jobs:seq")
                .hasMessageContaining("docs/PROTOCOL.md")
                .hasMessageNotContaining("credentials").hasMessageNotContaining(PASSWORD);

        try (QueueConsumer consumer = QueueConsumer.start(jobs, ConsumerSettings.of("acl test"))) {
            assertThat(consumer.take(1, Duration.ofMillis(300))).isEmpty();
            assertThat(consumer.health().status()).isEqualTo(Status.QUEUE_BROKEN);
            assertThat(consumer.health().problem()).hasValueSatisfying(p -> assertThat(p).contains("lacks a permission for EVALSHA"));
        }
        assertThat(DocumentedAcl.log(admin)).extracting(e -> e.get("object")).contains("time");

        admin.sendCommand(Protocol.Command.ACL, "SETUSER", USER, "resetkeys", "~other");
        assertThatThrownBy(() -> jobs.push("k".getBytes(UTF_8)))
                .isInstanceOfSatisfying(QueueException.class, e -> assertThat(e.kind()).isEqualTo(Kind.PERMISSION))
                .hasMessageContaining("lacks a permission for LPUSH on key jobs: NOPERM");
    }

    @Test
    void aMissingPermissionForACommandAScriptSendsThroughPcallIsReportedAsOneToo() {
        // the take's RPOP goes through redis.pcall (key-checks' write): its refusal must be raised as redis.call's
        admin.sendCommand(Protocol.Command.ACL, "SETUSER", USER, "-rpop");
        RedisQueue jobs = queue(connection, QueueConfig.builder("jobs"));
        jobs.push("j".getBytes(UTF_8));

        assertThatThrownBy(() -> jobs.take(1))
                .isInstanceOfSatisfying(QueueException.class, e -> assertThat(e.kind()).isEqualTo(Kind.PERMISSION))
                .hasMessageContaining("lacks a permission for EVALSHA (script take-list, which calls ")
                .hasMessageContaining("can't run this command");
        assertThat(admin.llen("jobs")).as("nothing was taken").isEqualTo(1);
    }
}
