package dev.qbridge.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The RQ fixture drives the real RQ: in CI (QBRIDGE_CI=1) a missing python3-rq fails here instead of skipping, so
 * the RQ interop tests cannot pass by not running.
 */
class RqIT {

    @RegisterExtension
    static RedisServerExtension redis = RedisServerExtension.standalone();

    @Test
    void rqsClientEnqueuesAndItsWorkerRunsTheJobWithItsPythonTypes() {
        Rq.requireInstalled();
        List<Rq.Enqueued> jobs = Rq.enqueue(redis.uri(), "[{\"func\": \"tasks.add\", \"args_py\": \"(1, (2, 3), b'x')\","
                + " \"kwargs\": {\"k\": 1.0}}, {\"func\": \"tasks.add\", \"args\": [\"j\"], \"serializer\": \"json\","
                + " \"queue\": \"jsonq\"}]");

        assertThat(jobs).hasSize(2);
        assertThat(jobs.get(0).argsRepr()).isEqualTo("(1, (2, 3), b'x')");
        assertThat(jobs.get(0).kwargsRepr()).isEqualTo("{'k': 1.0}");
        try (JobWorker worker = Rq.startWorker(redis.uri(), List.of("default"), List.of("tasks.add"), false)) {
            List<String> runs = worker.awaitExecuted(1, Duration.ofSeconds(60));
            assertThat(runs.get(0)).contains("\"id\": \"" + jobs.get(0).id() + "\"", "\"func\": \"tasks.add\"",
                    "\"args\": \"(1, (2, 3), b'x')\"", "\"kwargs\": \"{'k': 1.0}\"", "\"origin\": \"default\"");
        }
        try (JobWorker worker = Rq.startWorker(redis.uri(), List.of("jsonq"), List.of("tasks.add"), true)) {
            List<String> runs = worker.awaitExecuted(1, Duration.ofSeconds(60));
            assertThat(runs.get(0)).contains("\"id\": \"" + jobs.get(1).id() + "\"", "\"args\": \"('j',)\"");
        }
    }
}
