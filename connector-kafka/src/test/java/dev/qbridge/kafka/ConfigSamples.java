package dev.qbridge.kafka;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.stream.Stream;

/** The sample connector configs of config-samples/kafka-connect, as the worker would read them. */
public final class ConfigSamples {

    private ConfigSamples() {
    }

    public static Path dir() {
        return Path.of(System.getProperty("qbridge.configSamples", "../config-samples/kafka-connect"));
    }

    public static List<Path> all() {
        try (Stream<Path> files = Files.list(dir())) {
            return files.filter(p -> p.toString().endsWith(".properties") || p.toString().endsWith(".json"))
                    .sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A sample's connector config: a standalone .properties file, or the "config" of a REST API .json body. */
    public static Map<String, String> load(String fileName) {
        return load(dir().resolve(fileName));
    }

    public static Map<String, String> load(Path file) {
        Map<String, String> config = new LinkedHashMap<>();
        try {
            if (file.toString().endsWith(".json")) {
                JsonNode body = new ObjectMapper().readTree(file.toFile());
                config.put("name", body.get("name").asText());
                body.get("config").properties().forEach(e -> config.put(e.getKey(), e.getValue().asText()));
            } else {
                Properties props = new Properties();
                try (Reader in = Files.newBufferedReader(file)) {
                    props.load(in);
                }
                props.stringPropertyNames().forEach(k -> config.put(k, props.getProperty(k)));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read sample " + file, e);
        }
        return config;
    }
}
