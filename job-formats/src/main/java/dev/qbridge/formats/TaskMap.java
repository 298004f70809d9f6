package dev.qbridge.formats;

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

    /** Parses {@code from:to,from:to}; a malformed entry fails with a message that names it. */
    public static TaskMap parse(String spec) {
        throw new UnsupportedOperationException("being written (issue 13)");
    }
}
