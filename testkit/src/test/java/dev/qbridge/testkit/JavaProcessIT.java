package dev.qbridge.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class JavaProcessIT {

    @Test
    void kill9KillsAChildThatPrintedALine() {
        try (JavaProcess child = JavaProcess.start(PrintThenSleepMain.class, "one", "two")) {
            String line = child.waitForOutputLine("ready", Duration.ofSeconds(20));

            assertThat(line).isEqualTo("ready one two");
            assertThat(child.isAlive()).isTrue();
            assertThat(ProcessHandle.of(child.pid())).isPresent();

            int exitCode = child.kill9();

            assertThat(exitCode).isEqualTo(137); // 128 + SIGKILL
            assertThat(child.isAlive()).isFalse();
            assertThat(child.outputLines()).containsExactly("ready one two");
        }
    }

    @Test
    void waitingFailsFastWhenTheChildExits() {
        try (JavaProcess child = JavaProcess.start("no.such.MainClass")) {
            assertThatThrownBy(() -> child.waitForOutputLine("never", Duration.ofSeconds(20)))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("exited with 1")
                    .hasMessageContaining("no.such.MainClass");
        }
    }
}
