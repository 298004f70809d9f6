package dev.qbridge.formats;

/** A job or event that cannot be read or written in a format; the message is the reason a dead letter keeps. */
public class UnreadableJobException extends RuntimeException {

    public UnreadableJobException(String reason) {
        super(reason);
    }

    public UnreadableJobException(String reason, Throwable cause) {
        super(reason, cause);
    }
}
