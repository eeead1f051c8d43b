package io.imago.it.harness;

import java.util.Locale;

/**
 * The broker implementation a run of the suite is aimed at, chosen once per JVM by the system
 * property {@value #PROPERTY} ({@code imago}, the default, or {@code metaq}, the original
 * MetaQ 1.4.6.2 broker used as the oracle of compatibility).
 *
 * <p>Expectations that differ between the two are the deliberate differences of DESIGN.md; tests
 * of those differences are skipped on {@link #METAQ} with a JUnit assumption. Immutable.
 */
public enum Target {
    /** Our broker, started as {@code io.imago.cli.ImagoCli server -c <ini>}. */
    IMAGO,
    /** The original broker, started as {@code com.taobao.metamorphosis.server.MetamorphosisStartup -f <ini>}. */
    METAQ;

    public static final String PROPERTY = "imago.it.target";

    /** The target selected for this JVM. */
    public static Target current() {
        String value = System.getProperty(PROPERTY, "imago").trim();
        if (value.isEmpty()) {
            return IMAGO;
        }
        try {
            return valueOf(value.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException("-D" + PROPERTY + "=" + value + " is not one of imago, metaq", e);
        }
    }

    public boolean isImago() {
        return this == IMAGO;
    }
}
