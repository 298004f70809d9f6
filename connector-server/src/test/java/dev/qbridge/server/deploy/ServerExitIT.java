package dev.qbridge.server.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.qbridge.testkit.JavaProcess;
import dev.qbridge.testkit.RedisServerExtension;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The server's exit code says how it stopped: 0 when stopped as asked (SIGTERM, Ctrl-C), 2 when the command line
 * names something unusable (a directory, a Redis URI), 1 when it cannot run (a port taken, a route that fails to
 * start). A service manager restarting on failure relies on it.
 */
class ServerExitIT {

    private static final Duration PATIENCE = Duration.ofSeconds(60);

    @RegisterExtension
    static RedisServerExtension redis = RedisServerExtension.standalone();

    @TempDir
    Path dir;

    private record Exit(int code, String output) {
    }

    private Exit run(String directory, String redisUri, String... extra) {
        try (JavaProcess server = ServerProcess.launch(directory, redisUri, Map.of(), extra)) {
            int code = server.waitForExit(PATIENCE);
            return new Exit(code, String.join("\n", server.outputLines()));
        }
    }

    @Test
    void aTakenHttpPortStopsTheServerWithExitCode1AndNamesThePort() throws IOException {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            Exit exit = run(dir.toString(), redis.uri(), "--http-port", Integer.toString(taken.getLocalPort()));

            assertThat(exit.code()).as(exit.output()).isEqualTo(1);
            assertThat(exit.output()).contains("cannot listen on 127.0.0.1:" + taken.getLocalPort(), "--http-port");
        }
    }

    @Test
    void aMissingDirectoryOrAFileInsteadOfOneStopsTheServerWithExitCode2() throws IOException {
        Exit missing = run(dir.resolve("nosuch").toString(), redis.uri());
        Exit file = run(Files.writeString(dir.resolve("a-file"), "x").toString(), redis.uri());

        assertThat(missing.code()).as(missing.output()).isEqualTo(2);
        assertThat(missing.output()).contains("nosuch does not exist or is not a directory");
        assertThat(file.code()).as(file.output()).isEqualTo(2);
    }

    @Test
    void anUnusableRedisUriStopsTheServerWithExitCode2WithoutShowingItsPassword() {
        Exit exit = run(dir.toString(), "redis://app:hunter2@127.0.0.1:notaport");

        assertThat(exit.code()).as(exit.output()).isEqualTo(2);
        assertThat(exit.output()).contains("--redis", "notaport").doesNotContain("hunter2");
    }

    @Test
    void aRouteThatCannotStartStopsTheServerWithExitCode1() throws IOException {
        Files.createDirectories(dir.resolve("routes"));
        Files.writeString(dir.resolve("routes/broken.yaml"), "- route: {garbage\n");

        Exit exit = run(dir.toString(), redis.uri());

        assertThat(exit.code()).as(exit.output()).isEqualTo(1);
        assertThat(exit.output()).contains("broken.yaml");
    }

    @Test
    void sigtermStopsTheServerWithExitCode0() {
        try (ServerProcess server = ServerProcess.start(dir, redis.uri())) {
            server.sigterm();

            assertThat(server.process.waitForExit(PATIENCE)).as(server.output()).isZero();
            assertThat(server.output()).contains("qbridge server stopped");
        }
    }
}
