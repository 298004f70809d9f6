package dev.qbridge.camel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.OutputStreamAppender;
import dev.qbridge.testkit.RedisServer;
import dev.qbridge.testkit.RedisServerExtension;
import java.io.ByteArrayOutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import org.apache.camel.CamelContext;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.impl.DefaultCamelContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.slf4j.LoggerFactory;

/**
 * The redisq: component on its own, in any Camel application, without qbridge's server and its log masks: what
 * Camel and the component say about an endpoint (its exceptions, its log lines) never carries a password, raw or
 * encoded, whether the endpoint is refused, cannot reach Redis, or logs in with a wrong password.
 */
class RedisqSecretsTest {

    private static final String PASSWORD = "CamelUser+PW4@x/y";
    private static final String OPTION_PASSWORD = "CamelOpt+PW5@x/y";
    private static final String TRUST_PASSWORD = "CamelTrust+PW6@x/y";

    @RegisterExtension
    static RedisServerExtension redis = RedisServerExtension.of(RedisServer.builder()
            .user("bridge", PASSWORD).clientCredentials("bridge", PASSWORD));

    private final ByteArrayOutputStream log = new ByteArrayOutputStream();
    private OutputStreamAppender<ILoggingEvent> appender;
    private final List<String> printed = new ArrayList<>();

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
    }

    @AfterEach
    void everythingSaidHoldsNoPassword() {
        ((LoggerContext) LoggerFactory.getILoggerFactory()).getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME).detachAppender(appender);
        printed.add(log.toString(StandardCharsets.UTF_8));
        for (String text : printed) {
            for (String password : List.of(PASSWORD, OPTION_PASSWORD, TRUST_PASSWORD)) {
                for (String form : forms(password)) {
                    assertThat(text).as("%s as %s", password, form).doesNotContain(form);
                }
            }
        }
    }

    /** The password raw, percent-encoded once and twice, base64, JSON-escaped, and its distinctive middle. */
    private static List<String> forms(String password) {
        String once = enc(password);
        return List.of(password, once, enc(once), Base64.getEncoder().encodeToString(password.getBytes(StandardCharsets.UTF_8)),
                password.replace("/", "\\/"), password.replace("@", "\\u0040"), password.substring(password.indexOf("+PW"),
                        password.indexOf('@')));
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    private String redisUri(String password) {
        return "redis://bridge:" + enc(password) + "@127.0.0.1:" + redis.port();
    }

    /** Every message of the chain and the whole stack trace, as any application would log or print it. */
    private void keep(Throwable e) {
        assertThat(e).isNotNull();
        StringWriter trace = new StringWriter();
        e.printStackTrace(new PrintWriter(trace));
        printed.add(trace.toString());
        for (Throwable t = e; t != null; t = t.getCause()) {
            printed.add(String.valueOf(t.getMessage()));
            printed.add(t.toString());
        }
    }

    @Test
    void aRefusedEndpointIsQuotedWithoutItsPasswords() throws Exception {
        try (CamelContext camel = new DefaultCamelContext()) {
            camel.start();
            for (String uri : List.of(
                    "redisq:q?redisUri=" + redisUri(PASSWORD) + "&batchSize=0",
                    "redisq:q?redisUri=" + redisUri(PASSWORD) + "&bogus=1",
                    "redisq:q?redisUri=" + enc(redisUri(PASSWORD)) + "&bogus=1",
                    "redisq:q?redisUri=RAW(" + redisUri(PASSWORD) + ")&password=RAW(" + OPTION_PASSWORD + ")&bogus=1",
                    "redisq:q?password=" + enc(OPTION_PASSWORD) + "&trustStore=/nonexistent.p12&trustStorePassword="
                            + enc(TRUST_PASSWORD),
                    "redisq:q?redisUri=redis://:" + enc(PASSWORD) + "@127.0.0.1:notaport")) {
                Throwable refused = catchThrowable(() -> camel.getEndpoint(uri));
                keep(refused);
                assertThat(refused.getMessage()).as(uri).contains("redisq");
            }
        }
    }

    @Test
    void aRouteWithARefusedEndpointFailsToStartWithoutItsPasswords() throws Exception {
        CamelContext camel = new DefaultCamelContext();
        try {
            camel.addRoutes(new RouteBuilder() {
                @Override
                public void configure() {
                    from("redisq:q?redisUri=" + redisUri(PASSWORD) + "&password=" + enc(OPTION_PASSWORD) + "&bogus=1")
                            .routeId("refused").to("log:x");
                }
            });
            keep(catchThrowable(camel::start));
        } catch (Exception e) {
            keep(e);
        } finally {
            camel.close();
        }
    }

    @Test
    void wrongPasswordsAndUnreachableRedisAreReportedWithoutThePasswords() throws Exception {
        try (CamelContext camel = new DefaultCamelContext()) {
            camel.start();
            var template = camel.createProducerTemplate();
            keep(catchThrowable(() -> template.sendBody("redisq:q?redisUri=" + redisUri(OPTION_PASSWORD), "x")));
            keep(catchThrowable(() -> template.sendBody("redisq:q?redisUri=redis://127.0.0.1:" + redis.port()
                    + "&user=bridge&password=" + enc(OPTION_PASSWORD), "x")));
            keep(catchThrowable(() -> template.sendBody("redisq:q?redisUri=redis://bridge:" + enc(PASSWORD)
                    + "@127.0.0.1:1&timeout=500", "x")));
            // Camel reads a '+' of an option as a space, even one written %2B: a password is given in RAW(...)
            template.sendBody("redisq:q?redisUri=RAW(" + redisUri(PASSWORD) + ")", "pushed");
            assertThat(redis.client().llen("q")).isEqualTo(1);
            // what an application logs of its endpoints
            camel.getEndpoints().forEach(e -> printed.add(e.toString() + " " + e.getEndpointBaseUri()));
        }
    }
}
