package dev.qbridge.kafka.sink;

import static org.assertj.core.api.Assertions.assertThat;

import dev.qbridge.core.script.LuaScript;
import dev.qbridge.testkit.DocumentedAcl;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;

/** The sink's own scripts call commands too: the ACL rule of docs/PROTOCOL.md must grant every one of them. */
class SinkScriptsAclTest {

    @Test
    void everyCommandOfTheSinkScriptsIsGrantedByTheDocumentedRule() {
        List<String> rule = DocumentedAcl.setUserArguments("qbridge", "pw", "q");
        for (String name : List.of("write-batch", "read-offsets")) {
            LuaScript script = LuaScript.load(ExactlyOnceWriter.class, name);
            assertThat(script.commands()).as(name).isNotEmpty()
                    .allSatisfy(c -> assertThat(rule).as("%s calls %s", name, c).contains("+" + c.toLowerCase(Locale.ROOT)));
        }
    }
}
