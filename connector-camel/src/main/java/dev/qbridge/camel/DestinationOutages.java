package dev.qbridge.camel;

import dev.qbridge.core.QueueException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.PortUnreachableException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.net.http.HttpConnectTimeoutException;
import java.util.Collection;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import org.apache.camel.spi.HttpResponseAware;

/**
 * Tells a failure of the destination (it cannot be reached, or says it cannot take jobs now) from a failure of the
 * job. The first is waited out without counting an attempt; the second is retried and, in the end, dead-lettered.
 * Libraries are recognised by class name, so the component needs none of them on its class path. Anywhere in the
 * cause chain, these mean the destination is unavailable:
 * <ul>
 *   <li>the connection was refused, timed out while connecting, or the host is unknown or unroutable;</li>
 *   <li>an HTTP server closed the connection without answering (Apache HttpClient's {@code NoHttpResponseException}:
 *       what a request on a kept-alive connection meets when the server went away);</li>
 *   <li>Kafka's {@code TimeoutException} or any other {@code org.apache.kafka.common.errors.RetriableException}
 *       (no broker, no leader, not enough replicas);</li>
 *   <li>an Artemis JMS client that is not connected, timed out connecting, or was disconnected;</li>
 *   <li>an HTTP answer of 429, 502, 503 or 504 ({@link HttpResponseAware}: camel-http's
 *       {@code HttpOperationFailedException});</li>
 *   <li>a Redis destination that is unreachable or loading (a retriable {@link QueueException});</li>
 *   <li>a {@link DestinationUnavailableException}, for routes that know better;</li>
 *   <li>any class named in the endpoint option {@code destinationOutageExceptions}, or a subclass of one.</li>
 * </ul>
 * A read timeout is not among them: the destination was reached, and the job itself may be what it cannot answer.
 */
public final class DestinationOutages {

    private static final Set<String> OUTAGE_CLASSES = Set.of(
            "org.apache.kafka.common.errors.RetriableException",
            "org.apache.hc.client5.http.ConnectTimeoutException",
            "org.apache.http.conn.ConnectTimeoutException",
            "org.apache.hc.core5.http.NoHttpResponseException",
            "org.apache.http.NoHttpResponseException",
            "org.apache.activemq.artemis.api.core.ActiveMQNotConnectedException",
            "org.apache.activemq.artemis.api.core.ActiveMQConnectionTimedOutException",
            "org.apache.activemq.artemis.api.core.ActiveMQDisconnectedException");
    /** Too many requests, bad gateway, service unavailable, gateway timeout: come back later. */
    private static final Set<Integer> UNAVAILABLE_STATUS = Set.of(429, 502, 503, 504);

    /** The defaults alone. */
    public static final DestinationOutages DEFAULT = new DestinationOutages(List.of());

    private final Set<String> names;

    /** The defaults plus exceptions of these classes (fully qualified names), or of their subclasses. */
    public DestinationOutages(Collection<String> extraClassNames) {
        Set<String> all = new LinkedHashSet<>(OUTAGE_CLASSES);
        for (String name : extraClassNames) {
            if (!name.isBlank()) {
                all.add(name.strip());
            }
        }
        this.names = Set.copyOf(all);
    }

    /** Parses the endpoint option: class names separated by commas; null or blank for the defaults alone. */
    public static DestinationOutages of(String classNames) {
        return classNames == null || classNames.isBlank() ? DEFAULT : new DestinationOutages(List.of(classNames.split(",")));
    }

    /** True when {@code failure} says the destination is unavailable rather than that the job failed. */
    public boolean isOutage(Throwable failure) {
        return cause(failure).isPresent();
    }

    /** The exception in the cause chain that says the destination is unavailable, if any. */
    public Optional<Throwable> cause(Throwable failure) {
        Set<Throwable> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        for (Throwable t = failure; t != null && seen.add(t); t = t.getCause()) {
            if (says(t)) {
                return Optional.of(t);
            }
        }
        return Optional.empty();
    }

    /** Why the destination is unavailable, for health and logs: the failure, and the cause that says so. */
    public String reason(Throwable failure) {
        Throwable cause = cause(failure).orElse(failure);
        String outer = JobBatch.reason(failure);
        return cause == failure ? outer : outer + " (" + JobBatch.reason(cause) + ")";
    }

    private boolean says(Throwable t) {
        if (t instanceof DestinationUnavailableException || t instanceof ConnectException || t instanceof UnknownHostException
                || t instanceof NoRouteToHostException || t instanceof PortUnreachableException
                || t instanceof HttpConnectTimeoutException) {
            return true;
        }
        if (t instanceof QueueException q) {
            return q.isRetriable();
        }
        if (t instanceof HttpResponseAware http) {
            return UNAVAILABLE_STATUS.contains(http.getHttpResponseCode()); // camel-http's HttpOperationFailedException
        }
        if (t instanceof SocketTimeoutException && t.getMessage() != null
                && t.getMessage().toLowerCase(Locale.ROOT).contains("connect")) {
            return true; // "Connect timed out"; a read timeout reached the destination
        }
        for (Class<?> c = t.getClass(); c != null && c != Throwable.class; c = c.getSuperclass()) {
            if (names.contains(c.getName())) {
                return true;
            }
        }
        return false;
    }

    /** The class names recognised, for logs and tests. */
    public Set<String> classNames() {
        return names;
    }
}
