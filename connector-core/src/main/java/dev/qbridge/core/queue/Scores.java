package dev.qbridge.core.queue;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.Locale;

/**
 * Sorted-set scores as Redis writes them: decimal numbers, and {@code inf} / {@code -inf}, which guide producers
 * may use ({@code ZADD q -inf job} for "before everything"). Java's own parser knows only "Infinity".
 */
public final class Scores {

    private Scores() {
    }

    /** Parses a score as Redis prints or accepts it; throws NumberFormatException for anything else. */
    public static double parse(String score) {
        String s = score.trim().toLowerCase(Locale.ROOT);
        return switch (s) {
            case "inf", "+inf", "infinity", "+infinity" -> Double.POSITIVE_INFINITY;
            case "-inf", "-infinity" -> Double.NEGATIVE_INFINITY;
            default -> {
                double value = Double.parseDouble(s);
                if (Double.isNaN(value)) {
                    throw new NumberFormatException("a score cannot be NaN");
                }
                yield value;
            }
        };
    }

    /** A score as Redis accepts it back: {@code inf}, {@code -inf}, or the shortest decimal that round-trips. */
    public static String format(double score) {
        if (score == Double.POSITIVE_INFINITY) {
            return "inf";
        }
        if (score == Double.NEGATIVE_INFINITY) {
            return "-inf";
        }
        if (score == Math.rint(score) && Math.abs(score) < 1e15) {
            return Long.toString((long) score);
        }
        return Double.toString(score);
    }

    /** The score of a due time in a delayed queue's unit, exactly: no more digits than the instant has. */
    public static String exactScore(Instant at, DueTimeUnit unit) {
        BigDecimal millis = BigDecimal.valueOf(at.getEpochSecond()).movePointRight(3)
                .add(BigDecimal.valueOf(at.getNano()).movePointLeft(6));
        BigDecimal score = millis.divide(BigDecimal.valueOf(unit.millisPerUnit()));
        return score.stripTrailingZeros().toPlainString();
    }
}
