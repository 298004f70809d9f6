package dev.qbridge.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.core.OutputStreamAppender;
import dev.qbridge.kafka.config.SinkConfig;
import dev.qbridge.kafka.config.SourceConfig;
import java.io.ByteArrayOutputStream;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.config.ConfigValue;
import org.apache.kafka.connect.connector.Connector;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * redis.uri is a STRING key, which Kafka's AbstractConfig logs in full when a connector starts and the worker's REST
 * API returns: a password in it is refused, and the refusal names redis.password without quoting the password.
 */
class RedisUriSecretsTest {

    private static final String PASSWORD = "KafkaUser+PW3@x/y";
    private static final String ENCODED = URLEncoder.encode(PASSWORD, StandardCharsets.UTF_8);

    private final ByteArrayOutputStream log = new ByteArrayOutputStream();
    private OutputStreamAppender<ch.qos.logback.classic.spi.ILoggingEvent> appender;
    private Logger configLogger;
    private Level configLevel;

    @BeforeEach
    void captureTheLog() {
        LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
        PatternLayoutEncoder encoder = new PatternLayoutEncoder();
        encoder.setContext(context);
        encoder.setPattern("%logger %msg%n%ex");
        encoder.start();
        appender = new OutputStreamAppender<>();
        appender.setContext(context);
        appender.setEncoder(encoder);
        appender.setOutputStream(log);
        appender.start();
        context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME).addAppender(appender);
        // AbstractConfig logs the values of a config at INFO: the line that would carry redis.uri
        configLogger = context.getLogger("org.apache.kafka.common.config.AbstractConfig");
        configLevel = configLogger.getLevel();
        configLogger.setLevel(Level.INFO);
    }

    @AfterEach
    void stopCapturing() {
        ((LoggerContext) LoggerFactory.getILoggerFactory()).getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME).detachAppender(appender);
        configLogger.setLevel(configLevel);
    }

    private static List<String> urisWithAPassword() {
        return List.of("redis://app:" + ENCODED + "@127.0.0.1:6379", "redis://:" + ENCODED + "@127.0.0.1:6379/1",
                "redis://" + ENCODED + "@127.0.0.1:6379", "redis://127.0.0.1:6379?password=" + ENCODED,
                "redis://127.0.0.1:6379?user=app&password=" + PASSWORD, "rediss://127.0.0.1:6380?trustStorePassword=" + ENCODED,
                "rediss://127.0.0.1:6380?keyStorePassword=" + ENCODED, "redis-cluster://app:" + ENCODED + "@h1:7000,h2:7001");
    }

    private static Map<String, String> source(String uri) {
        return new HashMap<>(Map.of("name", "s", "redis.uri", uri, "queues", "a"));
    }

    private static Map<String, String> sink(String uri) {
        return new HashMap<>(Map.of("name", "k", "redis.uri", uri, "topics", "t", "queue", "a"));
    }

    @Test
    void bothConnectorsRefuseAPasswordInRedisUriOnThatKeyPointingToRedisPassword() {
        for (String uri : urisWithAPassword()) {
            for (Connector connector : List.of(new RedisQueueSourceConnector(), new RedisQueueSinkConnector())) {
                Map<String, String> props = connector instanceof RedisQueueSinkConnector ? sink(uri) : source(uri);
                List<String> errors = new ArrayList<>();
                for (ConfigValue v : connector.validate(props).configValues()) {
                    if (v.name().equals("redis.uri")) {
                        errors.addAll(v.errorMessages());
                    } else {
                        assertThat(v.errorMessages()).as(v.name()).isEmpty();
                    }
                }
                assertThat(errors).as(uri).singleElement().asString()
                        .contains("redis.uri must not hold a password", "redis.password", "redis.user", "***");
                assertNoPassword(String.join("\n", errors));
            }
        }
    }

    @Test
    void aConfigWithAPasswordInRedisUriIsRefusedBeforeAnythingLogsIt() {
        for (String uri : urisWithAPassword()) {
            assertThatThrownBy(() -> new SourceConfig(source(uri))).isInstanceOf(ConfigException.class)
                    .satisfies(e -> assertNoPassword(e.getMessage())).hasMessageContaining("redis.password");
            assertThatThrownBy(() -> new SinkConfig(sink(uri))).isInstanceOf(ConfigException.class)
                    .satisfies(e -> assertNoPassword(e.getMessage())).hasMessageContaining("redis.password");
        }
        assertNoPassword(log.toString(StandardCharsets.UTF_8));
    }

    @Test
    void passwordsInTheirOwnKeysAreHiddenInTheLoggedConfig() {
        Map<String, String> props = source("redis://127.0.0.1:6379?user=app");
        props.put("redis.password", PASSWORD);
        props.put("redis.truststore.password", PASSWORD);

        new SourceConfig(props);
        Map<String, String> sinkProps = sink("redis://127.0.0.1:6379");
        sinkProps.put("redis.password", PASSWORD);
        new SinkConfig(sinkProps);

        String logged = log.toString(StandardCharsets.UTF_8);
        assertThat(logged).contains("redis.uri = redis://127.0.0.1:6379", "redis.password = [hidden]");
        assertNoPassword(logged);
    }

    @Test
    void aUriWithAUserButNoPasswordIsAccepted() {
        assertThat(new RedisQueueSourceConnector().validate(source("redis://127.0.0.1:6379?user=app&timeout=500"))
                .configValues()).allSatisfy(v -> assertThat(v.errorMessages()).as(v.name()).isEmpty());
    }

    private static void assertNoPassword(String text) {
        assertThat(text).doesNotContain(PASSWORD, ENCODED, URLEncoder.encode(ENCODED, StandardCharsets.UTF_8),
                Base64.getEncoder().encodeToString(PASSWORD.getBytes(StandardCharsets.UTF_8)), "PW3");
    }
}
