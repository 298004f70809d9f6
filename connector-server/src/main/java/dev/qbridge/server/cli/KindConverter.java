package dev.qbridge.server.cli;

import dev.qbridge.core.QueueException;
import dev.qbridge.core.queue.QueueKind;
import picocli.CommandLine;

/** reliable, priority or delayed, with the core's message for anything else. */
final class KindConverter implements CommandLine.ITypeConverter<QueueKind> {
    @Override
    public QueueKind convert(String value) {
        try {
            return QueueKind.parse(value);
        } catch (QueueException e) {
            throw new CommandLine.TypeConversionException(e.getMessage());
        }
    }
}
