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
    void plainLinesCarryCountTotalAndRate() {
        StringWriter out = new StringWriter();
        Progress progress = new Progress(new PrintWriter(out), Progress.Mode.LINES, Duration.ofSeconds(2));
        progress.total(1000);

        progress.update(250, true);

        assertThat(out.toString()).matches("migrate: 250 of 1,000 jobs written \\(25%\\), [0-9,]+ jobs/s\\R");
    }

    @Test
    void theBarIsRedrawnInPlace() {
        StringWriter out = new StringWriter();
        Progress progress = new Progress(new PrintWriter(out), Progress.Mode.BAR, Duration.ofSeconds(2));
        progress.total(0);

        progress.finish(0);

        assertThat(out.toString()).startsWith("\r[##############################] 100%  0/0");
    }

    @Test
    void noEtaIsShownUntilTheRateHasSettled() {
        StringWriter out = new StringWriter();
        long[] now = {0};
        Progress progress = new Progress(new PrintWriter(out), Progress.Mode.LINES, Duration.ofSeconds(2), () -> now[0]);
        progress.total(100_000);

        now[0] = Duration.ofMillis(150).toNanos();
        progress.update(500, false); // the first batch: a rate from 150 ms says nothing yet
        now[0] = Duration.ofSeconds(5).toNanos();
        progress.update(20_000, false);

        assertThat(out.toString().lines()).containsExactly(
                "migrate: 500 of 100,000 jobs written (1%), 3,333 jobs/s",
                "migrate: 20,000 of 100,000 jobs written (20%), 4,000 jobs/s, ETA 20s");
    }

    @Test
    void theFinalLineOfAShortRunSaysItIsDone() {
        StringWriter out = new StringWriter();
        long[] now = {0};
        Progress progress = new Progress(new PrintWriter(out), Progress.Mode.LINES, Duration.ofSeconds(2), () -> now[0]);
        progress.total(10);

        now[0] = Duration.ofMillis(200).toNanos();
        progress.finish(10);

        assertThat(out.toString()).isEqualTo("migrate: 10 of 10 jobs written (100%), 50 jobs/s, ETA 0s\n");
    }
}
