package dev.qbridge.server.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.core.spi.FilterReply;
import org.junit.jupiter.api.Test;

class RepeatedWarningsTest {

    private final LoggerContext context = new LoggerContext();
    private final Logger network = context.getLogger("org.apache.kafka.clients.NetworkClient");
    private final Logger coordinator = context.getLogger("org.apache.kafka.clients.consumer.internals.ConsumerCoordinator");
    private final RepeatedWarnings filter = new RepeatedWarnings();

    RepeatedWarningsTest() {
        filter.setLoggers("org.apache.kafka.clients, org.springframework.jms.listener,"
                + "org.apache.camel.component.jms.DefaultJmsMessageListenerContainer");
        filter.setIntervalSeconds(60);
    }

    private FilterReply warn(Logger logger, String line) {
        return filter.decide(null, logger, Level.WARN, line, null, null);
    }

    @Test
    void oneWarningPerClientPerMinutePasses() {
        assertThat(warn(network, "[Consumer clientId=qbridge-a, groupId=g] Connection to node -1 could not be established."))
                .isEqualTo(FilterReply.NEUTRAL);
        assertThat(warn(network, "[Consumer clientId=qbridge-a, groupId=g] Bootstrap broker disconnected"))
                .isEqualTo(FilterReply.DENY);
        assertThat(warn(coordinator, "[Consumer clientId=qbridge-a, groupId=g] Group coordinator is unavailable"))
                .as("the same client through another logger").isEqualTo(FilterReply.DENY);
        assertThat(warn(network, "[Producer clientId=qbridge-b] Connection to node -1 could not be established."))
                .as("another client").isEqualTo(FilterReply.NEUTRAL);
    }

    @Test
    void theNextWarningPassesOnceTheIntervalIsOver() throws InterruptedException {
        filter.setIntervalSeconds(1);
        assertThat(warn(network, "[Consumer clientId=c] down")).isEqualTo(FilterReply.NEUTRAL);
        assertThat(warn(network, "[Consumer clientId=c] down")).isEqualTo(FilterReply.DENY);
        Thread.sleep(1100);
        assertThat(warn(network, "[Consumer clientId=c] down")).isEqualTo(FilterReply.NEUTRAL);
    }

    @Test
    void springListenerLinesAreLimitedPerDestination() {
        Logger spring = context.getLogger("org.apache.camel.component.jms.DefaultJmsMessageListenerContainer");
        assertThat(warn(spring, "Could not refresh JMS Connection for destination 'a' - retrying")).isEqualTo(FilterReply.NEUTRAL);
        assertThat(filter.decide(null, spring, Level.ERROR, "Could not refresh JMS Connection for destination 'a' - retrying",
                null, null)).as("errors repeat too").isEqualTo(FilterReply.DENY);
        assertThat(warn(spring, "Could not refresh JMS Connection for destination 'b' - retrying")).isEqualTo(FilterReply.NEUTRAL);
    }

    @Test
    void otherLoggersLowerLevelsAndEnabledChecksAreUntouched() {
        Logger ours = context.getLogger("dev.qbridge.server.deploy.ConnectorDeployer");
        for (int i = 0; i < 3; i++) {
            assertThat(warn(ours, "[Consumer clientId=x] same line")).isEqualTo(FilterReply.NEUTRAL);
            assertThat(filter.decide(null, network, Level.INFO, "[Consumer clientId=x] info", null, null)).isEqualTo(FilterReply.NEUTRAL);
            assertThat(filter.decide(null, network, Level.WARN, null, null, null)).isEqualTo(FilterReply.NEUTRAL);
        }
    }
}
