package dev.qbridge.camel.crash;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.qbridge.camel.bridge.JsonLinesReader;
import dev.qbridge.core.queue.QueueConfig;
import dev.qbridge.core.queue.RedisQueue;
import dev.qbridge.core.redis.JedisConnection;
import dev.qbridge.core.redis.RedisEndpoint;
import dev.qbridge.testkit.JavaProcess;
import dev.qbridge.testkit.RedisServerExtension;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A JVM running the redisq-to-file bridge in jsonLines mode is killed with SIGKILL mid-stream; after a restart every
 * job is in the file, and only jobs in flight at the kill are in it twice.
 */
class JsonLinesKillNineIT {

    @RegisterExtension
    static RedisServerExtension redis = RedisServerExtension.standalone();

    private static final int JOBS = 3000;

    @TempDir
    Path dir;

    private JavaProcess route() {
        return JavaProcess.builder(RouteUnderKillMain.class).jvmArgs("-Xmx256m")
                .args(redis.uri(), redis.host(), String.valueOf(redis.port()), "jsonlines", "2", dir.toString()).start();
    }

    @Test
    void everyJobIsInTheFileAtLeastOnceWhenTheBridgeIsKilledMidStreamAndRestarted() throws Exception {
        List<String> payloads = IntStream.range(0, JOBS).mapToObj(i -> "job-" + i).toList();
        Path file = dir.resolve("jobs.jsonl");
        try (JedisConnection connection = JedisConnection.open(RedisEndpoint.parse(redis.uri()))) {
            RedisQueue jobs = new RedisQueue(connection, QueueConfig.builder("jobs").build());
            jobs.push(payloads.stream().map(p -> p.getBytes(StandardCharsets.UTF_8)).toList());

            try (JavaProcess first = route()) {
                first.waitForOutputLine("started", Duration.ofSeconds(60));
                await().atMost(Duration.ofSeconds(60)).until(() -> lines(file) >= JOBS / 5);
                assertThat(first.kill9()).isEqualTo(137);
            }
            // a dead process acks nothing: the leases now are the jobs it held when it was killed
            Set<String> inFlightAtKill = leasedPayloads();
            long writtenBeforeRestart = lines(file);
            assertThat(writtenBeforeRestart).as("killed mid-stream").isLessThan(JOBS);

            try (JavaProcess second = route()) {
                second.waitForOutputLine("started", Duration.ofSeconds(60));
                await().atMost(Duration.ofSeconds(120)).until(() -> jobs.counts().total() == 0);
            }
            JsonLinesReader.Contents contents = JsonLinesReader.read(file);
            List<String> written = contents.jobs().stream().map(JsonLinesReader.Job::text).toList();
            System.out.println("KILLTEST jsonlines writtenBeforeRestart=" + writtenBeforeRestart + " lines=" + written.size()
                    + " torn=" + contents.torn().size() + " inFlightAtKill=" + inFlightAtKill.size());
            assertThat(new HashSet<>(written)).as("every job written").containsExactlyInAnyOrderElementsOf(payloads);
            Map<String, Long> times = written.stream().collect(Collectors.groupingBy(Function.identity(), Collectors.counting()));
            Set<String> twice = times.entrySet().stream().filter(e -> e.getValue() > 1).map(Map.Entry::getKey)
                    .collect(Collectors.toSet());
            assertThat(twice).as("only a job in flight at the kill may be written again").isSubsetOf(inFlightAtKill);
            assertThat(times.values()).as("and at most once more").allMatch(n -> n <= 2);
        }
    }

    private static long lines(Path file) throws IOException {
        if (!Files.exists(file)) {
            return 0;
        }
        try (var lines = Files.lines(file, StandardCharsets.ISO_8859_1)) {
            return lines.count();
        }
    }

    /** The payloads of the jobs leased now: lease members are {@code <id>:<attempt>:<score>:<payload>}. */
    private static Set<String> leasedPayloads() {
        Set<String> payloads = new HashSet<>();
        for (String member : redis.client().zrange("jobs:leases", 0, -1)) {
            payloads.add(member.split(":", 4)[3]);
        }
        return payloads;
    }
}
