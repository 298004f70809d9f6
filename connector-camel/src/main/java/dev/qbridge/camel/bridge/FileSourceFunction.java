package dev.qbridge.camel.bridge;

import dev.qbridge.core.Secrets;
import java.util.Locale;
import org.apache.camel.spi.PropertiesFunction;

/**
 * The property function {@code {{redisq-file-source:<fileFormat>:<source URI>}}} of the redisq-to-file template: the
 * source URI as given for {@code perJob}, with {@code batching=true} added for {@code jsonLines} (one exchange per
 * batch, so one fsync per batch). A template cannot append a query option itself, as the source may or may not
 * have a query already; a function does it the same way in the Java and the YAML DSL. Found by Camel through
 * {@code META-INF/services/org/apache/camel/properties-function/redisq-file-source}.
 */
public final class FileSourceFunction implements PropertiesFunction {

    public static final String NAME = "redisq-file-source";
    public static final String PER_JOB = "perJob";
    public static final String JSON_LINES = "jsonLines";

    @Override
    public String getName() {
        return NAME;
    }

    @Override
    public String apply(String remainder) {
        int colon = remainder.indexOf(':');
        String format = colon < 0 ? remainder : remainder.substring(0, colon);
        String source = colon < 0 ? "" : remainder.substring(colon + 1);
        if (source.isBlank()) {
            throw new IllegalArgumentException("redisq-to-file: the source is empty: set the template parameter source "
                    + "to a redisq: URI, such as redisq:orders?redisUri=redis://host:6379");
        }
        String lower = source.toLowerCase(Locale.ROOT);
        boolean batching = lower.matches(".*[?&]batching=true(&.*)?");
        if (format.equals(PER_JOB)) {
            if (batching) {
                throw new IllegalArgumentException("redisq-to-file: fileFormat=perJob writes a file per job, so it needs "
                        + "one exchange per job: remove batching=true from the source, or set fileFormat=jsonLines");
            }
            return source;
        }
        if (format.equals(JSON_LINES)) {
            if (batching) {
                return source;
            }
            if (lower.matches(".*[?&]batching=.*")) {
                throw new IllegalArgumentException("redisq-to-file: fileFormat=jsonLines needs batching=true on the source "
                        + "(it sets it itself): remove batching from " + Secrets.redact(source));
            }
            return source + (source.contains("?") ? "&" : "?") + "batching=true";
        }
        throw new IllegalArgumentException("redisq-to-file: fileFormat must be " + PER_JOB + " (a file per job) or "
                + JSON_LINES + " (the jobs of a batch appended to one file as JSON lines), was '" + format + "'");
    }
}
