package dev.qbridge.formats;

import static dev.qbridge.formats.Fixtures.tree;
import static dev.qbridge.formats.SidekiqCodecTest.throughTheWire;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.qbridge.core.queue.DueTimeUnit;
import dev.qbridge.core.queue.QueueConfig;
import dev.qbridge.core.queue.QueueKind;
import io.cloudevents.CloudEvent;
import java.net.URI;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** On jobs written by RQ 1.13 (see {@link RqFixtures}). */
class RqCodecTest {
    private final RqCodec codec = new RqCodec();

    @Test
    void jobBecomesAnEventOfItsIdFunctionArgsAndKwargs() {
        NativeJob job = RqFixtures.job("pickle-every-type");

        CloudEvent event = codec.toEvent(job, "default", JobSet.READY);

        assertThat(event.getId()).isEqualTo(new String(job.bytes(), UTF_8));
        assertThat(event.getType()).isEqualTo("tasks.add");
        assertThat(event.getSource()).isEqualTo(URI.create("/rq/queues/default"));
        assertThat(event.getTime().toInstant()).isEqualTo(RqCodec.parse(field(job, "enqueued_at")));
        assertThat(JobData.of(event).args()).isEqualTo(tree("[\"text\", \"caf\\u00e9 \\u2603 \\ud83d\\ude00\", 42, -7,"
                + " 12345678901234567890, 1.5, 1.0, 1796673940.1421893, true, false, null, [1, [2, \"x\"], {\"k\": null}],"
                + " [3, [4, 5]], {\"nested\": {\"a\": [1.25, \"b\"]}}, \"AP9yYXc=\"]"));
        assertThat(JobData.of(event).kwargs()).isEqualTo(tree("{\"kw\": \"v\", \"n\": 3, \"fl\": 0.1, \"t\": [1, \"two\"],"
                + " \"none\": null}"));
        assertThat(event.getExtension("jobsystem")).isEqualTo("rq");
        assertThat(event.getExtension("queue")).isEqualTo("default");
        assertThat(event.getExtension("attempts")).isEqualTo(0);
        JsonNode rq = tree(event.getExtension("rq").toString());
        assertThat(rq.get("marks")).as("what JSON cannot say: tuples and bytes").isEqualTo(tree(
                "{\"/args/12\": \"tuple\", \"/args/12/1\": \"tuple\", \"/args/14\": \"bytes\", \"/kwargs/t\": \"tuple\"}"));
        assertThat(rq.get("meta")).isEqualTo(tree("{\"tenant\": 7, \"tags\": [\"a\", \"b\"]}"));
        assertThat(rq.at("/fields/description").asText()).isEqualTo("a custom description");
        assertThat(rq.at("/fields/timeout").asText()).isEqualTo("300");
        assertThat(rq.at("/fields/result_ttl").asText()).isEqualTo("600");
        assertThat(rq.at("/fields/ttl").asText()).isEqualTo("3600");
        assertThat(rq.get("fields").has("data")).isFalse();
        assertThat(rq.get("fields").has("status")).as("the writer's set decides it").isFalse();
    }

    @ParameterizedTest
    @CsvSource({"pickle-every-type, default, PICKLE", "pickle-no-args, default, PICKLE", "json-args, jsonq, JSON"})
    void everyFieldComesBackAndTheCallHasTheSameValuesAndTypes(String fixture, String queue, RqSerializer serializer) {
        NativeJob original = RqFixtures.job(fixture);
        RqCodec writer = new RqCodec(serializer);

        NativeJob written = writer.toNative(throughTheWire(codec.toEvent(original, queue, JobSet.READY)), queue, JobSet.READY);

        assertThat(written.bytes()).isEqualTo(original.bytes());
        assertThat(written.at()).isEmpty();
        assertThat(strings(written.hash(), "data", "meta")).isEqualTo(strings(original.hash(), "data", "meta"));
        String where = "test job";
        RqSerializer.Call before = RqSerializer.readData(original.hash().get("data"), where);
        RqSerializer.Call after = RqSerializer.readData(written.hash().get("data"), where);
        assertThat(after).isEqualTo(before);
        if (original.hash().containsKey("meta")) {
            assertThat(RqSerializer.readMeta(written.hash().get("meta"), Json.newObject(), where))
                    .isEqualTo(RqSerializer.readMeta(original.hash().get("meta"), Json.newObject(), where));
        } else {
            assertThat(written.hash()).doesNotContainKey("meta");
        }
    }

    @Test
    void jobOfRq2KeepsItsNewFieldsAndCountsItsRetries() {
        // RQ 2.x's Job.to_dict adds these (stopped callbacks, groups, retry and repeat state, rate limits, webhooks)
        Map<String, byte[]> hash = new LinkedHashMap<>(RqFixtures.job("pickle-no-args").hash());
        Map<String, String> rq2 = Map.of("stopped_callback_name", "", "group_id", "", "number_of_retries", "2",
                "retries_left", "1", "retry_intervals", "[10, 20]", "enqueue_at_front_on_retry", "1",
                "repeats_left", "3", "repeat_intervals", "[60]", "success_callback_timeout", "60",
                "webhooks", "[{\"url\": \"http://localhost/hook\"}]");
        rq2.forEach((k, v) -> hash.put(k, v.getBytes(UTF_8)));
        NativeJob original = NativeJob.ofHash(RqFixtures.job("pickle-no-args").bytes(), hash, Optional.empty());

        CloudEvent event = throughTheWire(codec.toEvent(original, "default", JobSet.READY));
        NativeJob written = codec.toNative(event, "default", JobSet.READY);

        assertThat(event.getExtension("attempts")).isEqualTo(2);
        assertThat(strings(written.hash(), "data")).isEqualTo(strings(original.hash(), "data"));
    }

    @Test
    void marksFindKeysWithSlashesAndTildes() {
        CloudEvent event = throughTheWire(JobEvents.parse(("{\"specversion\": \"1.0\", \"id\": \"m\","
                + " \"source\": \"/rq/queues/default\", \"type\": \"tasks.add\", \"datacontenttype\": \"application/json\","
                + " \"rq\": \"{\\\"marks\\\": {\\\"/kwargs/a~1b\\\": \\\"tuple\\\", \\\"/kwargs/c~0d\\\": \\\"bytes\\\"}}\","
                + " \"data\": {\"args\": [], \"kwargs\": {\"a/b\": [1, 2], \"c~d\": \"eA==\"}}}").getBytes(UTF_8)));

        NativeJob written = codec.toNative(event, "default", JobSet.READY);

        RqSerializer.Call call = RqSerializer.readData(written.hash().get("data"), "test job");
        assertThat(call.marks()).isEqualTo(tree("{\"/kwargs/a~1b\": \"tuple\", \"/kwargs/c~0d\": \"bytes\"}"));
        assertThat(call.kwargs()).isEqualTo(tree("{\"a/b\": [1, 2], \"c~d\": \"eA==\"}"));
    }

    @Test
    void jobOfAJsonQueueIsWrittenToAPickleQueueWithTheSameCall() {
        NativeJob original = RqFixtures.job("json-args");

        NativeJob written = codec.toNative(throughTheWire(codec.toEvent(original, "jsonq", JobSet.READY)),
                "default", JobSet.READY);

        assertThat(RqSerializer.readData(written.hash().get("data"), "written"))
                .isEqualTo(RqSerializer.readData(original.hash().get("data"), "original"));
        assertThat(inflate(written.hash().get("data"))[0]).as("a pickle's PROTO").isEqualTo((byte) 0x80);
        assertThat(RqSerializer.readMeta(written.hash().get("meta"), Json.newObject(), "written"))
                .isEqualTo(tree("{\"m\": [1]}"));
        assertThat(field(written, "origin")).isEqualTo("default");
    }

    @Test
    void jsonSerializerWritesWhatRqsJsonSerializerWrites() {
        NativeJob original = RqFixtures.job("json-args");

        NativeJob written = new RqCodec(RqSerializer.JSON).toNative(
                throughTheWire(codec.toEvent(original, "jsonq", JobSet.READY)), "jsonq", JobSet.READY);

        // json.dumps((func, None, args, kwargs)).encode('utf-8'), zlib'd at level 6: byte for byte
        assertThat(written.hash().get("data")).isEqualTo(original.hash().get("data"));
        assertThat(written.hash().get("meta")).isEqualTo(original.hash().get("meta"));
    }

    @Test
    void scheduledJobKeepsItsTimeAndIsWrittenBackScheduled() {
        NativeJob original = RqFixtures.job("pickle-scheduled");

        CloudEvent event = throughTheWire(codec.toEvent(original, "default", JobSet.SCHEDULED));
        NativeJob written = codec.toNative(event, "default", JobSet.SCHEDULED);

        assertThat(JobExtensions.time(event, JobExtensions.SCHEDULED)).hasValue(Instant.parse("2030-01-02T03:04:05Z"));
        assertThat(event.getTime().toInstant()).as("never enqueued: created_at")
                .isEqualTo(RqCodec.parse(field(original, "created_at")));
        assertThat(written.at()).hasValue(Instant.parse("2030-01-02T03:04:05Z"));
        assertThat(field(written, "status")).isEqualTo("scheduled");
        assertThat(written.hash()).doesNotContainKey("enqueued_at");
        assertThat(strings(written.hash(), "data")).isEqualTo(strings(original.hash(), "data"));
    }

    @Test
    void eventOfAnotherSystemBecomesTheJobRqsClientWouldEnqueue() {
        CloudEvent celery = throughTheWire(new CeleryCodec().toEvent(Fixtures.bytes("celery/kwargs-priority.json"), "other"));
        Instant before = Instant.now().truncatedTo(java.time.temporal.ChronoUnit.MICROS);

        NativeJob written = codec.toNative(celery, "default", JobSet.READY);

        assertThat(new String(written.bytes(), UTF_8)).isEqualTo(celery.getId());
        assertThat(written.hash().keySet()).containsExactly("created_at", "data", "success_callback_name",
                "failure_callback_name", "started_at", "ended_at", "last_heartbeat", "worker_name", "origin",
                "description", "enqueued_at", "timeout", "status");
        assertThat(field(written, "origin")).isEqualTo("default");
        assertThat(field(written, "status")).isEqualTo("queued");
        assertThat(field(written, "timeout")).isEqualTo("180");
        assertThat(field(written, "worker_name")).isEmpty();
        assertThat(RqCodec.parse(field(written, "enqueued_at"))).isAfterOrEqualTo(before);
        assertThat(field(written, "created_at")).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{6}Z");
        assertThat(field(written, "description")).isEqualTo(
                "tasks.add('x', {'k': 1.5, 'n': None, 'big': 12345678901234567890}, '\u00e9 \u00fcn\u00efcode', 1.0,"
                        + " flag=True, z=1796673940.1421893)");
        RqSerializer.Call call = RqSerializer.readData(written.hash().get("data"), "test job");
        assertThat(call.funcName()).isEqualTo("tasks.add");
        assertThat(call.args()).isEqualTo(JobData.of(celery).args());
        assertThat(call.kwargs()).isEqualTo(JobData.of(celery).kwargs());
        assertThat(call.marks()).as("written as a tuple, read back unmarked: RQ's args").isEmpty();
    }

    @Test
    void failedJobKeepsWhenItDiedAndComesBackFailed() {
        NativeJob original = RqFixtures.job("pickle-failed");
        Instant before = Instant.now();

        CloudEvent event = throughTheWire(codec.toEvent(original, "default", JobSet.DEAD));
        NativeJob written = codec.toNative(event, "default", JobSet.DEAD);

        assertThat(JobExtensions.time(event, JobExtensions.DIED)).hasValue(RqCodec.parse(field(original, "ended_at")));
        assertThat(strings(written.hash(), "data", "meta")).isEqualTo(strings(original.hash(), "data", "meta"));
        assertThat(field(written, "status")).isEqualTo("failed");
        assertThat(written.at().orElseThrow()).as("the failed registry's score: when RQ drops the entry")
                .isAfterOrEqualTo(before.plusSeconds(RqCodec.DEFAULT_FAILURE_TTL));
    }

    @Test
    void failedJobIsWrittenToTheFailedRegistryUntilRqWouldDropIt() {
        CloudEvent event = throughTheWire(JobEvents.parse(
                "{\"type\": \"tasks.add\", \"args\": [1]}".getBytes(UTF_8)));
        Instant before = Instant.now();

        NativeJob written = codec.toNative(event, "default", JobSet.DEAD);

        assertThat(field(written, "status")).isEqualTo("failed");
        assertThat(written.hash()).doesNotContainKey("enqueued_at");
        assertThat(RqCodec.parse(field(written, "ended_at"))).isAfterOrEqualTo(before.minusSeconds(1));
        assertThat(written.at().orElseThrow()).isBetween(before.plusSeconds(RqCodec.DEFAULT_FAILURE_TTL - 1),
                Instant.now().plusSeconds(RqCodec.DEFAULT_FAILURE_TTL));
    }

    @Test
    void retrySetIsRefusedWithRqsWayOfRetrying() {
        assertThatThrownBy(() -> new SystemQueue(JobFormat.RQ, "default", JobSet.RETRY))
                .hasMessageContaining("RQ keeps no retry set");
    }

    @Test
    void rqKeysAreTheOnesRqsClientWrites() {
        SystemQueue ready = SystemQueue.ready(JobFormat.RQ, "default");

        assertThat(ready.readyKey()).isEqualTo("rq:queue:default");
        assertThat(ready.registryKey()).isEqualTo("rq:queues");
        assertThat(ready.registryMember()).isEqualTo("rq:queue:default");
        assertThat(ready.jobKey("abc")).isEqualTo("rq:job:abc");
        assertThat(ready.keepsJobsInHashes()).isTrue();
        assertThat(new SystemQueue(JobFormat.RQ, "default", JobSet.SCHEDULED).readyKey()).isEqualTo("rq:scheduled:default");
        assertThat(new SystemQueue(JobFormat.RQ, "default", JobSet.DEAD).readyKey()).isEqualTo("rq:failed:default");
        QueueConfig config = ready.config().build();
        assertThat(config.name()).isEqualTo("rq:queue:default");
        assertThat(config.jobHashes()).isEqualTo(new QueueConfig.JobHashes("rq:job:", QueueConfig.ListEnd.HEAD));
        assertThat(config.registry()).contains(new QueueConfig.Registry("rq:queues", "rq:queue:default"));
        assertThat(ready.pushConfig()).isEqualTo(config);
        SystemQueue scheduled = new SystemQueue(JobFormat.RQ, "default", JobSet.SCHEDULED);
        QueueConfig taken = scheduled.config().build();
        assertThat(taken.name()).isEqualTo("rq:scheduled:default");
        assertThat(taken.kind()).as("every job by time, due or not").isEqualTo(QueueKind.PRIORITY);
        assertThat(taken.jobHashes().keyPrefix()).isEqualTo("rq:job:");
        QueueConfig pushed = scheduled.pushConfig();
        assertThat(pushed.kind()).isEqualTo(QueueKind.DELAYED);
        assertThat(pushed.dueTimeUnit()).isEqualTo(DueTimeUnit.SECONDS);
        assertThat(pushed.registry()).as("as RQ's schedule_job").contains(new QueueConfig.Registry("rq:queues", "rq:queue:default"));
        assertThat(new SystemQueue(JobFormat.RQ, "default", JobSet.DEAD).pushConfig().registry()).isEmpty();
    }

    @Test
    void argumentThatIsAnObjectIsUnreadableWithItsClass() {
        assertThatThrownBy(() -> codec.toEvent(RqFixtures.job("pickle-datetime-arg"), "default", JobSet.READY))
                .isInstanceOf(UnreadableJobException.class)
                .hasMessageContaining("the data (pickle) of the RQ job ")
                .hasMessageContaining("loads the global datetime.datetime");
    }

    @Test
    void argumentThatIsASetIsUnreadable() {
        assertThatThrownBy(() -> codec.toEvent(RqFixtures.job("pickle-set-arg"), "default", JobSet.READY))
                .isInstanceOf(UnreadableJobException.class)
                .hasMessageContaining("loads a set");
    }

    @Test
    void idWithoutItsHashIsUnreadable() {
        NativeJob orphan = NativeJob.ofHash("gone".getBytes(UTF_8), Map.of(), Optional.empty());

        assertThatThrownBy(() -> codec.toEvent(orphan, "default", JobSet.READY))
                .isInstanceOf(UnreadableJobException.class)
                .hasMessageStartingWith("the RQ job gone in ready of queue default has no hash rq:job:gone");
    }

    @Test
    void hashWithoutDataIsUnreadable() {
        NativeJob job = NativeJob.ofHash("x".getBytes(UTF_8), Map.of("status", "queued".getBytes(UTF_8)), Optional.empty());

        assertThatThrownBy(() -> codec.toEvent(job, "default", JobSet.READY))
                .isInstanceOf(UnreadableJobException.class)
                .hasMessageContaining("has no \"data\" field");
    }

    @Test
    void dataThatInflatesPastTheLimitIsRefusedInsteadOfFillingTheHeap() {
        java.io.ByteArrayOutputStream bomb = new java.io.ByteArrayOutputStream();
        try (var zlib = new java.util.zip.DeflaterOutputStream(bomb, new java.util.zip.Deflater(9))) {
            byte[] zeros = new byte[1 << 20];
            for (int i = 0; i < RqSerializer.MAX_INFLATED_BYTES / zeros.length + 1; i++) {
                zlib.write(zeros);
            }
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        NativeJob job = NativeJob.ofHash("bomb".getBytes(UTF_8), Map.of("data", bomb.toByteArray()), Optional.empty());

        assertThatThrownBy(() -> codec.toEvent(job, "default", JobSet.READY))
                .isInstanceOf(UnreadableJobException.class)
                .hasMessageContaining("inflates to more than " + RqSerializer.MAX_INFLATED_BYTES + " bytes");
    }

    @Test
    void bytesCannotBeWrittenWithTheJsonSerializer() {
        CloudEvent event = throughTheWire(codec.toEvent(RqFixtures.job("pickle-every-type"), "default", JobSet.READY));

        assertThatThrownBy(() -> new RqCodec(RqSerializer.JSON).toNative(event, "jsonq", JobSet.READY))
                .isInstanceOf(UnreadableJobException.class)
                .hasMessageContaining("holds bytes, which RQ's JSONSerializer cannot write");
    }

    @Test
    void rqTimesAreReadAndWrittenAsRqsUtcformat() {
        Instant time = OffsetDateTime.parse("2026-12-08T01:39:53.511384Z").toInstant();

        assertThat(RqCodec.format(time)).isEqualTo("2026-12-08T01:39:53.511384Z");
        assertThat(RqCodec.parse("2026-12-08T01:39:53.511384Z")).isEqualTo(time);
        assertThat(RqCodec.parse("2026-12-08T01:39:53Z")).isEqualTo(Instant.parse("2026-12-08T01:39:53Z"));
        assertThat(RqCodec.format(Instant.parse("2026-12-08T01:39:53Z"))).isEqualTo("2026-12-08T01:39:53.000000Z");
    }

    private static byte[] inflate(byte[] zlib) {
        try (var in = new java.util.zip.InflaterInputStream(new java.io.ByteArrayInputStream(zlib))) {
            return in.readAllBytes();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static String field(NativeJob job, String name) {
        return new String(job.hash().get(name), UTF_8);
    }

    /** The hash's text fields but {@code except}, as strings. */
    private static Map<String, String> strings(Map<String, byte[]> hash, String... except) {
        Map<String, String> out = new HashMap<>();
        hash.forEach((k, v) -> {
            if (!java.util.List.of(except).contains(k)) {
                out.put(k, new String(v, UTF_8));
            }
        });
        return out;
    }
}
