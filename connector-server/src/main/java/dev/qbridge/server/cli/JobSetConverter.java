package dev.qbridge.server.cli;

import dev.qbridge.core.QueueException;
import dev.qbridge.formats.JobSet;
import picocli.CommandLine;

/** ready, scheduled, retry or dead, with the message every path gives for anything else. */
final class JobSetConverter implements CommandLine.ITypeConverter<JobSet> {
    @Override
    public JobSet convert(String value) {
        try {
            return JobSet.parse(value);
        } catch (QueueException e) {
            throw new CommandLine.TypeConversionException(e.getMessage());
        }
    }
}
