package dev.qbridge.server;

import ch.qos.logback.classic.pattern.MessageConverter;
import ch.qos.logback.classic.pattern.ThrowableProxyConverter;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Masks secrets in text that leaves the process: the password of any URI ({@code redis://u:***@h}), every option
 * whose name says it is secret ({@code password=}, {@code trustStorePassword=}, {@code passphrase=},
 * {@code saslJaasConfig=}, {@code accessToken=}, ...; a {@code RAW(...)} value whole), and a JAAS
 * {@code password="..."}; the same in percent-encoded text, as Camel writes a normalized endpoint URI
 * ({@code redisUri=redis%3A%2F%2Fu%3Apw%40h}).
 * <p>
 * It is applied where text leaves: every log line and stack trace (the {@code %msg} and {@code %ex} converters of
 * logback.xml, {@link MaskedMessage} and {@link MaskedThrowable}), every body of the status endpoint, every error
 * message of a command ({@link QbridgeException#describe}), so a new output path cannot forget it.
 */
public final class Secrets {

    public static final String MASK = "***";

    /** {@code scheme://user:password@}: the password, up to the {@code @}. */
    private static final Pattern USERINFO = Pattern.compile("(?<=://)([^:@/\\s\"'?&]*):([^@/\\s\"']*)@");
    /** An option whose name says it is secret, with a RAW(...) value whole or a plain value up to the next delimiter. */
    private static final Pattern SECRET_OPTION = Pattern.compile(
            "(?i)([\\w.-]*(?:password|passphrase|secret|token|jaasconfig|credential|apikey|accesskey)[\\w.-]*)"
                    + "(=)(RAW\\(.*?\\)(?=[&\\s\"',;]|$)|RAW\\{.*?}(?=[&\\s\"',;]|$)|\"[^\"]*\"|[^&\\s\"',;)]*)");
    /** A run of text with a percent-escape in it: decoded and masked as a whole. */
    private static final Pattern ENCODED = Pattern.compile("[^\\s\"'<>]*%[0-9A-Fa-f]{2}[^\\s\"'<>]*");

    private Secrets() {
    }

    /** The text with every secret masked; {@code "null"} for null. */
    public static String redact(String text) {
        if (text == null) {
            return "null";
        }
        String masked = maskPlain(text);
        if (masked.indexOf('%') < 0) {
            return masked;
        }
        // percent-encoded secrets: decode each encoded run (twice encoded too) and show it decoded and masked when
        // it held one; runs without a secret are left exactly as they were
        Matcher m = ENCODED.matcher(masked);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String run = m.group();
            String decoded = run;
            for (int i = 0; i < 3 && decoded.contains("%"); i++) {
                String next = decode(decoded);
                if (next.equals(decoded)) {
                    break;
                }
                decoded = next;
            }
            String maskedRun = maskPlain(decoded);
            m.appendReplacement(out, Matcher.quoteReplacement(maskedRun.equals(decoded) ? run : maskedRun));
        }
        m.appendTail(out);
        return out.toString();
    }

    private static String maskPlain(String text) {
        String s = USERINFO.matcher(text).replaceAll(r -> r.group(2).isEmpty() ? Matcher.quoteReplacement(r.group())
                : Matcher.quoteReplacement(r.group(1) + ":" + MASK + "@"));
        return SECRET_OPTION.matcher(s).replaceAll(r -> Matcher.quoteReplacement(r.group(1) + r.group(2)
                + (r.group(3).isEmpty() ? "" : r.group(3).startsWith("\"") ? "\"" + MASK + "\"" : MASK)));
    }

    private static String decode(String s) {
        try {
            // '+' is kept: only percent-escapes are undone, so a plus in a password or a query is not turned into a space
            return URLDecoder.decode(s.replace("+", "%2B"), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return s; // not valid percent-encoding: shown as written
        }
    }

    /** logback's {@code %msg}, masked: logback.xml registers it for every log line of every library. */
    public static final class MaskedMessage extends MessageConverter {
        @Override
        public String convert(ILoggingEvent event) {
            return redact(super.convert(event));
        }
    }

    /** logback's {@code %ex}, masked: exception messages in stack traces carry URIs too. */
    public static final class MaskedThrowable extends ThrowableProxyConverter {
        @Override
        protected String throwableProxyToString(IThrowableProxy proxy) {
            return redact(super.throwableProxyToString(proxy));
        }
    }
}
