package dev.qbridge.server.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.qbridge.server.Cli;
import dev.qbridge.testkit.RedisServerExtension;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
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
    void demoWithoutARedisStartsAnEmbeddedOne(@TempDir Path dir) throws Exception {
        Path sink = dir.resolve("demo.jsonl");

        Cli result = Cli.run("demo", "--embedded", "--jobs", "300", "--rate", "3000", "--out", sink.toString());

        assertThat(result.exitCode()).as(result.toString()).isZero();
        assertThat(result.out()).contains("embedded Redis", "300 lines in");
        assertThat(Files.readAllLines(sink)).hasSize(300).doesNotHaveDuplicates();
    }
}
