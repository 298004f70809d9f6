package dev.qbridge.camel.crash;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.qbridge.core.queue.QueueConfig;
import dev.qbridge.core.queue.RedisQueue;
import dev.qbridge.core.redis.JedisConnection;
import dev.qbridge.core.redis.RedisEndpoint;
import dev.qbridge.testkit.JavaProcess;
import dev.qbridge.testkit.RedisServerExtension;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** A JVM running a redisq route is killed with SIGKILL mid-stream; after a restart every job is delivered. */
class KillNineIT {

    @RegisterExtension
    static RedisServerExtension redis = RedisServerExtension.standalone();

    private static final int JOBS = 1000;

    private JavaProcess route() {
        return JavaProcess.builder(RouteUnderKillMain.class).jvmArgs("-Xmx256m")
                .args(redis.uri(), redis.host(), String.valueOf(redis.port()), "redisq", "2").start();
    }

    @Test
    void everyJobIsDeliveredAtLeastOnceWhenTheRouteIsKilledMidStreamAndRestarted() throws Exception {
        List<String> payloads = IntStream.range(0, JOBS).mapToObj(i -> "job-" + i).toList();
        try (JedisConnection connection = JedisConnection.open(RedisEndpoint.parse(redis.uri()))) {
            RedisQueue jobs = new RedisQueue(connection, QueueConfig.builder("jobs").build());
            jobs.push(payloads.stream().map(p -> p.getBytes(StandardCharsets.UTF_8)).toList());

            try (JavaProcess first = route()) {
                first.waitForOutputLine("started", Duration.ofSeconds(60));
                await().atMost(Duration.ofSeconds(60)).until(() -> redis.client().llen("delivered") >= JOBS / 5);
                assertThat(first.kill9()).isEqualTo(137);
            }
            // a dead process acks nothing: the leases now are the jobs it held when it was killed
            Set<String> inFlightAtKill = leasedPayloads();
            assertThat(inFlightAtKill).as("the kill hit jobs in flight").isNotEmpty();
            long deliveredBeforeRestart = redis.client().llen("delivered");
            assertThat(deliveredBeforeRestart).as("killed mid-stream").isLessThan(JOBS);

            try (JavaProcess second = route()) {
                second.waitForOutputLine("started", Duration.ofSeconds(60));
                await().atMost(Duration.ofSeconds(120)).until(() -> jobs.counts().total() == 0
                        && distinct(redis.client().lrange("delivered", 0, -1)).size() == JOBS);
            }
            List<String> deliveries = redis.client().lrange("delivered", 0, -1);
            System.out.println("KILLTEST deliveredBeforeRestart=" + deliveredBeforeRestart + " deliveries=" + deliveries.size());
            assertThat(distinct(deliveries)).as("every job delivered").containsExactlyInAnyOrderElementsOf(payloads);
            Map<String, Long> times = deliveries.stream().collect(Collectors.groupingBy(d -> d, Collectors.counting()));
            Set<String> twice = times.entrySet().stream().filter(e -> e.getValue() > 1).map(Map.Entry::getKey)
                    .collect(Collectors.toSet());
            assertThat(twice).as("only a job in flight at the kill may be delivered again").isSubsetOf(inFlightAtKill);
            assertThat(times.values()).as("and at most once more").allMatch(n -> n <= 2);
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

    private static Set<String> distinct(List<String> values) {
        return new HashSet<>(values);
    }
}
