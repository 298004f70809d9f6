package dev.qbridge.kafka.source;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.connect.source.SourceRecord;
import org.apache.kafka.connect.transforms.Transformation;
import org.apache.kafka.connect.transforms.predicates.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tells, for a record that Kafka Connect handed back to {@code commitRecord} without metadata, whether a
 * transform filtered it out (ack the job: that is what the user asked for) or an error dropped it under
 * {@code errors.tolerance=all} (dead-letter the job: never into thin air). Connect passes null in both cases:
 * <ul>
 *   <li>no transforms: it was an error;</li>
 *   <li>transforms and {@code errors.tolerance=none}: an error would have failed the task, so it was filtered;</li>
 *   <li>transforms and {@code errors.tolerance=all}: the transform chain is applied again to the record, and only
 *       when it yields null was the record filtered.</li>
 * </ul>
 * When a transform cannot be rebuilt here the record counts as dropped by an error: a dead letter can be
 * replayed, an ack cannot be undone.
 */
public final class DropClassifier implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(DropClassifier.class);

    private record Stage(Transformation<SourceRecord> transform, Predicate<SourceRecord> predicate, boolean negate) {
    }

    private final boolean hasTransforms;
    private final boolean toleratesErrors;
    private final Map<String, String> props;
    private List<Stage> chain;
    private boolean chainBroken;

    public DropClassifier(Map<String, String> props) {
        this.props = props;
        this.hasTransforms = !aliases(props.get("transforms")).isEmpty();
        this.toleratesErrors = "all".equalsIgnoreCase(props.getOrDefault("errors.tolerance", "none").trim());
    }

    /** True when the transforms filtered the record out, false when an error dropped it. */
    public synchronized boolean wasFiltered(SourceRecord record) {
        if (!hasTransforms) {
            return false;
        }
        if (!toleratesErrors) {
            return true;
        }
        if (chain == null && !chainBroken) {
            chain = buildChain();
        }
        if (chain == null) {
            return false;
        }
        try {
            SourceRecord r = record;
            for (Stage stage : chain) {
                if (stage.predicate() != null && stage.predicate().test(r) == stage.negate()) {
                    continue;
                }
                r = stage.transform().apply(r);
                if (r == null) {
                    return true;
                }
            }
            return false; // the transforms keep it: a converter or the producer failed on it
        } catch (RuntimeException e) {
            return false; // a transform failed on it
        }
    }

    private List<Stage> buildChain() {
        List<Stage> stages = new ArrayList<>();
        try {
            for (String alias : aliases(props.get("transforms"))) {
                String prefix = "transforms." + alias + ".";
                Transformation<SourceRecord> t = instantiate(props.get(prefix + "type"), Transformation.class);
                t.configure(withPrefix(prefix));
                Predicate<SourceRecord> predicate = null;
                String predicateAlias = props.get(prefix + "predicate");
                if (predicateAlias != null && !predicateAlias.isBlank()) {
                    String p = "predicates." + predicateAlias.trim() + ".";
                    predicate = instantiate(props.get(p + "type"), Predicate.class);
                    predicate.configure(withPrefix(p));
                }
                stages.add(new Stage(t, predicate, Boolean.parseBoolean(props.getOrDefault(prefix + "negate", "false"))));
            }
            return stages;
        } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
            chainBroken = true;
            LOG.warn("Cannot rebuild the transforms of this connector ({}); records dropped without metadata will go "
                    + "to the dead-letter list even if a transform filtered them", e.toString());
            closeAll(stages);
            return null;
        }
    }

    @SuppressWarnings("unchecked")
    private static <T> T instantiate(String className, Class<?> type) throws ReflectiveOperationException {
        if (className == null || className.isBlank()) {
            throw new ClassNotFoundException("no type configured");
        }
        ClassLoader loader = Thread.currentThread().getContextClassLoader();
        Class<?> c = Class.forName(className.trim(), true, loader != null ? loader : DropClassifier.class.getClassLoader());
        if (!type.isAssignableFrom(c)) {
            throw new ClassCastException(className + " is not a " + type.getSimpleName());
        }
        return (T) c.getDeclaredConstructor().newInstance();
    }

    private Map<String, String> withPrefix(String prefix) {
        Map<String, String> out = new HashMap<>();
        props.forEach((k, v) -> {
            if (k.startsWith(prefix)) {
                out.put(k.substring(prefix.length()), v);
            }
        });
        return out;
    }

    private static List<String> aliases(String list) {
        List<String> aliases = new ArrayList<>();
        if (list != null) {
            for (String a : list.split(",")) {
                if (!a.isBlank()) {
                    aliases.add(a.trim());
                }
            }
        }
        return aliases;
    }

    private static void closeAll(List<Stage> stages) {
        for (Stage s : stages) {
            try {
                s.transform().close();
                if (s.predicate() != null) {
                    s.predicate().close();
                }
            } catch (RuntimeException ignored) {
                // closing a replay copy must not fail the task
            }
        }
    }

    @Override
    public synchronized void close() {
        if (chain != null) {
            closeAll(chain);
        }
    }
}
