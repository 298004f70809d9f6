package dev.qbridge.kafka.source;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.source.SourceRecord;
import org.junit.jupiter.api.Test;

/** A record handed back without metadata: filtered by a transform (ack) or dropped by an error (dead letter)? */
class DropClassifierTest {

    private static final String FILTER_TOMBSTONES = "org.apache.kafka.connect.transforms.Filter";

    private static SourceRecord record(Object value) {
        return new SourceRecord(Map.of("queue", "q"), Map.of("job", 1L), "q", Schema.OPTIONAL_STRING_SCHEMA, value);
    }

    private static DropClassifier classifier(String tolerance, boolean withFilter) {
        Map<String, String> props = new HashMap<>();
        props.put("errors.tolerance", tolerance);
        if (withFilter) {
            props.put("transforms", "dropNulls");
            props.put("transforms.dropNulls.type", FILTER_TOMBSTONES);
            props.put("transforms.dropNulls.predicate", "isNull");
            props.put("predicates", "isNull");
            props.put("predicates.isNull.type", "org.apache.kafka.connect.transforms.predicates.RecordIsTombstone");
        }
        return new DropClassifier(props);
    }

    @Test
    void withoutTransformsOnlyAnErrorCanDropARecord() {
        assertThat(classifier("all", false).wasFiltered(record("x"))).isFalse();
    }

    @Test
    void withTransformsAndNoErrorToleranceOnlyAFilterCanDropARecord() {
        assertThat(classifier("none", true).wasFiltered(record("x"))).isTrue();
    }

    @Test
    void withTransformsAndErrorToleranceTheChainIsAppliedAgainToTell() {
        try (DropClassifier c = classifier("all", true)) {
            assertThat(c.wasFiltered(record(null))).as("a tombstone: the filter drops it").isTrue();
            assertThat(c.wasFiltered(record("x"))).as("the filter keeps it: an error dropped it").isFalse();
        }
    }

    @Test
    void aTransformThatCannotBeRebuiltCountsAsAnErrorSoTheJobIsKept() {
        Map<String, String> props = new HashMap<>(Map.of("errors.tolerance", "all", "transforms", "gone",
                "transforms.gone.type", "com.example.NoSuchTransform"));
        assertThat(new DropClassifier(props).wasFiltered(record(null))).isFalse();
    }
}
