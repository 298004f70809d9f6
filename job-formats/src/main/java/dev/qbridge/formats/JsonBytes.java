package dev.qbridge.formats;

import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * JSON text appended by hand, byte for byte as {@link Json#MAPPER} writes the same values: no spaces, Jackson's
 * escapes ({@code \"}, {@code \\}, {@code \n} and the other short ones, {@code \u001F} in upper case for the other
 * controls and for each half of a surrogate pair), other characters in UTF-8, numbers as the tree keeps them.
 * {@link SidekiqEventWriter} writes events with it without a generator per job; {@code SidekiqEventWriterTest}
 * compares its bytes with the mapper's.
 */
final class JsonBytes {
    private static final byte[] HEX = "0123456789ABCDEF".getBytes(StandardCharsets.US_ASCII);
    private static final int KEPT_ROOM = 64 * 1024;

    private byte[] bytes;
    private int length;
    /** Per open container: whether it has an item yet (so the next one needs a comma). */
    private boolean[] hasItem = new boolean[8];
    /** Per open object copied: its names so far, to refuse a duplicate (the parser does not look). */
    private FieldNames[] names = new FieldNames[8];
    private int depth;
    private boolean afterName;

    JsonBytes(int capacity) {
        bytes = new byte[capacity];
    }

    /** Empties it for the next text, keeping its room (up to 64 KiB: one huge job must not stay held): a writer reuses one per thread. */
    JsonBytes reset() {
        if (bytes.length > KEPT_ROOM) {
            bytes = new byte[KEPT_ROOM];
        }
        length = 0;
        depth = 0;
        afterName = false;
        return this;
    }

    int length() {
        return length;
    }

    byte[] toByteArray() {
        return Arrays.copyOf(bytes, length);
    }

    /** The text as a Java string (it is UTF-8). */
    String text() {
        return new String(bytes, 0, length, StandardCharsets.UTF_8);
    }

    JsonBytes raw(byte[] text) {
        room(text.length);
        System.arraycopy(text, 0, bytes, length, text.length);
        length += text.length;
        return this;
    }

    JsonBytes ascii(char c) {
        room(1);
        bytes[length++] = (byte) c;
        return this;
    }

    /** ASCII text that needs no escape (a time, a number's digits). */
    JsonBytes ascii(String text) {
        room(text.length());
        text.getBytes(0, text.length(), bytes, length); // ASCII only: the deprecated copy is exact and has no encoder
        length += text.length();
        return this;
    }

    JsonBytes string(String text) {
        int count = text.length();
        room(count * 6 + 2);
        byte[] out = bytes; // locals: the loop then keeps them in registers
        int at = length;
        out[at++] = '"';
        for (int i = 0; i < count; i++) {
            char c = text.charAt(i);
            if (c < 0x80 && c >= 0x20 && c != '"' && c != '\\') {
                out[at++] = (byte) c;
            } else {
                at = escaped(c, out, at);
            }
        }
        out[at++] = '"';
        length = at;
        return this;
    }

    JsonBytes string(char[] text, int from, int count) {
        room(count * 6 + 2);
        byte[] out = bytes;
        int at = length;
        out[at++] = '"';
        for (int i = from; i < from + count; i++) {
            char c = text[i];
            if (c < 0x80 && c >= 0x20 && c != '"' && c != '\\') {
                out[at++] = (byte) c;
            } else {
                at = escaped(c, out, at);
            }
        }
        out[at++] = '"';
        length = at;
        return this;
    }

    /** {@code json}'s text as a JSON string's content: what the mapper writes for the string {@code json.text()}. */
    JsonBytes stringContent(JsonBytes json) {
        room(json.length * 2);
        // json holds no raw control character and no raw surrogate (both are escaped), and no UTF-8 sequence holds
        // the bytes of '"' or '\': escaping those two bytes is the mapper's escaping of the text
        byte[] in = json.bytes;
        byte[] out = bytes;
        int at = length;
        for (int i = 0; i < json.length; i++) {
            byte b = in[i];
            if (b == '"' || b == '\\') {
                out[at++] = '\\';
            }
            out[at++] = b;
        }
        length = at;
        return this;
    }

    JsonBytes json(JsonBytes json) {
        room(json.length);
        System.arraycopy(json.bytes, 0, bytes, length, json.length);
        length += json.length;
        return this;
    }

    /**
     * Appends the value the parser is at (its first token read) as the mapper writes it back after reading it into
     * a tree: a float as its BigDecimal (digits and scale kept, {@code 1e5} as {@code 1E+5}), an integer by value
     * ({@code -0} as {@code 0}), every string read in full (so that text which is no UTF-8 fails here as there).
     */
    void copyValue(JsonParser p) throws IOException {
        int start = depth;
        JsonToken token = p.currentToken();
        while (true) {
            switch (token) {
                case START_OBJECT -> {
                    open('{');
                    namesAt(depth).clear();
                }
                case START_ARRAY -> open('[');
                case END_OBJECT -> close('}');
                case END_ARRAY -> close(']');
                case FIELD_NAME -> {
                    if (!namesAt(depth).add(p.currentName())) {
                        throw new JsonParseException(p, "duplicate field '" + p.currentName() + "'");
                    }
                    separator();
                    string(p.currentName());
                    ascii(':');
                    afterName = true;
                }
                case VALUE_STRING -> {
                    separator();
                    string(p.getTextCharacters(), p.getTextOffset(), p.getTextLength());
                }
                case VALUE_NUMBER_INT -> {
                    separator();
                    integer(p);
                }
                case VALUE_NUMBER_FLOAT -> {
                    separator();
                    decimal(p);
                }
                case VALUE_TRUE -> {
                    separator();
                    ascii("true");
                }
                case VALUE_FALSE -> {
                    separator();
                    ascii("false");
                }
                case VALUE_NULL -> {
                    separator();
                    ascii("null");
                }
                default -> throw new JsonParseException(p, "unexpected " + token);
            }
            if (depth == start) {
                return;
            }
            token = p.nextToken();
        }
    }

    /** Starts an object whose fields the caller writes with {@link #name}. */
    void startObject() {
        open('{');
    }

    void endObject() {
        close('}');
    }

    /** A field name of the object started last; its value follows with {@link #copyValue}. */
    void name(String name) {
        separator();
        string(name);
        ascii(':');
        afterName = true;
    }

    private void open(char bracket) {
        separator();
        ascii(bracket);
        if (++depth == hasItem.length) {
            hasItem = Arrays.copyOf(hasItem, depth * 2);
            names = Arrays.copyOf(names, depth * 2);
        }
        hasItem[depth] = false;
    }

    private FieldNames namesAt(int level) {
        FieldNames at = names[level];
        if (at == null) {
            at = new FieldNames();
            names[level] = at;
        }
        return at;
    }

    private void close(char bracket) {
        ascii(bracket);
        depth--;
    }

    private void separator() {
        if (afterName) {
            afterName = false;
        } else if (depth > 0) {
            if (hasItem[depth]) {
                ascii(',');
            }
            hasItem[depth] = true;
        }
    }

    /** JSON allows one spelling of an integer but {@code -0}, which the tree reads as 0. */
    private void integer(JsonParser p) throws IOException {
        char[] text = p.getTextCharacters();
        int from = p.getTextOffset();
        int count = p.getTextLength();
        if (count == 2 && text[from] == '-' && text[from + 1] == '0') {
            ascii('0');
            return;
        }
        digits(text, from, count);
    }

    /**
     * A float as BigDecimal.toString writes it: the same text when it has no exponent and starts with 1-9 (the
     * scale is then the digits after the point and the exponent is not negative); else through the BigDecimal
     * ({@code 0.0000001} is {@code 1E-7}, {@code -0.0} is {@code 0.0}).
     */
    private void decimal(JsonParser p) throws IOException {
        char[] text = p.getTextCharacters();
        int from = p.getTextOffset();
        int count = p.getTextLength();
        int first = text[from] == '-' ? from + 1 : from;
        boolean plain = first < from + count && text[first] >= '1' && text[first] <= '9';
        for (int i = first; plain && i < from + count; i++) {
            plain = text[i] != 'e' && text[i] != 'E';
        }
        if (plain) {
            digits(text, from, count);
        } else {
            ascii(p.getDecimalValue().toString());
        }
    }

    private void digits(char[] text, int from, int count) {
        room(count);
        for (int i = from; i < from + count; i++) {
            bytes[length++] = (byte) text[i];
        }
    }

    /** One character that is not plain ASCII, as Jackson's UTF-8 generator writes it; the next index. */
    private static int escaped(char c, byte[] out, int at) {
        if (c >= 0x80) {
            if (c < 0x800) {
                out[at++] = (byte) (0xC0 | (c >> 6));
                out[at++] = (byte) (0x80 | (c & 0x3F));
                return at;
            }
            if (c >= 0xD800 && c <= 0xDFFF) {
                return unicodeEscape(c, out, at); // each half of a pair on its own, as Jackson does unless told to combine them
            }
            out[at++] = (byte) (0xE0 | (c >> 12));
            out[at++] = (byte) (0x80 | ((c >> 6) & 0x3F));
            out[at++] = (byte) (0x80 | (c & 0x3F));
            return at;
        }
        char shortForm = switch (c) {
            case '"' -> '"';
            case '\\' -> '\\';
            case '\b' -> 'b';
            case '\t' -> 't';
            case '\f' -> 'f';
            case '\n' -> 'n';
            case '\r' -> 'r';
            default -> 0;
        };
        if (shortForm == 0) {
            return unicodeEscape(c, out, at);
        }
        out[at++] = '\\';
        out[at++] = (byte) shortForm;
        return at;
    }

    private static int unicodeEscape(char c, byte[] out, int at) {
        out[at++] = '\\';
        out[at++] = 'u';
        out[at++] = HEX[(c >> 12) & 0xF];
        out[at++] = HEX[(c >> 8) & 0xF];
        out[at++] = HEX[(c >> 4) & 0xF];
        out[at++] = HEX[c & 0xF];
        return at;
    }

    private void room(int more) {
        if (length + more > bytes.length) {
            bytes = Arrays.copyOf(bytes, Math.max(bytes.length * 2, length + more));
        }
    }
}
