package dev.qbridge.server.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class ProgressTest {

    @Test
    void etaIsTheRemainingJobsAtTheRateSoFar() {
        assertThat(Progress.eta(50, 100, 10)).isEqualTo("5s");
        assertThat(Progress.eta(0, 100_000, 100)).isEqualTo("16m40s");
        assertThat(Progress.eta(0, 10_000_000, 1000)).isEqualTo("2h46m");
        assertThat(Progress.eta(100, 100, 0)).isEqualTo("0s");
        assertThat(Progress.eta(1, 100, 0)).isEqualTo("?");
    }

    @Test
    void plainLinesCarryCountTotalRateAndEta() {
        StringWriter out = new StringWriter();
        Progress progress = new Progress(new PrintWriter(out), Progress.Mode.LINES, Duration.ofSeconds(2));
        progress.total(1000);

        progress.update(250, true);

        assertThat(out.toString()).matches("migrate: 250 of 1,000 jobs written \\(25%\\), [0-9,]+ jobs/s, ETA .+\\R");
    }

    @Test
    void theBarIsRedrawnInPlace() {
        StringWriter out = new StringWriter();
        Progress progress = new Progress(new PrintWriter(out), Progress.Mode.BAR, Duration.ofSeconds(2));
        progress.total(0);

        progress.finish(0);

        assertThat(out.toString()).startsWith("\r[##############################] 100%  0/0");
    }
}
