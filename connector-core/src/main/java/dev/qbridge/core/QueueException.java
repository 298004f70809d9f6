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
        /** Redis refused the credentials or the ACL user lacks a permission: fix the configuration. */
        AUTH(false),
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
