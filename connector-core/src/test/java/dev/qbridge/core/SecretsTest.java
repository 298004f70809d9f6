package dev.qbridge.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;

class SecretsTest {

    /** A password with characters that every encoding changes. */
    private static final String PW = "AppUser+PW2@x/y";

    @Test
    void redisPasswordsAndSecretEndpointOptionsAreMasked() {
        assertThat(Secrets.redact("redisq:q?redisUri=redis://app:hunter2@host:6379"))
                .isEqualTo("redisq:q?redisUri=redis://app:***@host:6379");
        assertThat(Secrets.redact("redisq:q?password=hunter2&batchSize=10")).isEqualTo("redisq:q?password=***&batchSize=10");
        assertThat(Secrets.redact("kafka:t?brokers=k:9092&saslJaasConfig=RAW(org.Login required password=\"hunter2\";)"))
                .doesNotContain("hunter2").contains("brokers=k:9092");
        assertThat(Secrets.redact("jms:queue:q?password=hunter2")).isEqualTo("jms:queue:q?password=***");
        assertThat(Secrets.redact("rediss://:hunter2@host:6380/0 and redis-cluster://u:hunter2@h1:1,h2:2"))
                .isEqualTo("rediss://:***@host:6380/0 and redis-cluster://u:***@h1:1,h2:2");
        assertThat(Secrets.redact("redisq:q?trustStorePassword=hunter2&tls=true")).isEqualTo("redisq:q?trustStorePassword=***&tls=true");
        assertThat(Secrets.redact("redisq:q?keyStorePassword=hunter2&keyStore=/k.p12"))
                .isEqualTo("redisq:q?keyStorePassword=***&keyStore=/k.p12");
    }

    @Test
    void everyOptionWhoseNameSaysPasswordIsMaskedWhateverItsPrefix() {
        for (String name : List.of("password", "redis.password", "redis.keystore.password", "redis.truststore.password",
                "jms.password", "keyStorePassword", "sslKeyPassword", "ssl.key.password", "passphrase", "clientSecret",
                "accessToken", "apiKey", "sasl.jaas.config", "QBRIDGE_REDIS_PASSWORD")) {
            assertThat(Secrets.redact(name + "=hunter2")).as(name).isEqualTo(name + "=***");
            assertThat(Secrets.redact("\t" + name + " = hunter2")).as(name).isEqualTo("\t" + name + " = ***");
        }
    }

    @Test
    void aLoneUserinfoIsMaskedForARedisUriReadsItAsThePassword() {
        assertThat(Secrets.redact("redis://hunter2@host:6379")).isEqualTo("redis://***@host:6379");
        assertThat(Secrets.redact("redis://@host:6379")).isEqualTo("redis://@host:6379");
    }

    @Test
    void aPasswordWithAnAtSignIsMaskedUpToTheLastAtOfTheAuthority() {
        assertThat(Secrets.redact("redis://app:Pw@rd@host:6379/0")).isEqualTo("redis://app:***@host:6379/0");
        assertThat(Secrets.redact("redis://app:" + enc(PW) + "@host:6379")).isEqualTo("redis://app:***@host:6379");
    }

    @Test
    void aRawSlashOrAtInAPasswordIsMaskedWithIt() {
        assertThat(Secrets.redact("redis://app:" + PW + "@host:6379/0 is down")).isEqualTo("redis://app:***@host:6379/0 is down");
        assertThat(Secrets.redact("source = redisq:q?redisUri=redis://:a/b@c@h:1&batchSize=2"))
                .isEqualTo("source = redisq:q?redisUri=redis://:***@h:1&batchSize=2");
    }

    @Test
    void aUriWithoutUserinfoInsideAnEndpointUriEndsAtTheNextOption() {
        String uri = "redisq:q?redisUri=rediss://127.0.0.1:6380&user=app&password=RAW(" + PW + ")&trustStore=/t.p12"
                + "&trustStorePassword=RAW(" + PW + ")";

        assertThat(Secrets.redact(uri)).isEqualTo("redisq:q?redisUri=rediss://127.0.0.1:6380&user=app&password=***"
                + "&trustStore=/t.p12&trustStorePassword=***");
    }

    @Test
    void urlEncodedPasswordsAreMaskedOnceTwiceAndThriceEncoded() {
        // how Camel writes an endpoint URI once it normalized it: the redisUri option is percent-encoded
        assertThat(Secrets.redact("Failed to resolve endpoint: redisq://q?redisUri=redis%3A%2F%2Fapp%3Ahunter2%40host%3A6379"
                + "&batchSize=5 due to: bad")).doesNotContain("hunter2").contains("app:***@host:6379", "batchSize=5", "due to: bad");
        String uri = "redis://app:" + enc(PW) + "@host:6379";
        for (String text : List.of("redisq://q?redisUri=" + enc(uri), "redisq://q?redisUri=" + enc(enc(uri)),
                "redisq://q?redisUri=" + enc(enc(enc(uri))), "redisq://q?password=" + enc(PW), "x?" + enc("password=" + PW),
                "x?" + enc(enc("password=" + PW)), "redisq://q?redisUri=redis%3A%2F%2F%3Ahunter2%40host")) {
            assertThat(Secrets.redact(text)).as(text).doesNotContain("hunter2", PW, enc(PW), enc(enc(PW)), "PW2");
        }
    }

    @Test
    void aRunWithAnInvalidEscapeIsStillDecodedWhereItCanBe() {
        assertThat(Secrets.redact("redisq://q?redisUri=redis%3A%2F%2Fapp%3Ahunter2%40host&note=100%"))
                .doesNotContain("hunter2").endsWith("&note=100%");
        assertThat(Secrets.redact("x?redisUri=redis%3A%2F%2Fapp%3Ahunter2%40host%ZZ")).doesNotContain("hunter2");
    }

    @Test
    void jsonEscapedSecretsAreMasked() {
        assertThat(Secrets.redact("{\"uri\":\"redis://app:hunter2\\u0040host\"}")).doesNotContain("hunter2");
        assertThat(Secrets.redact("{\"q\":\"x?password\\u003dhunter2\"}")).doesNotContain("hunter2");
        assertThat(Secrets.redact("{\"password\":\"hun\\\"ter2\",\"user\":\"app\"}"))
                .isEqualTo("{\"password\":\"***\",\"user\":\"app\"}");
        assertThat(Secrets.redact("{\"sink\":\"jms:queue:q?password=hun\\\"ter2\"}")).doesNotContain("ter2");
    }

    @Test
    void aDecodedRunKeepsItsJsonStringValid() {
        String body = "{\"sink\":\"http://h/a?password=x%22y%20z\"}";

        assertThat(Secrets.redact(body)).isEqualTo("{\"sink\":\"http://h/a?password=***\"}");
        assertThat(Secrets.redact("{\"sink\":\"redis://u:p%40w@h/%22q%22\"}")).isEqualTo("{\"sink\":\"redis://u:***@h/%22q%22\"}");
    }

    @Test
    void plusInAPasswordIsNeitherASpaceNorAnEnd() {
        assertThat(Secrets.redact("redisq:q?password=" + PW + "&batchSize=1")).isEqualTo("redisq:q?password=***&batchSize=1");
        assertThat(Secrets.redact("redisq:q?password=App+User%2BPW2")).isEqualTo("redisq:q?password=***");
    }

    @Test
    void aPasswordHoldingPunctuationIsMaskedWhole() {
        assertThat(Secrets.redact("jms:queue:q?password=ab,cd;ef)gh]")).isEqualTo("jms:queue:q?password=***");
        assertThat(Secrets.redact("Unknown parameters=[{bogus=1, password=hun]}ter2}]")).doesNotContain("hun", "ter2")
                .startsWith("Unknown parameters=[{bogus=***, password=***");
    }

    @Test
    void rawValuesAndJaasConfigsAreMaskedWhole() {
        assertThat(Secrets.redact("redisq:q?password=RAW(hun&ter2)&batchSize=10")).isEqualTo("redisq:q?password=***&batchSize=10");
        assertThat(Secrets.redact("sasl.jaas.config=org.Login required username=\"a\" password=\"hunter2\";"))
                .doesNotContain("hunter2");
        assertThat(Secrets.redact("login with password=\"hunter two\" now")).isEqualTo("login with password=\"***\" now");
    }

    @Test
    void authorizationHeadersAreMasked() {
        String basic = Base64.getEncoder().encodeToString(("app:" + PW).getBytes(StandardCharsets.UTF_8));

        assertThat(Secrets.redact("Authorization: Basic " + basic)).isEqualTo("Authorization: Basic ***");
        assertThat(Secrets.redact("Authorization: Bearer tok.en-1")).isEqualTo("Authorization: Bearer ***");
    }

    @Test
    void everyValueOfAnOptionCamelCouldNotSetIsMaskedForAMisspelledPasswordOptionIsOne() {
        // as Camel 4.17 reports them, values decoded: KeySt%2BPW6 became "KeySt PW6"
        String message = "Failed to resolve endpoint: redisq://q?bogus=1&pasword=xxxxxx due to: There are 3 parameters "
                + "that couldn't be set on the endpoint. Unknown parameters=[{keyStore=/tmp/k.p12, pasword=KeySt PW6@x/y, "
                + "bogus=1}]. Check the uri";

        assertThat(Secrets.redact(message)).doesNotContain("PW6", "KeySt").endsWith(
                "Unknown parameters=[{keyStore=***, pasword=***, bogus=***}]. Check the uri");
    }

    @Test
    void maskingAReasonAndThenTheJsonBodyThatHoldsItKeepsTheBodyWhole() {
        // as /connectors is made: each reason masked when reported, the whole body masked again when served
        String keyStore = Secrets.redact("Failed: Unknown parameters=[{keyStore=/x.p12, keyStorePassword=KeySt PW6@x/y}]");
        String raw = Secrets.redact("redisq:q?password=RAW(a\"b)&x=1");
        String body = "{\"badFiles\":[{\"file\":\"a\",\"reason\":\"" + keyStore + "\"},{\"file\":\"b\",\"reason\":"
                + "\"password=RAW(x\"},{\"file\":\"c\",\"reason\":\"" + raw.replace("\"", "\\\"") + "\"},"
                + "{\"file\":\"d\",\"reason\":\"was 0)\"}],\"queues\":[]}";

        String served = Secrets.redact(body);

        assertThat(served).doesNotContain("PW6").contains("\"file\":\"a\"", "\"file\":\"b\"", "\"file\":\"c\"",
                "\"file\":\"d\"", "\"reason\":\"was 0)\"}],\"queues\":[]}");
        assertThat(Secrets.redact(served)).isEqualTo(served);
    }

    @Test
    void camelsOwnMaskBecomesOurs() {
        assertThat(Secrets.redact("redisq://q?password=xxxxxx")).isEqualTo("redisq://q?password=***");
        assertThat(Secrets.redact("redis://:xxxxxx@h:1")).isEqualTo("redis://:***@h:1");
        assertThat(Secrets.redact("Failed to resolve endpoint: redisq://q?batchSize=0&redisUri=xxxxxx due to: x"))
                .isEqualTo("Failed to resolve endpoint: redisq://q?batchSize=0&redisUri=*** due to: x");
    }

    @Test
    void redisErrorTextsAfterAUriAreKeptWhole() {
        // the errors as redis-server 7.0.15 answers them (captured with redis-cli against a real server)
        List<String> errors = List.of(
                "ERR value is not an integer or out of range script: 61636018f4e6b5817b89791bbed242f93fa089e3, on @user_script:1.",
                "ERR user_script:1: attempt to perform arithmetic on local 'x' (a nil value) script: "
                        + "104ac674cae76dbe6ea8ea984c435a4ba02c7d0b, on @user_script:1.",
                "ERR Lua redis lib command arguments must be strings or integers script: "
                        + "d8b2ec5b5ad036aa8fe0fb6d7dd7f725c5a1e4d5, on @user_script:1.",
                "ERR Unknown Redis command called from script script: 206396248e12c6e742fd7296250433c8d7343b74, on @user_script:1.",
                "ERR value is not an integer or out of range script: 524cb060b598684fd9542ffd76dbf4c8bdd80b97, on @user_script:40.",
                "ERR The user executing the script can't run this command or subcommand script: "
                        + "872bc6701b4ac00ebb820e81652ffe2b4bc16f1b, on @user_script:1.",
                "NOPERM this user has no permissions to run the 'set' command",
                "NOPERM this user has no permissions to access one of the keys used as arguments",
                "WRONGPASS invalid username-password pair or user is disabled.",
                "NOAUTH Authentication required.",
                "WRONGTYPE key s holds a string that is not an integer");
        for (String error : errors) {
            for (String endpoint : List.of("redis://:***@127.0.0.1:6379", "redis://127.0.0.1:6379", "redis://app:***@h:1/2",
                    "redis-cluster://127.0.0.1:7000,127.0.0.1:7001")) {
                String message = "Redis at " + endpoint + " answered an error: " + error;
                assertThat(Secrets.redact(message)).isEqualTo(message);
                assertThat(Secrets.redact(message + " (" + endpoint + ")")).isEqualTo(message + " (" + endpoint + ")");
            }
            assertThat(Secrets.redact(error)).isEqualTo(error);
        }
    }

    @Test
    void stackTracesOfClassesNamedLikeSecretsAreKept() {
        String trace = "\tat org.apache.kafka.common.config.types.Password.value(Password.java:42)\n"
                + "\tat dev.qbridge.core.Secrets.redact(Secrets.java:60)\n\tat a.TokenCache.get(TokenCache.java:7)";

        assertThat(Secrets.redact(trace)).isEqualTo(trace);
    }

    @Test
    void textWithoutASecretIsLeftExactlyAsWritten() {
        for (String text : List.of("no secret: redisq:orders?batchSize=5, http://host:8080/a%20b",
                "http://host/users/@me and mailto:a@b.c", "{\"source\":\"file:in?charset=utf-8\",\"n\":\"\\u00e9\"}",
                "the password is set apart (redis.password)", "100% done", "redis://[::1]:6379",
                "key 'jms.password' is unknown", "Usage: qbridge server [--http-token-file=<file>] [--password=<pw>] <dir>",
                "send Authorization: Bearer <token>", "Where Redis is: redis://[user:password@]host:port[/db]")) {
            assertThat(Secrets.redact(text)).as(text).isEqualTo(text);
            assertThat(Secrets.holdsSecret(text)).as(text).isFalse();
        }
        assertThat(Secrets.redact(null)).isEqualTo("null");
    }

    @Test
    void holdsSecretTellsAUriWithCredentialsFromOneWithout() {
        assertThat(Secrets.holdsSecret("redis://app:pw@h:1")).isTrue();
        assertThat(Secrets.holdsSecret("redis://pw@h:1")).isTrue();
        assertThat(Secrets.holdsSecret("redis://h:1?password=pw")).isTrue();
        assertThat(Secrets.holdsSecret("redis://h:1?trustStorePassword=pw")).isTrue();
        assertThat(Secrets.holdsSecret("redis://h:1?user=app&timeout=5")).isFalse();
        assertThat(Secrets.holdsSecret("redis-cluster://h:1,h:2/0")).isFalse();
    }

    @Test
    void maskingTwiceChangesNothing() {
        String once = Secrets.redact("redisq:q?redisUri=redis%3A%2F%2Fapp%3Ahunter2%40h&password=x and redis://u:p@h");

        assertThat(Secrets.redact(once)).isEqualTo(once);
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }
}
