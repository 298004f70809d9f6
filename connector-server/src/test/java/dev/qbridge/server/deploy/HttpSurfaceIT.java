package dev.qbridge.server.deploy;

import static dev.qbridge.server.deploy.ServerProcess.drop;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.qbridge.testkit.RedisServerExtension;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The HTTP surface of a server started with the defaults, from outside it: where it listens, and how its status
 * endpoint answers clients that are slow, lost or asking the wrong thing. One server for every test of the class.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class HttpSurfaceIT {

    private static final Duration PATIENCE = Duration.ofSeconds(60);

    @RegisterExtension
    static RedisServerExtension redis = RedisServerExtension.standalone();

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    // static: a class-wide server needs its directory before @BeforeAll
    @TempDir
    static Path dir;
    private ServerProcess server;
    private int platformHttpPort;

    @BeforeAll
    void startServerWithDefaults() throws IOException {
        try (ServerSocket free = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            platformHttpPort = free.getLocalPort();
        }
        drop(dir, "from-http.properties", "source = platform-http:/jobs\nsink = redisq:inbox\n");
        // nothing but the port numbers: every address is the server's default
        server = ServerProcess.start(dir, redis.uri(), "--platform-http-port", Integer.toString(platformHttpPort));
        await().atMost(PATIENCE).untilAsserted(() -> assertThat(server.get("/connectors"))
                .contains("\"name\":\"from-http\",\"file\":\"from-http.properties\",\"status\":\"Started\""));
    }

    @AfterAll
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    @Test
    void startupLineNamesTheLoopbackAddressActuallyBound() {
        assertThat(server.output()).contains("HTTP endpoint on http://127.0.0.1:" + server.httpPort + " ");
        assertThat(server.output()).contains("HTTP sources (platform-http:) listen on 127.0.0.1:" + platformHttpPort);
    }

    @Test
    void everyListenerOfADefaultServerIsOnTheLoopbackOnly() throws IOException {
        Optional<InetAddress> other = Listeners.nonLoopbackAddress();
        if (other.isPresent()) {
            // reachable on the loopback, refused on the machine's other address
            assertThat(Listeners.accepts(InetAddress.getLoopbackAddress(), server.httpPort)).isTrue();
            assertThat(Listeners.accepts(other.get(), server.httpPort)).as("status endpoint on " + other.get()).isFalse();
            assertThat(Listeners.accepts(InetAddress.getLoopbackAddress(), platformHttpPort)).isTrue();
            assertThat(Listeners.accepts(other.get(), platformHttpPort)).as("platform-http on " + other.get()).isFalse();
        } else {
            // a machine with no other address cannot show a refusal: the bound address must say it
            assertThat(InetAddress.getByName(server.httpHost).isLoopbackAddress()).as(server.httpHost).isTrue();
        }
        // and nothing else it opened listens elsewhere (JMX, a debug port, a Vert.x server of its own)
        Optional<List<InetSocketAddress>> listening = Listeners.listening(server.process.pid());
        if (listening.isPresent()) {
            assertThat(listening.get()).isNotEmpty()
                    .allSatisfy(a -> assertThat(a.getAddress().isLoopbackAddress()).as(a.toString()).isTrue());
            assertThat(listening.get()).extracting(InetSocketAddress::getPort).containsOnly(server.httpPort, platformHttpPort);
        }
    }

    @Test
    void stalledClientsDoNotHoldTheHealthEndpoint() throws Exception {
        List<Socket> stalled = new ArrayList<>();
        try {
            for (int i = 0; i < 12; i++) {
                Socket socket = new Socket();
                socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), server.httpPort), 5000);
                OutputStream out = socket.getOutputStream();
                out.write("GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Half: ".getBytes(StandardCharsets.US_ASCII));
                out.flush();
                stalled.add(socket);
            }

            HttpResponse<String> health = http.send(HttpRequest.newBuilder(uri("/health")).timeout(Duration.ofSeconds(5))
                    .build(), HttpResponse.BodyHandlers.ofString());

            assertThat(health.statusCode()).isIn(200, 503);
            assertThat(health.body()).contains("\"status\":");

            // a client that never finishes its request head is let go, not kept forever
            Socket first = stalled.get(0);
            first.setSoTimeout(30_000);
            InputStream in = first.getInputStream();
            assertThat(in.readAllBytes()).as("what the server sends a stalled client before closing").isEmpty();
        } finally {
            for (Socket s : stalled) {
                s.close();
            }
        }
    }

    @Test
    void unknownPathsAre404AndOtherMethodsAre405WithAllow() throws Exception {
        HttpResponse<String> unknown = send(HttpRequest.newBuilder(uri("/nosuch")).GET());
        HttpResponse<String> post = send(HttpRequest.newBuilder(uri("/health")).POST(HttpRequest.BodyPublishers.ofString("x")));
        HttpResponse<String> delete = send(HttpRequest.newBuilder(uri("/connectors")).DELETE());
        HttpResponse<String> head = send(HttpRequest.newBuilder(uri("/connectors")).method("HEAD", HttpRequest.BodyPublishers.noBody()));

        assertThat(unknown.statusCode()).isEqualTo(404);
        assertThat(post.statusCode()).isEqualTo(405);
        assertThat(post.headers().firstValue("Allow")).contains("GET, HEAD");
        assertThat(delete.statusCode()).isEqualTo(405);
        assertThat(delete.headers().firstValue("Allow")).contains("GET, HEAD");
        assertThat(head.statusCode()).isEqualTo(200);
        assertThat(head.body()).isEmpty();
        assertThat(server.get("/health")).contains("\"status\":");
    }

    private HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
        return http.send(request.timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private URI uri(String path) {
        return URI.create("http://127.0.0.1:" + server.httpPort + path);
    }
}
