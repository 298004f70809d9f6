package dev.qbridge.server.metrics;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.turbo.TurboFilter;
import ch.qos.logback.core.spi.FilterReply;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Marker;

/**
 * Lets through one warning per client per interval from the clients of a peer that is down, and drops the repeats.
 * A Kafka client whose brokers cannot be reached logs two warnings a second for as long as it runs ("Connection to
 * node -1 could not be established", "Bootstrap broker disconnected"); Spring's JMS listener container (Camel's
 * subclass logs under its own name) an error every five seconds:
 * they would bury every other line. The connector's health already says that the peer is down (/connectors,
 * /health, qbridge_connector_up), so one line a minute keeps the log readable and still shows the problem.
 * <p>
 * A client is what the line names, whichever of the limited loggers writes it: Kafka's {@code clientId=...} (one
 * per connector: {@code qbridge-<connector>}), Spring's {@code destination '...'}; else the logger. Lines below
 * WARN and lines of other loggers pass untouched.
 * Configured in logback.xml:
 * <pre>{@code
 * <turboFilter class="dev.qbridge.server.metrics.RepeatedWarnings">
 *   <loggers>org.apache.kafka.clients,org.springframework.jms.listener,org.apache.camel.component.jms.DefaultJmsMessageListenerContainer</loggers>
 *   <intervalSeconds>60</intervalSeconds>
 * </turboFilter>
 * }</pre>
 */
public final class RepeatedWarnings extends TurboFilter {

    private static final Pattern CLIENT = Pattern.compile("clientId=([^,\\]\\s]+)|destination '([^']*)'");

    private final Map<String, Long> lastShown = new ConcurrentHashMap<>();
    private volatile List<String> loggers = List.of("org.apache.kafka.clients");
    private volatile long intervalNanos = 60_000_000_000L;

    /** Comma-separated logger name prefixes whose warnings are limited. */
    public void setLoggers(String prefixes) {
        List<String> list = new ArrayList<>();
        for (String p : prefixes.split(",")) {
            if (!p.isBlank()) {
                list.add(p.trim());
            }
        }
        loggers = List.copyOf(list);
    }

    public void setIntervalSeconds(long seconds) {
        intervalNanos = Math.max(1, seconds) * 1_000_000_000L;
    }

    @Override
    public FilterReply decide(Marker marker, Logger logger, Level level, String format, Object[] params, Throwable t) {
        // format is null for isWarnEnabled() and friends: those must keep answering truthfully
        if (format == null || level == null || !level.isGreaterOrEqual(Level.WARN) || !limited(logger.getName())) {
            return FilterReply.NEUTRAL;
        }
        String client = client(format, params);
        String key = client.isEmpty() ? logger.getName() : client;
        long now = System.nanoTime();
        boolean[] show = {false};
        lastShown.compute(key, (k, last) -> {
            if (last == null || now - last >= intervalNanos) {
                show[0] = true;
                return now;
            }
            return last;
        });
        return show[0] ? FilterReply.NEUTRAL : FilterReply.DENY;
    }

    private boolean limited(String name) {
        for (String prefix : loggers) {
            if (name.startsWith(prefix)) {
                return true;
            }
        }
        return false;
    }

    private static String client(String format, Object[] params) {
        Matcher m = CLIENT.matcher(format);
        if (m.find()) {
            return m.group(1) != null ? m.group(1) : m.group(2);
        }
        if (params != null) {
            for (Object p : params) {
                if (p instanceof String s) {
                    Matcher pm = CLIENT.matcher(s);
                    if (pm.find()) {
                        return pm.group(1) != null ? pm.group(1) : pm.group(2);
                    }
                }
            }
        }
        return "";
    }
}
