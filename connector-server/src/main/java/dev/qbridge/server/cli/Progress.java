package dev.qbridge.server.cli;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.Locale;
import java.util.OptionalLong;
import java.util.function.LongSupplier;

/**
 * Migration progress: a bar with count, rate and ETA redrawn in place on a terminal; a plain line every few
 * seconds otherwise (logs, CI, pipes). Rates are over the whole run, which is what an ETA needs; the ETA shows once
 * the rate has settled ({@link #SETTLE} into the run), since a rate from the first batch alone is mostly noise.
 */
final class Progress {

    enum Mode { AUTO, BAR, LINES, NONE }

    private static final int WIDTH = 30;

    /** How long into the run the rate is taken as settled enough for an ETA. */
    static final Duration SETTLE = Duration.ofSeconds(3);

    private final PrintWriter out;
    private final boolean bar;
    private final boolean silent;
    private final Duration lineInterval;
    private final LongSupplier clock;
    private final long started;
    private long lastLine;
    private boolean drawn;
    private OptionalLong total = OptionalLong.empty();

    Progress(PrintWriter out, Mode mode, Duration lineInterval) {
        this(out, mode, lineInterval, System::nanoTime);
    }

    /** {@code clock} gives nanoseconds, as {@link System#nanoTime()} does. */
    Progress(PrintWriter out, Mode mode, Duration lineInterval, LongSupplier clock) {
        this.out = out;
        this.clock = clock;
        this.started = clock.getAsLong();
        this.bar = mode == Mode.BAR || (mode == Mode.AUTO && System.console() != null);
        this.silent = mode == Mode.NONE;
        this.lineInterval = lineInterval;
    }

    void total(long total) {
        this.total = OptionalLong.of(total);
    }

    /** Reports {@code done} jobs written so far; prints when a redraw or line is due. */
    void update(long done, boolean force) {
        if (silent) {
            return;
        }
        long now = clock.getAsLong();
        if (!force && drawn && now - lastLine < (bar ? 100_000_000L : lineInterval.toNanos())) {
            return;
        }
        drawn = true;
        lastLine = now;
        double seconds = Math.max(0.001, (now - started) / 1e9);
        double rate = done / seconds;
        boolean settled = now - started >= SETTLE.toNanos();
        if (bar) {
            out.print("\r" + barLine(done, rate, settled) + "   ");
        } else {
            out.println("migrate: " + plainLine(done, rate, settled));
        }
        out.flush();
    }

    void finish(long done) {
        update(done, true);
        if (bar && !silent) {
            out.println();
        }
        out.flush();
    }

    double seconds() {
        return (clock.getAsLong() - started) / 1e9;
    }

    private String barLine(long done, double rate, boolean settled) {
        if (total.isEmpty()) {
            return String.format(Locale.ROOT, "%,d jobs  %,.0f jobs/s", done, rate);
        }
        long t = total.getAsLong();
        double fraction = t == 0 ? 1.0 : Math.min(1.0, done / (double) t);
        int filled = (int) Math.round(fraction * WIDTH);
        return String.format(Locale.ROOT, "[%s%s] %3.0f%%  %,d/%,d  %,.0f jobs/s%s", "#".repeat(filled),
                ".".repeat(WIDTH - filled), fraction * 100, done, t, rate, etaPart("  ETA ", done, t, rate, settled));
    }

    private String plainLine(long done, double rate, boolean settled) {
        if (total.isEmpty()) {
            return String.format(Locale.ROOT, "%,d jobs written, %,.0f jobs/s", done, rate);
        }
        long t = total.getAsLong();
        return String.format(Locale.ROOT, "%,d of %,d jobs written (%.0f%%), %,.0f jobs/s%s", done, t,
                t == 0 ? 100.0 : Math.min(100.0, done * 100.0 / t), rate, etaPart(", ETA ", done, t, rate, settled));
    }

    /** The ETA once the rate has settled (or the run is done); nothing before. */
    private static String etaPart(String prefix, long done, long total, double rate, boolean settled) {
        return settled || done >= total ? prefix + eta(done, total, rate) : "";
    }

    static String eta(long done, long total, double rate) {
        if (done >= total) {
            return "0s";
        }
        if (rate <= 0) {
            return "?";
        }
        long s = (long) Math.ceil((total - done) / rate);
        return s >= 3600 ? String.format(Locale.ROOT, "%dh%02dm", s / 3600, (s % 3600) / 60)
                : s >= 60 ? String.format(Locale.ROOT, "%dm%02ds", s / 60, s % 60) : s + "s";
    }
}
