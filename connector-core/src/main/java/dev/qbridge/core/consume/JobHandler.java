package dev.qbridge.core.consume;

import dev.qbridge.core.queue.Delivery;

/** Does the work of one job. Returning acks it; throwing nacks it (retry with backoff, then dead letter). */
@FunctionalInterface
public interface JobHandler {
    void handle(Delivery delivery) throws Exception;
}
