package dev.qbridge.server.deploy;

import dev.qbridge.camel.RedisqConsumer;
import dev.qbridge.core.Secrets;
import dev.qbridge.core.consume.ConsumerHealth;
import dev.qbridge.server.metrics.ServerMetrics;
import dev.qbridge.server.metrics.ServerMetrics.Trouble;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.apache.camel.CamelContext;
import org.apache.camel.Consumer;
import org.apache.camel.Route;
import org.apache.camel.ServiceStatus;
import org.apache.camel.component.jms.JmsConsumer;
import org.apache.camel.component.kafka.KafkaConsumer;
import org.apache.camel.component.kafka.TaskHealthState;
import org.springframework.jms.listener.AbstractMessageListenerContainer;
import org.springframework.jms.listener.DefaultMessageListenerContainer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Works out, every second, whether each running connector moves jobs, from what can tell:
 * <ol>
 *   <li>its route's consumer: a {@code redisq:} consumer's own {@link ConsumerHealth} (Redis unreachable or refusing
 *       the password, a key of the wrong type, the destination down); a {@code kafka:} consumer that reaches no
 *       broker (camel-kafka's readiness, the one its health check reads); a {@code jms:} listener container that
 *       cannot connect (Spring's recovering state); a route that is not started;</li>
 *   <li>its {@code redisq:} queues, source or sink, whose counts cannot be read (Redis down, wrong password, a key of
 *       the wrong type: pushes would fail alike);</li>
 *   <li>its exchanges: every one has failed for the last {@link #FAILING_AFTER} (a sink that refuses every job, a
 *       Redis sink that is down), with the last exception's message.</li>
 * </ol>
 * A problem that has lasted {@link #FAILING_AFTER} makes the connector failing, with that reason; a shorter one (a
 * Redis failover, a Kafka reconnect) does not. The change is logged once each way and {@code qbridge_connector_up}
 * follows it. A connector whose consumer tells nothing (file, platform-http, timer, ...) is judged by 2 and 3.
 */
final class HealthMonitor implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(HealthMonitor.class);

    /** How long a connector must have been unable to move jobs before it is reported failing. */
    static final Duration FAILING_AFTER = Duration.ofSeconds(10);
    /** Failed exchanges older than this say nothing any more (no exchange since: nothing to tell). */
    static final Duration FAILURES_FORGOTTEN_AFTER = Duration.ofMinutes(1);

    private final CamelContext context;
    private final ServerMetrics metrics;
    private final Supplier<Collection<ConnectorSpec>> running;
    private final Map<String, ConnectorHealth> health = new ConcurrentHashMap<>();
    /** When a consumer without a clock of its own (Kafka, JMS, a route not started) was first seen in trouble. */
    private final Map<String, Instant> troubleSeen = new ConcurrentHashMap<>();
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "qbridge-health");
        t.setDaemon(true);
        return t;
    });

    HealthMonitor(CamelContext context, ServerMetrics metrics, Supplier<Collection<ConnectorSpec>> running) {
        this.context = context;
        this.metrics = metrics;
        this.running = running;
        timer.scheduleWithFixedDelay(this::checkAllSafely, 1, 1, TimeUnit.SECONDS);
    }

    /** The connector's health as last worked out: not failing until a problem has lasted long enough. */
    ConnectorHealth health(String connector) {
        return health.getOrDefault(connector, ConnectorHealth.OK);
    }

    /** Forgets a connector that stopped, so that a new one of the same name starts with a clean slate. */
    void forget(String connector) {
        health.remove(connector);
        troubleSeen.remove(connector);
    }

    private void checkAllSafely() {
        try {
            Set<String> names = ConcurrentHashMap.newKeySet();
            for (ConnectorSpec spec : running.get()) {
                names.add(spec.name());
                check(spec, Instant.now());
            }
            health.keySet().retainAll(names);
            troubleSeen.keySet().retainAll(names);
        } catch (RuntimeException e) {
            LOG.warn("working out the connectors' health failed: {}; trying again in a second", e.toString());
        }
    }

    void check(ConnectorSpec spec, Instant now) {
        List<Trouble> troubles = new ArrayList<>();
        consumerTrouble(spec, now).ifPresent(troubles::add);
        troubles.addAll(metrics.unreadableQueues(spec.name()));
        metrics.failingExchanges(spec.name())
                .filter(t -> Duration.between(t.last(), now).compareTo(FAILURES_FORGOTTEN_AFTER) < 0)
                .map(t -> new Trouble("every exchange fails: " + t.reason(), t.since(), t.last()))
                .ifPresent(troubles::add);
        Optional<Trouble> lasting = troubles.stream()
                .filter(t -> Duration.between(t.since(), now).compareTo(FAILING_AFTER) >= 0).findFirst();
        ConnectorHealth was = health(spec.name());
        ConnectorHealth is = lasting.map(t -> ConnectorHealth.failing(Secrets.redact(t.reason()), t.since()))
                .orElse(ConnectorHealth.OK);
        health.put(spec.name(), is);
        metrics.connectorUp(spec.name(), !is.isFailing());
        if (is.isFailing() && (!was.isFailing() || !was.reason().equals(is.reason()))) {
            LOG.warn("connector {} is failing since {}: {}; its jobs stay where they are until this is fixed", spec.name(),
                    is.since(), is.reason().get());
        } else if (!is.isFailing() && was.isFailing()) {
            LOG.info("connector {} moves jobs again (it failed for {} s: {})", spec.name(),
                    Duration.between(was.since(), now).toSeconds(), was.reason().get());
        }
    }

    /** What the route's consumer says; a trouble's clock starts when first seen if the consumer keeps none. */
    private Optional<Trouble> consumerTrouble(ConnectorSpec spec, Instant now) {
        Optional<String> reason;
        Route route = context.getRoute(spec.name());
        ServiceStatus status = context.getRouteController().getRouteStatus(spec.name());
        if (route == null || status == null) {
            reason = Optional.of("its route is gone");
        } else if (status == ServiceStatus.Stopping) {
            reason = Optional.empty(); // the deployer stops it gracefully: its jobs in flight finish
        } else if (status != ServiceStatus.Started) {
            reason = Optional.of("its route is " + status.name().toLowerCase());
        } else {
            Consumer consumer = route.getConsumer();
            if (consumer instanceof RedisqConsumer redisq) {
                troubleSeen.remove(spec.name());
                return redisq(redisq.health(), now);
            }
            reason = consumer instanceof KafkaConsumer kafka ? kafka(kafka)
                    : consumer instanceof JmsConsumer jms ? jms(jms, spec)
                    : Optional.empty();
        }
        if (reason.isEmpty()) {
            troubleSeen.remove(spec.name());
            return Optional.empty();
        }
        Instant since = troubleSeen.computeIfAbsent(spec.name(), k -> now);
        return Optional.of(new Trouble(reason.get(), since, now));
    }

    private static Optional<Trouble> redisq(ConsumerHealth h, Instant now) {
        String what = switch (h.status()) {
            case RUNNING, STOPPED -> null;
            case REDIS_UNAVAILABLE -> "its Redis is unavailable";
            case QUEUE_BROKEN -> "its queue is skipped";
            case DESTINATION_UNAVAILABLE -> "its destination is unavailable";
        };
        return what == null ? Optional.empty()
                : Optional.of(new Trouble(what + h.problem().map(p -> ": " + p).orElse(""), h.since(), now));
    }

    /** camel-kafka's readiness: each task has a connection to a broker (what its KafkaConsumerHealthCheck reads). */
    private static Optional<String> kafka(KafkaConsumer consumer) {
        for (TaskHealthState task : consumer.healthStates()) {
            if (!task.isReady()) {
                return Optional.of("its Kafka consumer reaches no broker of " + task.getBootstrapServers()
                        + (task.getLastError() == null ? "" : ": " + task.getLastError().getMessage()));
            }
        }
        return Optional.empty();
    }

    /** Spring's listener container: recovering means it cannot connect and tries again every few seconds. */
    private static Optional<String> jms(JmsConsumer consumer, ConnectorSpec spec) {
        AbstractMessageListenerContainer container;
        try {
            container = consumer.getListenerContainer();
        } catch (Exception e) {
            return Optional.of("its JMS listener has no container: " + e.getMessage());
        }
        if (container instanceof DefaultMessageListenerContainer dmlc && (dmlc.isRecovering() || !dmlc.isRunning())) {
            return Optional.of("its JMS listener cannot connect to the broker"
                    + spec.jms().map(j -> " " + j.brokerUrl()).orElse("") + " (it tries again every 5 s)");
        }
        return Optional.empty();
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
