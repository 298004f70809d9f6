package dev.qbridge.formats;

import dev.qbridge.core.QueueException;
import io.cloudevents.CloudEvent;
import io.cloudevents.core.builder.CloudEventBuilder;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Renames tasks between systems ({@code taskMap=from:to,...}): a Celery {@code tasks.add} becomes a Sidekiq
 * {@code AddWorker}. A task the map does not name keeps its name.
 */
public record TaskMap(Map<String, String> renames) {

    public static final TaskMap NONE = new TaskMap(Map.of());

    public TaskMap {
        renames = Map.copyOf(renames);
    }

    /** The task's name after renaming. */
    public String apply(String task) {
        return renames.getOrDefault(task, task);
    }

    /** The event with its task ({@code type}) renamed; the same event when the map does not name it. */
    public CloudEvent apply(CloudEvent event) {
        String renamed = apply(event.getType());
        return renamed.equals(event.getType()) ? event : CloudEventBuilder.from(event).withType(renamed).build();
    }

    /** Parses {@code from:to,from:to}; a malformed entry fails with a message that names it. */
    public static TaskMap parse(String spec) {
        if (spec == null || spec.isBlank()) {
            return NONE;
        }
        Map<String, String> renames = new LinkedHashMap<>();
        for (String entry : spec.split(",", -1)) {
            String trimmed = entry.trim();
            // Task names hold dots and colons are rare in them: the last colon would be a guess, so exactly one.
            String[] parts = trimmed.split(":", -1);
            if (parts.length != 2 || parts[0].isBlank() || parts[1].isBlank()) {
                throw invalid(spec, "entry '" + trimmed + "' is not from:to");
            }
            String from = parts[0].trim();
            String to = parts[1].trim();
            String earlier = renames.putIfAbsent(from, to);
            if (earlier != null) {
                throw invalid(spec, "task '" + from + "' is renamed twice (to '" + earlier + "' and to '" + to + "')");
            }
        }
        return new TaskMap(renames);
    }

    private static QueueException invalid(String spec, String why) {
        return new QueueException(QueueException.Kind.CONFIG, "taskMap '" + spec + "': " + why
                + "; write from:to pairs separated by commas, e.g. tasks.add:AddWorker,tasks.mail:MailWorker");
    }
}
