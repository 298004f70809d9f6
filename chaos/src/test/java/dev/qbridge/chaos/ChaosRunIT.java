package dev.qbridge.chaos;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * The CI-sized chaos run: 50,000 jobs through source worker, Kafka and sink worker while each worker is killed with
 * SIGKILL, Redis is killed and restarted on its AOF and so is the broker. It proves the guarantee, not a speed:
 * no timing is asserted. The source is at least once (its duplicates are only reported); the sink is exactly once,
 * so the out queue holds exactly the topic's records.
 */
class ChaosRunIT {

    @Test
    void everyJobArrivesAndEveryBadInputIsDeadLetteredAcrossKillsAndRestarts() {
        ChaosOptions options = ChaosOptions.parse("--jobs", "50000", "--kills", "3", "--redis-restarts", "1",
                "--kafka-restarts", "1", "--feed-seconds", "45", "--max-minutes", "3.5",
                "--seed", System.getProperty("qbridge.chaos.seed", "6"));

        ChaosReport report = ChaosRun.run(options);
        System.out.println(report.toText());

        assertThat(report.allEventsPerformed()).as("every kill and restart happened\n%s", report.toText()).isTrue();
        assertThat(report.missing()).as("jobs lost\n%s", report.toText()).isZero();
        assertThat(report.unexpectedDownstream()).as("foreign records in the out queue").isZero();
        assertThat(report.deadLettered("malformed JSON")).as("malformed JSON dead-lettered in chaos-in:dead")
                .isEqualTo(options.badJson());
        assertThat(report.deadLettered("oversized")).as("oversized payloads dead-lettered in chaos-in:dead")
                .isEqualTo(options.oversized());
        assertThat(report.deadLettered("good job")).as("good jobs dead-lettered").isZero();
        assertThat(report.sourceDeadLetters().get("malformed JSON").keySet())
                .allMatch(reason -> reason.startsWith("payload is not valid JSON"));
        assertThat(report.sourceDeadLetters().get("oversized").keySet())
                .allMatch(reason -> reason.startsWith("job of 1,200,0") && reason.contains("max.job.bytes=1,000,000"));
        assertThat(report.tombstonesSent()).isEqualTo(options.tombstones());
        assertThat(report.tombstonesInDlq()).as("tombstones in the sink's dead letter queue topic")
                .isEqualTo(report.tombstonesSent());
        assertThat(report.dlqReasons().keySet()).allMatch(reason -> reason.contains("tombstone"));
        // a wrong-type key cannot be dead-lettered (there is no job): it is reported by name, and the task keeps
        // serving its other queue
        assertThat(report.wrongTypeStatus()).contains("WRONGTYPE", ChaosRun.WRONG_TYPE_KEY);
        assertThat(report.probeJobsLeftRedis()).as("jobs of the queue beside the wrong-type key").isEqualTo(report.probeJobs());
        // a companion key of the wrong type (chaos-companion:seq holds a string) beside the live queue: none of its
        // jobs is taken or lost while it is broken, the key is named, and every job flows once it is fixed
        assertThat(report.companion().keptWhileBroken()).as("companion jobs kept").isEqualTo(ChaosRun.COMPANION_JOBS);
        assertThat(report.companion().downstreamWhileBroken()).isZero();
        assertThat(report.companion().logLine()).contains(ChaosRun.COMPANION_KEY);
        assertThat(report.companion().arrivedAfterFix()).isEqualTo(ChaosRun.COMPANION_JOBS);
        // the sink's part of the guarantee: each record of the topic written once, so duplicates are the source's
        assertThat(report.recordsDownstream()).as("records in the out queue = records in the topic, tombstones excepted")
                .isEqualTo(report.sinkRecordsExpected());
        assertThat(report.passed()).as(report.toText()).isTrue();
    }
}
