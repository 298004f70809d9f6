package dev.qbridge.testkit;

/**
 * Thrown when this machine cannot run what a fixture needs (no redis-server at all, or no redis-cli for a
 * cluster). A distinct type so that extensions can turn "cannot run here" into a skipped test, while a server
 * that is present but fails to start stays a loud failure.
 */
public class RedisUnavailableException extends IllegalStateException {
    private static final long serialVersionUID = 1L;

    public RedisUnavailableException(String message) {
        super(message);
    }
}
