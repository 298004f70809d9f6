package dev.qbridge.core;

/**
 * The one exception of the core layer. Its message says what was wrong, where, and what to do; its
 * {@link Kind} tells callers whether waiting and retrying can help.
 */
public class QueueException extends RuntimeException {

    /** What went wrong, coarsely enough to decide how to react. */
    public enum Kind {
        /** Redis cannot be reached or the connection broke: retry with backoff. */
        CONNECTION(true),
        /** Redis refused the credentials: fix the user or password. */
        AUTH(false),
        /**
         * The ACL user logged in but may not run a command on a key (NOPERM): grant it (docs/PROTOCOL.md gives the
         * ACL line). Waiting never mends it, and it concerns the keys named, not the whole connection.
         */
        PERMISSION(false),
        /**
         * The TLS handshake failed for a reason of configuration: an untrusted or mismatching server certificate, a
         * client certificate the server requires or refuses. Fix the trust store, key store or verifyHostname.
         */
        TLS(false),
        /** A key holds another data type than the queue kind needs: fix the key or the queue kind. */
        WRONG_TYPE(false),
        /** The queue or connection settings are invalid: fix the configuration. */
        CONFIG(false),
        /** Redis is loading, busy or failing over: retry with backoff. */
        UNAVAILABLE(true),
        /** Any other error answered by Redis. */
        REDIS(false);

        private final boolean retriable;

        Kind(boolean retriable) {
            this.retriable = retriable;
        }
    }

    private final Kind kind;

    public QueueException(Kind kind, String message) {
        super(message);
        this.kind = kind;
    }

    public QueueException(Kind kind, String message, Throwable cause) {
        super(message, cause);
        this.kind = kind;
    }

    public Kind kind() {
        return kind;
    }

    /** True when the same call may succeed later without any change of configuration. */
    public boolean isRetriable() {
        return kind.retriable;
    }
}
