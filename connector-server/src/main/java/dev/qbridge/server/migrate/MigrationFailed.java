package dev.qbridge.server.migrate;

import dev.qbridge.server.QbridgeException;

/** A migration that stopped before it was done; {@link #written()} jobs reached the destination before it stopped. */
public final class MigrationFailed extends QbridgeException {
    private static final long serialVersionUID = 1L;
    private final long written;

    MigrationFailed(long written, String message, Throwable cause) {
        super(message, cause);
        this.written = written;
    }

    public long written() {
        return written;
    }
}
