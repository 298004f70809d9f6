package dev.qbridge.core;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The one mask of qbridge: every text that leaves a qbridge process (log lines, stack traces, HTTP bodies, command
 * output, exception messages of the components) passes through {@link #redact}, and every secret in it reads
 * {@value #MASK}. It masks:
 * <ul>
 *   <li>the userinfo password of a URI: {@code redis://app:***@host}, {@code redis://:***@host}, and a lone userinfo
 *       (which a Redis URI reads as the password): {@code redis://***@host};</li>
 *   <li>the value of every option or key whose name says it is secret (password, passwd, pwd, passphrase, secret,
 *       token, credential, apiKey, accessKey, JAAS config), written {@code name=value}, {@code name = value} or as
 *       JSON {@code "name":"value"}; a Camel {@code RAW(...)} value whole, a quoted value up to its closing quote;
 *       the credentials of an {@code Authorization:} header; Camel's own mask ({@code =xxxxxx});</li>
 *   <li>the same inside percent-encoded text (once, twice or three times encoded, as Camel writes a normalized
 *       endpoint URI: {@code redisUri=redis%3A%2F%2Fapp%3Apw%40host}) and JSON-escaped text.</li>
 * </ul>
 * A URI's password is only ever what stands between {@code scheme://user:} and the last {@code @} before a blank, a
 * quote, {@code ?} or {@code #}: text after a URI is never eaten (an error such as
 * {@code Redis at redis://:***@h:6379 answered an error: ERR ... on @user_script:40.} is kept whole).
 */
public final class Secrets {

    /** What every secret reads as, in every output. */
    public static final String MASK = "***";

    /**
     * {@code scheme://user:password@} (groups 2 and 3) or {@code scheme://password@} (group 4). A password runs to the
     * last {@code @} before a blank, a quote, {@code ?}, {@code #} or {@code &} (the next option of an endpoint URI that
     * holds this one): a raw {@code /} or {@code @} in it, which qbridge's URI parser accepts, is masked too (at the
     * price of masking a port and path in {@code http://h:1/a/@b}).
     */
    private static final Pattern USERINFO = Pattern.compile("(?<![A-Za-z0-9+.-])([A-Za-z][A-Za-z0-9+.-]*://)"
            + "(?:([^\\s:/?#@&\"'<>\\\\\\[\\]]*):([^\\s?#&\"'<>\\\\\\[\\]]*)|([^\\s:/?#&\"'<>\\\\\\[\\]]*))@");

    /** A help text's placeholder ({@code --http-token-file=<file>}, {@code Bearer <token>}) is no secret. */
    private static final String PLACEHOLDER = "(?!<[\\w.-]*>)";

    /** A name that says its value is secret: matched anywhere in a longer name (trustStorePassword, redis.keystore.password). */
    private static final String SECRET_NAME = "[\\w.-]*(?:password|passwd|pwd|passphrase|secret|token|credential|"
            + "api[_-]?key|access[_-]?key|jaas[_.-]?config)[\\w.-]*";

    /**
     * {@code name=value}, {@code name = value} (as Kafka logs a config) and JSON's {@code "name":"value"}; group 3 is
     * the value. A colon elsewhere is no separator: prose ("no secret: ...") and a stack trace's {@code Password.java:42}
     * are kept.
     */
    private static final Pattern SECRET_OPTION = Pattern.compile("(?i)(?<![\\w.-])(" + SECRET_NAME + ")"
            + "(\"?[ \\t]?=[ \\t]?|\"[ \\t]*:[ \\t]*(?=\"))"
            + PLACEHOLDER
            // RAW(...) up to the ')' that ends the option, never across a quote (the end of a JSON string)
            + "(RAW\\((?:\\\\.|[^\"\\\\\\n])*?\\)(?=[&\\s\"',;]|$)|RAW\\{(?:\\\\.|[^\"\\\\\\n])*?}(?=[&\\s\"',;]|$)"
            + "|\"(?:\\\\.|[^\"\\\\])*\"|'[^']*'"
            // a plain value runs to the end of the option: over-masking trailing punctuation beats leaking the rest of
            // a password that holds a comma or a bracket
            + "|(?:\\\\.|[^&\\s\"'\\\\])*)");

    /** An HTTP authorization header or option, whose credentials are base64 of user:password or a token. */
    private static final Pattern AUTHORIZATION = Pattern.compile("(?i)(?<![\\w.-])((?:proxy-)?authorization\"?[ \\t]*[:=]"
            + "[ \\t]*\"?(?>(?:(?:basic|bearer|token|digest|negotiate)[ \\t]+)?))" + PLACEHOLDER + "[^\\s\"'&,;]+");

    /**
     * Camel's list of the options it could not set, with their values decoded (a '+' become a space): a misspelled
     * password option is one of them, under a name no rule knows. Every value in it is masked; the names are what
     * the message is about.
     */
    private static final Pattern UNKNOWN_PARAMETERS = Pattern.compile("(Unknown parameters=\\[\\{)([^\"\\n]*?)(?=}])");
    private static final Pattern PARAMETER = Pattern.compile("(^|, )([^=,\\s]+)=(.*?)(?=, [^=,\\s]+=|$)");

    /** Camel's own mask of an option it sanitized (any option it was told is secret): shown as ours. */
    private static final Pattern CAMEL_MASK = Pattern.compile("(?<==)xxxxxx(?=[&\\s\"',;)\\]}]|$)");

    /** A run of text with a percent-escape or a JSON escape in it: decoded and masked as a whole. */
    private static final Pattern ENCODED = Pattern.compile(
            "[^\\s\"'<>]*(?:%[0-9A-Fa-f]{2}|\\\\u[0-9A-Fa-f]{4}|\\\\/)[^\\s\"'<>]*");

    private Secrets() {
    }

    /** The text with every secret masked; {@code "null"} for null. */
    public static String redact(String text) {
        if (text == null) {
            return "null";
        }
        String masked = maskPlain(text);
        if (masked.indexOf('%') < 0 && masked.indexOf('\\') < 0) {
            return masked;
        }
        // an encoded run that held a secret is shown decoded and masked; a run without one is left exactly as written
        Matcher m = ENCODED.matcher(masked);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String maskedRun = maskEncoded(m.group());
            m.appendReplacement(out, Matcher.quoteReplacement(maskedRun == null ? m.group() : maskedRun));
        }
        m.appendTail(out);
        return out.toString();
    }

    /** True when {@link #redact} would mask something: the text holds a secret (or a mask where one stood). */
    public static boolean holdsSecret(String text) {
        return text != null && !redact(text).equals(text);
    }

    private static String maskPlain(String text) {
        String s = USERINFO.matcher(text).replaceAll(r -> Matcher.quoteReplacement(r.group(1) + (r.group(2) != null
                ? r.group(2) + ":" + (r.group(3).isEmpty() ? "" : MASK) : r.group(4).isEmpty() ? "" : MASK) + "@"));
        s = AUTHORIZATION.matcher(s).replaceAll(r -> Matcher.quoteReplacement(r.group(1) + MASK));
        s = CAMEL_MASK.matcher(s).replaceAll(Matcher.quoteReplacement(MASK));
        s = UNKNOWN_PARAMETERS.matcher(s).replaceAll(r -> Matcher.quoteReplacement(r.group(1)
                + PARAMETER.matcher(r.group(2)).replaceAll(p -> Matcher.quoteReplacement(p.group(1) + p.group(2) + "=" + MASK))));
        return SECRET_OPTION.matcher(s).replaceAll(r -> Matcher.quoteReplacement(r.group(1) + r.group(2) + maskValue(r.group(3))));
    }

    private static String maskValue(String value) {
        if (value.isEmpty()) {
            return value;
        }
        char first = value.charAt(0);
        return first == '"' || first == '\'' ? first + MASK + first : MASK;
    }

    /**
     * Masks an encoded run layer by layer: each layer is masked before the next is decoded, so a password that was
     * percent-encoded inside a twice-encoded URI is masked whole, before its own escapes ('/', '@') are undone.
     * Null when no layer held a secret.
     */
    private static String maskEncoded(String run) {
        String current = run;
        boolean masked = false;
        for (int layer = 0; layer <= 3; layer++) {
            String m = maskPlain(current);
            masked |= !m.equals(current);
            String next = layer == 3 ? m : decodeOnce(m);
            if (next.equals(m)) {
                return masked ? keepDelimiters(m) : null;
            }
            current = next;
        }
        return masked ? keepDelimiters(current) : null;
    }

    /** One layer of percent- and JSON-escapes undone; an escape that is not valid is kept as written. */
    private static String decodeOnce(String s) {
        StringBuilder out = new StringBuilder(s.length());
        ByteArrayOutputStream escaped = new ByteArrayOutputStream();
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '%' && i + 2 < s.length() && isHex(s, i + 1, 2)) {
                // consecutive percent-escapes are the bytes of one UTF-8 sequence
                escaped.write(Integer.parseInt(s, i + 1, i + 3, 16));
                i += 2;
                continue;
            }
            flush(escaped, out);
            if (c == '\\' && i + 5 < s.length() && s.charAt(i + 1) == 'u' && isHex(s, i + 2, 4)) {
                out.append((char) Integer.parseInt(s, i + 2, i + 6, 16));
                i += 5;
            } else if (c == '\\' && i + 1 < s.length() && s.charAt(i + 1) == '/') {
                out.append('/');
                i++;
            } else {
                // '+' stays: only escapes are undone, so a plus in a password or a query is not turned into a space
                out.append(c);
            }
        }
        flush(escaped, out);
        return out.toString();
    }

    private static void flush(ByteArrayOutputStream escaped, StringBuilder out) {
        if (escaped.size() > 0) {
            out.append(escaped.toString(StandardCharsets.UTF_8));
            escaped.reset();
        }
    }

    /**
     * A decoded run goes back where it was found: characters that would end it (a quote inside a JSON string, a space)
     * or break its surroundings are escaped again.
     */
    private static String keepDelimiters(String run) {
        StringBuilder b = new StringBuilder(run.length());
        for (char c : run.toCharArray()) {
            if (c < 0x20 || c == ' ' || c == '"' || c == '\'' || c == '<' || c == '>' || c == '\\' || c == 0x7f) {
                b.append(String.format("%%%02X", (int) c));
            } else {
                b.append(c);
            }
        }
        return b.toString();
    }

    private static boolean isHex(String s, int from, int count) {
        for (int i = from; i < from + count; i++) {
            if (!isHex(s.charAt(i))) {
                return false;
            }
        }
        return true;
    }

    private static boolean isHex(char c) {
        return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
    }
}
