package dev.qbridge.testkit;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * One fixture per test class: created before all tests, reset before each, closed after all. Also works without
 * JUnit ({@link #startFixture()} / {@link #close()}). A fixture started by hand, or by an enclosing class of a
 * {@code @Nested} class, is left to whoever started it. On an instance field (JUnit then calls no beforeAll or
 * afterAll), the fixture lives for one test.
 */
abstract class ClassScopedExtension<T extends AutoCloseable>
        implements BeforeAllCallback, BeforeEachCallback, AfterEachCallback, AfterAllCallback, AutoCloseable {

    private T fixture;
    private String ownerContextId;
    private boolean perTest;

    /** Starts the fixture; may throw {@code TestAbortedException} to skip the tests. */
    protected abstract T create();

    /** Makes the fixture look fresh to the next test. */
    protected abstract void reset(T fixture);

    @Override
    public synchronized void beforeAll(ExtensionContext context) {
        if (fixture == null) {
            fixture = create();
            ownerContextId = context.getUniqueId();
        }
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        T current;
        synchronized (this) {
            if (fixture == null) {
                fixture = create();
                perTest = true;
            }
            current = fixture;
        }
        reset(current);
    }

    @Override
    public synchronized void afterEach(ExtensionContext context) {
        if (perTest) {
            close();
        }
    }

    @Override
    public synchronized void afterAll(ExtensionContext context) {
        if (fixture != null && context.getUniqueId().equals(ownerContextId)) {
            close();
        }
    }

    /** Starts the fixture if it is not running yet. */
    protected synchronized T startFixture() {
        if (fixture == null) {
            fixture = create();
        }
        return fixture;
    }

    protected synchronized T fixture() {
        if (fixture == null) {
            throw new IllegalStateException(getClass().getSimpleName()
                    + " is not started: register it with @RegisterExtension on a static field, or call start()");
        }
        return fixture;
    }

    /** Stops the fixture; the extension can be started again afterwards. */
    @Override
    public synchronized void close() {
        T current = fixture;
        fixture = null;
        ownerContextId = null;
        perTest = false;
        if (current != null) {
            try {
                current.close();
            } catch (Exception e) {
                throw new IllegalStateException("Closing " + current + " failed", e);
            }
        }
    }
}
