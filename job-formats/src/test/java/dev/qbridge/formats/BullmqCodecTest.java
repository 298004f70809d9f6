package dev.qbridge.formats;

import static dev.qbridge.formats.Fixtures.tree;
import static dev.qbridge.formats.SidekiqCodecTest.throughTheWire;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.cloudevents.CloudEvent;
import java.net.URI;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** On jobs written by BullMQ 6.7.6 (see {@link BullmqFixtures}). */
class BullmqCodecTest {
    private final BullmqCodec codec = new BullmqCodec();

    @Test
    void jobBecomesAnEventOfItsIdNameAndDataObjectAsKwargs() {
        NativeJob job = BullmqFixtures.job("waiting-every-type");

        CloudEvent event = codec.toEvent(job, "default", JobSet.READY);

        assertThat(event.getId()).isEqualTo("1");
        assertThat(event.getType()).isEqualTo("mail");
        assertThat(event.getSource()).isEqualTo(URI.create("/bullmq/queues/default"));
        assertThat(event.getTime().toInstant()).isEqualTo(Instant.ofEpochMilli(Long.parseLong(field(job, "timestamp"))));
        assertThat(JobData.of(event).args()).isEmpty();
        assertThat(JobData.of(event).kwargs()).isEqualTo(tree("{\"to\": \"a@example.org\", \"n\": 1, \"f\": 1.5,"
                + " \"big\": 12345678901234567000, \"tiny\": 1.5e-7, \"u\": \"caf\\u00e9 \\u2603 \\ud83d\\ude00 / \\\"q\\\""
                + " \\\\ \\n\\t\\u0001\", \"nested\": {\"l\": [1, null, true]}}"));
        assertThat(event.getExtension("jobsystem")).isEqualTo("bullmq");
        assertThat(event.getExtension("queue")).isEqualTo("default");
        assertThat(event.getExtension("attempts")).isEqualTo(0);
        assertThat(event.getExtension("priority")).as("0 is no priority in BullMQ").isNull();
        JsonNode bullmq = tree(event.getExtension("bullmq").toString());
        assertThat(bullmq.get("opts")).isEqualTo(tree("{\"attempts\": 0}"));
        assertThat(bullmq.get("fields")).as("delay 0 is what the writer derives").isEmpty();
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {"waiting-array | [[1, \"two\", 3.25]]", "waiting-string | [\"just a string\"]",
            "waiting-no-data | []"})
    void dataThatIsNoObjectIsTheOnlyArgument(String fixture, String args) {
        CloudEvent event = codec.toEvent(BullmqFixtures.job(fixture), "default", JobSet.READY);

        assertThat(JobData.of(event).args()).isEqualTo(tree(args));
        assertThat(JobData.of(event).kwargs()).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"waiting-every-type", "waiting-array", "waiting-no-data", "waiting-string", "lifo",
            "prioritized", "prioritized-5", "custom-id-opts", "delayed", "delayed-prioritized", "failed"})
    void everyFieldComesBackByteForByte(String fixture) {
        NativeJob original = BullmqFixtures.job(fixture);
        JobSet set = BullmqFixtures.set(fixture);

        NativeJob written = codec.toNative(throughTheWire(codec.toEvent(original, "default", set)), "default", set);

        assertThat(strings(written.hash())).isEqualTo(strings(original.hash()));
        assertThat(written.hash().keySet()).as("storeJob's order first")
                .startsWith("name", "data", "opts", "timestamp", "delay", "priority");
        String id = new String(original.bytes(), UTF_8);
        assertThat(new String(written.bytes(), UTF_8)).as("a counter's id is the target counter's to give")
                .isEqualTo(BullmqCodec.isCounterId(id) ? "" : id);
        if (set == JobSet.READY) {
            assertThat(written.at()).isEmpty();
        } else {
            assertThat(written.at()).isEqualTo(original.at());
        }
    }

    @Test
    void prioritizedJobCarriesItsPriority() {
        CloudEvent event = throughTheWire(codec.toEvent(BullmqFixtures.job("prioritized-5"), "default", JobSet.READY));

        assertThat(event.getExtension("priority")).isEqualTo(5);
        assertThat(codec.toNative(event, "other").priority()).hasValue(5);
    }

    @Test
    void delayedJobIsDueAtTheMillisecondOfItsScore() {
        NativeJob job = BullmqFixtures.job("delayed");
        long timestamp = Long.parseLong(field(job, "timestamp"));

        CloudEvent event = codec.toEvent(job, "default", JobSet.SCHEDULED);

        assertThat(JobExtensions.time(event, JobExtensions.SCHEDULED)).hasValue(Instant.ofEpochMilli(timestamp + 60_000));
        assertThat(BullmqCodec.timeOfScore(BullmqFixtures.score("delayed"), JobSet.SCHEDULED))
                .isEqualTo(Instant.ofEpochMilli(Long.parseLong(BullmqFixtures.score("delayed")) / 0x1000));
    }

    @Test
    void delayedJobWhoseDueTimeIsNotItsTimestampPlusDelayKeepsBoth() {
        // moveToDelayed (a retry with backoff) scores the job from the time it failed, not from its timestamp
        NativeJob added = BullmqFixtures.job("delayed");
        Instant due = added.at().orElseThrow().plusSeconds(300);
        NativeJob retried = NativeJob.ofHash(added.bytes(), added.hash(), Optional.of(due));

        CloudEvent event = throughTheWire(codec.toEvent(retried, "default", JobSet.SCHEDULED));
        NativeJob written = codec.toNative(event, "default", JobSet.SCHEDULED);

        assertThat(tree(event.getExtension("bullmq").toString()).at("/fields/delay").asText()).isEqualTo("60000");
        assertThat(written.at()).hasValue(due);
        assertThat(strings(written.hash())).isEqualTo(strings(added.hash()));
    }

    @Test
    void dataThatIsNotJsonIsUnreadableWithWhereItIs() {
        Map<String, byte[]> hash = new LinkedHashMap<>(BullmqFixtures.job("waiting-no-data").hash());
        hash.put("data", "{not json".getBytes(UTF_8));

        assertThatThrownBy(() -> codec.toEvent(NativeJob.ofHash("3".getBytes(UTF_8), hash, Optional.empty()), "default",
                JobSet.READY)).isInstanceOf(UnreadableJobException.class)
                .hasMessageContaining("the data of the BullMQ job 3 in ready of queue default (noargs) is not JSON");
    }

    @Test
    void failedJobDiedWhenItFinishedAndCountsItsAttempts() {
        NativeJob job = BullmqFixtures.job("failed");

        CloudEvent event = codec.toEvent(job, "default", JobSet.DEAD);

        assertThat(JobExtensions.time(event, JobExtensions.DIED))
                .hasValue(Instant.ofEpochMilli(Long.parseLong(field(job, "finishedOn"))));
        assertThat(event.getExtension("attempts")).isEqualTo(1);
        JsonNode fields = tree(event.getExtension("bullmq").toString()).get("fields");
        assertThat(fields.get("failedReason").asText()).isEqualTo("qbridge test: fails fails");
        assertThat(fields.get("stacktrace").asText()).startsWith("[\"Error: qbridge test: fails fails\\n");
    }

    @Test
    void celeryTaskBecomesTheJobBullmqsQueueAddsWithItsIdPriorityAndArgs() {
        CloudEvent celery = throughTheWire(new CeleryCodec().toEvent(Fixtures.bytes("celery/kwargs-priority.json"), "celery"));

        NativeJob written = codec.toNative(celery, "tasks");

        assertThat(new String(written.bytes(), UTF_8)).isEqualTo(celery.getId());
        assertThat(field(written, "name")).isEqualTo(celery.getType());
        assertThat(field(written, "data")).isEqualTo("{\"args\":[\"x\",{\"k\":1.5,\"n\":null,\"big\":12345678901234567890},"
                + "\"\u00e9 \u00fcn\u00efcode\",1],\"kwargs\":{\"z\":1796673940.1421893,\"flag\":true}}");
        assertThat(field(written, "opts")).isEqualTo("{\"jobId\":\"" + celery.getId() + "\",\"priority\":3,\"attempts\":0}");
        assertThat(field(written, "priority")).isEqualTo("3");
        assertThat(field(written, "delay")).isEqualTo("0");
        assertThat(written.priority()).hasValue(3);
    }

    @Test
    void sidekiqJobsArgsAreAnArrayAndItsOneHashIsTheData() {
        CloudEvent positional = throughTheWire(new SidekiqCodec().toEvent(Fixtures.bytes("sidekiq/perform-async.json"),
                "default"));
        CloudEvent oneHash = JobEvents.parse("{\"type\": \"Mail\", \"args\": [{\"to\": \"a\"}], \"id\": \"abc\"}"
                .getBytes(UTF_8));

        assertThat(field(codec.toNative(positional, "default"), "data")).isEqualTo("[1,2]");
        assertThat(field(codec.toNative(oneHash, "default"), "data")).isEqualTo("{\"to\":\"a\"}");
        assertThat(field(codec.toNative(oneHash, "default"), "opts")).isEqualTo("{\"jobId\":\"abc\",\"attempts\":0}");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "{\"args\": [], \"kwargs\": {}}                  | {}",
            "{\"args\": [], \"kwargs\": {\"a\": 1.0}}        | {\"a\":1}",
            "{\"args\": [\"s\"], \"kwargs\": {}}             | \"s\"",
            "{\"args\": [[1]], \"kwargs\": {}}               | [1]",
            "{\"args\": [1, 2], \"kwargs\": {}}              | [1,2]",
            "{\"args\": [1], \"kwargs\": {\"k\": \"/\"}}     | {\"args\":[1],\"kwargs\":{\"k\":\"/\"}}"})
    void argsAndKwargsBecomeBullmqsOneValueOfData(String data, String written) {
        CloudEvent event = JobEvents.parse(("{\"type\": \"t\", \"id\": \"x\", " + data.substring(1)).getBytes(UTF_8));

        assertThat(field(codec.toNative(event, "default"), "data")).isEqualTo(written);
    }

    @Test
    void scheduledEventIsWrittenDelayedUntilItsTime() {
        Instant due = Instant.parse("2030-01-01T00:00:00.123Z");
        CloudEvent event = JobEvents.parse(("{\"specversion\": \"1.0\", \"id\": \"later-1\", \"source\": \"/x\","
                + " \"type\": \"t\", \"time\": \"2029-12-31T23:59:00Z\", \"scheduled\": \"" + due + "\","
                + " \"datacontenttype\": \"application/json\", \"data\": {\"args\": [], \"kwargs\": {}}}").getBytes(UTF_8));

        NativeJob written = codec.toNative(event, "default", JobSet.SCHEDULED);

        assertThat(written.at()).hasValue(due);
        assertThat(field(written, "delay")).isEqualTo("60123");
        assertThat(field(written, "opts")).isEqualTo("{\"jobId\":\"later-1\",\"delay\":60123,\"attempts\":0}");
        assertThat(BullmqAdd.args(written, "default", JobSet.SCHEDULED).get(4)).isEqualTo(
                Long.toString(due.toEpochMilli()).getBytes(UTF_8));
    }

    @Test
    void idsAndPrioritiesBullmqRefusesAreUnreadable() {
        assertThatThrownBy(() -> codec.toNative(JobEvents.parse("{\"type\": \"t\", \"args\": [], \"id\": \"a:b\"}"
                .getBytes(UTF_8)), "default")).isInstanceOf(UnreadableJobException.class).hasMessageContaining("':'");
        CloudEvent tooHigh = JobEvents.parse(("{\"specversion\": \"1.0\", \"id\": \"p\", \"source\": \"/x\", \"type\": \"t\","
                + " \"priority\": 2097152, \"data\": {\"args\": []}}").getBytes(UTF_8));
        assertThatThrownBy(() -> codec.toNative(tooHigh, "default")).hasMessageContaining("from 0 to 2097151");
        assertThatThrownBy(() -> codec.toNative(tooHigh, "default", JobSet.RETRY))
                .hasMessageContaining("BullMQ keeps no retry set");
    }

    @Test
    void idWithoutItsHashIsUnreadable() {
        assertThatThrownBy(() -> codec.toEvent(NativeJob.ofHash("7".getBytes(UTF_8), Map.of(), Optional.empty()),
                "default", JobSet.READY)).isInstanceOf(UnreadableJobException.class)
                .hasMessageContaining("has no hash bull:default:7");
    }

    @Test
    void bullmqKeysAreTheOnesBullmqsScriptsUse() {
        SystemQueue ready = SystemQueue.ready(JobFormat.parse("bullmq"), "mail");

        assertThat(ready.readyKey()).isEqualTo("bull:mail:wait");
        assertThat(ready.prioritizedKey()).isEqualTo("bull:mail:prioritized");
        assertThat(ready.jobKey("12")).isEqualTo("bull:mail:12");
        assertThat(ready.registryKey()).isNull();
        assertThat(ready.keepsJobsInHashes()).isTrue();
        assertThat(new SystemQueue(JobFormat.BULLMQ, "mail", JobSet.SCHEDULED).readyKey()).isEqualTo("bull:mail:delayed");
        assertThat(new SystemQueue(JobFormat.BULLMQ, "mail", JobSet.DEAD).readyKey()).isEqualTo("bull:mail:failed");
        assertThatThrownBy(() -> new SystemQueue(JobFormat.BULLMQ, "mail", JobSet.RETRY))
                .hasMessageContaining("BullMQ keeps no retry set");
        assertThatThrownBy(ready::config).hasMessageContaining("format=bullmq is not supported on this path yet");
        assertThatThrownBy(ready::pushConfig).hasMessageContaining("format=bullmq is not supported on this path yet");
        assertThat(JobFormat.BULLMQ.codec()).containsInstanceOf(BullmqCodec.class);
    }

    @Test
    void translationReadsADelayedScoreAsBullmqsMilliseconds() {
        NativeJob job = BullmqFixtures.job("delayed");
        JobTranslation translation = new JobTranslation(new SystemQueue(JobFormat.BULLMQ, "default", JobSet.SCHEDULED),
                TaskMap.NONE);

        CloudEvent event = translation.event(job.bytes(), job.hash(), Optional.of(BullmqFixtures.score("delayed")));

        assertThat(JobExtensions.time(event, JobExtensions.SCHEDULED)).isEqualTo(job.at());
    }

    private static String field(NativeJob job, String field) {
        return new String(job.hash().get(field), UTF_8);
    }

    static Map<String, String> strings(Map<String, byte[]> hash) {
        Map<String, String> out = new LinkedHashMap<>();
        hash.forEach((field, value) -> out.put(field, new String(value, UTF_8)));
        return out;
    }
}
