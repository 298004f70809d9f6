package dev.qbridge.camel.bridge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.qbridge.core.queue.Delivery;
import dev.qbridge.core.queue.RedisQueue;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** file and redisq, both ways, against a real directory. */
class FileBridgeIT extends BridgeTestSupport {

    @TempDir
    Path dir;

    private static List<Path> visibleFiles(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(Files::isRegularFile).filter(f -> !f.getFileName().toString().startsWith(".")).toList();
        }
    }

    private static List<Path> allFiles(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(Files::isRegularFile).toList();
        }
    }

    /** Writes elsewhere and moves the finished file in, as a careful producer does. */
    private void drop(Path into, String name, String content) throws IOException {
        Path staging = Files.createTempFile(dir, "staging", ".tmp");
        Files.writeString(staging, content);
        Files.move(staging, into.resolve(name), StandardCopyOption.ATOMIC_MOVE);
    }

    @ParameterizedTest
    @EnumSource(Dsl.class)
    void everyJobIsWrittenToAFileOfItsOwnAtomically(Dsl dsl) throws Exception {
        start(dsl);
        RedisQueue orders = queue("orders");
        List<String> payloads = jobs("order", 20);
        orders.push(bytes(payloads));
        Path out = Files.createDirectories(dir.resolve("out"));

        addRoute("redisq-to-file", Map.of("source", redisq("orders", "batchSize=5"), "directory", out.toString()));

        await().atMost(WAIT).until(() -> visibleFiles(out).size() == 20 && orders.counts().total() == 0);
        List<String> contents = visibleFiles(out).stream().map(FileBridgeIT::read).toList();
        assertThat(contents).containsExactlyInAnyOrderElementsOf(payloads);
        assertThat(allFiles(out)).as("no temporary file is left behind").hasSize(20);
        assertThat(visibleFiles(out)).allMatch(f -> f.getFileName().toString().matches("orders-\\d+\\.job"));
    }

    @ParameterizedTest
    @EnumSource(Dsl.class)
    void jsonLinesModeAppendsEveryJobExactlyAsPushedOneLinePerJob(Dsl dsl) throws Exception {
        start(dsl);
        RedisQueue orders = queue("orders");
        List<byte[]> pushed = new ArrayList<>(bytes(jobs("order", 25)));
        pushed.add("quote \" backslash \\ newline \n tab \t nul \u0000 é 日本 \uD83D\uDE00".getBytes(StandardCharsets.UTF_8));
        pushed.add(new byte[] {(byte) 0xff, (byte) 0xfe, 0, 10, (byte) 0xc3}); // not UTF-8
        pushed.add(new byte[] {(byte) 0xed, (byte) 0xa0, (byte) 0x80}); // a UTF-16 surrogate in UTF-8 form: not UTF-8
        pushed.add(new byte[0]);
        orders.push(pushed);
        Path out = dir.resolve("out"); // created by the bridge

        addRoute("redisq-to-file", Map.of("source", redisq("orders", "batchSize=7"), "directory", out.toString(),
                "fileFormat", "jsonLines"));

        await().atMost(WAIT).until(() -> orders.counts().total() == 0);
        List<Path> files = allFiles(out);
        assertThat(files).hasSize(1);
        assertThat(files.get(0).getFileName().toString()).matches("orders-\\d{4}-\\d{2}-\\d{2}\\.jsonl");
        JsonLinesReader.Contents contents = JsonLinesReader.read(files.get(0));
        assertThat(contents.torn()).isEmpty();
        assertThat(contents.jobs()).hasSize(pushed.size());
        assertThat(contents.jobs()).extracting(JsonLinesReader.Job::payload)
                .usingElementComparator(FileBridgeIT::compareBytes).containsExactlyInAnyOrderElementsOf(pushed);
        assertThat(contents.jobs()).extracting(JsonLinesReader.Job::id).doesNotHaveDuplicates();
        assertThat(contents.jobs()).allSatisfy(j -> {
            assertThat(j.queue()).isEqualTo("orders");
            assertThat(j.attempt()).isEqualTo(1);
        });
        assertThat(Files.readString(files.get(0), StandardCharsets.ISO_8859_1)).as("binary payloads are base64, marked")
                .contains("\"payloadBase64\":\"//4ACsM=\"").endsWith("}\n");
    }

    @ParameterizedTest
    @EnumSource(Dsl.class)
    void jsonLinesBatchIsNotAckedUntilItIsWritten(Dsl dsl) throws Exception {
        start(dsl);
        RedisQueue orders = queue("orders");
        List<String> payloads = jobs("order", 10);
        orders.push(bytes(payloads));
        Path out = dir.resolve("out");
        Files.writeString(out, "a file where the directory should be: every write fails");

        addRoute("redisq-to-file", Map.of("source", redisq("orders", "batchSize=10&initialBackoff=50&maxAttempts=100"),
                "directory", out.toString(), "fileFormat", "jsonLines"));

        await().atMost(WAIT).until(() -> failedExchanges.get() >= 2);
        assertThat(orders.counts().total()).as("nothing acked while the file cannot be written").isEqualTo(10);

        Files.delete(out);
        await().atMost(WAIT).until(() -> orders.counts().total() == 0);
        List<String> written = JsonLinesReader.read(allFiles(out).get(0)).jobs().stream().map(JsonLinesReader.Job::text).toList();
        assertThat(written).containsExactlyInAnyOrderElementsOf(payloads);
    }

    @ParameterizedTest
    @EnumSource(Dsl.class)
    void aTornLastLineLeftByACrashStaysAloneOnItsLine(Dsl dsl) throws Exception {
        start(dsl);
        RedisQueue orders = queue("orders");
        orders.push(bytes(jobs("order", 3)));
        Path out = Files.createDirectories(dir.resolve("out"));
        Path file = out.resolve("orders.jsonl");
        Files.writeString(file, "{\"queue\":\"orders\",\"id\":1,\"attempt\":1,\"payload\":\"order-0\"}\n{\"queue\":\"ord");

        addRoute("redisq-to-file", Map.of("source", redisq("orders", ""), "directory", out.toString(),
                "fileFormat", "jsonLines", "linesFileName", "orders.jsonl"));

        await().atMost(WAIT).until(() -> orders.counts().total() == 0);
        JsonLinesReader.Contents contents = JsonLinesReader.read(file);
        assertThat(contents.torn()).containsExactly("{\"queue\":\"ord");
        assertThat(contents.jobs()).extracting(JsonLinesReader.Job::text).containsExactlyInAnyOrder("order-0", "order-0",
                "order-1", "order-2");
    }

    @ParameterizedTest
    @EnumSource(Dsl.class)
    void anUnknownFileFormatIsRefusedWithTheChoices(Dsl dsl) throws Exception {
        start(dsl);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> addRoute("redisq-to-file", Map.of("source",
                        redisq("orders", ""), "directory", dir.toString(), "fileFormat", "csv")))
                .hasStackTraceContaining("fileFormat must be perJob (a file per job) or jsonLines");
    }

    @ParameterizedTest
    @EnumSource(Dsl.class)
    void droppedFileBecomesOneJobAndIsMovedToDoneAfterThePush(Dsl dsl) throws Exception {
        start(dsl);
        Path in = Files.createDirectories(dir.resolve("in"));
        addRoute("file-to-redisq", Map.of("directory", in.toString(), "sink", redisq("files", "")));

        drop(in, "report.csv", "a,b\n1,2\n");

        RedisQueue files = queue("files");
        await().atMost(WAIT).until(() -> files.counts().ready() == 1 && Files.exists(in.resolve(".done/report.csv")));
        assertThat(files.take(10)).extracting(Delivery::payloadAsString).containsExactly("a,b\n1,2\n");
    }

    @ParameterizedTest
    @EnumSource(Dsl.class)
    void droppedFileBecomesOneJobPerLine(Dsl dsl) throws Exception {
        start(dsl);
        Path in = Files.createDirectories(dir.resolve("in"));
        addRoute("file-to-redisq", Map.of("directory", in.toString(), "sink", redisq("lines", ""), "split", "line"));

        drop(in, "batch.txt", "first\nsecond\n\nthird\n");

        RedisQueue lines = queue("lines");
        await().atMost(WAIT).until(() -> lines.counts().ready() == 3);
        assertThat(lines.take(10)).extracting(Delivery::payloadAsString).containsExactly("first", "second", "third");
    }

    @ParameterizedTest
    @EnumSource(Dsl.class)
    void fileIsKeptUntilItsJobsAreInRedis(Dsl dsl) throws Exception {
        start(dsl);
        redis.client().set("files", "a string, not a queue"); // every push fails with WRONGTYPE
        Path in = Files.createDirectories(dir.resolve("in"));
        addRoute("file-to-redisq", Map.of("directory", in.toString(), "sink", redisq("files", "")));

        drop(in, "job.txt", "precious");

        await().atMost(WAIT).until(() -> failedExchanges.get() >= 2);
        assertThat(in.resolve("job.txt")).exists();
        assertThat(in.resolve(".done/job.txt")).doesNotExist();

        redis.client().del("files");
        RedisQueue files = queue("files");
        await().atMost(WAIT).until(() -> files.counts().ready() == 1 && Files.exists(in.resolve(".done/job.txt")));
        assertThat(files.take(1).get(0).payloadAsString()).isEqualTo("precious");
    }

    @org.junit.jupiter.api.Test
    void yamlTemplatedRouteInstantiatesABridgeWithoutCopyingIt() throws Exception {
        start(Dsl.YAML);
        Path in = Files.createDirectories(dir.resolve("in"));
        String yaml = """
                - templatedRoute:
                    routeTemplateRef: file-to-redisq
                    routeId: inbox-files
                    parameters:
                      - name: directory
                        value: "%s"
                      - name: split
                        value: line
                      - name: sink
                        value: "%s"
                """.formatted(in, redisq("inbox", ""));
        org.apache.camel.support.PluginHelper.getRoutesLoader(context)
                .loadRoutes(org.apache.camel.support.ResourceHelper.fromString("inbox.camel.yaml", yaml));

        drop(in, "two.txt", "a\nb\n");

        RedisQueue inbox = queue("inbox");
        await().atMost(WAIT).until(() -> inbox.counts().ready() == 2);
        assertThat(context.getRoute("inbox-files")).isNotNull();
    }

    private static int compareBytes(byte[] a, byte[] b) {
        return java.util.Arrays.compare(a, b);
    }

    private static String read(Path file) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
