package dev.qbridge.kafka.config;

import dev.qbridge.formats.JobFormat;
import dev.qbridge.formats.JobSet;
import dev.qbridge.formats.SystemQueue;
import java.util.Map;
import org.apache.kafka.common.config.ConfigValue;

/**
 * The checks of {@code queue.format} and {@code queue.set} that span keys, the same for the source and the sink: a
 * job system's keys are lists (no {@code queue.kind}), and a set its system does not have is refused with the reason
 * ({@link SystemQueue} says why: Celery has no scheduled set, ...).
 */
final class QueueFormatChecks {

    /** The formats a source reads: RQ's ids are taken with their job hashes. */
    static final String SOURCE_FORMATS = "raw,json,sidekiq,celery,rq";
    /**
     * The formats a sink writes: not RQ yet, whose jobs are a hash beside each id, which the sink's exactly-once script
     * (jobs and offsets in one step) does not write.
     */
    static final String SINK_FORMATS = "raw,json,sidekiq,celery";
    static final String SETS = "ready,scheduled,retry,dead";

    private QueueFormatChecks() {
    }

    /** Adds the errors to {@code values}; returns whether the format is a job system's. */
    static boolean validate(Map<String, ConfigValue> values, String formatKey, String setKey, String kindKey) {
        ConfigValue format = values.get(formatKey);
        ConfigValue set = values.get(setKey);
        ConfigValue kind = values.get(kindKey);
        boolean jobSystem = format.errorMessages().isEmpty() && format.value() instanceof String f
                && JobFormat.parse(f).isJobSystem();
        if (jobSystem && !"reliable".equals(kind.value())) {
            kind.addErrorMessage(formatKey + "=" + format.value() + " names the system's own keys, which are lists: "
                    + "leave " + kindKey + " out");
        }
        if (set.value() instanceof String s && format.value() instanceof String f && format.errorMessages().isEmpty()
                && set.errorMessages().isEmpty()) {
            try {
                SystemQueue queue = new SystemQueue(JobFormat.parse(f), "q", JobSet.parse(s));
                if (queue.format().isJobSystem()) {
                    queue.config(); // what the paths cannot do is refused here too, on the key to fix
                }
            } catch (RuntimeException e) {
                set.addErrorMessage(e.getMessage().replaceFirst("^queue 'q': ", ""));
            }
        }
        return jobSystem;
    }
}
