package dev.qbridge.formats;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Iterator;
import java.util.Map;

/**
 * Python's {@code repr} of JSON arguments, for Celery's {@code argsrepr} and {@code kwargsrepr} headers: only shown
 * (logs, Flower, {@code celery inspect}), never evaluated, so close is enough; long ones are cut like Celery's
 * {@code saferepr} at 1024 characters.
 */
final class PythonRepr {
    private static final int MAX = 1024;

    private PythonRepr() {
    }

    static String ofArgs(JsonNode args) {
        StringBuilder out = new StringBuilder("(");
        for (Iterator<JsonNode> it = args.elements(); it.hasNext(); ) {
            append(out, it.next());
            if (it.hasNext()) {
                out.append(", ");
            } else if (args.size() == 1) {
                out.append(',');
            }
        }
        return cut(out.append(')'));
    }

    static String ofKwargs(JsonNode kwargs) {
        StringBuilder out = new StringBuilder();
        append(out, kwargs);
        return cut(out);
    }

    /** The repr of one value, uncut. */
    static String of(JsonNode value) {
        StringBuilder out = new StringBuilder();
        append(out, value);
        return out.toString();
    }

    private static String cut(StringBuilder out) {
        return out.length() <= MAX ? out.toString() : out.substring(0, MAX) + "...";
    }

    private static void append(StringBuilder out, JsonNode node) {
        switch (node.getNodeType()) {
            case NULL, MISSING -> out.append("None");
            case BOOLEAN -> out.append(node.booleanValue() ? "True" : "False");
            case NUMBER -> out.append(node.isIntegralNumber() ? node.asText()
                    : node.decimalValue().toString().replace("E", "e"));
            case STRING -> string(out, node.textValue());
            case ARRAY -> {
                out.append('[');
                for (Iterator<JsonNode> it = node.elements(); it.hasNext(); ) {
                    append(out, it.next());
                    if (it.hasNext()) {
                        out.append(", ");
                    }
                }
                out.append(']');
            }
            case OBJECT -> {
                out.append('{');
                for (Iterator<Map.Entry<String, JsonNode>> it = node.properties().iterator(); it.hasNext(); ) {
                    Map.Entry<String, JsonNode> field = it.next();
                    string(out, field.getKey());
                    out.append(": ");
                    append(out, field.getValue());
                    if (it.hasNext()) {
                        out.append(", ");
                    }
                }
                out.append('}');
            }
            default -> out.append(node.asText());
        }
    }

    private static void string(StringBuilder out, String text) {
        char quote = text.indexOf('\'') >= 0 && text.indexOf('"') < 0 ? '"' : '\'';
        out.append(quote);
        text.codePoints().forEach(c -> {
            if (c == quote || c == '\\') {
                out.append('\\').appendCodePoint(c);
            } else if (c == '\n') {
                out.append("\\n");
            } else if (c == '\r') {
                out.append("\\r");
            } else if (c == '\t') {
                out.append("\\t");
            } else if (c < 0x20 || c == 0x7f) {
                out.append(String.format("\\x%02x", c));
            } else {
                out.appendCodePoint(c);
            }
        });
        out.append(quote);
    }
}
