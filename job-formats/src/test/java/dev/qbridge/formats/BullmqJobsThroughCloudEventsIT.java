package dev.qbridge.formats;

import static dev.qbridge.formats.Fixtures.tree;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.qbridge.testkit.Bullmq;
import dev.qbridge.testkit.Celery;
import dev.qbridge.testkit.JobWorker;
import dev.qbridge.testkit.RedisServerExtension;
import dev.qbridge.testkit.Sidekiq;
import io.cloudevents.CloudEvent;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import redis.clients.jedis.Protocol;
import redis.clients.jedis.resps.Tuple;

/**
 * BullMQ's own Queue adds waiting, prioritized and delayed jobs into one Redis; each job, its id and its hash read
 * together, goes through the neutral envelope (CloudEvents JSON) into a second Redis, written by bullmq-add.lua as
 * BullMQ's add scripts write a job, where BullMQ's own Worker runs it: the same names, data and options in the same
 * order as a Worker on the first Redis, the delayed ones not before they are due.
 */
class BullmqJobsThroughCloudEventsIT {
    @RegisterExtension
    static RedisServerExtension source = RedisServerExtension.standalone();

    @RegisterExtension
    static RedisServerExtension target = RedisServerExtension.standalone();

    private final BullmqCodec codec = new BullmqCodec();

    @BeforeAll
    static void bullmqIsInstalled() {
        Bullmq.requireInstalled();
    }

    @Test
    void everyJobRunsOnTheOtherRedisWithItsNameDataAndOptsInBullmqsOrder() {
        List<String> specs = new ArrayList<>();
        specs.add("{\"name\": \"mail\", \"data\": {\"to\": \"a@example.org\", \"n\": 1, \"f\": 1.5,"
                + " \"big\": 12345678901234567000, \"tiny\": 1.5e-7, \"u\": \"caf\\u00e9 \\u2603 \\ud83d\\ude00 / \\\"q\\\""
                + " \\\\ \\n\\t\\u0001\", \"nested\": {\"l\": [1, null, true, {}]}}}");
        specs.add("{\"name\": \"urgent\", \"data\": {\"p\": 3}, \"opts\": {\"priority\": 3}}");
        specs.add("{\"name\": \"list\", \"data\": [1, \"two\", 3.25, [], null]}");
        specs.add("{\"name\": \"urgent\", \"data\": {\"p\": 1}, \"opts\": {\"priority\": 1, \"attempts\": 4,"
                + " \"backoff\": {\"type\": \"fixed\", \"delay\": 10}}}");
        specs.add("{\"name\": \"text\", \"data\": \"just a string\"}");
        specs.add("{\"name\": \"nodata\"}");
        specs.add("{\"name\": \"urgent\", \"data\": {\"p\": 2}, \"opts\": {\"priority\": 2}}");
        specs.add("{\"name\": \"custom\", \"data\": {\"c\": 1}, \"opts\": {\"jobId\": \"order-17/a\", \"attempts\": 2,"
                + " \"removeOnComplete\": 10}}");
        specs.add("{\"name\": \"urgent\", \"data\": {\"p\": 1.5}, \"opts\": {\"priority\": 1}}");
        specs.add("{\"name\": \"jump\", \"data\": {}, \"opts\": {\"lifo\": true}}");
        for (int i = 0; i < 10; i++) {
            specs.add("{\"name\": \"bulk\", \"data\": {\"i\": " + i + ", \"s\": \"n" + i + "\"}}");
        }
        assertThat(Bullmq.add(source.uri(), "[" + String.join(", ", specs) + "]")).hasSize(specs.size());

        List<String> moved = new ArrayList<>();
        for (String id : readyInBullmqsOrder("default")) {
            moved.add(move(id, "default", JobSet.READY, Optional.empty()));
        }
        assertThat(moved).hasSize(specs.size());
        assertThat(moved).as("BullMQ's counter ids are the target counter's; custom ids are kept")
                .contains("order-17/a").doesNotHaveDuplicates();

        List<JsonNode> ranThere = runAll(target, specs.size());
        List<JsonNode> ranHere = runAll(source, specs.size());
        assertThat(ranThere.stream().map(BullmqJobsThroughCloudEventsIT::withoutRunState).toList())
                .as("the same jobs in the same order as BullMQ's worker runs them where its client added them")
                .isEqualTo(ranHere.stream().map(BullmqJobsThroughCloudEventsIT::withoutRunState).toList());
        assertThat(ranThere.get(0).get("name").asText()).as("a lifo job first").isEqualTo("jump");
        assertThat(ranThere.subList(specs.size() - 4, specs.size()).stream().map(run -> run.at("/data/p").asText()))
                .as("prioritized jobs after wait, lowest priority first, then in the order added")
                .containsExactly("1", "1.5", "2", "3");
    }

    @Test
    void delayedJobsStayDelayedUntilDueAndWaitingOnesWakeABlockedWorker() {
        List<Bullmq.Added> added = Bullmq.add(source.uri(), "[{\"name\": \"later\", \"data\": {\"d\": 1},"
                + " \"opts\": {\"delay\": 10000}}, {\"name\": \"later\", \"data\": {\"d\": 2}, \"opts\": {\"delay\": 10000,"
                + " \"priority\": 4}}, {\"name\": \"now\", \"data\": {\"w\": 1}, \"queue\": \"later\"}]");
        Map<String, Instant> dueOf = new LinkedHashMap<>();
        for (Tuple member : source.client().zrangeWithScores("bull:default:delayed".getBytes(UTF_8), 0, -1)) {
            String id = new String(member.getBinaryElement(), UTF_8);
            String score = Long.toString((long) member.getScore());
            dueOf.put(id, BullmqCodec.timeOfScore(score, JobSet.SCHEDULED));
        }
        assertThat(dueOf).hasSize(2);

        try (JobWorker worker = Bullmq.startWorker(target.uri(), List.of("default", "later"))) {
            // both queues' workers block on their markers: only what a write adds there wakes them
            await().atMost(Duration.ofSeconds(30)).until(() -> blockedOnMarkers() == 2);
            Map<String, Instant> dueThere = new LinkedHashMap<>();
            dueOf.forEach((id, due) -> {
                String score = Long.toString(source.client().zscore("bull:default:delayed", id).longValue());
                dueThere.put(move(id, "default", JobSet.SCHEDULED, Optional.of(score)), due);
            });
            String waiting = move(added.get(2).id(), "later", JobSet.READY, Optional.empty());
            dueThere.forEach((id, due) -> assertThat(BullmqCodec.timeOfScore(Long.toString(
                    target.client().zscore("bull:default:delayed", id).longValue()), JobSet.SCHEDULED)).isEqualTo(due));

            JsonNode first = tree(worker.awaitExecuted(1, Duration.ofSeconds(5)).get(0));
            assertThat(first.get("id").asText()).isEqualTo(waiting);
            assertThat(Instant.now()).as("the delayed jobs are not due yet").isBefore(Collections.min(dueOf.values()));
            assertThat(worker.executed()).hasSize(1);

            // the delay marker wakes the worker when they are due, long before its 60 s wait for a marker ends
            Duration untilDue = Duration.between(Instant.now(), Collections.max(dueOf.values()));
            List<JsonNode> runs = worker.awaitExecuted(3, untilDue.plusSeconds(15)).stream().map(Fixtures::tree).toList();
            for (JsonNode run : runs.subList(1, 3)) {
                Instant due = dueThere.get(run.get("id").asText());
                assertThat(Instant.ofEpochMilli(run.get("processedOn").asLong())).as("run when due").isAfterOrEqualTo(due);
                assertThat(run.get("name").asText()).isEqualTo("later");
            }
            assertThat(runs.subList(1, 3).stream().map(run -> run.at("/data/d").asInt())).containsExactlyInAnyOrder(1, 2);
        }
    }

    @Test
    void celeryTaskAndSidekiqJobRunOnABullmqWorkerWithTheirArgsAsData() {
        Celery.requireInstalled();
        Sidekiq.requireInstalled();
        String celeryId = Celery.enqueue(source.uri(), "[{\"task\": \"tasks.mail\", \"args\": [], \"kwargs\": {\"to\": \"a@example.org\","
                + " \"n\": 2.0}, \"queue\": \"fromcelery\", \"priority\": 3}, {\"task\": \"tasks.add\", \"args\": [1, 2],"
                + " \"queue\": \"fromcelery\"}]").get(0);
        String jid = Sidekiq.enqueue(source.uri(), "[{\"class\": \"MailWorker\", \"args\": [{\"to\": \"b@example.org\"}]}]")
                .get(0);
        List<CloudEvent> events = new ArrayList<>();
        SystemQueue celery = SystemQueue.ready(JobFormat.CELERY, "fromcelery");
        for (String list : List.of(celery.keyForPriority(3), celery.readyKey())) {
            byte[] message = source.client().rpop(list.getBytes(UTF_8));
            events.add(JobEvents.parse(JobEvents.serialize(new CeleryCodec().toEvent(message, "fromcelery"))));
        }
        byte[] job = source.client().rpop("queue:default".getBytes(UTF_8));
        events.add(JobEvents.parse(JobEvents.serialize(new SidekiqCodec().toEvent(job, "default"))));
        for (CloudEvent event : events) {
            write(codec.toNative(TaskMap.NONE.apply(event), "cross", JobSet.READY), "cross", JobSet.READY);
        }

        Map<String, JsonNode> runs = new LinkedHashMap<>();
        try (JobWorker worker = Bullmq.startWorker(target.uri(), List.of("cross"))) {
            worker.awaitExecuted(3, Duration.ofSeconds(60)).stream().map(Fixtures::tree)
                    .forEach(run -> runs.put(run.get("id").asText(), run));
        }
        assertThat(runs.keySet()).as("wait before prioritized: the Celery task of priority 3 last")
                .containsExactly(events.get(1).getId(), jid, celeryId);
        assertThat(runs.get(celeryId).get("name").asText()).isEqualTo("tasks.mail");
        assertThat(runs.get(celeryId).get("data")).isEqualTo(tree("{\"to\": \"a@example.org\", \"n\": 2}"));
        assertThat(runs.get(celeryId).get("priority").asInt()).isEqualTo(3);
        assertThat(runs.get(events.get(1).getId()).get("data")).isEqualTo(tree("[1, 2]"));
        assertThat(runs.get(jid).get("name").asText()).isEqualTo("MailWorker");
        assertThat(runs.get(jid).get("data")).isEqualTo(tree("{\"to\": \"b@example.org\"}"));
    }

    @Test
    void failedJobIsFailedForBullmqOnTheOtherRedisAndItsRetryRunsIt() {
        Bullmq.Added job = Bullmq.add(source.uri(), "[{\"name\": \"fails\", \"data\": {\"x\": [1, \"y\"]},"
                + " \"queue\": \"dead\", \"opts\": {\"attempts\": 1}}]").get(0);
        try (JobWorker worker = Bullmq.startWorker(source.uri(), List.of("dead"), List.of("fails"))) {
            worker.awaitExecuted(1, Duration.ofSeconds(60));
            await().atMost(Duration.ofSeconds(30)).until(() -> source.client().zcard("bull:dead:failed") == 1);
        }
        String score = Long.toString(source.client().zscore("bull:dead:failed", job.id()).longValue());

        String id = move(job.id(), "dead", JobSet.DEAD, Optional.of(score));

        assertThat(target.client().zscore("bull:dead:failed", id)).isEqualTo(Double.parseDouble(score));
        String failed = "return (await queue('dead').getFailed()).map(job => ({name: job.name, data: job.data,"
                + " opts: job.opts, failedReason: job.failedReason, stacktrace: job.stacktrace,"
                + " attemptsMade: job.attemptsMade, attemptsStarted: job.attemptsStarted, finishedOn: job.finishedOn,"
                + " processedOn: job.processedOn, timestamp: job.timestamp}));";
        JsonNode there = tree(Bullmq.api(source.uri(), failed));
        assertThat(there).hasSize(1);
        assertThat(there.at("/0/failedReason").asText()).isEqualTo("qbridge test: fails fails");
        assertThat(tree(Bullmq.api(target.uri(), failed))).as("what BullMQ's Queue sees of the failed job")
                .isEqualTo(there);
        assertThat(Bullmq.api(target.uri(), "const [job] = await queue('dead').getFailed(); await job.retry();"
                + " return job.id;")).isEqualTo("\"" + id + "\"");
        try (JobWorker worker = Bullmq.startWorker(target.uri(), List.of("dead"))) {
            JsonNode run = tree(worker.awaitExecuted(1, Duration.ofSeconds(60)).get(0));
            assertThat(run.get("name").asText()).isEqualTo("fails");
            assertThat(run.get("data")).isEqualTo(tree("{\"x\": [1, \"y\"]}"));
        }
    }

    @Test
    void jobWrittenToAPausedQueueWaitsUntilBullmqResumesIt() {
        Bullmq.api(target.uri(), "await queue('held').pause();");
        CloudEvent event = JobEvents.parse("{\"type\": \"mail\", \"args\": [7]}".getBytes(UTF_8));

        try (JobWorker worker = Bullmq.startWorker(target.uri(), List.of("held"))) {
            String id = write(codec.toNative(event, "held", JobSet.READY), "held", JobSet.READY);
            assertThat(target.client().lrange("bull:held:wait", 0, -1)).as("BullMQ 6 keeps a paused queue's jobs in wait")
                    .containsExactly(id);
            assertThat(target.client().zscore("bull:held:marker", "0")).as("no marker for a paused queue").isNull();
            await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(3)).until(() -> worker.executed().isEmpty());

            Bullmq.api(target.uri(), "await queue('held').resume();");
            JsonNode run = tree(worker.awaitExecuted(1, Duration.ofSeconds(10)).get(0));
            assertThat(run.get("id").asText()).isEqualTo(id);
            assertThat(run.get("data")).isEqualTo(tree("7"));
        }
    }

    @Test
    void redeliveredJobOfAKeptIdIsWrittenOnce() {
        CloudEvent event = JobEvents.parse("{\"type\": \"mail\", \"args\": [], \"kwargs\": {\"to\": \"a\"}, \"id\": \"m-1\"}"
                .getBytes(UTF_8));
        NativeJob job = codec.toNative(event, "again", JobSet.READY);

        assertThat(write(job, "again", JobSet.READY)).isEqualTo("m-1");
        assertThat(write(job, "again", JobSet.READY)).isEqualTo("m-1");

        assertThat(target.client().lrange("bull:again:wait", 0, -1)).containsExactly("m-1");
        assertThat(target.client().xrange("bull:again:events", "-", "+").stream()
                .map(entry -> entry.getFields().get("event")).toList()).containsExactly("added", "waiting", "duplicated");
    }

    /** wait from its tail (RPOPLPUSH's end), then prioritized lowest score first: moveToActive's order. */
    private List<String> readyInBullmqsOrder(String queue) {
        List<String> ids = new ArrayList<>();
        List<byte[]> wait = new ArrayList<>(source.client().lrange(BullmqCodec.key(queue, "wait").getBytes(UTF_8), 0, -1));
        Collections.reverse(wait);
        wait.forEach(id -> ids.add(new String(id, UTF_8)));
        source.client().zrange(BullmqCodec.key(queue, "prioritized").getBytes(UTF_8), 0, -1)
                .forEach(id -> ids.add(new String(id, UTF_8)));
        return ids;
    }

    /**
     * One job of the source to an event and back to a job written on the target; every hash field comes back with
     * its bytes. Returns its id on the target.
     */
    private String move(String id, String queue, JobSet set, Optional<String> score) {
        Map<String, byte[]> hash = new LinkedHashMap<>();
        source.client().hgetAll(BullmqCodec.key(queue, id).getBytes(UTF_8))
                .forEach((field, value) -> hash.put(new String(field, UTF_8), value));
        JobTranslation translation = new JobTranslation(new SystemQueue(JobFormat.BULLMQ, queue, set), TaskMap.NONE);
        CloudEvent event = JobEvents.parse(JobEvents.serialize(translation.event(id.getBytes(UTF_8), hash, score)));
        NativeJob written = codec.toNative(event, queue, set);
        assertThat(BullmqCodecTest.strings(written.hash())).isEqualTo(BullmqCodecTest.strings(hash));
        return write(written, queue, set);
    }

    private String write(NativeJob job, String queue, JobSet set) {
        Object id = target.client().eval(BullmqAdd.SCRIPT.getBytes(UTF_8), BullmqAdd.keys(queue),
                BullmqAdd.args(job, queue, set));
        return new String((byte[]) id, UTF_8);
    }

    private static int blockedOnMarkers() {
        String clients = new String((byte[]) target.client().sendCommand(Protocol.Command.CLIENT, "LIST"), UTF_8);
        return clients.split("cmd=bzpopmin", -1).length - 1;
    }

    private static List<JsonNode> runAll(RedisServerExtension redis, int count) {
        try (JobWorker worker = Bullmq.startWorker(redis.uri(), List.of("default"))) {
            return worker.awaitExecuted(count, Duration.ofSeconds(120)).stream().map(Fixtures::tree).toList();
        }
    }

    /** What the job is, without when and where it ran (processedOn, and the id a counter gave). */
    private static JsonNode withoutRunState(JsonNode run) {
        ObjectNode copy = ((ObjectNode) run).deepCopy();
        copy.remove("processedOn");
        if (BullmqCodec.isCounterId(copy.get("id").asText())) {
            copy.remove("id");
        }
        return copy;
    }
}
