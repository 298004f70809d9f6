package dev.qbridge.formats;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/**
 * The text of a UTC time as the CloudEvents SDK writes it ({@code Time.writeTime}, that is
 * {@link DateTimeFormatter#ISO_OFFSET_DATE_TIME}): seconds always, the fraction with no trailing zeros, {@code Z}.
 * Written by hand for the years 0000-9999: the formatter cost more per job than parsing the job (JFR, 2026-12-08).
 */
final class Rfc3339 {
    private static final long SECONDS_PER_DAY = 86_400;
    /** 0000-01-01T00:00:00Z and 10000-01-01T00:00:00Z: the years written with four digits and no sign. */
    private static final long FIRST = -62_167_219_200L;
    private static final long AFTER_LAST = 253_402_300_800L;

    private Rfc3339() {
    }

    static String format(Instant instant) {
        long seconds = instant.getEpochSecond();
        if (seconds < FIRST || seconds >= AFTER_LAST) {
            return DateTimeFormatter.ISO_OFFSET_DATE_TIME.format(instant.atOffset(ZoneOffset.UTC));
        }
        long days = Math.floorDiv(seconds, SECONDS_PER_DAY);
        int secondOfDay = (int) Math.floorMod(seconds, SECONDS_PER_DAY);
        int nano = instant.getNano();
        byte[] text = new byte[nano == 0 ? 20 : 30];
        int at = date(days, text);
        text[at++] = 'T';
        at = twoDigits(secondOfDay / 3600, text, at);
        text[at++] = ':';
        at = twoDigits(secondOfDay / 60 % 60, text, at);
        text[at++] = ':';
        at = twoDigits(secondOfDay % 60, text, at);
        if (nano != 0) {
            text[at++] = '.';
            int digits = 9;
            while (nano % 10 == 0) {
                nano /= 10;
                digits--;
            }
            for (int i = at + digits - 1; i >= at; i--) {
                text[i] = (byte) ('0' + nano % 10);
                nano /= 10;
            }
            at += digits;
        }
        text[at++] = 'Z';
        return new String(text, 0, at, StandardCharsets.ISO_8859_1);
    }

    /** yyyy-MM-dd of a day since the epoch (the civil-from-days algorithm, as java.time's LocalDate uses). */
    private static int date(long epochDay, byte[] text) {
        long zeroDay = epochDay + 719_528 - 60; // days since 0000-03-01
        long era = Math.floorDiv(zeroDay, 146_097);
        long dayOfEra = zeroDay - era * 146_097;
        long yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365;
        long dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100);
        long marchMonth = (5 * dayOfYear + 2) / 153;
        int day = (int) (dayOfYear - (153 * marchMonth + 2) / 5 + 1);
        int month = (int) (marchMonth < 10 ? marchMonth + 3 : marchMonth - 9);
        int year = (int) (yearOfEra + era * 400 + (month <= 2 ? 1 : 0));
        at(year / 100, text, 0);
        at(year % 100, text, 2);
        text[4] = '-';
        at(month, text, 5);
        text[7] = '-';
        at(day, text, 8);
        return 10;
    }

    private static void at(int twoDigits, byte[] text, int at) {
        text[at] = (byte) ('0' + twoDigits / 10);
        text[at + 1] = (byte) ('0' + twoDigits % 10);
    }

    private static int twoDigits(int value, byte[] text, int at) {
        at(value, text, at);
        return at + 2;
    }
}
