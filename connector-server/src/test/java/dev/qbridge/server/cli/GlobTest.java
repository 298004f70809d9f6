package dev.qbridge.server.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class GlobTest {

    @Test
    void matchesAsRedisScanMatchDoes() {
        assertThat(Glob.matches("*", "default")).isTrue();
        assertThat(Glob.matches("def*", "default")).isTrue();
        assertThat(Glob.matches("*ult", "default")).isTrue();
        assertThat(Glob.matches("d?fault", "default")).isTrue();
        assertThat(Glob.matches("[cd]efault", "default")).isTrue();
        assertThat(Glob.matches("[^d]efault", "default")).isFalse();
        assertThat(Glob.matches("[a-e]efault", "default")).isTrue();
        assertThat(Glob.matches("mail*", "default")).isFalse();
        assertThat(Glob.matches("default?", "default")).isFalse();
        assertThat(Glob.matches("a\\*b", "a*b")).isTrue();
        assertThat(Glob.matches("a\\*b", "axb")).isFalse();
        assertThat(Glob.matches("", "")).isTrue();
    }
}
