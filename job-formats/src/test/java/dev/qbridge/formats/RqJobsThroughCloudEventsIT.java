package dev.qbridge.formats;

import static dev.qbridge.formats.Fixtures.tree;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.qbridge.testkit.Celery;
import dev.qbridge.testkit.JobWorker;
import dev.qbridge.testkit.RedisServerExtension;
import dev.qbridge.testkit.Rq;
import io.cloudevents.CloudEvent;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.IntStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * RQ's own client enqueues jobs into one Redis (pickle and JSONSerializer queues); each job, its id and its hash
 * read together, goes through the neutral envelope (CloudEvents JSON) into a second Redis, written as RQ's client
 * writes a job (the hash, the id pushed, the queue registered: one script, as the core will), where RQ's own
 * worker runs it with the same arguments of the same Python types.
 */
class RqJobsThroughCloudEventsIT {
    private static final int PLAIN = 12;
    /** The hash, the id and the registry in one step, so that no worker sees an id without its job. */
    private static final String WRITE = "redis.call('HSET', KEYS[1], unpack(ARGV, 2)); "
            + "redis.call('RPUSH', KEYS[2], ARGV[1]); redis.call('SADD', KEYS[3], KEYS[2]); return 1";
    private static final String WRITE_SCHEDULED = "redis.call('HSET', KEYS[1], unpack(ARGV, 3)); "
            + "redis.call('ZADD', KEYS[2], ARGV[2], ARGV[1]); return 1";

    @RegisterExtension
    static RedisServerExtension source = RedisServerExtension.standalone();

    @RegisterExtension
    static RedisServerExtension target = RedisServerExtension.standalone();

    private final RqCodec reader = new RqCodec();

    @BeforeAll
    static void rqIsInstalled() {
        Rq.requireInstalled();
    }

    @Test
    void everyJobRunsOnTheOtherRedisWithItsIdArgsKwargsTypesAndEveryField() {
        List<String> specs = new ArrayList<>();
        specs.add("{\"func\": \"tasks.add\", \"args_py\": \"('text', '\\u00e9\\u00fc \\u2603 \\ud83d\\ude00', 42, -7,"
                + " 12345678901234567890, 1.5, 1.0, 1796673940.1421893, True, False, None, [1, [2, 'x'], {'k': None}],"
                + " (3, (4, 5)), {'nested': {'a': [1.25, 'b']}}, b'\\\\x00\\\\xffraw', (), [], {})\","
                + " \"kwargs_py\": \"{'kw': 'v', 'n': 3, 'fl': 0.1, 't': (1, 'two'), 'none': None, 'b': b'k'}\","
                + " \"meta_py\": \"{'tenant': 7, 'tags': ('a', 'b')}\", \"job_timeout\": 300, \"result_ttl\": 600,"
                + " \"ttl\": 3600, \"failure_ttl\": 86400, \"description\": \"a custom description\"}");
        IntStream.range(0, PLAIN).forEach(i -> specs.add("{\"func\": \"tasks.mail\", \"args\": [" + i + ", " + i * 1.5
                + ", \"n" + i + "\"], \"kwargs\": {\"nested\": {\"l\": [" + i + ", null]}}}"));
        specs.add("{\"func\": \"tasks.mail\"}");
        specs.add("{\"func\": \"tasks.add\", \"queue\": \"jsonq\", \"serializer\": \"json\", \"args\": [1, 2.5,"
                + " \"caf\\u00e9\", null, true, [1, {\"a\": \"b\"}], 12345678901234567890], \"kwargs\": {\"k\": 3},"
                + " \"meta\": {\"m\": [1]}}");
        specs.add("{\"func\": \"tasks.add\", \"queue\": \"jsonq\", \"serializer\": \"json\"}");
        List<Rq.Enqueued> enqueued = Rq.enqueue(source.uri(), "[" + String.join(", ", specs) + "]");
        assertThat(enqueued).hasSize(specs.size());

        List<String> movedDefault = move("default", RqSerializer.PICKLE);
        List<String> movedJson = move("jsonq", RqSerializer.JSON);
        assertThat(movedDefault).hasSize(specs.size() - 2);
        assertThat(movedJson).hasSize(2);

        Map<String, JsonNode> runs = new HashMap<>();
        try (JobWorker worker = Rq.startWorker(target.uri(), List.of("default"), List.of("tasks.add", "tasks.mail"), false)) {
            List<JsonNode> ran = worker.awaitExecuted(movedDefault.size(), Duration.ofSeconds(120)).stream()
                    .map(Fixtures::tree).toList();
            assertThat(ran.stream().map(run -> run.get("id").asText()).toList())
                    .as("each ran once, in the order RQ's client enqueued them").isEqualTo(movedDefault);
            ran.forEach(run -> runs.put(run.get("id").asText(), run));
        }
        try (JobWorker worker = Rq.startWorker(target.uri(), List.of("jsonq"), List.of("tasks.add"), true)) {
            worker.awaitExecuted(movedJson.size(), Duration.ofSeconds(60)).stream().map(Fixtures::tree)
                    .forEach(run -> runs.put(run.get("id").asText(), run));
        }
        assertThat(runs).hasSize(enqueued.size());
        for (Rq.Enqueued job : enqueued) {
            JsonNode run = runs.get(job.id());
            assertThat(run.get("args").asText()).as(job.id()).isEqualTo(job.argsRepr());
            assertThat(run.get("kwargs").asText()).as(job.id()).isEqualTo(job.kwargsRepr());
        }
        assertThat(runs.get(enqueued.get(0).id()).get("meta").asText())
                .isEqualTo("{'tenant': 7, 'tags': ('a', 'b')}");
        assertThat(runs.get(enqueued.get(specs.size() - 2).id()).get("origin").asText()).isEqualTo("jsonq");
    }

    @Test
    void tasksOfOtherSystemsRunOnRqWorkersWithTheirArgsAndKwargs() {
        String celeryId = Celery.enqueue(source.uri(), "[{\"task\": \"tasks.add\", \"args\": [1, 2.5, \"\\u00e9\"],"
                + " \"kwargs\": {\"z\": 3, \"deep\": {\"l\": [null, true]}}, \"queue\": \"fromcelery\"}]").get(0);
        byte[] message = source.client().rpop("fromcelery".getBytes(UTF_8));
        CloudEvent fromCelery = JobEvents.parse(JobEvents.serialize(new CeleryCodec().toEvent(message, "fromcelery")));
        byte[] body = "{\"type\": \"tasks.mail\", \"args\": [\"to@example.org\", [1, 2]]}".getBytes(UTF_8);
        CloudEvent plain = JobEvents.parse(body);
        CloudEvent otherPlain = JobEvents.parse(body); // an id of its own: RQ's job ids are global, not per queue

        write(new RqCodec().toNative(fromCelery, "crossq", JobSet.READY), "crossq");
        write(new RqCodec().toNative(plain, "crossq", JobSet.READY), "crossq");
        write(new RqCodec(RqSerializer.JSON).toNative(otherPlain, "crossjson", JobSet.READY), "crossjson");

        try (JobWorker worker = Rq.startWorker(target.uri(), List.of("crossq"), List.of("tasks.add", "tasks.mail"), false)) {
            List<JsonNode> ran = worker.awaitExecuted(2, Duration.ofSeconds(60)).stream().map(Fixtures::tree).toList();
            assertThat(ran.get(0).get("id").asText()).isEqualTo(celeryId);
            assertThat(ran.get(0).get("func").asText()).isEqualTo("tasks.add");
            assertThat(ran.get(0).get("args").asText()).isEqualTo("(1, 2.5, '\u00e9')");
            assertThat(ran.get(0).get("kwargs").asText()).isEqualTo("{'z': 3, 'deep': {'l': [None, True]}}");
            assertThat(ran.get(1).get("id").asText()).isEqualTo(plain.getId());
            assertThat(ran.get(1).get("args").asText()).isEqualTo("('to@example.org', [1, 2])");
            assertThat(ran.get(1).get("kwargs").asText()).isEqualTo("{}");
        }
        try (JobWorker worker = Rq.startWorker(target.uri(), List.of("crossjson"), List.of("tasks.mail"), true)) {
            JsonNode run = tree(worker.awaitExecuted(1, Duration.ofSeconds(60)).get(0));
            assertThat(run.get("id").asText()).isEqualTo(otherPlain.getId());
            assertThat(run.get("args").asText()).isEqualTo("('to@example.org', [1, 2])");
        }
    }

    @Test
    void scheduledJobStaysScheduledOnTheOtherRedisAndRunsWhenDue() {
        long due = Instant.now().plusSeconds(8).getEpochSecond();
        Rq.Enqueued job = Rq.enqueue(source.uri(), "[{\"func\": \"tasks.add\", \"args\": [7], \"queue\": \"later\","
                + " \"at\": " + due + "}]").get(0);
        byte[] key = "rq:scheduled:later".getBytes(UTF_8);
        Double score = source.client().zscore(key, job.id().getBytes(UTF_8));
        assertThat(score).isEqualTo((double) due);

        Map<String, byte[]> hash = hgetAll(RqCodec.jobKey(job.id()));
        NativeJob read = NativeJob.ofHash(job.id().getBytes(UTF_8), hash,
                Optional.of(JobExtensions.instantOfScore(score)));
        CloudEvent event = JobEvents.parse(JobEvents.serialize(reader.toEvent(read, "later", JobSet.SCHEDULED)));
        NativeJob written = reader.toNative(event, "later", JobSet.SCHEDULED);
        assertThat(text(written.hash(), "data")).isEqualTo(text(hash, "data"));
        writeScheduled(written, "later");
        assertThat(target.client().zscore(key, job.id().getBytes(UTF_8))).isEqualTo((double) due);

        try (JobWorker worker = Rq.startWorker(target.uri(), List.of("later"), List.of("tasks.add"), false, true)) {
            assertThat(worker.executed()).as("not due yet").isEmpty();
            JsonNode run = tree(worker.awaitExecuted(1, Duration.ofSeconds(60)).get(0));
            assertThat(Instant.now().getEpochSecond()).isGreaterThanOrEqualTo(due);
            assertThat(run.get("id").asText()).isEqualTo(job.id());
            assertThat(run.get("args").asText()).isEqualTo("(7,)");
        }
    }

    /**
     * One queue of the source, oldest first: each id with its hash (HGETALL) to an event and back to a new job on
     * the target; every hash field comes back with its value (data and meta as the same call and dict). Returns
     * the ids in order.
     */
    private List<String> move(String queue, RqSerializer serializer) {
        RqCodec writer = new RqCodec(serializer);
        List<String> ids = new ArrayList<>();
        for (byte[] id : source.client().lrange(("rq:queue:" + queue).getBytes(UTF_8), 0, -1)) {
            Map<String, byte[]> hash = hgetAll(RqCodec.jobKey(new String(id, UTF_8)));
            CloudEvent event = JobEvents.parse(JobEvents.serialize(
                    reader.toEvent(NativeJob.ofHash(id, hash, Optional.empty()), queue, JobSet.READY)));
            NativeJob written = writer.toNative(event, queue, JobSet.READY);

            assertThat(written.bytes()).isEqualTo(id);
            assertThat(text(written.hash(), "data", "meta")).isEqualTo(text(hash, "data", "meta"));
            assertThat(RqSerializer.readData(written.hash().get("data"), "written"))
                    .isEqualTo(RqSerializer.readData(hash.get("data"), "original"));
            assertThat(written.hash().containsKey("meta")).isEqualTo(hash.containsKey("meta"));
            write(written, queue);
            ids.add(event.getId());
        }
        return ids;
    }

    private void write(NativeJob job, String queue) {
        List<byte[]> args = new ArrayList<>();
        args.add(job.bytes());
        job.hash().forEach((field, value) -> {
            args.add(field.getBytes(UTF_8));
            args.add(value);
        });
        String id = new String(job.bytes(), UTF_8);
        List<byte[]> keys = List.of(RqCodec.jobKey(id).getBytes(UTF_8), ("rq:queue:" + queue).getBytes(UTF_8),
                "rq:queues".getBytes(UTF_8));
        target.client().eval(WRITE.getBytes(UTF_8), keys, args);
    }

    /** As RQ's enqueue_at: the hash, and the id in the scheduled registry under its due time. */
    private void writeScheduled(NativeJob job, String queue) {
        List<byte[]> args = new ArrayList<>();
        args.add(job.bytes());
        args.add(JobExtensions.secondsOf(job.at().orElseThrow()).toPlainString().getBytes(UTF_8));
        job.hash().forEach((field, value) -> {
            args.add(field.getBytes(UTF_8));
            args.add(value);
        });
        String id = new String(job.bytes(), UTF_8);
        target.client().eval(WRITE_SCHEDULED.getBytes(UTF_8), List.of(RqCodec.jobKey(id).getBytes(UTF_8),
                ("rq:scheduled:" + queue).getBytes(UTF_8)), args);
    }

    private Map<String, byte[]> hgetAll(String key) {
        Map<String, byte[]> hash = new LinkedHashMap<>();
        source.client().hgetAll(key.getBytes(UTF_8)).forEach((field, value) -> hash.put(new String(field, UTF_8), value));
        return hash;
    }

    private static Map<String, String> text(Map<String, byte[]> hash, String... except) {
        Map<String, String> out = new HashMap<>();
        hash.forEach((field, value) -> {
            if (!List.of(except).contains(field)) {
                out.put(field, new String(value, UTF_8));
            }
        });
        return out;
    }
}
