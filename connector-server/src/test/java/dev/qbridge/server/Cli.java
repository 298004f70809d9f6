package dev.qbridge.server;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/** Runs the qbridge command line in this JVM, with its output masked as {@code qbridge} masks it, and keeps what it printed. */
public record Cli(int exitCode, String out, String err) {

    public static Cli run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        var cli = Qbridge.commandLine(out, err);
        int code = cli.execute(args);
        cli.getOut().flush();
        cli.getErr().flush();
        return new Cli(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    @Override
    public String toString() {
        return "exit " + exitCode + "\n--- out\n" + out + "--- err\n" + err;
    }
}
