package dev.qbridge.formats;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.qbridge.core.QueueException;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TaskMapTest {

    @Test
    void namedTasksAreRenamedAndOthersKeepTheirNames() {
        TaskMap map = TaskMap.parse(" tasks.add:AddWorker , tasks.mail:MailWorker ");

        assertThat(map.renames()).isEqualTo(Map.of("tasks.add", "AddWorker", "tasks.mail", "MailWorker"));
        assertThat(map.apply("tasks.add")).isEqualTo("AddWorker");
        assertThat(map.apply("tasks.other")).isEqualTo("tasks.other");
    }

    @Test
    void emptySpecRenamesNothing() {
        assertThat(TaskMap.parse("")).isEqualTo(TaskMap.NONE);
        assertThat(TaskMap.parse(null)).isEqualTo(TaskMap.NONE);
    }

    @Test
    void malformedEntryIsNamedInTheMessage() {
        assertInvalid("tasks.add", "entry 'tasks.add' is not from:to");
        assertInvalid("a:b,tasks.add:", "entry 'tasks.add:' is not from:to");
        assertInvalid("a:b,,c:d", "entry '' is not from:to");
        assertInvalid("a:b:c", "entry 'a:b:c' is not from:to");
        assertInvalid("a:b,a:c", "task 'a' is renamed twice (to 'b' and to 'c')");
    }

    private static void assertInvalid(String spec, String reason) {
        assertThatThrownBy(() -> TaskMap.parse(spec))
                .isInstanceOf(QueueException.class)
                .hasMessageContaining("taskMap '" + spec + "'")
                .hasMessageContaining(reason)
                .hasMessageContaining("e.g. tasks.add:AddWorker");
    }
}
