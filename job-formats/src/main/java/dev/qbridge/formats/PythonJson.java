package dev.qbridge.formats;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Python's plain values ({@link PlainPickle}) as JSON and back. JSON has no tuple and no bytes: a tuple becomes an
 * array and bytes a base64 string, and each is marked in {@code marks}, a JSON object from the value's JSON Pointer
 * ({@code /args/2}, {@code /kwargs/key}) to {@code "tuple"} or {@code "bytes"}, so that writing back to Python gives
 * the same types. A reader in another system sees the array and the string.
 */
final class PythonJson {
    static final String TUPLE = "tuple";
    static final String BYTES = "bytes";
    private static final JsonNodeFactory NODES = Json.MAPPER.getNodeFactory();

    private PythonJson() {
    }

    /**
     * The JSON of a plain value found at {@code pointer}, marking its tuples and bytes (but not the value itself when
     * {@code markSelf} is false: RQ's args are a tuple or a list, and either runs the same).
     *
     * @throws UnreadableJobException for what JSON cannot hold: a dict key that is not a str, a float nan or inf
     */
    static JsonNode toJson(Object value, String pointer, ObjectNode marks, boolean markSelf, String what) {
        if (value == null) {
            return NODES.nullNode();
        }
        if (value instanceof String text) {
            return NODES.textNode(text);
        }
        if (value instanceof Boolean flag) {
            return NODES.booleanNode(flag);
        }
        if (value instanceof Integer number) {
            return NODES.numberNode(number);
        }
        if (value instanceof Long number) {
            return NODES.numberNode(number);
        }
        if (value instanceof BigInteger number) {
            return NODES.numberNode(number);
        }
        if (value instanceof Double number) {
            if (number.isNaN() || number.isInfinite()) {
                throw new UnreadableJobException(what + " holds the float " + number + " at " + pointer
                        + ", which JSON cannot hold");
            }
            // Double.toString's digits, a float with a point: Python's 1.0 stays a float, not the int 1
            return NODES.numberNode(new BigDecimal(Double.toString(number)));
        }
        if (value instanceof byte[] bytes) {
            marks.put(pointer, BYTES);
            return NODES.textNode(Base64.getEncoder().encodeToString(bytes));
        }
        if (value instanceof Object[] tuple) {
            if (markSelf) {
                marks.put(pointer, TUPLE);
            }
            ArrayNode array = NODES.arrayNode(tuple.length);
            for (int i = 0; i < tuple.length; i++) {
                array.add(toJson(tuple[i], pointer + "/" + i, marks, true, what));
            }
            return array;
        }
        if (value instanceof List<?> list) {
            ArrayNode array = NODES.arrayNode(list.size());
            for (int i = 0; i < list.size(); i++) {
                array.add(toJson(list.get(i), pointer + "/" + i, marks, true, what));
            }
            return array;
        }
        if (value instanceof Map<?, ?> map) {
            ObjectNode object = NODES.objectNode();
            for (Map.Entry<?, ?> entry : map.entrySet()) {
                if (!(entry.getKey() instanceof String key)) {
                    throw new UnreadableJobException(what + " has a dict at " + (pointer.isEmpty() ? "/" : pointer)
                            + " with the key " + entry.getKey() + " (" + pythonType(entry.getKey())
                            + "); JSON objects have only str keys");
                }
                object.set(key, toJson(entry.getValue(), pointer + "/" + escape(key), marks, true, what));
            }
            return object;
        }
        throw new UnreadableJobException(what + " holds a " + value.getClass().getSimpleName() + " at " + pointer
                + ", not a plain value");
    }

    /** The plain value of JSON found at {@code pointer}, a tuple or bytes where {@code marks} (may be null) says. */
    static Object fromJson(JsonNode node, String pointer, JsonNode marks) {
        String mark = marks == null ? null : marks.path(pointer).asText(null);
        switch (node.getNodeType()) {
            case NULL, MISSING:
                return null;
            case BOOLEAN:
                return node.booleanValue();
            case NUMBER:
                if (node.isIntegralNumber()) {
                    BigInteger big = node.bigIntegerValue();
                    return big.bitLength() < 64 ? (Object) big.longValue() : big;
                }
                return node.decimalValue().doubleValue();
            case STRING:
                if (BYTES.equals(mark)) {
                    try {
                        return Base64.getDecoder().decode(node.textValue());
                    } catch (IllegalArgumentException e) {
                        return node.textValue(); // the event's data changed since it was marked: it says a str
                    }
                }
                return node.textValue();
            case ARRAY:
                List<Object> list = new ArrayList<>(node.size());
                for (int i = 0; i < node.size(); i++) {
                    list.add(fromJson(node.get(i), pointer + "/" + i, marks));
                }
                return TUPLE.equals(mark) ? list.toArray() : list;
            case OBJECT:
                Map<String, Object> map = new LinkedHashMap<>();
                node.properties().forEach(field -> map.put(field.getKey(),
                        fromJson(field.getValue(), pointer + "/" + escape(field.getKey()), marks)));
                return map;
            default:
                throw new IllegalArgumentException("not JSON data: " + node.getNodeType());
        }
    }

    /** True when {@code marks} marks bytes anywhere: what RQ's JSONSerializer cannot write. */
    static boolean hasBytes(JsonNode marks) {
        if (marks == null) {
            return false;
        }
        for (JsonNode mark : marks) {
            if (BYTES.equals(mark.asText())) {
                return true;
            }
        }
        return false;
    }

    /** A JSON Pointer's reference token (RFC 6901). */
    static String escape(String key) {
        return key.replace("~", "~0").replace("/", "~1");
    }

    private static String pythonType(Object value) {
        if (value == null) {
            return "None";
        }
        if (value instanceof Integer || value instanceof Long || value instanceof BigInteger) {
            return "int";
        }
        if (value instanceof Double) {
            return "float";
        }
        if (value instanceof Boolean) {
            return "bool";
        }
        return value.getClass().getSimpleName();
    }
}
