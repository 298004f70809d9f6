package dev.qbridge.server;

import dev.qbridge.core.Secrets;

/**
 * The one exception of the server and command-line layer: its message says what was wrong, where, and what to
 * do, and is printed as is (never a stack trace, unless -Dqbridge.debug=true).
 */
public class QbridgeException extends RuntimeException {

    private final int exitCode;

    public QbridgeException(String message) {
        this(message, null);
    }

    public QbridgeException(String message, Throwable cause) {
        this(1, message, cause);
    }

    public QbridgeException(int exitCode, String message, Throwable cause) {
        super(message, cause);
        this.exitCode = exitCode;
    }

    public int exitCode() {
        return exitCode;
    }

    /** A one-line account of any failure, with Redis passwords redacted. */
    public static String describe(Throwable e) {
        StringBuilder s = new StringBuilder(String.valueOf(e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage()));
        Throwable cause = e.getCause();
        int depth = 0;
        while (cause != null && depth++ < 4 && !(e instanceof QbridgeException)) {
            if (cause.getMessage() != null && !s.toString().contains(cause.getMessage())) {
                s.append(": ").append(cause.getMessage());
            }
            cause = cause.getCause();
        }
        return Secrets.redact(s.toString());
    }
}
