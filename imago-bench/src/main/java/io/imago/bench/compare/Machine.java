package io.imago.bench.compare;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/** A description of this machine for the comparison's report: CPU, memory, kernel, Java, the data disk. */
public final class Machine {
    private Machine() {}

    public static String describe(Path dataDir) {
        String cpu = firstValue(Path.of("/proc/cpuinfo"), "model name").orElse(System.getProperty("os.arch"));
        String mem = firstValue(Path.of("/proc/meminfo"), "MemTotal")
                .map(Machine::kbToGiB)
                .orElse("?");
        String fs;
        try {
            var store = Files.getFileStore(dataDir);
            fs = store.type() + " (" + store.name() + "), " + store.getUsableSpace() / (1L << 30) + " GiB free";
        } catch (IOException e) {
            fs = "?";
        }
        return String.format(
                Locale.ROOT,
                "%d cores (%s), %s RAM, %s %s, Java %s (%s), data disk %s: %s",
                Runtime.getRuntime().availableProcessors(),
                cpu,
                mem,
                System.getProperty("os.name"),
                System.getProperty("os.version"),
                System.getProperty("java.version"),
                System.getProperty("java.vm.name"),
                dataDir.toAbsolutePath(),
                fs);
    }

    /** Peak resident set size of a process in MiB ({@code VmHWM}), or -1 if unknown. */
    static double peakRssMiB(long pid) {
        return firstValue(Path.of("/proc", Long.toString(pid), "status"), "VmHWM")
                .map(v -> Long.parseLong(v.replaceAll("[^0-9]", "")) / 1024.0)
                .orElse(-1.0);
    }

    private static String kbToGiB(String v) {
        return String.format(Locale.ROOT, "%.1f GiB", Long.parseLong(v.replaceAll("[^0-9]", "")) / 1024.0 / 1024.0);
    }

    private static Optional<String> firstValue(Path file, String key) {
        try {
            List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
            return lines.stream()
                    .filter(l -> l.startsWith(key))
                    .findFirst()
                    .map(l -> l.substring(l.indexOf(':') + 1).trim());
        } catch (IOException e) {
            return Optional.empty();
        }
    }
}
