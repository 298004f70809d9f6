package dev.qbridge.chaos;

import java.util.List;
import java.util.Map;

/**
 * The figures of one chaos run. {@link #passed()} is the verdict: every job arrived and every bad input that can be
 * dead-lettered was, with its reason. Duplicates are counted, never judged: at-least-once allows them.
 */
public record ChaosReport(
        ChaosOptions options,
        long inputsPushed,
        long feedRetries,
        long present,
        long missing,
        List<String> missingSample,
        long recordsDownstream,
        long duplicates,
        long unexpectedDownstream,
        long outDead,
        Map<String, Map<String, Long>> sourceDeadLetters,
        long tombstonesSent,
        long tombstonesInDlq,
        Map<String, Long> dlqReasons,
        String wrongTypeStatus,
        boolean wrongTypeReported,
        long probeJobs,
        long probeJobsLeftRedis,
        int sourceKills,
        int sinkKills,
        int redisRestarts,
        int kafkaRestarts,
        ChaosRun.Companion companion,
        long sinkRecordsExpected,
        List<String> events,
        double elapsedSeconds,
        double drainSeconds) {

    public long deadLettered(String kind) {
        return sourceDeadLetters.getOrDefault(kind, Map.of()).values().stream().mapToLong(Long::longValue).sum();
    }

    public boolean allEventsPerformed() {
        return sourceKills + sinkKills == options.kills() && redisRestarts == options.redisRestarts()
                && kafkaRestarts == options.kafkaRestarts();
    }

    /**
     * Every kill and restart happened, nothing was lost, nothing foreign is downstream, and every bad input that has
     * a job was dead-lettered (in Redis, or the sink's DLQ topic). The wrong-type key is reported, not judged.
     */
    public boolean passed() {
        return allEventsPerformed() && missing == 0 && unexpectedDownstream == 0 && deadLettered("malformed JSON") == options.badJson()
                && deadLettered("oversized") == options.oversized() && deadLettered("good job") == 0
                && tombstonesSent == options.tombstones() && tombstonesInDlq == tombstonesSent
                && probeJobsLeftRedis == probeJobs && companion.passed() && sinkWroteEachRecordOnce();
    }

    /**
     * The sink's own guarantee: every record of the jobs topic (duplicates the source sent included, tombstones
     * excepted) is in the out queue exactly once, so every duplicate downstream came from the source.
     */
    public boolean sinkWroteEachRecordOnce() {
        return recordsDownstream == sinkRecordsExpected;
    }

    public String toText() {
        StringBuilder b = new StringBuilder();
        b.append("qbridge chaos run: ").append(passed() ? "PASSED" : "FAILED").append('\n');
        line(b, "jobs", "%,d good jobs (+ %,d malformed, %,d oversized) pushed over %d s; seed %d", options.jobs(),
                options.badJson(), options.oversized(), options.feedSeconds(), options.seed());
        line(b, "inputs pushed", "%,d (%d push batches retried while Redis restarted)", inputsPushed, feedRetries);
        line(b, "ids present downstream", "%,d of %,d", present, options.jobs());
        line(b, "missing", "%,d%s", missing, missing == 0 ? "" : " e.g. " + missingSample);
        line(b, "duplicates", "%,d (%,d records in the out queue for %,d ids and %,d companion jobs)", duplicates,
                recordsDownstream, present, companion.arrivedAfterFix());
        line(b, "foreign records downstream", "%,d", unexpectedDownstream);
        line(b, "out queue dead letters", "%,d", outDead);
        line(b, "malformed JSON dead-lettered", "%,d of %,d", deadLettered("malformed JSON"), options.badJson());
        reasons(b, "malformed JSON");
        line(b, "oversized dead-lettered", "%,d of %,d (payload %,d bytes > the source's max.job.bytes 1,000,000)",
                deadLettered("oversized"), options.oversized(), JobFeed.OVERSIZED_BYTES);
        reasons(b, "oversized");
        line(b, "good jobs dead-lettered", "%,d", deadLettered("good job"));
        reasons(b, "good job");
        line(b, "tombstones in the sink's DLQ", "%,d of %,d sent (%,d requested)", tombstonesInDlq, tombstonesSent,
                options.tombstones());
        dlqReasons.forEach((reason, n) -> b.append(String.format("      %,d x %s%n", n, reason)));
        line(b, "wrong-type key", "%s (%s)", wrongTypeReported ? "reported" : "NOT reported", wrongTypeStatus);
        line(b, "  other queue of that task", "%,d of %,d probe jobs pushed after that left Redis within 10 s%s",
                probeJobsLeftRedis, probeJobs, probeJobsLeftRedis == probeJobs ? "" : " (the task stopped serving it)");
        line(b, "sink exactly once", "%,d records in the out queue for %,d records in the topic (tombstones excepted)%s",
                recordsDownstream, sinkRecordsExpected, sinkWroteEachRecordOnce() ? "" : ": MISMATCH");
        line(b, "companion key of wrong type", "%s beside %s: %,d of %,d jobs kept in the queue and %,d downstream while "
                + "broken; %s", ChaosRun.COMPANION_KEY, ChaosRun.IN, companion.keptWhileBroken(), ChaosRun.COMPANION_JOBS,
                companion.downstreamWhileBroken(), companion.logLine().isEmpty() ? "NOT named in the worker log"
                        : "worker log: " + companion.logLine());
        line(b, "  after the key was fixed", "%,d of %,d jobs downstream within %.1f s", companion.arrivedAfterFix(),
                ChaosRun.COMPANION_JOBS, companion.secondsToArrive());
        line(b, "worker kills (SIGKILL)", "%d (source %d, sink %d) of %d", sourceKills + sinkKills, sourceKills, sinkKills,
                options.kills());
        line(b, "Redis restarts (kill -9, AOF)", "%d of %d", redisRestarts, options.redisRestarts());
        line(b, "Kafka restarts (kill -9)", "%d of %d", kafkaRestarts, options.kafkaRestarts());
        line(b, "elapsed", "%.1f s (%.1f s from the end of the feed and the events until all ids were downstream)",
                elapsedSeconds, drainSeconds);
        b.append("  events:\n");
        events.forEach(e -> b.append("    ").append(e).append('\n'));
        return b.toString();
    }

    private void reasons(StringBuilder b, String kind) {
        sourceDeadLetters.getOrDefault(kind, Map.of()).forEach((reason, n) ->
                b.append(String.format("      %,d x %s%n", n, reason)));
    }

    private static void line(StringBuilder b, String label, String format, Object... args) {
        b.append(String.format("  %-31s ", label + ":")).append(String.format(format, args)).append('\n');
    }
}
