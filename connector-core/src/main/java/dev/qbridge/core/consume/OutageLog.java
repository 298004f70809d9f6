package dev.qbridge.core.consume;

import dev.qbridge.core.QueueException;
import org.slf4j.Logger;

/**
 * Logs an outage once when it starts and once when it ends, not once per retry: a Redis that is down for
 * a minute must not flood the log with stack traces.
 */
public final class OutageLog {

    private final Logger log;
    private final String what;
    private String current;
    private int failures;

    public OutageLog(Logger log, String what) {
        this.log = log;
        this.what = what;
    }

    /** Records a failure; logs it when it is the first of an outage or differs from the last one. */
    public synchronized void failed(QueueException e, long retryInMillis) {
        failures++;
        if (!e.getMessage().equals(current)) {
            current = e.getMessage();
            if (e.isRetriable()) {
                log.warn("{}: {}; retrying with backoff (next in {} ms)", what, e.getMessage(), retryInMillis);
            } else {
                log.error("{}: {}; retrying with backoff until this is fixed (next in {} ms)", what, e.getMessage(), retryInMillis);
            }
        } else {
            log.debug("{}: still failing after {} attempts: {}", what, failures, e.getMessage());
        }
    }

    /** Records a success; logs the recovery when an outage was under way. */
    public synchronized void succeeded() {
        if (current != null) {
            log.info("{}: working again after {} failed attempts", what, failures);
            current = null;
            failures = 0;
        }
    }
}
