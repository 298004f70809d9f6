package dev.qbridge.server.cli;

import dev.qbridge.core.QueueException;
import dev.qbridge.formats.JobFormat;
import picocli.CommandLine;

/** raw, json, sidekiq or celery, with the message every path gives for anything else. */
final class JobFormatConverter implements CommandLine.ITypeConverter<JobFormat> {
    @Override
    public JobFormat convert(String value) {
        try {
            return JobFormat.parse(value);
        } catch (QueueException e) {
            throw new CommandLine.TypeConversionException(e.getMessage());
        }
    }
}
