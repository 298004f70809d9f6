package dev.qbridge.testkit;

import org.junit.jupiter.api.Assumptions;

/**
 * What a test does when something it needs is missing on this machine (openssl, a cluster-capable redis-server): on
 * a developer's machine it is skipped with the reason; in CI, where {@code .ci/run} installs everything and sets
 * {@code QBRIDGE_CI=1}, it fails, so that no test is ever skipped silently there.
 */
public final class Unavailable {

    /** The environment variable {@code .ci/run} sets. */
    public static final String CI_VARIABLE = "QBRIDGE_CI";

    private Unavailable() {
    }

    /** Skips the calling test, or fails it in CI, saying what is missing. */
    public static void skipOrFail(String what) {
        if (inCi()) {
            throw new IllegalStateException(what + " (" + CI_VARIABLE + " is set: in CI every test must run; .ci/run "
                    + "installs what the tests need)");
        }
        Assumptions.abort(what);
    }

    public static boolean inCi() {
        String value = System.getenv(CI_VARIABLE);
        return value != null && !value.isBlank() && !value.equals("0") && !value.equalsIgnoreCase("false");
    }
}
