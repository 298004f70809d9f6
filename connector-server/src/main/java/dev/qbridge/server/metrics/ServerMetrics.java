package dev.qbridge.server.metrics;

import dev.qbridge.camel.RedisqEndpoint;
import dev.qbridge.core.QueueException;
import dev.qbridge.core.Secrets;
import dev.qbridge.core.queue.QueueConfig;
import dev.qbridge.core.queue.QueueCounts;
import dev.qbridge.core.queue.RedisQueue;
import dev.qbridge.core.redis.JedisConnection;
import dev.qbridge.core.redis.RedisConnection;
import dev.qbridge.core.redis.RedisEndpoint;
import dev.qbridge.server.QbridgeException;
import dev.qbridge.server.RedisqEndpoints;
import dev.qbridge.server.deploy.ConnectorSpec;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Tags;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
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
 *   <li>{@code qbridge_connector_up{connector}}: 1 while the connector runs and moves jobs, 0 while it is failing
 *       (its health, set by the deploy layer's monitor);</li>
 *   <li>{@code qbridge_connector_jobs_total{connector,outcome=completed|failed}}: jobs moved or failed (throughput
 *       is its rate);</li>
 *   <li>{@code qbridge_queue_jobs{queue,redis,state=ready|in_flight|delayed|retrying|dead}}: the counts of every
 *       redisq queue a connector reads or writes, sampled every two seconds; absent while the counts cannot be read
 *       (Redis down, a wrong password, a key of the wrong type), never a made-up 0;</li>
 *   <li>{@code qbridge_queue_jobs_moved_total{queue,direction=out|in}}: jobs that left or entered each queue;</li>
 *   <li>{@code qbridge_bad_connector_files}: files that could not be loaded.</li>
 * </ul>
 * It also keeps what the connectors' health is made of besides their consumers: each connector's run of failed
 * exchanges ({@link #failingExchanges}) and the queues whose counts cannot be read ({@link #unreadableQueues}).
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

    /** A problem that has lasted since {@code since}; {@code last} is when it was last seen. */
    public record Trouble(String reason, Instant since, Instant last) {
    }

    /** The meters of one connector and the queues it touches. */
    private record Connector(String name, Counter completed, Counter failed, AtomicLong up, List<String> queueIds,
                             List<Counter> queueOut, List<Counter> queueIn, FailureRun failures) {
    }

    /** The connector's current run of failed exchanges: none since the last completed one, or since when, and why. */
    private static final class FailureRun {
        private Trouble run;

        synchronized void failed(String reason) {
            Instant now = Instant.now();
            run = new Trouble(reason, run == null ? now : run.since(), now);
        }

        synchronized void completed() {
            run = null;
        }

        synchronized Optional<Trouble> current() {
            return Optional.ofNullable(run);
        }
    }

    /** A queue whose counts are sampled; {@code users} connectors touch it. Its gauges exist only while it is readable. */
    private static final class SampledQueue {
        final RedisQueue queue;
        final String redis;
        final AtomicLong[] values = {new AtomicLong(), new AtomicLong(), new AtomicLong(), new AtomicLong(), new AtomicLong()};
        final List<Meter> meters = new ArrayList<>();
        final Set<String> users = ConcurrentHashMap.newKeySet();
        /** Why the counts cannot be read, and since when; null while they can (or before the first sample). */
        volatile Trouble error;
        volatile boolean sampled;
        boolean removed;

        SampledQueue(RedisQueue queue, String redis) {
            this.queue = queue;
            this.redis = redis;
        }

        String label() {
            return queue.name() + " @ " + redis;
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
            c.failures().failed(exchange.getException() == null ? "the exchange failed"
                    : QbridgeException.describe(exchange.getException()));
        } else if (event instanceof CamelEvent.ExchangeCompletedEvent && !exchange.isFailed()) {
            c.completed().increment();
            c.failures().completed();
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
                up, new CopyOnWriteArrayList<>(), new CopyOnWriteArrayList<>(), new CopyOnWriteArrayList<>(), new FailureRun());
        Gauge.builder("qbridge_connector_up", up, AtomicLong::get).tags(tags)
                .description("1 while the connector runs and moves jobs, 0 while it is failing").register(registry);
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

    /** The connector's health: up (moves jobs) or failing; {@code qbridge_connector_up} says it. */
    public void connectorUp(String name, boolean up) {
        Connector c = connectors.get(name);
        if (c != null) {
            c.up().set(up ? 1 : 0);
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
                synchronized (q) {
                    q.removed = true;
                    hideCounts(q);
                }
            }
        }
        registry.find("qbridge_connector_up").tag("connector", spec.name()).meters().forEach(registry::remove);
    }

    /** The connector's run of failed exchanges, if its last exchange failed. */
    public Optional<Trouble> failingExchanges(String name) {
        Connector c = connectors.get(name);
        return c == null ? Optional.empty() : c.failures().current();
    }

    /** The queues of a connector whose counts cannot be read now, with the reason ("queue @ redis: why"). */
    public List<Trouble> unreadableQueues(String name) {
        Connector c = connectors.get(name);
        if (c == null) {
            return List.of();
        }
        List<Trouble> unreadable = new ArrayList<>();
        for (String id : c.queueIds()) {
            SampledQueue q = queues.get(id);
            Trouble error = q == null ? null : q.error;
            if (error != null) {
                unreadable.add(new Trouble("queue " + q.label() + " cannot be read: " + error.reason(), error.since(), error.last()));
            }
        }
        return unreadable;
    }

    public void badFiles(long count) {
        badFiles.set(count);
    }

    /** Jobs a running connector moved and deliveries that failed, for the status page: {completed, failed}. */
    public long[] connectorJobs(String name) {
        Connector c = connectors.get(name);
        return c == null ? new long[2] : new long[] {(long) c.completed().count(), (long) c.failed().count()};
    }

    /** The counts of a sampled queue, or why they cannot be read; neither before its first sample. */
    public record QueueSample(String queue, Optional<long[]> counts, Optional<Trouble> error) {
    }

    /** Every sampled queue, for the status page, by "queue @ redis". */
    public Map<String, QueueSample> queueCounts() {
        Map<String, QueueSample> samples = new java.util.TreeMap<>();
        queues.forEach((id, q) -> {
            Trouble error = q.error;
            if (error != null) {
                samples.put(q.label(), new QueueSample(q.label(), Optional.empty(), Optional.of(error)));
            } else if (q.sampled) {
                long[] v = new long[5];
                for (int i = 0; i < 5; i++) {
                    v[i] = q.values[i].get();
                }
                samples.put(q.label(), new QueueSample(q.label(), Optional.of(v), Optional.empty()));
            }
        });
        return samples;
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
                return new SampledQueue(new RedisQueue(connection, config), redis.toString());
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
            QueueCounts c;
            try {
                c = q.queue.counts();
            } catch (RuntimeException e) {
                unreadable(q, e);
                continue;
            }
            synchronized (q) {
                if (q.removed) {
                    continue;
                }
                q.values[0].set(c.ready());
                q.values[1].set(c.inFlight());
                q.values[2].set(c.delayed());
                q.values[3].set(c.retrying());
                q.values[4].set(c.dead());
                showCounts(q);
                Trouble was = q.error;
                q.error = null;
                q.sampled = true;
                if (was != null) {
                    LOG.info("the counts of queue {} can be read again", q.label());
                }
            }
        }
    }

    /** Counts that cannot be read are no counts: the gauges go, so no alert reads a made-up 0. */
    private void unreadable(SampledQueue q, RuntimeException e) {
        synchronized (q) {
            hideCounts(q);
            Trouble was = q.error;
            String reason = String.valueOf(e.getMessage());
            Instant now = Instant.now();
            q.error = new Trouble(reason, was == null ? now : was.since(), now);
            if (was == null || !was.reason().equals(reason)) {
                LOG.warn("cannot read the counts of queue {}: {}; its qbridge_queue_jobs gauges are left out until it can",
                        q.label(), reason);
            }
        }
    }

    private void showCounts(SampledQueue q) {
        if (!q.meters.isEmpty()) {
            return;
        }
        for (int i = 0; i < STATES.size(); i++) {
            q.meters.add(Gauge.builder("qbridge_queue_jobs", q.values[i], AtomicLong::get)
                    .tags("queue", q.queue.name(), "redis", q.redis, "state", STATES.get(i))
                    .description("Jobs of a queue by state").register(registry));
        }
    }

    private void hideCounts(SampledQueue q) {
        q.meters.forEach(registry::remove);
        q.meters.clear();
    }

    @Override
    public void close() {
        sampler.shutdownNow();
        connections.values().forEach(RedisConnection::close);
        connections.clear();
        registry.close();
    }
}
