package dev.qbridge.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import dev.qbridge.kafka.config.ConfigReference;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** docs/kafka-connect-config.md is generated from the ConfigDefs; this fails when it drifted from them. */
class ConfigReferenceTest {

    private static final Path REFERENCE = Path.of(System.getProperty("qbridge.docs", "../docs"), "kafka-connect-config.md");

    @Test
    void referenceInDocsIsTheTextGeneratedFromTheConfigDefs() throws Exception {
        String generated = ConfigReference.markdown();
        if (Boolean.getBoolean("qbridge.docs.update")) {
            Files.writeString(REFERENCE, generated, StandardCharsets.UTF_8);
        }
        assertThat(Files.exists(REFERENCE))
                .as("%s is missing; generate it with -Dqbridge.docs.update=true", REFERENCE).isTrue();
        assertThat(Files.readString(REFERENCE, StandardCharsets.UTF_8))
                .as("%s differs from the ConfigDefs; regenerate it: mvn -B -pl connector-kafka test "
                        + "-Dtest=ConfigReferenceTest -Dqbridge.docs.update=true", REFERENCE)
                .isEqualTo(generated);
    }

    @Test
    void referenceDocumentsEveryKeyOfBothConnectors() {
        String generated = ConfigReference.markdown();
        for (var def : java.util.List.of(dev.qbridge.kafka.config.SourceConfig.CONFIG_DEF,
                dev.qbridge.kafka.config.SinkConfig.CONFIG_DEF)) {
            def.names().forEach(name -> assertThat(generated).contains("`" + name + "`"));
        }
    }
}
