package io.imago.cli;

import io.imago.broker.BrokerVersion;
import picocli.CommandLine;

/** Answers {@code imago --version}. */
final class ImagoVersion implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
        return new String[] {"Imago " + BrokerVersion.VERSION};
    }
}
