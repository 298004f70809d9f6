package dev.qbridge.camel;

/**
 * Thrown (or found in the cause chain of an exchange's exception) when the destination cannot take jobs now: it is
 * down, unreachable or says it is overloaded. The {@code redisq:} consumer then keeps the job in hand, takes nothing
 * new and tries again with backoff, without counting an attempt: a destination outage never dead-letters a job.
 */
public class DestinationUnavailableException extends RuntimeException {

    public DestinationUnavailableException(String message) {
        super(message);
    }

    public DestinationUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
