package dev.qbridge.server.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.qbridge.server.Cli;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The options that name a queue ({@code --format}, {@code --set}, {@code --kind}) are checked before Redis is reached,
 * by every command on one queue, with the same messages as the other paths give ({@code redisq:...?set=},
 * {@code queue.set}): a mistake is a usage error (exit 2) that says what to change, never "cannot reach Redis".
 */
class QueuesOptionsTest {

    /** Nothing listens here: a command that got past its options would fail with "cannot reach Redis". */
    private static final String NO_REDIS = "redis://127.0.0.1:1?timeout=300";

    private static final List<List<String>> ON_ONE_QUEUE = List.of(List.of("stats"), List.of("peek"),
            List.of("requeue-dead"), List.of("requeue-stuck", "--older-than", "1s"), List.of("purge", "--yes"));

    private static Cli queues(List<String> command, String... options) {
        List<String> all = new ArrayList<>(List.of("queues", "--redis", NO_REDIS));
        all.addAll(command);
        all.add("default");
        all.addAll(List.of(options));
        return Cli.run(all.toArray(String[]::new));
    }

    private static void refused(String[] options, String... reasons) {
        for (List<String> command : ON_ONE_QUEUE) {
            Cli result = queues(command, options);

            assertThat(result.exitCode()).as(command + " " + List.of(options) + ": " + result).isEqualTo(2);
            assertThat(result.err()).as(command + " " + List.of(options)).contains(reasons).doesNotContain("cannot reach");
        }
    }

    @Test
    void aSetWithoutAJobSystemsFormatIsAUsageErrorThatSaysWhichFormatsHaveSets() {
        refused(new String[] {"--set", "scheduled"}, "--set scheduled applies to the job systems' formats (sidekiq, celery, rq, bullmq)",
                "--format raw");
        refused(new String[] {"--set", "dead", "--format", "json"}, "--set dead applies to the job systems' formats",
                "--format json");
    }

    @Test
    void celerysMissingSetsAreRefusedWithTheReasonCeleryHasNone() {
        refused(new String[] {"--format", "celery", "--set", "scheduled"},
                "Celery keeps tasks with an ETA or countdown in its workers' memory, not in Redis");
        refused(new String[] {"--format", "celery", "--set", "retry"}, "Celery retries a task by publishing it again");
        refused(new String[] {"--format", "celery", "--set", "dead"}, "Celery keeps no dead tasks in Redis");
    }

    @Test
    void anUnknownSetOrFormatIsAUsageErrorListingTheChoices() {
        refused(new String[] {"--format", "sidekiq", "--set", "later"}, "set 'later' is unknown; use ready, scheduled, retry or dead");
        refused(new String[] {"--format", "resque"}, "format 'resque' is unknown; use raw, json, sidekiq, celery");
    }

    @Test
    void aFormatNoQueuesCommandReadsYetIsRefusedWithTheReason() {
        refused(new String[] {"--format", "bullmq"}, "--format bullmq", "not supported on this path yet", "hash");
        refused(new String[] {"--format", "rq", "--set", "retry"}, "RQ keeps no retry set");
    }

    @Test
    void rqsReadyScheduledAndDeadSetsPassTheOptionsOfEveryCommand() {
        for (List<String> command : ON_ONE_QUEUE) {
            for (String set : List.of("ready", "scheduled", "dead")) {
                Cli result = queues(command, "--format", "rq", "--set", set);

                assertThat(result.exitCode()).as(result.toString()).isEqualTo(1);
                assertThat(result.err()).as("past the options: on to Redis").contains("cannot reach Redis");
            }
        }
    }

    @Test
    void aKindBesideAJobSystemsFormatIsAUsageError() {
        refused(new String[] {"--format", "sidekiq", "--set", "retry", "--kind", "priority"}, "--kind applies to guide-style queues");
    }

    @Test
    void theReadySetNeedsNoFormatAndEveryCommandOnOneQueueTakesTheOption() {
        for (List<String> command : ON_ONE_QUEUE) {
            Cli result = queues(command, "--set", "ready");

            assertThat(result.exitCode()).as(result.toString()).isEqualTo(1);
            assertThat(result.err()).as("past the options: on to Redis").contains("cannot reach Redis");
            assertThat(Cli.run("queues", command.get(0), "--help").out()).contains("--set", "ready", "scheduled", "retry", "dead");
        }
    }
}
