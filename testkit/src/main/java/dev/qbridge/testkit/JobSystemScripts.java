package dev.qbridge.testkit;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/** The client and worker scripts of the job-system fixtures, resources beside this class, run from a temp dir. */
final class JobSystemScripts {
    private static final String RESOURCES = "jobsystems/";

    private JobSystemScripts() {
    }

    /** A fresh temp dir holding the named scripts. */
    static Path copy(String prefix, String... scripts) {
        Path dir = TestFiles.newTempDir(prefix);
        for (String script : scripts) {
            try (InputStream in = JobSystemScripts.class.getResourceAsStream(RESOURCES + script)) {
                if (in == null) {
                    throw new IllegalStateException("testkit resource " + RESOURCES + script + " is missing");
                }
                Files.copy(in, dir.resolve(script));
            } catch (IOException e) {
                TestFiles.deleteQuietly(dir);
                throw new UncheckedIOException("Cannot copy " + script + " to " + dir, e);
            }
        }
        return dir;
    }

    /**
     * Runs a client script on a JSON file of job specs and returns what it printed after {@code ENQUEUED } per job
     * (the ids), failing with its output if it fails.
     */
    static List<String> runClient(String name, List<String> command, Path dir, String specsJson, Map<String, String> env) {
        try {
            Files.writeString(dir.resolve("specs.json"), specsJson, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot write the job specs to " + dir, e);
        }
        return run(name, command, dir, env, "ENQUEUED ");
    }

    /** Runs a script to its end and returns what it printed after {@code prefix} on each line that starts so. */
    static List<String> run(String name, List<String> command, Path dir, Map<String, String> env, String prefix) {
        try (ToolProcess script = ToolProcess.start(name, command, dir, env)) {
            return script.awaitSuccess(Duration.ofSeconds(60)).stream()
                    .filter(line -> line.startsWith(prefix))
                    .map(line -> line.substring(prefix.length()).trim())
                    .toList();
        }
    }

    /** True when {@code command} runs and exits 0 within a few seconds. */
    static boolean runs(List<String> command) {
        try {
            Process process = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            if (!process.waitFor(30, java.util.concurrent.TimeUnit.SECONDS)) {
                process.destroyForcibly();
                return false;
            }
            return process.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
