package dev.qbridge.formats;

import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import java.util.Map;

/**
 * JSON text as BullMQ's two writers make it, so that what qbridge writes into a job's hash is what BullMQ's client
 * would have written, byte for byte. A job's {@code data} is JavaScript's {@code JSON.stringify} (the client
 * serializes it before the add script runs); its {@code opts} is Lua's {@code cjson.encode} of the options the add
 * script unpacked, which escapes {@code /} as {@code \/}. Both write non-ASCII as it is and control characters as
 * lowercase {@code \}{@code u00xx}. Numbers are written with the digits they were read with ({@link Json} keeps
 * them), an exponent as JavaScript writes it ({@code 1.5e-7}, {@code 1e+21}).
 */
final class BullmqJson {
    /** JavaScript writes integral numbers from 1e21 on with an exponent. */
    private static final BigDecimal JS_EXPONENT_FROM = new BigDecimal("1e21");

    private BullmqJson() {
    }

    /** What {@code JSON.stringify} writes for the value. */
    static byte[] stringify(JsonNode node) {
        StringBuilder out = new StringBuilder();
        write(node, out, false);
        return out.toString().getBytes(StandardCharsets.UTF_8);
    }

    /** What Redis' Lua {@code cjson.encode} writes for the value read from JSON, keys in the order given. */
    static byte[] cjson(JsonNode node) {
        StringBuilder out = new StringBuilder();
        write(node, out, true);
        return out.toString().getBytes(StandardCharsets.UTF_8);
    }

    private static void write(JsonNode node, StringBuilder out, boolean cjson) {
        switch (node.getNodeType()) {
            case OBJECT -> {
                out.append('{');
                boolean first = true;
                for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
                    Map.Entry<String, JsonNode> field = it.next();
                    if (!first) {
                        out.append(',');
                    }
                    first = false;
                    string(field.getKey(), out, cjson);
                    out.append(':');
                    write(field.getValue(), out, cjson);
                }
                out.append('}');
            }
            case ARRAY -> {
                out.append('[');
                for (int i = 0; i < node.size(); i++) {
                    if (i > 0) {
                        out.append(',');
                    }
                    write(node.get(i), out, cjson);
                }
                out.append(']');
            }
            case STRING -> string(node.textValue(), out, cjson);
            case NUMBER -> out.append(number(node));
            case BOOLEAN -> out.append(node.booleanValue());
            case NULL -> out.append("null");
            default -> throw new UnreadableJobException("a " + node.getNodeType() + " is no JSON value");
        }
    }

    private static String number(JsonNode node) {
        if (node.isIntegralNumber()) {
            return node.bigIntegerValue().toString();
        }
        // a float of another system (Python's 1.0) is the number JavaScript writes as 1, and so does cjson
        BigDecimal decimal = node.decimalValue().stripTrailingZeros();
        if (decimal.scale() <= 0 && decimal.abs().compareTo(JS_EXPONENT_FROM) < 0) {
            return decimal.toPlainString();
        }
        // BigDecimal writes 1.5E-7 and 1E+21 where JavaScript writes 1.5e-7 and 1e+21
        return decimal.toString().replace('E', 'e');
    }

    private static void string(String text, StringBuilder out, boolean cjson) {
        out.append('"');
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\b' -> out.append("\\b");
                case '\f' -> out.append("\\f");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                case '/' -> out.append(cjson ? "\\/" : "/");
                default -> {
                    if (c < 0x20 || (cjson && c == 0x7f)) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        out.append('"');
    }
}
