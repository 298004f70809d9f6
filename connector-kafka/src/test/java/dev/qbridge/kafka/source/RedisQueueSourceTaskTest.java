package dev.qbridge.kafka.source;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.qbridge.core.queue.DeadLetter;
import dev.qbridge.core.queue.NewJob;
import dev.qbridge.core.queue.QueueConfig;
import dev.qbridge.core.queue.QueueCounts;
import dev.qbridge.core.queue.QueueKind;
import dev.qbridge.core.queue.RedisQueue;
import dev.qbridge.core.redis.JedisConnection;
import dev.qbridge.core.redis.RedisEndpoint;
import dev.qbridge.kafka.RedisQueueSourceTask;
import dev.qbridge.testkit.RedisServerExtension;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.connect.header.Header;
import org.apache.kafka.connect.source.SourceRecord;
import org.awaitility.core.ThrowingRunnable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The source task against a real Redis; the test plays the worker (poll, then commitRecord as Kafka confirms). */
class RedisQueueSourceTaskTest {

    @RegisterExtension
    static RedisServerExtension redis = RedisServerExtension.withAof();

    private JedisConnection connection;
    private final List<RedisQueueSourceTask> tasks = new ArrayList<>();

    @BeforeEach
    void connect() {
        connection = JedisConnection.open(RedisEndpoint.parse(redis.uri()));
    }

    @AfterEach
    void stop() {
        tasks.forEach(RedisQueueSourceTask::stop);
        connection.close();
    }

    private RedisQueueSourceTask start(String... keyValues) {
        Map<String, String> props = new HashMap<>();
        props.put("name", "jobs-source");
        props.put("redis.uri", redis.uri());
        props.put("queues", "jobs");
        props.put("poll.wait.ms", "50");
        for (int i = 0; i < keyValues.length; i += 2) {
            props.put(keyValues[i], keyValues[i + 1]);
        }
        RedisQueueSourceTask task = new RedisQueueSourceTask();
        task.start(props);
        tasks.add(task);
        return task;
    }

    private RedisQueue queue(QueueKind kind) {
        return new RedisQueue(connection, QueueConfig.builder("jobs").kind(kind).build());
    }

    private QueueCounts counts() {
        return queue(QueueKind.RELIABLE).counts();
    }

    private void pushJobs(int count) {
        List<byte[]> jobs = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            jobs.add(("job-" + i).getBytes(StandardCharsets.UTF_8));
        }
        queue(QueueKind.RELIABLE).push(jobs);
    }

    private static List<SourceRecord> pollUntil(RedisQueueSourceTask task, int atLeast) throws InterruptedException {
        List<SourceRecord> all = new ArrayList<>();
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (all.size() < atLeast && System.nanoTime() < deadline) {
            List<SourceRecord> batch = task.poll();
            if (batch != null) {
                all.addAll(batch);
            }
        }
        return all;
    }

    /**
     * Acks and dead letters are written by the task's Redis thread, a few milliseconds after Kafka's answer (or at
     * most poll.wait.ms, 50 ms here, when it waits in Redis for a job): wait for what it must have written.
     */
    private static void eventually(ThrowingRunnable assertion) {
        await().atMost(Duration.ofSeconds(10)).untilAsserted(assertion);
    }

    /** For what the task must not have written: look only after its Redis thread went round a few times. */
    private static void afterAWhile(ThrowingRunnable assertion) {
        await().pollDelay(Duration.ofMillis(300)).atMost(Duration.ofSeconds(10)).untilAsserted(assertion);
    }

    private static RecordMetadata confirmed(SourceRecord r) {
        return new RecordMetadata(new TopicPartition(r.topic(), 0), 0, 0, 0, 0, 0);
    }

    private static Map<String, Object> headers(SourceRecord r) {
        Map<String, Object> headers = new HashMap<>();
        for (Header h : r.headers()) {
            headers.put(h.key(), h.value());
        }
        return headers;
    }

    @Test
    void maxInFlightBoundsTheJobsATaskHolds() throws InterruptedException {
        pushJobs(1000);
        RedisQueueSourceTask task = start("max.in.flight", "100", "batch.size", "64");
        List<SourceRecord> held = pollUntil(task, 100);
        // Kafka confirms nothing: however often the worker polls, the task takes no more than the bound
        for (int i = 0; i < 5; i++) {
            assertThat(task.poll()).isNull();
        }
        assertThat(held).hasSize(100);
        assertThat(counts().inFlight()).isEqualTo(100);
        // Kafka confirms 30: exactly 30 more may be taken
        held.subList(0, 30).forEach(r -> task.commitRecord(r, confirmed(r)));
        List<SourceRecord> more = pollUntil(task, 30);
        assertThat(task.poll()).isNull();
        assertThat(more).hasSize(30);
        assertThat(counts().inFlight()).isEqualTo(100);
        assertThat(counts().ready()).isEqualTo(870);
    }

    @Test
    void batchMaxBytesBoundsThePayloadBytesOnePollTakes() throws InterruptedException {
        byte[] kilobyte = new byte[1000];
        Arrays.fill(kilobyte, (byte) 'k');
        queue(QueueKind.RELIABLE).push(IntStream.range(0, 10).mapToObj(i -> kilobyte).toList());
        RedisQueueSourceTask task = start("batch.max.bytes", "2500");
        // the third job would pass 2,500 bytes: each take stops before it (the next batch is taken ahead: 2 more)
        assertThat(pollUntil(task, 1)).hasSize(2);
        assertThat(pollUntil(task, 1)).hasSize(2);

        // a job larger than the budget is still taken, alone: the first job of a take always is
        new RedisQueue(connection, QueueConfig.builder("large").build()).push(List.of(new byte[4000], kilobyte));
        RedisQueueSourceTask other = start("queues", "large", "batch.max.bytes", "2500");
        assertThat(pollUntil(other, 1)).extracting(r -> ((byte[]) r.value()).length).containsExactly(4000);
    }

    @Test
    void keyOfTheWrongTypeIsSkippedWhileTheTasksOtherQueuesKeepFlowing() throws InterruptedException {
        redis.client().hset("broken", "not", "a list");
        pushJobs(20);
        RedisQueueSourceTask task = start("queues", "broken,jobs");
        List<SourceRecord> records = pollUntil(task, 20);
        assertThat(records).hasSize(20);
        assertThat(redis.client().hget("broken", "not")).as("nothing popped from the bad key").isEqualTo("a list");

        // once the key is fixed, the queue is read again after its backoff
        redis.client().del("broken");
        redis.client().lpush("broken", "repaired");
        List<SourceRecord> later = pollUntil(task, 1);
        assertThat(later).extracting(r -> new String((byte[]) r.value(), StandardCharsets.UTF_8)).containsExactly("repaired");
    }

    @Test
    void jobIsAckedOnlyOnceKafkaHasIt() throws InterruptedException {
        pushJobs(10);
        RedisQueueSourceTask task = start();
        List<SourceRecord> records = pollUntil(task, 10);
        assertThat(records).extracting(r -> new String((byte[]) r.value(), StandardCharsets.UTF_8))
                .containsExactly("job-0", "job-1", "job-2", "job-3", "job-4", "job-5", "job-6", "job-7", "job-8", "job-9");
        assertThat(counts().inFlight()).isEqualTo(10);
        records.subList(0, 4).forEach(r -> task.commitRecord(r, confirmed(r)));
        // acks go to Redis in one round trip, written by the task's Redis thread
        eventually(() -> assertThat(counts().inFlight()).isEqualTo(6));
        afterAWhile(() -> assertThat(counts().inFlight()).as("never more than Kafka confirmed").isEqualTo(6));
        records.subList(4, 10).forEach(r -> task.commitRecord(r, confirmed(r)));
        eventually(() -> assertThat(counts().total()).isZero());
    }

    @Test
    void recordCarriesPayloadKeyAndHeaders() throws InterruptedException {
        queue(QueueKind.PRIORITY).pushJobs(List.of(NewJob.of("{\"order\":\"A-17\",\"n\":1}")
                .withPriority(3)));
        RedisQueueSourceTask task = start("queue.kind", "priority", "key.source", "field", "key.field", "order",
                "value.type", "string", "topic", "q.${queue}");
        SourceRecord r = pollUntil(task, 1).get(0);
        assertThat(r.topic()).isEqualTo("q.jobs");
        assertThat(r.key()).isEqualTo("A-17");
        assertThat(r.value()).isEqualTo("{\"order\":\"A-17\",\"n\":1}");
        assertThat(headers(r)).containsEntry(JobRecord.QUEUE_HEADER, "jobs").containsEntry(JobRecord.ATTEMPT_HEADER, 1)
                .containsEntry(JobRecord.PRIORITY_HEADER, 3L).containsKeys(JobRecord.ID_HEADER, JobRecord.TAKEN_HEADER);
    }

    @Test
    void recordsCarryEveryQbridgeHeaderByDefault() throws InterruptedException {
        queue(QueueKind.PRIORITY).pushJobs(List.of(NewJob.of("p").withPriority(4)));
        SourceRecord prioritized = pollUntil(start("queue.kind", "priority"), 1).get(0);
        assertThat(headers(prioritized)).containsOnlyKeys(JobRecord.QUEUE_HEADER, JobRecord.ID_HEADER,
                JobRecord.ATTEMPT_HEADER, JobRecord.PRIORITY_HEADER, JobRecord.TAKEN_HEADER);

        new RedisQueue(connection, QueueConfig.builder("later").kind(QueueKind.DELAYED).build())
                .pushJobs(List.of(NewJob.of("d")));
        SourceRecord delayed = pollUntil(start("queues", "later", "queue.kind", "delayed"), 1).get(0);
        assertThat(headers(delayed)).containsOnlyKeys(JobRecord.QUEUE_HEADER, JobRecord.ID_HEADER,
                JobRecord.ATTEMPT_HEADER, JobRecord.DUE_HEADER, JobRecord.TAKEN_HEADER);
    }

    @Test
    void infiniteScoresThatGuideProducersWriteBecomeHeadersNotDeadLetters() throws InterruptedException {
        redis.client().zadd("jobs", Double.NEGATIVE_INFINITY, "before everything");
        redis.client().zadd("jobs", Double.POSITIVE_INFINITY, "after everything");
        RedisQueueSourceTask task = start("queue.kind", "priority", "value.type", "string");
        List<SourceRecord> records = pollUntil(task, 2);
        assertThat(records).extracting(SourceRecord::value).containsExactly("before everything", "after everything");
        assertThat(records).extracting(r -> headers(r).get(JobRecord.PRIORITY_HEADER))
                .containsExactly(Long.MIN_VALUE, Long.MAX_VALUE);

        redis.client().zadd("later", Double.NEGATIVE_INFINITY, "due since ever");
        SourceRecord due = pollUntil(start("queues", "later", "queue.kind", "delayed", "value.type", "string"), 1).get(0);
        assertThat(headers(due)).containsEntry(JobRecord.DUE_HEADER, Long.MIN_VALUE);
        afterAWhile(() -> {
            assertThat(queue(QueueKind.PRIORITY).counts().dead()).isZero();
            assertThat(new RedisQueue(connection, QueueConfig.builder("later").kind(QueueKind.DELAYED).build()).counts()
                    .dead()).isZero();
        });
    }

    @Test
    void headersOptionKeepsOnlyTheNamedHeaders() throws InterruptedException {
        pushJobs(1);
        SourceRecord r = pollUntil(start("headers", "job.id"), 1).get(0);
        assertThat(headers(r)).containsOnly(Map.entry(JobRecord.ID_HEADER, ((JobRecord) r).delivery().id()));
    }

    @Test
    void emptyHeadersOptionGivesRecordsWithoutHeaders() throws InterruptedException {
        pushJobs(1);
        SourceRecord r = pollUntil(start("headers", ""), 1).get(0);
        assertThat(r.headers()).isEmpty();
    }

    @Test
    void jobOverMaxJobBytesIsNotSentAndGoesToTheDeadLetterListWithItsSize() throws InterruptedException {
        byte[] big = new byte[1_500_000];
        Arrays.fill(big, (byte) 'y');
        queue(QueueKind.RELIABLE).push(List.of(big, "small".getBytes(StandardCharsets.UTF_8)));
        // errors.tolerance left at none: the limit holds whatever Connect would do with a failed record
        RedisQueueSourceTask task = start();
        List<SourceRecord> records = pollUntil(task, 1);
        assertThat(records).extracting(r -> new String((byte[]) r.value(), StandardCharsets.UTF_8)).containsExactly("small");
        // dead letters go to Redis like acks
        eventually(() -> assertThat(counts().dead()).isEqualTo(1));
        assertThat(counts().inFlight()).as("the small job waits for Kafka").isEqualTo(1);
        DeadLetter dead = queue(QueueKind.RELIABLE).deadLetters(1).get(0);
        assertThat(dead.payload()).isEqualTo(big);
        assertThat(dead.reason()).isEqualTo("job of 1,500,000 bytes is over max.job.bytes=1,000,000 (Kafka refuses "
                + "records over the producer's max.request.size and the topic's max.message.bytes); raise them and "
                + "max.job.bytes, then requeue it from jobs:dead");
    }

    @Test
    void stringValueOfBytesThatAreNotUtf8IsDeadLetteredUnchangedNeverRewrittenAndAcked() throws InterruptedException {
        byte[] binary = {(byte) 0xff, (byte) 0xfe, 'a'};
        queue(QueueKind.RELIABLE).push(List.of(binary, "caf\u00e9".getBytes(StandardCharsets.UTF_8)));
        RedisQueueSourceTask task = start("value.type", "string");
        List<SourceRecord> records = pollUntil(task, 1);
        assertThat(records).extracting(SourceRecord::value).containsExactly("caf\u00e9");
        eventually(() -> assertThat(counts().dead()).isEqualTo(1)); // dead letters go to Redis like acks
        DeadLetter dead = queue(QueueKind.RELIABLE).deadLetters(1).get(0);
        assertThat(dead.payload()).as("the original bytes, not U+FFFD").isEqualTo(binary);
        assertThat(dead.reason()).contains("not valid UTF-8").contains("byte 0").contains("value.type=bytes");
    }

    @Test
    void recordFilteredByATransformIsAckedAndOneDroppedByAnErrorIsDeadLettered() throws InterruptedException {
        pushJobs(2);
        // the Filter transform drops records whose topic matches: the first record's fate is decided by replay
        RedisQueueSourceTask task = start("errors.tolerance", "all", "transforms", "drop",
                "transforms.drop.type", "org.apache.kafka.connect.transforms.Filter",
                "transforms.drop.predicate", "isJobs", "predicates.isJobs.type",
                "org.apache.kafka.connect.transforms.predicates.TopicNameMatches", "predicates.isJobs.pattern", "jobs");
        List<SourceRecord> records = pollUntil(task, 2);
        task.commitRecord(records.get(0), null); // filtered: replaying the chain drops it again
        eventually(() -> assertThat(counts().inFlight()).isEqualTo(1));
        afterAWhile(() -> assertThat(counts().dead()).isZero());

        RedisQueueSourceTask noFilter = start("errors.tolerance", "all", "queues", "other");
        connection.lpush("other".getBytes(StandardCharsets.UTF_8), List.of("x".getBytes(StandardCharsets.UTF_8)));
        SourceRecord other = pollUntil(noFilter, 1).get(0);
        noFilter.commitRecord(other, null); // no transform could have dropped it: an error did
        RedisQueue otherQueue = new RedisQueue(connection, QueueConfig.builder("other").build());
        eventually(() -> assertThat(otherQueue.counts().dead()).isEqualTo(1));
        assertThat(otherQueue.deadLetters(1).get(0).reason()).contains("errors.tolerance=all");
    }

    @Test
    void leasesAreRenewedWhileKafkaIsSlow() throws InterruptedException {
        pushJobs(20);
        RedisQueueSourceTask task = start("lease.timeout.ms", "3000", "reaper.interval.ms", "100");
        List<SourceRecord> records = pollUntil(task, 20);
        // Kafka confirms nothing for more than two lease timeouts while the task keeps polling (and reaping): a
        // lost lease would show as a job requeued and taken again
        List<SourceRecord> redelivered = new ArrayList<>();
        await().during(Duration.ofSeconds(7)).atMost(Duration.ofSeconds(30)).until(() -> {
            List<SourceRecord> again = task.poll();
            if (again != null) {
                redelivered.addAll(again);
            }
            QueueCounts c = counts();
            return c.inFlight() == 20 && c.ready() == 0 && c.retrying() == 0;
        });
        assertThat(redelivered).isEmpty();
        records.forEach(r -> task.commitRecord(r, confirmed(r)));
        eventually(() -> assertThat(counts().total()).isZero());
    }

    @Test
    void jobsHeldByAConsumerThatDiedReturnThroughTheReaperOfATask() throws InterruptedException {
        pushJobs(50);
        // a consumer (another task, another process) takes them and dies: no ack, no renewal, no release
        RedisQueue queue = new RedisQueue(connection, QueueConfig.builder("jobs").leaseTimeout(Duration.ofSeconds(1)).build());
        List<Long> lost = queue.take(50).stream().map(d -> d.id()).toList();
        assertThat(lost).hasSize(50);
        assertThat(counts().inFlight()).isEqualTo(50);
        RedisQueueSourceTask survivor = start("lease.timeout.ms", "1000", "reaper.interval.ms", "100");
        List<SourceRecord> again = pollUntil(survivor, 50);
        assertThat(again).extracting(r -> ((JobRecord) r).delivery().id()).containsExactlyInAnyOrderElementsOf(lost);
        assertThat(again).allSatisfy(r -> assertThat(((JobRecord) r).delivery().attempt()).isEqualTo(2));
        again.forEach(r -> survivor.commitRecord(r, confirmed(r)));
        eventually(() -> assertThat(counts().total()).isZero());
    }

    @Test
    void stoppedTaskAcksWhatKafkaConfirmedAndReleasesTheRestForAnotherTaskAtOnce() throws InterruptedException {
        pushJobs(50);
        RedisQueueSourceTask stopping = start();
        List<SourceRecord> taken = pollUntil(stopping, 50);
        taken.subList(0, 20).forEach(r -> stopping.commitRecord(r, confirmed(r)));
        stopping.stop();
        tasks.remove(stopping);
        assertThat(counts().inFlight()).as("nothing stays leased after a clean stop").isZero();
        assertThat(counts().pending()).as("the 30 Kafka never confirmed are due again").isEqualTo(30);

        // a lease of 60 s and no reaper: only the release can hand them on this fast
        RedisQueueSourceTask next = start("reaper.interval.ms", "600000");
        List<SourceRecord> again = pollUntil(next, 30);
        assertThat(again).extracting(r -> ((JobRecord) r).delivery().id()).containsExactlyInAnyOrderElementsOf(
                taken.subList(20, 50).stream().map(r -> ((JobRecord) r).delivery().id()).toList());
        assertThat(next.poll()).as("the confirmed 20 are never delivered again").isNull();
    }

    @Test
    void nextBatchIsTakenWhileConnectSendsThisOneAndReleasedIfNeverHandedOver() throws InterruptedException {
        pushJobs(100);
        RedisQueueSourceTask task = start("batch.size", "10");
        assertThat(pollUntil(task, 1)).hasSize(10);
        // no further poll: the task's Redis thread takes the next batch (and no more) while Connect sends this one
        eventually(() -> assertThat(counts().inFlight()).isEqualTo(20));
        afterAWhile(() -> assertThat(counts().inFlight()).isEqualTo(20));
        task.stop();
        tasks.remove(task);
        assertThat(counts().inFlight()).as("a clean stop leaves nothing leased").isZero();
        assertThat(counts().pending()).as("what Kafka never confirmed, the batch taken ahead included").isEqualTo(100);
    }

    @Test
    void batchTakenAheadGoesBackToTheQueueWhileConnectDoesNotPollAsWhenTheConnectorIsPaused() throws InterruptedException {
        pushJobs(100);
        RedisQueueSourceTask task = start("batch.size", "10");
        List<SourceRecord> sent = pollUntil(task, 1);
        eventually(() -> assertThat(counts().inFlight()).isEqualTo(20));
        // Connect stops polling (a paused connector): the batch taken ahead is given back for other consumers, and
        // nothing more is taken until Connect polls again
        await().atMost(RedisQueueSourceTask.UNPOLLED_BATCH_HELD.plusSeconds(10))
                .untilAsserted(() -> assertThat(counts().inFlight()).isEqualTo(sent.size()));
        afterAWhile(() -> assertThat(counts().inFlight()).isEqualTo(sent.size()));
        assertThat(counts().ready() + counts().retrying()).as("the batch taken ahead is due again").isEqualTo(90);
        // resumed: polls get jobs again, the given-back ones among them
        assertThat(pollUntil(task, 1)).hasSize(10);
    }

    @Test
    void maxInFlightBoundsTheJobsATaskHoldsOverAllItsQueues() throws InterruptedException {
        pushJobs(300);
        new RedisQueue(connection, QueueConfig.builder("other").build())
                .push(IntStream.range(0, 300).mapToObj(i -> ("other-" + i).getBytes(StandardCharsets.UTF_8)).toList());
        RedisQueueSourceTask task = start("queues", "jobs,other", "max.in.flight", "100", "batch.size", "30");
        List<SourceRecord> held = pollUntil(task, 100);
        for (int i = 0; i < 5; i++) {
            assertThat(task.poll()).isNull();
        }
        assertThat(held).hasSize(100);
        assertThat(held).extracting(SourceRecord::topic).contains("jobs", "other");
        QueueCounts other = new RedisQueue(connection, QueueConfig.builder("other").build()).counts();
        assertThat(counts().inFlight() + other.inFlight()).isEqualTo(100);
    }

    @Test
    void redisOutageWhilePollingLosesNoAckAndDoesNotFailTheTask() throws InterruptedException {
        pushJobs(10);
        RedisQueueSourceTask task = start();
        List<SourceRecord> records = pollUntil(task, 10);
        records.forEach(r -> task.commitRecord(r, confirmed(r)));
        redis.server().kill();
        assertThat(task.poll()).as("an outage is waited out, not thrown at the worker").isNull();
        redis.server().restart();
        // the test's own pooled connections to the killed server fail once each: ignore those
        await().atMost(Duration.ofSeconds(30)).ignoreExceptions().until(() -> {
            task.poll();
            return counts().total() == 0;
        });
    }
}
