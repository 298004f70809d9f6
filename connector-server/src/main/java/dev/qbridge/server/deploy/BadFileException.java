package dev.qbridge.server.deploy;

/** A connector file that cannot be loaded; carries the {@link BadFile} report. */
public final class BadFileException extends Exception {
    private static final long serialVersionUID = 1L;

    private final transient BadFile report;

    public BadFileException(BadFile report) {
        super(report.toString());
        this.report = report;
    }

    public BadFile report() {
        return report;
    }
}
