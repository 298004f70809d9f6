package dev.qbridge.kafka.config;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.ConfigKey;
import org.apache.kafka.common.config.types.Password;

/**
 * Writes {@code docs/kafka-connect-config.md} from the connectors' {@link ConfigDef}s, so the reference is the
 * definition and cannot drift from it ({@code ConfigReferenceTest} fails when the file differs).
 * Run: {@code mvn -B -pl connector-kafka test -Dtest=ConfigReferenceTest -Dqbridge.docs.update=true}, or
 * {@code mvn -B -pl connector-kafka compile exec:java}.
 */
public final class ConfigReference {

    private ConfigReference() {
    }

    public static void main(String[] args) throws IOException {
        Path out = Path.of(args.length > 0 ? args[0] : "docs/kafka-connect-config.md");
        Files.createDirectories(out.toAbsolutePath().getParent());
        Files.writeString(out, markdown(), StandardCharsets.UTF_8);
        System.out.println("wrote " + out);
    }

    /** The whole reference as Markdown. */
    public static String markdown() {
        StringBuilder md = new StringBuilder();
        md.append("# Kafka Connect configuration reference\n\n")
                .append("<!-- Generated from the connectors' ConfigDef by dev.qbridge.kafka.config.ConfigReference. "
                        + "Do not edit: change the ConfigDef, then run\n")
                .append("     mvn -B -pl connector-kafka test -Dtest=ConfigReferenceTest -Dqbridge.docs.update=true -->\n\n")
                .append("The keys below come on top of Kafka Connect's own (`name`, `connector.class`, `tasks.max`, ")
                .append("`topics` for the sink, converters, `transforms`, `errors.*`). See [kafka-connect.md](kafka-connect.md) ")
                .append("for how the connectors work.\n\n");
        section(md, "Source: `dev.qbridge.kafka.RedisQueueSourceConnector`", SourceConfig.CONFIG_DEF);
        section(md, "Sink: `dev.qbridge.kafka.RedisQueueSinkConnector`", SinkConfig.CONFIG_DEF);
        return md.toString();
    }

    private static void section(StringBuilder md, String title, ConfigDef def) {
        md.append("## ").append(title).append("\n\n");
        Map<String, List<ConfigKey>> groups = new LinkedHashMap<>();
        for (String group : def.groups()) {
            groups.put(group, new ArrayList<>());
        }
        def.configKeys().values().forEach(k -> groups.computeIfAbsent(k.group == null ? "Other" : k.group,
                g -> new ArrayList<>()).add(k));
        for (Map.Entry<String, List<ConfigKey>> group : groups.entrySet()) {
            md.append("### ").append(group.getKey()).append("\n\n");
            md.append("| Key | Type | Default | Valid values | Importance | Description |\n");
            md.append("|---|---|---|---|---|---|\n");
            group.getValue().sort(Comparator.comparingInt((ConfigKey k) -> k.orderInGroup).thenComparing(k -> k.name));
            for (ConfigKey key : group.getValue()) {
                md.append("| `").append(key.name).append("` | ")
                        .append(key.type.toString().toLowerCase()).append(" | ")
                        .append(defaultOf(key)).append(" | ")
                        .append(key.validator == null ? "" : cell(key.validator.toString())).append(" | ")
                        .append(key.importance.toString().toLowerCase()).append(" | ")
                        .append(cell(key.documentation)).append(" |\n");
            }
            md.append('\n');
        }
    }

    private static String defaultOf(ConfigKey key) {
        if (!key.hasDefault()) {
            return "*required*";
        }
        Object value = key.defaultValue;
        if (value == null) {
            return "*unset*";
        }
        if (value instanceof Password) {
            return "\"\"";
        }
        if (value instanceof List<?> list) {
            value = String.join(",", list.stream().map(String::valueOf).toList());
        }
        String text = value.toString();
        return text.isEmpty() ? "\"\"" : "`" + text + "`";
    }

    private static String cell(String text) {
        return text.replace("|", "\\|").replace("<", "&lt;").replace(">", "&gt;").replace("\n", " ");
    }
}
