package dev.qbridge.server.deploy;

import java.time.Instant;
import java.util.Optional;

/**
 * Whether a running connector moves jobs: failing, with the reason and since when, once something has kept it from
 * moving jobs for {@link HealthMonitor#FAILING_AFTER}.
 *
 * @param reason why it cannot move jobs (its consumer's peer, a queue that cannot be read, its failing exchanges);
 *               empty while it moves jobs
 * @param since  when the problem began
 */
public record ConnectorHealth(Optional<String> reason, Instant since) {

    static final ConnectorHealth OK = new ConnectorHealth(Optional.empty(), Instant.EPOCH);

    static ConnectorHealth failing(String reason, Instant since) {
        return new ConnectorHealth(Optional.of(reason), since);
    }

    public boolean isFailing() {
        return reason.isPresent();
    }
}
