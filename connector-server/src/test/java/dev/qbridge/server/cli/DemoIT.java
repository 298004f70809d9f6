package dev.qbridge.server.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.qbridge.server.Cli;
import dev.qbridge.server.Qbridge;
import dev.qbridge.testkit.JavaProcess;
import dev.qbridge.testkit.RedisServerExtension;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

class DemoIT {

    @RegisterExtension
    static RedisServerExtension redis = RedisServerExtension.standalone();

    @Test
    void demoMovesEveryJobToTheFileAndLeavesNoKeyBehind(@TempDir Path dir) throws Exception {
        redis.client().set("someone-else:key", "untouched");
        Path sink = dir.resolve("demo.jsonl");

        Cli result = Cli.run("demo", "--redis", redis.uri(), "--jobs", "2000", "--rate", "4000", "--out", sink.toString());

        assertThat(result.exitCode()).as(result.toString()).isZero();
        assertThat(result.out()).contains("produced", "in flight", "written to file", "Done in", "2,000 lines in");
        List<String> lines = Files.readAllLines(sink);
        assertThat(lines).hasSize(2000);
        assertThat(lines).containsExactlyInAnyOrderElementsOf(
                IntStream.rangeClosed(1, 2000).mapToObj(i -> "{\"job\":" + i + ",\"task\":\"send-email\",\"to\":\"user" + i
                        + "@example.com\"}").toList());
        assertThat(redis.client().keys("qbridge-demo:*")).isEmpty();
        assertThat(redis.client().get("someone-else:key")).isEqualTo("untouched");
    }

    @Test
    void demoWithoutARedisRunsTheRedisServerOfThePathOnTheLoopback(@TempDir Path dir) throws Exception {
        Path sink = dir.resolve("demo.jsonl");
        Path redisServer = DemoRedis.onPath("redis-server", System.getenv("PATH")).orElseThrow(
                () -> new AssertionError("no redis-server on the PATH of the tests: install redis-server"));

        Cli result = Cli.run("demo", "--embedded", "--jobs", "300", "--rate", "3000", "--out", sink.toString());

        assertThat(result.exitCode()).as(result.toString()).isZero();
        assertThat(result.out()).containsPattern("Redis: +redis-server [0-9.]+ from " + Pattern.quote(redisServer.toString())
                + " on 127\\.0\\.0\\.1:[0-9]+ \\(private to the demo")
                .contains("300 lines in").doesNotContain("bundled");
        assertThat(Files.readAllLines(sink)).hasSize(300).doesNotHaveDuplicates();
    }

    @Test
    void withNoRedisServerOnThePathTheDemoFallsBackToTheBundledRedisOnTheLoopback(@TempDir Path dir) throws Exception {
        Path sink = dir.resolve("demo.jsonl");
        // a PATH with what embedded-redis needs (uname) and no redis-server
        Path bin = Files.createDirectory(dir.resolve("bin"));
        Path uname = DemoRedis.onPath("uname", System.getenv("PATH")).orElseThrow(() -> new AssertionError("no uname on the PATH"));
        Files.createSymbolicLink(bin.resolve("uname"), uname);

        try (JavaProcess demo = JavaProcess.builder(Qbridge.class).env("PATH", bin.toString())
                .args("demo", "--embedded", "--jobs", "100", "--rate", "2000", "--out", sink.toString()).start()) {
            int code = demo.waitForExit(Duration.ofSeconds(120));
            String output = String.join("\n", demo.outputLines());

            String os = System.getProperty("os.name").toLowerCase(Locale.ROOT);
            String arch = System.getProperty("os.arch");
            if (os.contains("linux") && List.of("amd64", "x86_64", "aarch64", "arm64").contains(arch)) {
                assertThat(code).as(output).isZero();
                assertThat(output).contains("No redis-server on the PATH",
                        "Redis:  the bundled Redis 6.2 (embedded-redis) on 127.0.0.1:", "100 lines in");
            } else {
                assertThat(code).as(output).isEqualTo(1);
                assertThat(output).contains("no redis-server on the PATH", "--redis");
            }
        }
    }
}
