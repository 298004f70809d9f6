package dev.qbridge.server.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConnectorFileTest {

    @TempDir
    Path dir;

    private Path write(String name, String content) throws IOException {
        return Files.writeString(dir.resolve(name), content);
    }

    private BadFile badFile(Path file) {
        try {
            ConnectorFile.parse(file);
        } catch (BadFileException e) {
            return e.report();
        }
        throw new AssertionError(file + " was accepted");
    }

    @Test
    void sourceSinkAndNameFromTheFile() throws Exception {
        ConnectorSpec spec = ConnectorFile.parse(write("orders.properties", "source = redisq:orders\nsink = kafka:orders?brokers=k:9092\n"));

        assertThat(spec.name()).isEqualTo("orders");
        assertThat(spec.enabled()).isTrue();
        assertThat(spec.source()).isEqualTo("redisq:orders");
        assertThat(spec.sink()).isEqualTo("kafka:orders?brokers=k:9092");
    }

    @Test
    void systemPropertiesAndEnvironmentAreInterpolated() throws Exception {
        System.setProperty("qbridge.test.queue", "from-sys");
        String path = System.getenv("PATH");

        ConnectorSpec spec = ConnectorFile.parse(write("c.properties",
                "source = redisq:${sys:qbridge.test.queue}\nsink = file:/x?include=${env:PATH}\ntemplate = none\n"));

        assertThat(spec.source()).isEqualTo("redisq:from-sys");
        assertThat(spec.sink()).isEqualTo("file:/x?include=" + path);
    }

    @Test
    void interpolationTakesADefaultForAnUnsetVariable() throws Exception {
        ConnectorSpec spec = ConnectorFile.parse(write("c.properties",
                "source = redisq:q?redisUri=${env:QBRIDGE_TEST_UNSET:-redis://localhost:6379}\nsink = redisq:out\n"));

        assertThat(spec.source()).isEqualTo("redisq:q?redisUri=redis://localhost:6379");
    }

    @Test
    void includedFilesAreReadRelativeToTheConnectorFile() throws Exception {
        write("common.conf", "sink = redisq:shared-out\nconcurrency = 3\n");

        ConnectorSpec spec = ConnectorFile.parse(write("c.properties", "include = common.conf\nsource = redisq:in\n"));

        assertThat(spec.sink()).isEqualTo("redisq:shared-out");
        assertThat(spec.source()).isEqualTo("redisq:in?concurrentConsumers=3");
    }

    @Test
    void redisqOptionsBecomeSourceUriOptions() throws Exception {
        ConnectorSpec spec = ConnectorFile.parse(write("c.properties", """
                source = redisq:in?kind=priority
                sink = redisq:out
                concurrency = 4
                batchSize = 200
                retry.maxAttempts = 10
                retry.initialBackoff = 500ms
                retry.maxBackoff = 2m
                deadLetterQueue = in-failed
                stopTimeout = 1m
                """));

        assertThat(spec.source()).isEqualTo("redisq:in?kind=priority&concurrentConsumers=4&batchSize=200&maxAttempts=10"
                + "&initialBackoff=500&maxBackoff=120000&deadLetterQueue=in-failed");
        assertThat(spec.stopTimeout()).hasSeconds(60);
    }

    @Test
    void aMissingRequiredKeyIsReportedWithTheKey() throws Exception {
        BadFile bad = badFile(write("c.properties", "source = redisq:in\n"));

        assertThat(bad.key()).isEqualTo("sink");
        assertThat(bad.reason()).startsWith("is required");
    }

    @Test
    void anUnknownKeyIsReportedWithTheKnownOnes() throws Exception {
        BadFile bad = badFile(write("c.properties", "source = redisq:in\nsink = redisq:out\nconcurency = 2\n"));

        assertThat(bad.key()).isEqualTo("concurency");
        assertThat(bad.reason()).contains("unknown key", "concurrency");
    }

    @Test
    void anUnsetVariableSaysWhatToExport() throws Exception {
        BadFile bad = badFile(write("c.properties", "source = redisq:in?redisUri=${env:QBRIDGE_TEST_UNSET}\nsink = redisq:out\n"));

        assertThat(bad.key()).isEqualTo("source");
        assertThat(bad.reason()).contains("${env:QBRIDGE_TEST_UNSET} is not set", "export the environment variable QBRIDGE_TEST_UNSET");
    }

    @Test
    void redisqOptionsOnAnotherSourceAreRefused() throws Exception {
        BadFile bad = badFile(write("c.properties", "source = kafka:t?brokers=k:1\nsink = redisq:out\nconcurrency = 2\n"));

        assertThat(bad.key()).isEqualTo("concurrency");
        assertThat(bad.reason()).contains("applies to a redisq: source only");
    }

    @Test
    void anOptionSetTwiceIsRefused() throws Exception {
        BadFile bad = badFile(write("c.properties", "source = redisq:in?batchSize=10\nsink = redisq:out\nbatchSize = 20\n"));

        assertThat(bad.key()).isEqualTo("batchSize");
        assertThat(bad.reason()).contains("also set as batchSize in the source URI");
    }

    @Test
    void passwordsNeverAppearInReports() throws Exception {
        BadFile bad = badFile(write("c.properties", "source = redis://:hunter2@host:6379/0\nsink = redisq:out\nbatchSize = 0\n"));

        assertThat(bad.toString()).doesNotContain("hunter2");
    }

    @Test
    void onlyPropertiesFilesThatAreNotHiddenOrTemporaryAreConnectorFiles() {
        assertThat(ConnectorFile.isConnectorFile(Path.of("a.properties"))).isTrue();
        assertThat(ConnectorFile.isConnectorFile(Path.of("a.properties.tmp"))).isFalse();
        assertThat(ConnectorFile.isConnectorFile(Path.of(".a.properties"))).isFalse();
        assertThat(ConnectorFile.isConnectorFile(Path.of("a.conf"))).isFalse();
    }

    @Test
    void badTemplateParametersAreRefused() throws Exception {
        assertThatThrownBy(() -> ConnectorFile.parse(write("c.properties",
                "source = redisq:in\nsink = redisq:out\ntemplate = none\ntemplate.delay = 5\n")))
                .isInstanceOf(BadFileException.class).hasMessageContaining("template.delay");
    }

    @Test
    void anEmptyQueueNameIsReportedAgainstItsKeyBeforeAnythingIsLookedUp() throws Exception {
        assertThat(badFile(write("a.properties", "source = redisq:\nsink = redisq:out\n")))
                .satisfies(b -> assertThat(b.key()).isEqualTo("source"))
                .satisfies(b -> assertThat(b.reason()).contains("the queue name is empty", "redisq:orders"));
        assertThat(badFile(write("b.properties", "source = redisq://?pollTimeout=200\nsink = redisq:out\n")).key())
                .isEqualTo("source");
        assertThat(badFile(write("c.properties", "source = redisq:in\nsink = redisq:\n")).key()).isEqualTo("sink");
        assertThat(badFile(write("d.properties", "source = redisq:\nsink = redisq:out\nbatchSize = 10\n")).key())
                .isEqualTo("source");
    }

    @Test
    void anEmptyDeadLetterQueueIsRefused() throws Exception {
        assertThat(badFile(write("a.properties", "source = redisq:in\nsink = redisq:out\ndeadLetterQueue =\n")).key())
                .isEqualTo("deadLetterQueue");
        assertThat(badFile(write("b.properties", "source = redisq:in?deadLetterQueue=\nsink = redisq:out\n")))
                .satisfies(b -> assertThat(b.key()).isEqualTo("source"))
                .satisfies(b -> assertThat(b.reason()).contains("deadLetterQueue is empty"));
    }

    @Test
    void aPeerUriWithNothingAfterItsSchemeSaysWhatToWrite() throws Exception {
        assertThat(badFile(write("a.properties", "source = redisq:in\nsink = kafka:\n")))
                .satisfies(b -> assertThat(b.key()).isEqualTo("sink"))
                .satisfies(b -> assertThat(b.reason()).contains("kafka:<topic>"));
        assertThat(badFile(write("b.properties", "source = file:\nsink = redisq:in\n")).key()).isEqualTo("source");
        assertThat(badFile(write("c.properties", "source = platform-http:jobs\nsink = redisq:in\n")).reason())
                .contains("must start with /");
    }

    @Test
    void anInvalidJmsBrokerUrlIsReportedAgainstItsKey() throws Exception {
        BadFile bad = badFile(write("a.properties", "source = redisq:in\nsink = jms:queue:x\njms.brokerUrl = not a url\n"));

        assertThat(bad.key()).isEqualTo("jms.brokerUrl");
        assertThat(bad.reason()).contains("not an Artemis broker URL", "tcp://host:61616");
    }

    @Test
    void aJmsEndpointWithoutABrokerIsRefusedForPlainRoutesToo() throws Exception {
        assertThat(badFile(write("a.properties", "source = redisq:in\nsink = jms:queue:x\ntemplate = none\n")).key())
                .isEqualTo("jms.brokerUrl");
    }

    @Test
    void theSpecCarriesItsRouteAndItsJmsFactoryWithoutShowingThePassword() throws Exception {
        ConnectorSpec spec = ConnectorFile.parse(write("c.properties", """
                source = redisq:in
                sink = jms:queue:orders
                jms.brokerUrl = tcp://127.0.0.1:61616
                jms.user = app
                jms.password = hunter2
                """));

        assertThat(spec.route().template()).contains("redisq-to-jms");
        assertThat(spec.jms()).hasValueSatisfying(j -> {
            assertThat(j.bean()).startsWith("qbridge-jms-c-");
            assertThat(spec.route().parameters()).containsEntry("connectionFactory", j.bean());
        });
        assertThat(spec.toString()).contains("redisq-to-jms", "tcp://127.0.0.1:61616").doesNotContain("hunter2");
    }

    @Test
    void whateverAFileHoldsOnlyABadFileIsThrown() throws Exception {
        for (String content : new String[] {"source = redisq:a\nsink = kafka:t?brokers=k:1&x=%zz\n",
            "source = redisq:a?%\nsink = redisq:b\n", "source = \u0000:\nsink = redisq:b\n", "\u00ff\u00fe garbage ===\n",
            "source = redisq:a\nsink = redisq:b\njms.brokerUrl = tcp://[::1\n"}) {
            try {
                ConnectorFile.parse(write("x.properties", content));
            } catch (BadFileException expected) {
                // reported against the file: fine
            }
        }
    }

    @Test
    void theFileIsReadAsUtf8() throws Exception {
        ConnectorSpec spec = ConnectorFile.parse(write("c.properties", "source = redisq:q\u00e9\nsink = file:/tmp/\u65e5\u672c\n"));

        assertThat(spec.source()).isEqualTo("redisq:q\u00e9");
        assertThat(spec.sink()).isEqualTo("file:/tmp/\u65e5\u672c");
    }

    @Test
    void aByteOrderMarkIsNotPartOfTheFirstKey() throws Exception {
        byte[] text = "source = redisq:in\nsink = redisq:out\n".getBytes(StandardCharsets.UTF_8);
        byte[] withBom = new byte[text.length + 3];
        withBom[0] = (byte) 0xEF;
        withBom[1] = (byte) 0xBB;
        withBom[2] = (byte) 0xBF;
        System.arraycopy(text, 0, withBom, 3, text.length);

        assertThat(ConnectorFile.parse(Files.write(dir.resolve("c.properties"), withBom)).source()).isEqualTo("redisq:in");
    }

    @Test
    void aFileOverOneMegabyteIsRefusedWithItsSizeWithoutBeingParsed() throws Exception {
        String line = "# " + "x".repeat(1022) + "\n"; // 1 KiB
        Path big = write("big.properties", "source = redisq:in\nsink = redisq:out\n" + line.repeat(1024));

        BadFile report = badFile(big);

        assertThat(report.key()).isEqualTo("-");
        assertThat(report.reason()).contains("the file is " + String.format(Locale.ROOT, "%,d", Files.size(big)) + " bytes",
                "at most 1,048,576 bytes");
        assertThat(report.toString()).contains(big.toString());
    }

    @Test
    void binaryGarbageIsReportedAsNotAText() throws Exception {
        assertThat(badFile(Files.write(dir.resolve("nul.properties"), new byte[] {'s', 'o', 0, 1, 2})).reason())
                .isEqualTo("not a text file: NUL byte at offset 2");
        assertThat(badFile(Files.write(dir.resolve("latin1.properties"), "source = redisq:q\u00e9\n"
                .getBytes(StandardCharsets.ISO_8859_1))).reason()).startsWith("not valid UTF-8 at byte 17");
        assertThat(badFile(Files.write(dir.resolve("ctl.properties"), new byte[] {'a', '=', 0x07})).reason())
                .isEqualTo("not a text file: control character 0x07 at offset 2");
        assertThat(badFile(Files.write(dir.resolve("png.properties"), new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a}))
                .reason()).startsWith("not valid UTF-8 at byte 0");
    }

    @Test
    void directoriesAndDanglingLinksNamedLikeConnectorFilesAreReportedAsSuch() throws Exception {
        Path directory = Files.createDirectory(dir.resolve("d.properties"));
        Path dangling = Files.createSymbolicLink(dir.resolve("l.properties"), dir.resolve("nowhere.properties"));

        assertThat(badFile(directory).reason()).startsWith("is a directory, not a connector file");
        assertThat(badFile(dangling).reason()).startsWith("is a symbolic link to " + dir.resolve("nowhere.properties")
                + ", which does not exist");
    }

    @Test
    void fileInterpolationIsRefusedWithWhatToDoInstead() throws Exception {
        Path secret = Files.writeString(dir.resolve("secret.txt"), "s3cret");

        BadFile report = badFile(write("c.properties", "source = redisq:in?password=${file:UTF-8:" + secret + "}\nsink = redisq:out\n"));

        assertThat(report.key()).isEqualTo("source");
        assertThat(report.reason()).contains("${file:...} is not read in connector files", "${env:NAME}");
        assertThat(report.toString()).doesNotContain("s3cret");
    }

    @Test
    void lookupsOtherThanEnvAndSysAreNotResolved() throws Exception {
        for (String lookup : List.of("${localhost:name}", "${java:version}", "${properties:x.properties::k}", "${const:java.io.File.separator}")) {
            BadFile report = badFile(write("c.properties", "source = redisq:in\nsink = file:/tmp/" + lookup + "\ntemplate = none\n"));
            assertThat(report.key()).as(lookup).isEqualTo("sink");
            assertThat(report.reason()).as(lookup).contains("is not set");
        }
    }

    @Test
    void aPlatformHttpSourceMayHaveItsOwnTokenFile() throws Exception {
        Files.writeString(dir.resolve("in.token"), "t0ken\n");

        ConnectorSpec spec = ConnectorFile.parse(write("c.properties", "source = platform-http:/in\nsink = redisq:in\n"
                + "http.tokenFile = in.token\n"));

        assertThat(spec.httpToken()).hasValueSatisfying(t -> {
            assertThat(t.file()).isEqualTo(dir.resolve("in.token").toAbsolutePath());
            assertThat(t.admits("Bearer t0ken")).isTrue();
        });
        assertThat(spec.toString()).doesNotContain("t0ken");
    }

    @Test
    void aTokenFileThatCannotBeUsedOrIsNotForAnHttpSourceIsReportedAgainstItsKey() throws Exception {
        Files.writeString(dir.resolve("empty.token"), " \n");

        BadFile missing = badFile(write("a.properties", "source = platform-http:/in\nsink = redisq:in\nhttp.tokenFile = nosuch.token\n"));
        BadFile empty = badFile(write("b.properties", "source = platform-http:/in\nsink = redisq:in\nhttp.tokenFile = empty.token\n"));
        BadFile notHttp = badFile(write("c.properties", "source = redisq:in\nsink = redisq:out\nhttp.tokenFile = empty.token\n"));

        assertThat(missing.key()).isEqualTo("http.tokenFile");
        assertThat(missing.reason()).contains(dir.resolve("nosuch.token").toAbsolutePath().toString(), "does not exist");
        assertThat(empty.reason()).contains("empty.token", "is empty");
        assertThat(notHttp.key()).isEqualTo("http.tokenFile");
        assertThat(notHttp.reason()).contains("applies to a platform-http: source only");
    }
}
