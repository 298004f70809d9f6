package dev.qbridge.server.deploy;

import static dev.qbridge.server.deploy.ServerProcess.drop;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.qbridge.core.redis.JedisConnection;
import dev.qbridge.core.redis.RedisConnection;
import dev.qbridge.core.redis.RedisEndpoint;
import dev.qbridge.testkit.JavaProcess;
import dev.qbridge.testkit.RedisServerExtension;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A server with a token ({@code QBRIDGE_HTTP_TOKEN_FILE}) and two HTTP-to-Redis connectors, one of which has a token
 * of its own ({@code http.tokenFile}): who gets in where, and that neither token is ever printed or served.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class HttpTokenIT {

    private static final Duration PATIENCE = Duration.ofSeconds(60);

    @RegisterExtension
    static RedisServerExtension redis = RedisServerExtension.standalone();

    @TempDir
    static Path dir;
    @TempDir
    static Path secrets;

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final String serverToken = "srv-" + HexFormat.of().formatHex(randomBytes());
    private final String ownToken = "own-" + HexFormat.of().formatHex(randomBytes());
    private ServerProcess server;
    private int platformHttpPort;

    @BeforeAll
    void startServerWithATokenFromTheEnvironment() throws IOException {
        Path serverTokenFile = privateFile(secrets.resolve("server.token"), serverToken + "\n");
        privateFile(dir.resolve("own.token"), ownToken + "\n");
        try (ServerSocket free = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            platformHttpPort = free.getLocalPort();
        }
        drop(dir, "open.properties", "source = platform-http:/open\nsink = redisq:inbox-open\n");
        drop(dir, "own.properties", "source = platform-http:/own\nsink = redisq:inbox-own\nhttp.tokenFile = own.token\n");
        server = ServerProcess.start(dir, redis.uri(), Map.of("QBRIDGE_HTTP_TOKEN_FILE", serverTokenFile.toString()),
                "--platform-http-port", Integer.toString(platformHttpPort));
        await().atMost(PATIENCE).untilAsserted(() -> assertThat(get("/connectors", serverToken).body())
                .contains("\"name\":\"open\",\"file\":\"open.properties\",\"status\":\"Started\"")
                .contains("\"name\":\"own\",\"file\":\"own.properties\",\"status\":\"Started\""));
    }

    @AfterAll
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    @Test
    void everyStatusPathButHealthNeedsTheToken() throws Exception {
        assertThat(get("/health", null).statusCode()).isIn(200, 503);
        for (String path : List.of("/connectors", "/metrics", "/nosuch")) {
            for (String wrong : new String[] {null, "not-the-token", ownToken, serverToken + "x"}) {
                HttpResponse<String> refused = get(path, wrong);
                assertThat(refused.statusCode()).as(path + " with " + wrong).isEqualTo(401);
                assertThat(refused.headers().firstValue("WWW-Authenticate")).hasValueSatisfying(v -> assertThat(v).startsWith("Bearer"));
            }
        }
        assertThat(get("/connectors", serverToken).statusCode()).isEqualTo(200);
        assertThat(get("/metrics", serverToken).statusCode()).isEqualTo(200);
        assertThat(get("/nosuch", serverToken).statusCode()).isEqualTo(404);
    }

    @Test
    void ingestionPathsTakeTheServerTokenOrTheirConnectorsOwnOnly() throws Exception {
        assertThat(post("/open", "no-token", null).statusCode()).isEqualTo(401);
        assertThat(post("/open", "wrong", ownToken).statusCode()).isEqualTo(401);
        HttpResponse<String> refused = post("/own", "server-token", serverToken);
        assertThat(refused.statusCode()).isEqualTo(401);
        assertThat(refused.headers().firstValue("WWW-Authenticate")).hasValueSatisfying(v -> assertThat(v).startsWith("Bearer"));
        assertThat(post("/own", "no-token", null).statusCode()).isEqualTo(401);

        assertThat(post("/open", "with-server-token", serverToken).statusCode()).isEqualTo(202);
        assertThat(post("/own", "with-own-token", ownToken).statusCode()).isEqualTo(202);

        try (RedisConnection redisConnection = JedisConnection.open(RedisEndpoint.parse(redis.uri()))) {
            assertThat(jobs(redisConnection, "inbox-open")).containsExactly("with-server-token");
            assertThat(jobs(redisConnection, "inbox-own")).containsExactly("with-own-token");
        }
    }

    @Test
    void neitherTokenIsEverPrintedOrServed() throws Exception {
        String served = get("/connectors", serverToken).body() + get("/metrics", serverToken).body()
                + get("/health", null).body();
        String printed = server.output();

        assertThat(printed).contains("all but /health need the token of");
        for (String token : List.of(serverToken, ownToken)) {
            assertThat(printed).doesNotContain(token);
            assertThat(served).doesNotContain(token);
        }
    }

    @Test
    void aTokenFileThatIsMissingOrEmptyStopsTheServerWithExitCode2NamingIt() throws IOException {
        Path missing = secrets.resolve("nosuch.token");
        Path empty = privateFile(secrets.resolve("empty.token"), "\n");

        for (Path file : List.of(missing, empty)) {
            try (JavaProcess refused = ServerProcess.launch(dir.toString(), redis.uri(), Map.of(),
                    "--http-token-file", file.toString())) {
                int code = refused.waitForExit(PATIENCE);
                String output = String.join("\n", refused.outputLines());
                assertThat(code).as(output).isEqualTo(2);
                assertThat(output).contains("--http-token-file", file.toString());
            }
        }
    }

    @Test
    void aTokenFileOthersCanReadIsUsedWithAWarning() throws IOException {
        Path loose = Files.writeString(secrets.resolve("loose.token"), "loose-" + serverToken);
        Files.setPosixFilePermissions(loose, PosixFilePermissions.fromString("rw-r--r--"));

        try (ServerProcess warned = ServerProcess.start(Files.createDirectories(secrets.resolve("empty-dir")), redis.uri(),
                "--http-token-file", loose.toString())) {
            assertThat(warned.output()).contains("token file " + loose + " can be read by other users (rw-r--r--): chmod 600 it")
                    .doesNotContain("loose-" + serverToken);
        }
    }

    private HttpResponse<String> get(String path, String token) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.httpPort + path))
                .timeout(Duration.ofSeconds(10));
        Optional.ofNullable(token).ifPresent(t -> request.header("Authorization", "Bearer " + t));
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> post(String path, String body, String token) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + platformHttpPort + path))
                .timeout(Duration.ofSeconds(10)).POST(HttpRequest.BodyPublishers.ofString(body));
        Optional.ofNullable(token).ifPresent(t -> request.header("Authorization", "Bearer " + t));
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static List<String> jobs(RedisConnection connection, String queue) {
        return connection.lrange(queue.getBytes(StandardCharsets.UTF_8), 0, -1).stream()
                .map(b -> new String(b, StandardCharsets.UTF_8)).toList();
    }

    private static Path privateFile(Path file, String content) throws IOException {
        Files.writeString(file, content);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        return file;
    }

    private static byte[] randomBytes() {
        byte[] bytes = new byte[16];
        ThreadLocalRandom.current().nextBytes(bytes);
        return bytes;
    }
}
