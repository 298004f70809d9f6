package dev.qbridge.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ToolProcessIT {

    @Test
    void closingAToolKillsItsChildrenToo() {
        Path dir = TestFiles.newTempDir("qbridge-tool-");
        try {
            // A worker with a pool: the parent waits on a child that would outlive it if only the parent were killed.
            ToolProcess tool = ToolProcess.start("pool", List.of("sh", "-c", "sleep 300 & echo child $!; wait"), dir, Map.of());
            long child = Long.parseLong(tool.waitForOutputLine("child ", Duration.ofSeconds(10)).substring("child ".length()).trim());
            assertThat(ProcessHandle.of(child)).isPresent();

            tool.close();

            assertThat(tool.isAlive()).isFalse();
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (ProcessHandle.of(child).map(ProcessHandle::isAlive).orElse(false) && System.nanoTime() < deadline) {
                RedisServer.sleep(Duration.ofMillis(20));
            }
            assertThat(ProcessHandle.of(child).map(ProcessHandle::isAlive).orElse(false)).as("the child is gone").isFalse();
        } finally {
            TestFiles.deleteQuietly(dir);
        }
    }

    @Test
    void stopSendsSigtermAndTheToolExitsByItself() {
        Path dir = TestFiles.newTempDir("qbridge-tool-");
        try (ToolProcess tool = ToolProcess.start("trap", List.of("sh", "-c",
                "trap 'echo stopping; exit 0' TERM; echo started; while true; do sleep 0.1; done"), dir, Map.of())) {
            tool.waitForOutputLine("started", Duration.ofSeconds(10));

            tool.stop(Duration.ofSeconds(10));

            assertThat(tool.isAlive()).isFalse();
            assertThat(tool.outputLines()).contains("stopping");
        } finally {
            TestFiles.deleteQuietly(dir);
        }
    }
}
