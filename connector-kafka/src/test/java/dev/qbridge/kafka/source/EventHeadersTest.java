package dev.qbridge.kafka.source;

import static org.assertj.core.api.Assertions.assertThat;

import dev.qbridge.formats.JobFormat;
import dev.qbridge.formats.JobSet;
import dev.qbridge.formats.JobTranslation;
import dev.qbridge.formats.SystemQueue;
import dev.qbridge.formats.TaskMap;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.connect.header.ConnectHeaders;
import org.apache.kafka.connect.header.Header;
import org.junit.jupiter.api.Test;

/** A job system's record carries the event's attributes as ce_* headers, with the text the value holds. */
class EventHeadersTest {
    private static final String SIDEKIQ_JOB = "{\"retry\":true,\"queue\":\"default\",\"args\":[1,\"x\"],"
            + "\"class\":\"HardWorker\",\"jid\":\"6b98afa0037ad29370021c04\",\"created_at\":1796675219.009429,"
            + "\"enqueued_at\":1796675219.0095787,\"tags\":[\"billing\"]}";

    @Test
    void sidekiqJobsAttributesAreHeadersButItsOwnFieldsAndTheDataContentType() {
        Map<String, String> headers = headers(new JobTranslation(SystemQueue.ready(JobFormat.SIDEKIQ, "default"),
                TaskMap.NONE), SIDEKIQ_JOB, Optional.empty());

        assertThat(headers).containsExactly(
                Map.entry("content-type", "application/cloudevents+json"),
                Map.entry("ce_specversion", "1.0"),
                Map.entry("ce_id", "6b98afa0037ad29370021c04"),
                Map.entry("ce_source", "/sidekiq/queues/default"),
                Map.entry("ce_type", "HardWorker"),
                Map.entry("ce_time", "2026-12-07T20:26:59.0095787Z"),
                Map.entry("ce_jobsystem", "sidekiq"),
                Map.entry("ce_queue", "default"),
                Map.entry("ce_retry", "true"),
                Map.entry("ce_attempts", "0"));
    }

    @Test
    void headersMadeOnceForRepeatingAttributesFollowEachJobsOwnValues() {
        JobTranslation defaults = new JobTranslation(SystemQueue.ready(JobFormat.SIDEKIQ, "default"), TaskMap.NONE);
        JobTranslation mailers = new JobTranslation(SystemQueue.ready(JobFormat.SIDEKIQ, "mailers"), TaskMap.NONE);

        Map<String, String> first = headers(defaults, SIDEKIQ_JOB, Optional.empty());
        Map<String, String> second = headers(mailers, SIDEKIQ_JOB.replace("\"retry\":true", "\"retry\":3")
                .replace("\"jid\":\"6b", "\"retry_count\":1,\"jid\":\"7c"), Optional.empty());
        Map<String, String> third = headers(defaults, SIDEKIQ_JOB, Optional.empty());

        assertThat(second).containsEntry("ce_queue", "mailers").containsEntry("ce_source", "/sidekiq/queues/mailers")
                .containsEntry("ce_retry", "3").containsEntry("ce_attempts", "2")
                .containsEntry("ce_id", "7c98afa0037ad29370021c04");
        assertThat(third).isEqualTo(first);
    }

    @Test
    void scheduledTimeIsRfc3339AsInTheValueEvenOnAWholeMinute() {
        // epoch seconds as the set's score: 2026-12-07T20:27:00Z, which OffsetDateTime.toString wrote without seconds
        Map<String, String> headers = headers(new JobTranslation(new SystemQueue(JobFormat.SIDEKIQ, "default",
                JobSet.SCHEDULED), TaskMap.NONE), SIDEKIQ_JOB, Optional.of("1796675220"));

        assertThat(headers).containsEntry("ce_scheduled", "2026-12-07T20:27:00Z");
    }

    @Test
    void celeryTasksTimesAreRfc3339AsInTheValue() {
        String task = "{\"body\": \"W1sxLCAyXSwge30sIHsiY2FsbGJhY2tzIjogbnVsbCwgImVycmJhY2tzIjogbnVsbCwgImNoYWluIjogbnVs"
                + "bCwgImNob3JkIjogbnVsbH1d\", \"content-encoding\": \"utf-8\", \"content-type\": \"application/json\","
                + " \"headers\": {\"lang\": \"py\", \"task\": \"tasks.add\", \"id\": \"t1\", \"shadow\": null,"
                + " \"eta\": \"2026-12-07T20:27:00+00:00\", \"expires\": null, \"group\": null, \"group_index\": null,"
                + " \"retries\": 0, \"timelimit\": [null, null], \"root_id\": \"t1\", \"parent_id\": null,"
                + " \"argsrepr\": \"(1, 2)\", \"kwargsrepr\": \"{}\", \"origin\": \"gen1@host\", \"ignore_result\": false},"
                + " \"properties\": {\"correlation_id\": \"t1\", \"reply_to\": \"r1\", \"delivery_mode\": 2,"
                + " \"delivery_info\": {\"exchange\": \"\", \"routing_key\": \"celery\"}, \"priority\": 0,"
                + " \"body_encoding\": \"base64\", \"delivery_tag\": \"d1\"}}";

        Map<String, String> headers = headers(new JobTranslation(SystemQueue.ready(JobFormat.CELERY, "celery"),
                TaskMap.NONE), task, Optional.empty());

        assertThat(headers).containsEntry("ce_id", "t1").containsEntry("ce_type", "tasks.add")
                .containsEntry("ce_scheduled", "2026-12-07T20:27:00Z").doesNotContainKey("ce_celery");
    }

    private final EventHeaders eventHeaders = new EventHeaders();

    private Map<String, String> headers(JobTranslation translation, String job, Optional<String> score) {
        ConnectHeaders headers = new ConnectHeaders();
        eventHeaders.add(translation.written(job.getBytes(StandardCharsets.UTF_8), score), headers);
        Map<String, String> all = new LinkedHashMap<>();
        for (Header h : headers) {
            all.put(h.key(), (String) h.value());
        }
        assertThat(all).as("one header per name").hasSize(headers.size());
        return all;
    }
}
