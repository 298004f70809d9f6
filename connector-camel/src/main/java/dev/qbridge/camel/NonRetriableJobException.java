package dev.qbridge.camel;

/**
 * Thrown (or found in the cause chain of an exchange's exception) when a job can never succeed, whatever the
 * number of attempts: the {@code redisq:} consumer then dead-letters it at once instead of retrying it.
 */
public class NonRetriableJobException extends RuntimeException {

    public NonRetriableJobException(String message) {
        super(message);
    }

    public NonRetriableJobException(String message, Throwable cause) {
        super(message, cause);
    }
}
