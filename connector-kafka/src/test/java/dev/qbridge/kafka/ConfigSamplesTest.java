package dev.qbridge.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.kafka.common.config.Config;
import org.apache.kafka.common.config.ConfigValue;
import org.apache.kafka.connect.connector.Connector;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Every sample in config-samples/kafka-connect is a config its connector accepts as it stands. */
class ConfigSamplesTest {

    static Stream<Path> samples() {
        return ConfigSamples.all().stream();
    }

    @Test
    void thereIsASourceAndASinkSampleForBothWaysOfConfiguring() {
        assertThat(ConfigSamples.all()).extracting(p -> p.getFileName().toString()).contains(
                "redis-queue-source.properties", "redis-queue-source.json",
                "redis-queue-sink.properties", "redis-queue-sink.json");
    }

    @ParameterizedTest
    @MethodSource("samples")
    void sampleIsAValidConfigOfItsConnector(Path sample) throws Exception {
        Map<String, String> config = ConfigSamples.load(sample);
        assertThat(config).containsKeys("name", "connector.class");
        Connector connector = (Connector) Class.forName(config.get("connector.class")).getDeclaredConstructor().newInstance();
        Config result = connector.validate(config);
        List<String> errors = result.configValues().stream()
                .filter(v -> !v.errorMessages().isEmpty())
                .map(v -> v.name() + ": " + v.errorMessages())
                .toList();
        assertThat(errors).as("errors of %s", sample.getFileName()).isEmpty();
        // every key of the sample is either the connector's own or one of Kafka Connect's
        for (String key : config.keySet()) {
            boolean ours = result.configValues().stream().map(ConfigValue::name).anyMatch(key::equals);
            boolean connects = List.of("name", "connector.class", "tasks.max", "topics").contains(key)
                    || key.startsWith("value.converter") || key.startsWith("key.converter") || key.startsWith("errors.");
            assertThat(ours || connects).as("key %s of %s is known", key, sample.getFileName()).isTrue();
        }
    }
}
