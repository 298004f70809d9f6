package dev.qbridge.formats;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;

/** What the codecs of the systems that keep each job in a hash (RQ, BullMQ) do alike with its fields. */
final class HashFields {

    private HashFields() {
    }

    static void put(Map<String, byte[]> hash, String field, String value) {
        hash.put(field, value.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * A field's bytes that an event kept as base64 (they were no UTF-8 text).
     *
     * @throws UnreadableJobException when the text is no base64, naming the field and {@code where} it was kept
     */
    static byte[] base64(String text, String field, String where) {
        try {
            return Base64.getDecoder().decode(text);
        } catch (IllegalArgumentException e) {
            throw new UnreadableJobException("the " + where + " keeps field " + field + " as '" + text
                    + "', not base64", e);
        }
    }

    /** The bytes as text when they are valid UTF-8, else null. */
    static String text(byte[] bytes) {
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            return null;
        }
    }
}
