package dev.qbridge.server.migrate;

import dev.qbridge.camel.RedisqConstants;
import dev.qbridge.core.queue.QueueConfig;
import dev.qbridge.core.queue.QueueKind;
import dev.qbridge.server.QbridgeException;
import dev.qbridge.server.deploy.ConnectorSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.BooleanSupplier;
import org.apache.camel.CamelContext;
import org.apache.camel.Endpoint;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;

/**
 * Writes jobs to the destination endpoint and returns only once the destination has them: a redisq: destination
 * gets a batch per round trip (jobs of equal priority or due time together, so they keep it), a kafka: destination
 * a batch of records it acknowledges together, anything else one exchange per job.
 */
public final class JobWriter implements AutoCloseable {

    /** One job to write: its bytes, and for sorted-set jobs its priority or due time (epoch ms). */
    public record Job(byte[] payload, Long priority, Long dueAtMillis) {

        /**
         * The job a source queue's member becomes: a priority queue's score is its priority (qbridge adds a fraction
         * below 1 for FIFO order), a delayed queue's its due time. A priority beyond
         * +-{@link QueueConfig#MAX_PRIORITY}, such as the {@code inf} or {@code -inf} a guide producer may write, is
         * written with the nearest one: a redisq: producer takes whole priorities in that range only.
         */
        public static Job of(QueueConfig source, byte[] payload, Double score) {
            if (score == null || source.kind() == QueueKind.RELIABLE) {
                return new Job(payload, null, null);
            }
            if (source.kind() == QueueKind.PRIORITY) {
                double max = QueueConfig.MAX_PRIORITY;
                return new Job(payload, (long) Math.floor(Math.max(-max, Math.min(max, score))), null);
            }
            return new Job(payload, null, (long) (score * source.dueTimeUnit().millisPerUnit()));
        }

        /** True when {@link #of} moves this score's priority to the nearest one in range. */
        public static boolean priorityBeyondRange(QueueConfig source, Double score) {
            return score != null && source.kind() == QueueKind.PRIORITY
                    && (score < -QueueConfig.MAX_PRIORITY || score >= QueueConfig.MAX_PRIORITY + 1);
        }
    }

    private final ProducerTemplate producer;
    private final Endpoint endpoint;
    private final String name;
    private final boolean batches;

    /** {@code name} names the destination in messages: the URI as given, with its secrets masked. */
    public JobWriter(CamelContext context, Endpoint endpoint, String name) {
        this.endpoint = endpoint;
        this.name = name;
        this.producer = context.createProducerTemplate();
        String scheme = ConnectorSpec.scheme(endpoint.getEndpointUri());
        this.batches = scheme.equals("redisq") || scheme.equals("kafka");
    }

    /** The destination, as messages name it. */
    public String name() {
        return name;
    }

    /**
     * Writes {@code jobs} in order and returns how many the destination has: all of them, or fewer when
     * {@code stop} turned true between two sends (the send under way is finished, never cut). On a failure the jobs
     * before it are written and {@link WriteFailed} says how many.
     */
    public int write(List<Job> jobs, BooleanSupplier stop) {
        int written = 0;
        if (batches) {
            int from = 0;
            while (from < jobs.size() && !stop.getAsBoolean()) {
                int to = from + 1;
                while (to < jobs.size() && sameHeaders(jobs.get(from), jobs.get(to))) {
                    to++;
                }
                List<Job> group = jobs.subList(from, to);
                List<byte[]> body = new ArrayList<>(group.size());
                group.forEach(j -> body.add(j.payload()));
                send(body, group.get(0), written);
                written += group.size();
                from = to;
            }
            return written;
        }
        for (Job job : jobs) {
            if (stop.getAsBoolean()) {
                break;
            }
            send(job.payload(), job, written);
            written++;
        }
        return written;
    }

    /** Writes every job of {@code jobs}; see {@link #write(List, BooleanSupplier)}. */
    public int write(List<Job> jobs) {
        return write(jobs, () -> false);
    }

    private void send(Object body, Job first, int writtenBefore) {
        Exchange exchange = producer.send(endpoint, e -> {
            e.getIn().setBody(body);
            if (first.priority() != null) {
                e.getIn().setHeader(RedisqConstants.PRIORITY, first.priority());
            }
            if (first.dueAtMillis() != null) {
                e.getIn().setHeader(RedisqConstants.DUE_AT, first.dueAtMillis());
            }
        });
        if (exchange.getException() != null) {
            throw new WriteFailed(writtenBefore, exchange.getException());
        }
    }

    private static boolean sameHeaders(Job a, Job b) {
        return Objects.equals(a.priority(), b.priority()) && Objects.equals(a.dueAtMillis(), b.dueAtMillis());
    }

    @Override
    public void close() {
        try {
            producer.stop();
        } catch (RuntimeException e) {
            // closing after a failure: nothing left to save
        }
    }

    /** The destination refused a job: {@link #written()} jobs before it are in the destination. */
    public static final class WriteFailed extends QbridgeException {
        private static final long serialVersionUID = 1L;
        private final int written;

        WriteFailed(int written, Throwable cause) {
            super("the destination refused a job: " + QbridgeException.describe(cause), cause);
            this.written = written;
        }

        public int written() {
            return written;
        }
    }
}
