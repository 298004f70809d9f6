package dev.qbridge.core.queue;

import static org.assertj.core.api.Assertions.assertThat;

import dev.qbridge.core.RedisFixture;
import dev.qbridge.core.lease.Reaper;
import dev.qbridge.core.queue.QueueConfig.ListEnd;
import dev.qbridge.testkit.JobWorker;
import dev.qbridge.testkit.Rq;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * RQ's own client (python3-rq) enqueues into a real Redis; the core takes each id with its hash from RQ's queue in
 * RQ's order, and neither an interrupted consumer nor RQ's own worker running beside it loses or doubles a job.
 */
class RqJobHashesIT {

    @RegisterExtension
    static RedisFixture redis = RedisFixture.standalone();

    private static final String LIST = "rq:queue:default";
    /** The job id in a line the worker's functions record (JSON; RQ's ids are uuid4s). */
    private static final Pattern RECORDED_ID = Pattern.compile("\"id\": \"([^\"]+)\"");

    @BeforeAll
    static void rqIsInstalled() {
        Rq.requireInstalled();
    }

    private static RedisQueue queue() {
        return new RedisQueue(redis.connection(), QueueConfig.builder(LIST).jobHashes("rq:job:", ListEnd.HEAD)
                .registry("rq:queues", LIST).leaseTimeout(Duration.ofMillis(500)).build());
    }

    private static List<Rq.Enqueued> enqueue(int n) {
        String specs = IntStream.range(0, n).mapToObj(i -> "{\"func\": \"tasks.add\", \"args\": [" + i + ", \"n" + i + "\"]}")
                .collect(Collectors.joining(", ", "[", "]"));
        return Rq.enqueue(redis.uri(), specs);
    }

    @Test
    void jobsRqEnqueuedAreTakenInRqsOrderWithTheirHashesAndAnAckedMoveLeavesNothingBehind() {
        List<Rq.Enqueued> enqueued = enqueue(40);
        RedisQueue queue = queue();

        List<Delivery> taken = new ArrayList<>();
        for (List<Delivery> batch = queue.take(7); !batch.isEmpty(); batch = queue.take(7)) {
            taken.addAll(batch);
            assertThat(queue.ack(batch)).isEqualTo(batch.size());
        }

        assertThat(taken).extracting(Delivery::payloadAsString)
                .containsExactlyElementsOf(enqueued.stream().map(Rq.Enqueued::id).toList());
        assertThat(taken).allSatisfy(d -> {
            assertThat(d.hash()).containsKeys("data", "origin", "status", "created_at", "enqueued_at", "description");
            assertThat(new String(d.hash().get("origin"), StandardCharsets.UTF_8)).isEqualTo("default");
            assertThat(new String(d.hash().get("status"), StandardCharsets.UTF_8)).isEqualTo("queued");
            assertThat(d.hash().get("data")[0]).as("zlib").isEqualTo((byte) 0x78);
        });
        assertThat(new String(taken.get(3).hash().get("description"), StandardCharsets.UTF_8)).isEqualTo("tasks.add(3, 'n3')");
        assertThat(redis.client().keys("rq:job:*")).as("every acked job's hash is gone").isEmpty();
        assertThat(redis.client().llen(LIST)).isZero();
        assertThat(queue.counts().total()).isZero();
    }

    @Test
    void aConsumerInterruptedAfterItsTakeLosesNoJobAndNoHash() {
        List<Rq.Enqueued> enqueued = enqueue(30);
        RedisQueue queue = queue();
        Map<String, Map<String, String>> hashes = new LinkedHashMap<>();
        for (Rq.Enqueued job : enqueued) {
            hashes.put(job.id(), redis.client().hgetAll("rq:job:" + job.id()));
        }

        List<Delivery> abandoned = queue.take(12); // taken, then the consumer is killed: no ack, no nack, no release
        assertThat(abandoned).hasSize(12);
        Set<String> acked = new HashSet<>();
        for (List<Delivery> batch = queue.take(5); !batch.isEmpty(); batch = queue.take(5)) {
            queue.ack(batch);
            batch.forEach(d -> acked.add(d.payloadAsString()));
        }
        assertThat(acked).hasSize(18);

        sleep(600); // the abandoned leases expire
        assertThat(new Reaper(redis.connection(), queue.config()).reapExpired().requeued()).isEqualTo(12);
        List<Delivery> again = queue.take(100);
        assertThat(again).extracting(Delivery::payloadAsString)
                .containsExactlyInAnyOrderElementsOf(abandoned.stream().map(Delivery::payloadAsString).toList());
        assertThat(again).allSatisfy(d -> {
            assertThat(d.attempt()).isEqualTo(2);
            Map<String, String> hash = new LinkedHashMap<>();
            d.hash().forEach((k, v) -> hash.put(k, new String(v, StandardCharsets.UTF_8)));
            assertThat(hash).as("the hash of %s as RQ wrote it", d.payloadAsString()).isEqualTo(hashes.get(d.payloadAsString()));
        });
        queue.ack(again);
        again.forEach(d -> acked.add(d.payloadAsString()));

        assertThat(acked).containsExactlyInAnyOrderElementsOf(hashes.keySet());
        assertThat(redis.client().keys("rq:job:*")).isEmpty();
        assertThat(queue.counts().total()).isZero();
    }

    @Test
    void rqsOwnWorkerBesideTheCoreRunsExactlyTheJobsTheCoreDidNotTake() {
        List<Rq.Enqueued> enqueued = enqueue(20);
        RedisQueue queue = queue();
        List<Delivery> held = queue.take(8);
        assertThat(held).hasSize(8);

        Set<String> ran = new HashSet<>();
        try (JobWorker worker = Rq.startWorker(redis.uri(), List.of("default"), List.of("tasks.add"), false)) {
            for (String record : worker.awaitExecuted(12, Duration.ofSeconds(120))) {
                Matcher id = RECORDED_ID.matcher(record);
                assertThat(id.find()).as(record).isTrue();
                ran.add(id.group(1));
            }
            sleep(1000); // a worker that ran more than the 12 would have recorded it by now
            assertThat(worker.executed()).hasSize(12);
        }
        Set<String> heldIds = held.stream().map(Delivery::payloadAsString).collect(Collectors.toSet());
        assertThat(ran).doesNotContainAnyElementsOf(heldIds);
        Set<String> all = new HashSet<>(ran);
        all.addAll(heldIds);
        assertThat(all).containsExactlyInAnyOrderElementsOf(enqueued.stream().map(Rq.Enqueued::id).toList());
        assertThat(held).allSatisfy(d -> assertThat(d.hash()).containsKey("data"));
        assertThat(queue.ack(held)).isEqualTo(8);
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
