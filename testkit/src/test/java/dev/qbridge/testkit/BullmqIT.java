package dev.qbridge.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The BullMQ fixture drives the real BullMQ: in CI (QBRIDGE_CI=1) missing node or npm packages fail here instead of
 * skipping, so the BullMQ interop tests cannot pass by not running.
 */
class BullmqIT {

    @RegisterExtension
    static RedisServerExtension redis = RedisServerExtension.standalone();

    @Test
    void bullmqsQueueAddsAndItsWorkerRunsWaitingBeforePrioritizedJobs() {
        Bullmq.requireInstalled();
        List<Bullmq.Added> jobs = Bullmq.add(redis.uri(), "[{\"name\": \"urgent\", \"data\": {\"p\": 2},"
                + " \"opts\": {\"priority\": 2}}, {\"name\": \"urgent\", \"data\": {\"p\": 1}, \"opts\": {\"priority\": 1}},"
                + " {\"name\": \"mail\", \"data\": [1, \"x\"]}]");

        assertThat(jobs).extracting(Bullmq.Added::id).containsExactly("1", "2", "3");
        assertThat(jobs.get(2).dataJson()).isEqualTo("[1,\"x\"]");
        try (JobWorker worker = Bullmq.startWorker(redis.uri(), List.of("default"))) {
            List<String> runs = worker.awaitExecuted(3, Duration.ofSeconds(60));
            assertThat(runs.get(0)).contains("\"id\":\"3\"", "\"name\":\"mail\"", "\"data\":[1,\"x\"]");
            assertThat(runs.get(1)).contains("\"id\":\"2\"", "\"priority\":1");
            assertThat(runs.get(2)).contains("\"id\":\"1\"", "\"priority\":2");
        }
    }
}
