package dev.qbridge.core.retry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class RetryPolicyTest {

    private final RetryPolicy policy = new RetryPolicy(4, Duration.ofMillis(100), 2.0, Duration.ofMillis(350), 0.0);

    @Test
    void backoffDoublesPerAttemptUpToTheCap() {
        assertThat(policy.backoffAfter(1)).isEqualTo(Duration.ofMillis(100));
        assertThat(policy.backoffAfter(2)).isEqualTo(Duration.ofMillis(200));
        assertThat(policy.backoffAfter(3)).isEqualTo(Duration.ofMillis(350));
        assertThat(policy.backoffAfter(30)).isEqualTo(Duration.ofMillis(350));
    }

    @Test
    void jitterOnlyShortensTheWaitAndByAtMostItsFraction() {
        RetryPolicy jittered = new RetryPolicy(4, Duration.ofMillis(1000), 2.0, Duration.ofSeconds(10), 0.25);
        for (int i = 0; i < 1000; i++) {
            assertThat(jittered.backoffAfter(1).toMillis()).isBetween(750L, 1000L);
        }
    }

    @Test
    void retriesUntilMaxAttemptsDeliveriesHappened() {
        assertThat(policy.allowsRetryAfter(3)).isTrue();
        assertThat(policy.allowsRetryAfter(4)).isFalse();
    }

    @Test
    void invalidPoliciesNameTheSetting() {
        assertThatThrownBy(() -> new RetryPolicy(0, Duration.ZERO, 2, Duration.ZERO, 0)).hasMessageContaining("maxAttempts");
        assertThatThrownBy(() -> new RetryPolicy(1, Duration.ofSeconds(2), 2, Duration.ofSeconds(1), 0)).hasMessageContaining("max backoff");
        assertThatThrownBy(() -> new RetryPolicy(1, Duration.ZERO, 0.5, Duration.ZERO, 0)).hasMessageContaining("multiplier");
        assertThatThrownBy(() -> new RetryPolicy(1, Duration.ZERO, 1, Duration.ZERO, 2)).hasMessageContaining("jitter");
    }

    @Test
    void outageBackoffGrowsAndIsCapped() {
        Backoff backoff = new Backoff(Duration.ofMillis(100), Duration.ofMillis(800));
        long first = backoff.next().toMillis();
        assertThat(first).isBetween(75L, 100L);
        for (int i = 0; i < 20; i++) {
            backoff.next();
        }
        assertThat(backoff.next().toMillis()).isBetween(600L, 800L);
        backoff.reset();
        assertThat(backoff.failures()).isZero();
    }
}
