package dev.qbridge.server.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.qbridge.core.lease.Reaper;
import dev.qbridge.core.queue.QueueConfig;
import dev.qbridge.core.queue.RedisQueue;
import dev.qbridge.core.redis.JedisConnection;
import dev.qbridge.core.redis.RedisConnection;
import dev.qbridge.core.redis.RedisEndpoint;
import dev.qbridge.core.retry.RetryPolicy;
import dev.qbridge.server.Cli;
import dev.qbridge.server.Qbridge;
import dev.qbridge.testkit.JavaProcess;
import dev.qbridge.testkit.RedisServerExtension;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The leases of a migration's batch in flight, with the real command in a child JVM and a real HTTP destination that
 * is slower than the lease: renewed while the batch is written, and given back when the migration is interrupted.
 */
class MigrateLeaseIT {

    private static final int JOBS = 200;

    @RegisterExtension
    static RedisServerExtension redis = RedisServerExtension.standalone();

    private RedisConnection connection;

    @BeforeEach
    void connect() {
        redis.flushAll();
        connection = JedisConnection.open(RedisEndpoint.parse(redis.uri()));
        List<byte[]> jobs = new ArrayList<>();
        IntStream.rangeClosed(1, JOBS).forEach(i -> jobs.add(("job-" + i).getBytes(StandardCharsets.UTF_8)));
        new RedisQueue(connection, QueueConfig.builder("orders").build()).push(jobs);
    }

    @AfterEach
    void close() {
        connection.close();
    }

    private static List<String> allJobs() {
        return IntStream.rangeClosed(1, JOBS).mapToObj(i -> "job-" + i).toList();
    }

    @Test
    void aDestinationSlowerThanTheLeaseGetsEveryJobOnceWhileAnotherProcessReaps() {
        // 200 jobs at 50 ms a POST: one batch takes 10 s, ten times the lease; another consumer of the queue (here the
        // test) reaps expired leases every 100 ms, as a server's consumers of the same queue would
        QueueConfig config = QueueConfig.builder("orders").leaseTimeout(Duration.ofSeconds(1))
                .retry(RetryPolicy.of(2, Duration.ofSeconds(1))).build();
        AtomicLong reaped = new AtomicLong();
        ScheduledExecutorService reaper = Executors.newSingleThreadScheduledExecutor();
        reaper.scheduleWithFixedDelay(() -> reaped.addAndGet(new Reaper(connection, config).reapExpired().total()),
                100, 100, TimeUnit.MILLISECONDS);
        try (SlowHttpServer http = SlowHttpServer.start(Duration.ofMillis(50));
             JavaProcess migrate = JavaProcess.start(Qbridge.class, "migrate", "--from",
                     "redisq:orders?redisUri=" + redis.uri() + "&visibilityTimeout=1000", "--to", http.url(),
                     "--progress", "lines")) {
            int exit = migrate.waitForExit(Duration.ofSeconds(120));
            String output = String.join("\n", migrate.outputLines());

            assertThat(exit).as(output).isZero();
            assertThat(http.posted()).as("each job POSTed once").hasSize(JOBS).containsExactlyInAnyOrderElementsOf(allJobs());
            assertThat(reaped.get()).as("no lease of the batch in flight expired").isZero();
            assertThat(output).contains("verify: source before 200, after 0; written to destination 200; moved", ": OK");
        } finally {
            reaper.shutdownNow();
        }
    }

    @ParameterizedTest(name = "SIG{0} exits {1}")
    @CsvSource({"INT, 130", "TERM, 143"})
    void anInterruptedMigrationGivesBackTheJobsInFlightAndSaysWhatBecameOfThem(String signal, int expectedExit)
            throws Exception {
        try (SlowHttpServer http = SlowHttpServer.start(Duration.ofMillis(30))) {
            String from = "redisq:orders?redisUri=" + redis.uri(); // the default 30 s lease: released jobs must not wait for it
            try (JavaProcess migrate = JavaProcess.start(Qbridge.class, "migrate", "--from", from, "--to", http.url(),
                    "--batch-size", "50", "--progress", "lines")) {
                await().atMost(Duration.ofSeconds(60)).until(() -> http.posted().size() >= 20);
                signal(migrate.pid(), signal);
                int exit = migrate.waitForExit(Duration.ofSeconds(30));
                String output = String.join("\n", migrate.outputLines());

                assertThat(exit).as(output).isEqualTo(expectedExit);
                Matcher stop = Pattern.compile("interrupted with (\\d+) jobs in flight: (\\d+) written to the destination and "
                        + "acked, (\\d+) released to the source unwritten").matcher(output);
                assertThat(stop.find()).as(output).isTrue();
                int inFlight = Integer.parseInt(stop.group(1));
                int released = Integer.parseInt(stop.group(3));
                assertThat(inFlight).as("the stop hit a batch in flight").isEqualTo(50);
                assertThat(Integer.parseInt(stop.group(2)) + released).isEqualTo(inFlight);
                assertThat(released).as("the stop came before the batch was written").isPositive();

                List<String> posted = http.posted();
                SourceJobs source = SourceJobs.of(connection, "orders");
                assertThat(posted).as("nothing written twice").doesNotHaveDuplicates();
                assertThat(source.inFlight()).as("nothing left leased").isEmpty();
                assertThat(source.dead()).isEmpty();
                assertThat(source.retrying()).as("the released jobs, due again at once").hasSize(released);
                assertThat(source.waiting()).as("what was not written is at the source, once").doesNotContainAnyElementsOf(posted);
                List<String> everywhere = new ArrayList<>(posted);
                everywhere.addAll(source.waiting());
                assertThat(everywhere).containsExactlyInAnyOrderElementsOf(allJobs());
                assertThat(output).contains("verify: source before 200, after " + source.waiting().size()
                        + "; written to destination " + posted.size());
            }

            Cli again = Cli.run("migrate", "--from", from, "--to", http.url(), "--in-flight-wait", "1s", "--progress", "none");

            assertThat(again.exitCode()).as(again.toString()).isZero();
            assertThat(http.posted()).as("run again: every job arrived once").containsExactlyInAnyOrderElementsOf(allJobs());
        }
    }

    private static void signal(long pid, String signal) throws Exception {
        Process kill = new ProcessBuilder("kill", "-s", signal, Long.toString(pid)).inheritIO().start();
        assertThat(kill.waitFor(10, TimeUnit.SECONDS)).isTrue();
        assertThat(kill.exitValue()).isZero();
    }
}
