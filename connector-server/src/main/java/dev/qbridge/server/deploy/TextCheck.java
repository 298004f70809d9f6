package dev.qbridge.server.deploy;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Locale;

/**
 * A connector file's bytes as UTF-8 text, or a report that says what kind of file it is not: a binary file dropped in
 * the directory by mistake gets "not a text file", not the complaint the properties parser would make of its bytes.
 */
final class TextCheck {

    private static final byte[] BOM = {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF};

    private TextCheck() {
    }

    static String decode(Path file, byte[] bytes, String hash) throws BadFileException {
        // an editor's byte order mark would otherwise become part of the first key
        int start = bytes.length >= 3 && bytes[0] == BOM[0] && bytes[1] == BOM[1] && bytes[2] == BOM[2] ? 3 : 0;
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(bytes, start, bytes.length - start);
        CharBuffer out = CharBuffer.allocate(bytes.length);
        CoderResult result = decoder.decode(in, out, true);
        if (!result.isError()) {
            result = decoder.flush(out);
        }
        int malformed = result.isError() ? in.position() : bytes.length;
        // the first fault in the file is the one reported
        for (int i = 0; i < malformed; i++) {
            int b = bytes[i] & 0xff;
            if (b == 0) {
                throw ConnectorFile.bad(file, "-", "not a text file: NUL byte at offset " + i, hash);
            }
            if (b < 0x20 && b != '\t' && b != '\n' && b != '\r' && b != '\f' || b == 0x7f) {
                throw ConnectorFile.bad(file, "-", String.format(Locale.ROOT, "not a text file: control character 0x%02x at "
                        + "offset %d", b, i), hash);
            }
        }
        if (result.isError()) {
            throw ConnectorFile.bad(file, "-", "not valid UTF-8 at byte " + malformed + ": connector files are read as "
                    + "UTF-8; convert it (iconv -f ISO-8859-1 -t UTF-8)", hash);
        }
        return out.flip().toString();
    }
}
