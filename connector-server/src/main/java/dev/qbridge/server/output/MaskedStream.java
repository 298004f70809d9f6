package dev.qbridge.server.output;

import dev.qbridge.core.Secrets;
import java.io.ByteArrayOutputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.Charset;

/**
 * Standard output and standard error of the {@code qbridge} process, masked line by line with {@link Secrets#redact}:
 * whatever writes there (a command, picocli's help and usage errors, a library printing a stack trace, the default
 * handler of an uncaught exception) cannot print a secret. A line without one is passed on byte for byte, so binary
 * payloads that a command prints are not re-encoded.
 */
public final class MaskedStream extends FilterOutputStream {

    /** A line longer than this is masked and passed on in pieces, so one endless line cannot fill the memory. */
    private static final int MAX_LINE = 1 << 16;

    private final Charset charset;
    private final ByteArrayOutputStream line = new ByteArrayOutputStream();

    public MaskedStream(OutputStream out, Charset charset) {
        super(out);
        this.charset = charset;
    }

    /**
     * A print stream over {@code out} that masks every line, in the charset the console expects. It does not flush
     * by itself: a writer's buffer that fills in the middle of a line must not cut a secret in two halves that are
     * masked apart; a line goes out at its end, a partial line at an explicit flush (a progress bar, a prompt).
     */
    public static PrintStream printStream(OutputStream out, Charset charset) {
        return new PrintStream(new MaskedStream(out, charset), false, charset);
    }

    /** The charset the JVM writes standard output in (stdout.encoding, as the JDK itself decides it). */
    public static Charset consoleCharset() {
        String name = System.getProperty("stdout.encoding", System.getProperty("sun.stdout.encoding"));
        try {
            return name == null ? Charset.defaultCharset() : Charset.forName(name);
        } catch (RuntimeException e) {
            return Charset.defaultCharset();
        }
    }

    @Override
    public synchronized void write(int b) throws IOException {
        line.write(b);
        if (b == '\n' || b == '\r' || line.size() >= MAX_LINE) {
            emit();
        }
    }

    @Override
    public synchronized void write(byte[] b, int off, int len) throws IOException {
        int start = off;
        for (int i = off; i < off + len; i++) {
            if (b[i] == '\n' || b[i] == '\r' || line.size() + i + 1 - start >= MAX_LINE) {
                line.write(b, start, i + 1 - start);
                start = i + 1;
                emit();
            }
        }
        line.write(b, start, off + len - start);
    }

    /** What was written so far goes out, masked: a prompt or a progress bar without a line end is shown at once. */
    @Override
    public synchronized void flush() throws IOException {
        emit();
        out.flush();
    }

    @Override
    public synchronized void close() throws IOException {
        flush();
        out.close();
    }

    private void emit() throws IOException {
        if (line.size() == 0) {
            return;
        }
        byte[] bytes = line.toByteArray();
        line.reset();
        String text = new String(bytes, charset);
        String masked = Secrets.redact(text);
        out.write(masked.equals(text) ? bytes : masked.getBytes(charset));
    }
}
