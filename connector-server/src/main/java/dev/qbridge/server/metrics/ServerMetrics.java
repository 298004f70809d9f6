package dev.qbridge.server.metrics;

import dev.qbridge.camel.RedisqEndpoint;
import dev.qbridge.core.QueueException;
import dev.qbridge.core.queue.QueueConfig;
import dev.qbridge.core.queue.QueueCounts;
import dev.qbridge.core.queue.RedisQueue;
import dev.qbridge.core.redis.JedisConnection;
import dev.qbridge.core.redis.RedisConnection;
import dev.qbridge.core.redis.RedisEndpoint;
import dev.qbridge.server.RedisqEndpoints;
import dev.qbridge.server.Secrets;
import dev.qbridge.server.deploy.ConnectorSpec;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Tags;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.camel.CamelContext;
import org.apache.camel.Endpoint;
import org.apache.camel.Exchange;
import org.apache.camel.spi.CamelEvent;
import org.apache.camel.support.EventNotifierSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The server's numbers, in Micrometer, scraped in Prometheus format:
 * <ul>
 *   <li>{@code qbridge_connector_up{connector}}: 1 while the connector's route runs;</li>
 *   <li>{@code qbridge_connector_jobs_total{connector,outcome=completed|failed}}: jobs moved or failed (throughput
 *       is its rate);</li>
 *   <li>{@code qbridge_queue_jobs{queue,redis,state=ready|in_flight|delayed|retrying|dead}}: the counts of every
 *       redisq queue a connector reads or writes, sampled every two seconds;</li>
 *   <li>{@code qbridge_queue_jobs_moved_total{queue,direction=out|in}}: jobs that left or entered each queue;</li>
 *   <li>{@code qbridge_bad_connector_files}: files that could not be loaded.</li>
 * </ul>
 */
public final class ServerMetrics implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ServerMetrics.class);
    private static final List<String> STATES = List.of("ready", "in_flight", "delayed", "retrying", "dead");

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final AtomicLong badFiles = new AtomicLong();
    private final Map<String, Connector> connectors = new ConcurrentHashMap<>();
    private final Map<String, SampledQueue> queues = new ConcurrentHashMap<>();
    private final Map<RedisEndpoint, RedisConnection> connections = new ConcurrentHashMap<>();
    private final ScheduledExecutorService sampler = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "qbridge-queue-sampler");
        t.setDaemon(true);
        return t;
    });

    /** The meters of one connector and the queues it touches. */
    private record Connector(String name, Counter completed, Counter failed, AtomicLong up, List<String> queueIds,
                             List<Counter> queueOut, List<Counter> queueIn) {
    }

    /** A queue whose counts are sampled; {@code users} connectors touch it. */
    private static final class SampledQueue {
        final RedisQueue queue;
        final String redis;
        final AtomicLong[] values = {new AtomicLong(), new AtomicLong(), new AtomicLong(), new AtomicLong(), new AtomicLong()};
        final List<Meter> meters = new ArrayList<>();
        final Set<String> users = ConcurrentHashMap.newKeySet();
        volatile String error;

        SampledQueue(RedisQueue queue, String redis) {
            this.queue = queue;
            this.redis = redis;
        }
    }

    public ServerMetrics() {
        Gauge.builder("qbridge_bad_connector_files", badFiles, AtomicLong::get)
                .description("Connector files that could not be loaded").register(registry);
        sampler.scheduleWithFixedDelay(this::sample, 0, 2, TimeUnit.SECONDS);
    }

    public PrometheusMeterRegistry registry() {
        return registry;
    }

    public String scrape() {
        return registry.scrape();
    }

    /** Counts every exchange of a connector route as it completes or fails. */
    public EventNotifierSupport exchangeCounter() {
        EventNotifierSupport notifier = new EventNotifierSupport() {
            @Override
            public void notify(CamelEvent event) {
                if (event instanceof CamelEvent.ExchangeEvent e) {
                    count(e);
                }
            }
        };
        notifier.setIgnoreCamelContextEvents(true);
        notifier.setIgnoreRouteEvents(true);
        notifier.setIgnoreServiceEvents(true);
        notifier.setIgnoreExchangeCreatedEvent(true);
        notifier.setIgnoreExchangeSendingEvents(true);
        notifier.setIgnoreExchangeSentEvents(true);
        notifier.setIgnoreExchangeRedeliveryEvents(true);
        notifier.setIgnoreStepEvents(true);
        return notifier;
    }

    private void count(CamelEvent.ExchangeEvent event) {
        Exchange exchange = event.getExchange();
        Connector c = exchange.getFromRouteId() == null ? null : connectors.get(exchange.getFromRouteId());
        if (c == null) {
            return;
        }
        if (event instanceof CamelEvent.ExchangeFailedEvent) {
            c.failed().increment();
        } else if (event instanceof CamelEvent.ExchangeCompletedEvent && !exchange.isFailed()) {
            c.completed().increment();
            c.queueOut().forEach(Counter::increment);
            c.queueIn().forEach(Counter::increment);
        }
    }

    /**
     * Registers a connector's counters before its route starts, so that no exchange completes uncounted (a route
     * starts taking jobs the moment it is added).
     */
    public void connectorStarting(ConnectorSpec spec) {
        connectorStopped(spec);
        Tags tags = Tags.of("connector", spec.name());
        AtomicLong up = new AtomicLong(0);
        Connector c = new Connector(spec.name(),
                Counter.builder("qbridge_connector_jobs_total").tags(tags).tag("outcome", "completed")
                        .description("Jobs a connector moved to its sink").register(registry),
                Counter.builder("qbridge_connector_jobs_total").tags(tags).tag("outcome", "failed")
                        .description("Deliveries that failed (retried or dead-lettered)").register(registry),
                up, new CopyOnWriteArrayList<>(), new CopyOnWriteArrayList<>(), new CopyOnWriteArrayList<>());
        Gauge.builder("qbridge_connector_up", up, AtomicLong::get).tags(tags)
                .description("1 while the connector runs").register(registry);
        connectors.put(spec.name(), c);
    }

    /**
     * Samples the queues of a connector's redisq: endpoints and counts the jobs moved through them; called once the
     * endpoints exist and before the route starts.
     */
    public void trackQueues(ConnectorSpec spec, CamelContext context) {
        Connector c = connectors.get(spec.name());
        if (c == null) {
            return;
        }
        track(spec, context, spec.source(), c.queueIds(), c.queueOut(), "out");
        track(spec, context, spec.sink(), c.queueIds(), c.queueIn(), "in");
    }

    /** The connector's route runs. */
    public void connectorStarted(ConnectorSpec spec) {
        Connector c = connectors.get(spec.name());
        if (c != null) {
            c.up().set(1);
        }
    }

    public void connectorStopped(ConnectorSpec spec) {
        Connector c = connectors.remove(spec.name());
        if (c == null) {
            return;
        }
        c.up().set(0);
        for (String id : c.queueIds()) {
            SampledQueue q = queues.get(id);
            if (q != null && q.users.remove(spec.name()) && q.users.isEmpty()) {
                queues.remove(id);
                q.meters.forEach(registry::remove);
            }
        }
        registry.find("qbridge_connector_up").tag("connector", spec.name()).meters().forEach(registry::remove);
    }

    public void badFiles(long count) {
        badFiles.set(count);
    }

    /** Jobs a running connector moved and deliveries that failed, for the status page: {completed, failed}. */
    public long[] connectorJobs(String name) {
        Connector c = connectors.get(name);
        return c == null ? new long[2] : new long[] {(long) c.completed().count(), (long) c.failed().count()};
    }

    /** The counts of each sampled queue, for the status page. */
    public Map<String, long[]> queueCounts() {
        Map<String, long[]> counts = new java.util.TreeMap<>();
        queues.forEach((id, q) -> {
            long[] v = new long[5];
            for (int i = 0; i < 5; i++) {
                v[i] = q.values[i].get();
            }
            counts.put(q.queue.name() + " @ " + q.redis, v);
        });
        return counts;
    }

    private void track(ConnectorSpec spec, CamelContext context, String uri, List<String> ids, List<Counter> moved,
                       String direction) {
        if (!ConnectorSpec.scheme(uri).equals("redisq")) {
            return;
        }
        Endpoint endpoint = context.hasEndpoint(uri);
        if (!(endpoint instanceof RedisqEndpoint e)) {
            return;
        }
        try {
            RedisEndpoint redis = RedisqEndpoints.redis(e);
            QueueConfig config = RedisqEndpoints.queue(e);
            String id = redis + "/" + e.getQueue();
            SampledQueue q = queues.computeIfAbsent(id, k -> {
                RedisConnection connection = connections.computeIfAbsent(redis, JedisConnection::openLazily);
                SampledQueue s = new SampledQueue(new RedisQueue(connection, config), redis.toString());
                for (int i = 0; i < STATES.size(); i++) {
                    AtomicLong value = s.values[i];
                    s.meters.add(Gauge.builder("qbridge_queue_jobs", value, AtomicLong::get)
                            .tags("queue", e.getQueue(), "redis", redis.toString(), "state", STATES.get(i))
                            .description("Jobs of a queue by state").register(registry));
                }
                return s;
            });
            q.users.add(spec.name());
            ids.add(id);
            moved.add(Counter.builder("qbridge_queue_jobs_moved_total").tags("queue", e.getQueue(), "redis", redis.toString(),
                    "direction", direction).description("Jobs that left (out) or entered (in) a queue through a connector")
                    .register(registry));
        } catch (QueueException ex) {
            LOG.debug("no metrics for {}: {}", Secrets.redact(uri), ex.getMessage());
        }
    }

    private void sample() {
        for (SampledQueue q : queues.values()) {
            try {
                QueueCounts c = q.queue.counts();
                q.values[0].set(c.ready());
                q.values[1].set(c.inFlight());
                q.values[2].set(c.delayed());
                q.values[3].set(c.retrying());
                q.values[4].set(c.dead());
                q.error = null;
            } catch (RuntimeException e) {
                if (q.error == null) {
                    LOG.warn("cannot read the counts of queue {}: {}", q.queue.name(), e.getMessage());
                }
                q.error = e.getMessage();
            }
        }
    }

    @Override
    public void close() {
        sampler.shutdownNow();
        connections.values().forEach(RedisConnection::close);
        connections.clear();
        registry.close();
    }
}
