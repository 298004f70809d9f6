package dev.qbridge.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class HelpTest {

    @Test
    void everyCommandHasAHelpThatNamesItsUsage() {
        List<List<String>> commands = List.of(List.<String>of(), List.of("server"), List.of("migrate"), List.of("queues"),
                List.of("demo"), List.of("queues", "list"), List.of("queues", "purge"));
        for (List<String> command : commands) {
            List<String> withHelp = new java.util.ArrayList<>(command);
            withHelp.add("--help");
            String[] args = withHelp.toArray(String[]::new);
            Cli result = Cli.run(args);
            assertThat(result.exitCode()).as(String.join(" ", args)).isZero();
            assertThat(result.out()).contains("Usage: qbridge" + (command.isEmpty() ? "" : " " + String.join(" ", command)));
            assertThat(result.out().lines()).allMatch(line -> line.length() <= 100, "lines fit in 100 columns");
        }
    }

    @Test
    void noHelpShowsThePasswordOfTheDefaultRedis() {
        String password = "HelpUser+PW7@x/y";
        String encoded = URLEncoder.encode(password, StandardCharsets.UTF_8);
        // picocli reads ${QBRIDGE_REDIS_URL} from the system properties before the environment: the same default the
        // help shows from the environment, long enough that the help wraps it
        System.setProperty("QBRIDGE_REDIS_URL", "redis://app:" + encoded
                + "@redis.internal.example.com:6379/0?timeout=2000&clientName=qbridge-help-test&password=" + encoded);
        try {
            for (List<String> command : List.of(List.of("server"), List.of("migrate"), List.of("queues"),
                    List.of("queues", "list"), List.of("demo"), List.<String>of())) {
                List<String> withHelp = new java.util.ArrayList<>(command);
                withHelp.add("--help");
                Cli result = Cli.run(withHelp.toArray(String[]::new));

                assertThat(result.out() + result.err()).as(String.join(" ", withHelp))
                        .doesNotContain(password, encoded, "HelpUser", "PW7");
                if (!command.isEmpty() && !command.equals(List.of("demo"))) {
                    // the help wraps long defaults into its column: read them unwrapped
                    assertThat(result.out().replaceAll("\\s*\\n\\s*", "")).as(String.join(" ", withHelp))
                            .contains("redis://app:***@");
                }
            }
        } finally {
            System.clearProperty("QBRIDGE_REDIS_URL");
        }
    }

    @Test
    void aUsageErrorNeverEchoesAPassword() {
        Cli result = Cli.run("queues", "--redis", "redis://app:Usage+PW8@h:1", "list", "--bogus=password=Usage+PW8");

        assertThat(result.exitCode()).isEqualTo(2);
        assertThat(result.err()).contains("--bogus").doesNotContain("Usage+PW8", "PW8");
    }

    @Test
    void serverHelpListsEveryConnectorFileKeyLiterally() {
        Cli result = Cli.run("server", "--help");

        assertThat(result.out()).contains("Connector file keys", "redisq:orders?redisUri=${env:REDIS_URL}", "retry.maxAttempts",
                "jms.brokerUrl", "template.<parameter>");
    }

    @Test
    void serverHelpShowsThatEveryListenerIsOnTheLoopbackUnlessTold() {
        // picocli wraps the descriptions: read the help as one line
        String help = Cli.run("server", "--help").out().replaceAll("\\s+", " ");

        assertThat(help).contains("--http-host=<host>", "--platform-http-host=<host>", "--http-token-file=<file>",
                "QBRIDGE_HTTP_TOKEN_FILE", "http.tokenFile");
        assertThat(help.split("Default: 127\\.0\\.0\\.1", -1)).hasSize(3);
        assertThat(help).doesNotContain("0.0.0.0.");
    }

    @Test
    void topLevelHelpStartsWithTheDemo() {
        assertThat(Cli.run("--help").out()).contains("Start with: qbridge demo", "server", "migrate", "queues", "demo");
    }

    @Test
    void aUsageErrorExitsWithTwoAndSaysWhatIsMissing() {
        Cli result = Cli.run("migrate", "--from", "redisq:a");

        assertThat(result.exitCode()).isEqualTo(2);
        assertThat(result.err()).contains("Missing required option: '--to=<uri>'");
    }

    @Test
    void aCommandThatNeedsASubcommandExitsWithTwoAndShowsItsUsageOnStandardError() {
        for (List<String> command : List.of(List.<String>of(), List.of("queues"))) {
            Cli result = Cli.run(command.toArray(String[]::new));

            assertThat(result.exitCode()).as(result.toString()).isEqualTo(2);
            assertThat(result.err()).contains("Missing required subcommand",
                    "Usage: qbridge" + (command.isEmpty() ? "" : " " + String.join(" ", command)));
            assertThat(result.out()).isEmpty();
        }
    }
}
