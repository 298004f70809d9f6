package dev.qbridge.server.output;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.PatternLayout;
import ch.qos.logback.classic.spi.LoggingEvent;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class MaskedOutputTest {

    @Test
    void everyLogLineAndStackTraceIsMasked() {
        LoggerContext context = new LoggerContext();
        PatternLayout layout = new PatternLayout();
        layout.setContext(context);
        layout.getInstanceConverterMap().put("msg", MaskedMessage::new);
        layout.getInstanceConverterMap().put("ex", MaskedThrowable::new);
        layout.setPattern("%msg%n%ex");
        layout.start();
        LoggingEvent event = new LoggingEvent("x", context.getLogger("test"), Level.WARN, "connecting to {}",
                new IllegalStateException("cannot reach redis://u:hunter2@h:1"), new Object[] {"redis%3A%2F%2Fu%3Ahunter2%40h"});

        String line = layout.doLayout(event);

        assertThat(line).doesNotContain("hunter2").contains("connecting to", "cannot reach redis://u:***@h:1",
                "at dev.qbridge.server.output.MaskedOutputTest");
    }

    @Test
    void everyLineThatReachesTheConsoleIsMasked() {
        ByteArrayOutputStream console = new ByteArrayOutputStream();
        PrintStream out = MaskedStream.printStream(console, StandardCharsets.UTF_8);

        out.println("default Redis redis://app:hunter2@h:1");
        new IllegalStateException("refused redisq://q?redisUri=redis%3A%2F%2Fapp%3Ahunter2%40h").printStackTrace(out);
        out.print("\rprogress password=hunter2 ");
        out.flush();

        assertThat(console.toString(StandardCharsets.UTF_8)).doesNotContain("hunter2")
                .startsWith("default Redis redis://app:***@h:1\n").endsWith("\rprogress password=*** ");
    }

    @Test
    void aSecretCutByAFullBufferIsStillMaskedWhole() throws IOException {
        ByteArrayOutputStream console = new ByteArrayOutputStream();
        PrintStream out = MaskedStream.printStream(console, StandardCharsets.UTF_8);
        byte[] line = "x?password=hunter2&y=1\n".getBytes(StandardCharsets.UTF_8);

        out.write(line, 0, 14); // as a writer's buffer hands on what it holds when full, without a flush
        out.write(line, 14, line.length - 14);

        assertThat(console.toString(StandardCharsets.UTF_8)).isEqualTo("x?password=***&y=1\n");
    }

    @Test
    void aLineWithoutASecretPassesByteForByte() {
        ByteArrayOutputStream console = new ByteArrayOutputStream();
        PrintStream out = MaskedStream.printStream(console, StandardCharsets.UTF_8);
        byte[] binary = {(byte) 0xff, (byte) 0xfe, 'a', '%', '4', '0', (byte) 0xc3, '\n', 'b', 0, (byte) 0x80};

        out.write(binary, 0, binary.length);
        out.flush();

        assertThat(console.toByteArray()).isEqualTo(binary);
    }
}
