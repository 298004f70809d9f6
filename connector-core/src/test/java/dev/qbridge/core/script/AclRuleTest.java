package dev.qbridge.core.script;

import static org.assertj.core.api.Assertions.assertThat;

import dev.qbridge.core.delay.DelayedPromoter;
import dev.qbridge.core.lease.Reaper;
import dev.qbridge.core.queue.RedisQueue;
import dev.qbridge.testkit.DocumentedAcl;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * With ACLs Redis checks every command a script calls against the user: the rule docs/PROTOCOL.md gives must grant
 * all of them, for every script the core ships (a new script dir must be added to {@link #OWNERS}).
 */
class AclRuleTest {

    private static final Path SCRIPTS = Path.of("src/main/resources/dev/qbridge/core");
    private static final Map<String, Class<?>> OWNERS = Map.of("queue", RedisQueue.class, "lease", Reaper.class,
            "delay", DelayedPromoter.class);

    private static List<LuaScript> coreScripts() throws Exception {
        List<LuaScript> scripts = new ArrayList<>();
        try (Stream<Path> files = Files.walk(SCRIPTS)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".lua")).toList()) {
                String dir = SCRIPTS.relativize(file.getParent()).toString();
                if (dir.equals("script")) {
                    continue; // key-checks.lua, the prelude LuaScript.load puts before every script: counted in each
                }
                assertThat(OWNERS).as("the class that runs the scripts of %s", dir).containsKey(dir);
                String name = file.getFileName().toString();
                scripts.add(LuaScript.load(OWNERS.get(dir), name.substring(0, name.length() - ".lua".length())));
            }
        }
        return scripts;
    }

    @Test
    void everyCommandOfEveryCoreScriptIsGrantedByTheDocumentedRule() throws Exception {
        List<String> rule = DocumentedAcl.setUserArguments("qbridge", "pw", "q");
        List<LuaScript> scripts = coreScripts();
        assertThat(scripts).hasSizeGreaterThanOrEqualTo(11);
        List<String> missing = new ArrayList<>();
        for (LuaScript script : scripts) {
            assertThat(script.commands()).as("commands of %s", script.name()).isNotEmpty();
            for (String command : script.commands()) {
                if (!rule.contains("+" + command.toLowerCase(Locale.ROOT))) {
                    missing.add(script.name() + " calls " + command);
                }
            }
        }
        assertThat(missing).as("commands the scripts call that docs/PROTOCOL.md does not grant").isEmpty();
    }

    @Test
    void everyDocumentThatShowsTheRuleShowsTheSameOne() throws Exception {
        // SECURITY.md repeats the rule for operators; it once lacked three commands PROTOCOL.md had gained
        Path docs = Path.of(System.getProperty("qbridge.docs", "../docs"));
        List<String> copies;
        try (Stream<String> lines = Files.lines(docs.resolve("SECURITY.md"))) {
            copies = lines.map(String::strip).filter(line -> line.startsWith("ACL SETUSER qbridge")).toList();
        }
        assertThat(copies).as("the ACL rule in docs/SECURITY.md").containsExactly(DocumentedAcl.rule());
    }

    @Test
    void commandsAreReadFromTheScriptSource() {
        assertThat(LuaScript.load(Reaper.class, "reap").commands())
                .containsExactly("GET", "LPUSH", "RPUSH", "TIME", "TYPE", "ZRANGEBYSCORE", "ZREMRANGEBYRANK"); // GET, TYPE: the prelude;
        // ZRANGEBYSCORE: through the prelude's read(...)
    }
}
