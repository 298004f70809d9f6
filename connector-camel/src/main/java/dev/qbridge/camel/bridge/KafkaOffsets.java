package dev.qbridge.camel.bridge;

import org.apache.camel.Exchange;
import org.apache.camel.component.kafka.KafkaConstants;
import org.apache.camel.component.kafka.consumer.KafkaManualCommit;

/**
 * Commits the offset of the Kafka record an exchange carries, once the route has pushed it to Redis: the
 * {@code kafka-to-redisq} bridge consumes with auto-commit off, so a record is never marked consumed before
 * its job exists.
 */
public final class KafkaOffsets {

    private KafkaOffsets() {
    }

    public static void commit(Exchange exchange) {
        KafkaManualCommit commit = exchange.getIn().getHeader(KafkaConstants.MANUAL_COMMIT, KafkaManualCommit.class);
        if (commit == null) {
            throw new IllegalStateException("no " + KafkaConstants.MANUAL_COMMIT + " header: the kafka endpoint needs "
                    + "allowManualCommit=true and autoCommitEnable=false");
        }
        commit.commit();
    }
}
