package dev.qbridge.server.output;

import dev.qbridge.core.Secrets;
import picocli.CommandLine;
import picocli.CommandLine.Help;
import picocli.CommandLine.Help.Ansi.Text;
import picocli.CommandLine.Help.ColorScheme;
import picocli.CommandLine.Model.CommandSpec;

/**
 * picocli's help with every option and parameter masked by {@link Secrets#redact} before it is wrapped into columns: a
 * default the help shows ({@code ${QBRIDGE_REDIS_URL:-...}} read from the environment) can hold a password, and once
 * wrapped, a URI cut at the column's end would reach the console in two lines that no mask recognizes.
 */
public final class MaskedHelp implements CommandLine.IHelpFactory {

    @Override
    public Help create(CommandSpec commandSpec, ColorScheme colorScheme) {
        return new Help(commandSpec, colorScheme) {
            @Override
            public Help.IOptionRenderer createDefaultOptionRenderer() {
                Help.IOptionRenderer renderer = super.createDefaultOptionRenderer();
                return (option, labels, scheme) -> mask(renderer.render(option, labels, scheme), scheme);
            }

            @Override
            public Help.IParameterRenderer createDefaultParameterRenderer() {
                Help.IParameterRenderer renderer = super.createDefaultParameterRenderer();
                return (parameter, labels, scheme) -> mask(renderer.render(parameter, labels, scheme), scheme);
            }
        };
    }

    private static Text[][] mask(Text[][] rows, ColorScheme scheme) {
        for (Text[] row : rows) {
            for (int i = 0; i < row.length; i++) {
                if (row[i] != null && Secrets.holdsSecret(row[i].plainString())) {
                    row[i] = scheme.ansi().new Text(Secrets.redact(row[i].plainString()), scheme);
                }
            }
        }
        return rows;
    }
}
