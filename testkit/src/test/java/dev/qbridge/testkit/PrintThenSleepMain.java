package dev.qbridge.testkit;

/** A child for {@link JavaProcessIT}: prints a line, then waits to be killed. */
public final class PrintThenSleepMain {
    private PrintThenSleepMain() {
    }

    public static void main(String[] args) throws InterruptedException {
        System.out.println("ready " + String.join(" ", args));
        System.out.flush();
        Thread.sleep(Long.MAX_VALUE);
    }
}
