package dev.qbridge.server.cli;

import dev.qbridge.camel.RedisqConstants;
import dev.qbridge.server.QbridgeException;
import dev.qbridge.server.deploy.ConnectorSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.apache.camel.CamelContext;
import org.apache.camel.Endpoint;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;

/**
 * Writes jobs to the destination endpoint and returns only once the destination has them: a redisq: destination
 * gets a batch per round trip (jobs of equal priority or due time together, so they keep it), a kafka: destination
 * a batch of records it acknowledges together, anything else one exchange per job.
 */
final class JobWriter implements AutoCloseable {

    /** One job to write: its bytes, and for sorted-set jobs its priority or due time (epoch ms). */
    record Job(byte[] payload, Long priority, Long dueAtMillis) {
    }

    private final ProducerTemplate producer;
    private final Endpoint endpoint;
    private final boolean batches;

    JobWriter(CamelContext context, Endpoint endpoint) {
        this.endpoint = endpoint;
        this.producer = context.createProducerTemplate();
        String scheme = ConnectorSpec.scheme(endpoint.getEndpointUri());
        this.batches = scheme.equals("redisq") || scheme.equals("kafka");
    }

    /**
     * Writes {@code jobs} in order; returns how many the destination has. On a failure the jobs before it are
     * written and the exception says how many.
     */
    int write(List<Job> jobs) {
        int written = 0;
        if (batches) {
            int from = 0;
            while (from < jobs.size()) {
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
            send(job.payload(), job, written);
            written++;
        }
        return written;
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

    /** The destination refused a job: {@link #written} jobs before it are in the destination. */
    static final class WriteFailed extends QbridgeException {
        private static final long serialVersionUID = 1L;
        final int written;

        WriteFailed(int written, Throwable cause) {
            super("the destination refused a job: " + QbridgeException.describe(cause), cause);
            this.written = written;
        }
    }
}
