package dev.qbridge.camel.bridge;

import java.util.ArrayList;
import java.util.List;

/** Splits text into the jobs of a file read one job per line: every non-empty line, without its line break. */
public final class Lines {

    private Lines() {
    }

    public static List<String> of(String text) {
        List<String> lines = new ArrayList<>();
        for (String line : text.split("\r?\n")) {
            if (!line.isEmpty()) {
                lines.add(line);
            }
        }
        return lines;
    }
}
