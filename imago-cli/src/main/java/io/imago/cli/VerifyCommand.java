package io.imago.cli;

import io.imago.broker.partition.DataDirLock;
import io.imago.store.CorruptRange;
import io.imago.store.LogConfig;
import io.imago.store.LogDescriptor;
import io.imago.store.OfflineVerifier;
import io.imago.store.TopicPartition;
import io.imago.store.fs.FileChannelStorageIo;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code imago verify --data DIR [--topic T]}: checks every record of every partition directory of a
 * stopped broker's data directory ({@link OfflineVerifier}) and prints, per partition, what it checked
 * and each corrupt range. Reads only. Holds only its options; not thread-safe.
 */
@Command(
        name = "verify",
        mixinStandardHelpOptions = true,
        description = {
            "Checks the length and CRC of every record of every partition of a data directory, with the broker "
                    + "stopped; prints per partition '<topic>-<n> segments S records R bytes B ok|CORRUPT', a line "
                    + "per corrupt range, and a summary. Progress goes to standard error. Changes nothing.",
            "A torn tail at the end of the last segment (a crash; the broker truncates it at its next start) "
                    + "is reported but is not corruption."
        },
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
            "0:no corruption found",
            "1:corruption found, a broker holds the directory, or a file could not be read",
            ExitCodes.LIST_2
        })
final class VerifyCommand implements Callable<Integer> {
    private static final long PROGRESS_INTERVAL_NANOS = 2_000_000_000L;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(
            names = "--data",
            required = true,
            paramLabel = "DIR",
            description = "the data directory (the broker's dataPath, or a topic section's)")
    Path data;

    @Option(names = "--topic", paramLabel = "TOPIC", description = "only this topic's partitions")
    String topic;

    @Option(
            names = "--max-message-size",
            paramLabel = "BYTES",
            defaultValue = "" + LogConfig.DEFAULT_MAX_MESSAGE_BYTES,
            description = "the broker's maxMessageSize, which bounds a resync (default: ${DEFAULT-VALUE})")
    int maxMessageBytes;

    private long lastProgressNanos;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        if (!Files.isDirectory(data)) {
            err.println("imago verify: " + data + " is not a directory");
            return ExitCodes.USAGE;
        }
        if (maxMessageBytes <= 0) {
            err.println("imago verify: --max-message-size must be at least 1");
            return ExitCodes.USAGE;
        }
        try {
            return verify(out, err);
        } catch (ToolException e) {
            err.println("imago verify: " + e.getMessage());
            return ExitCodes.FAILURE;
        }
    }

    private int verify(PrintWriter out, PrintWriter err) throws ToolException {
        refuseWhileABrokerRuns();
        OfflineVerifier verifier = new OfflineVerifier(new FileChannelStorageIo(), maxMessageBytes);
        long records = 0;
        long bytes = 0;
        long corruptBytes = 0;
        int corruptRanges = 0;
        Map<String, Path> partitions = partitions();
        for (Map.Entry<String, Path> partition : partitions.entrySet()) {
            String name = partition.getKey();
            OfflineVerifier.Result result;
            try {
                err.println("verify: " + name);
                lastProgressNanos = System.nanoTime();
                result = verifier.verify(partition.getValue(), (segment, done, all) -> {
                    long now = System.nanoTime();
                    if (now - lastProgressNanos >= PROGRESS_INTERVAL_NANOS) {
                        lastProgressNanos = now;
                        err.println("verify: " + name + " " + done + " of " + all + " bytes checked");
                    }
                });
            } catch (IOException e) {
                throw new ToolException("reading " + partition.getValue() + " failed: " + e, e);
            }
            out.println(name + " segments " + result.segments() + " records " + result.records() + " bytes "
                    + result.bytes() + (result.isCorrupt() ? " CORRUPT" : " ok"));
            for (CorruptRange range : result.corruptRanges()) {
                out.println(name + " corrupt " + range + " " + range.lengthBytes() + " bytes in "
                        + segmentOf(verifier, partition.getValue(), range));
                corruptBytes += range.lengthBytes();
            }
            if (result.tornTailBytes() > 0) {
                out.println(name + " torn tail " + result.tornTailBytes()
                        + " bytes at the end of the last segment (truncated at the next start; not corruption)");
            }
            if (result.zeroTailBytes() > 0) {
                out.println(name + " zero tail " + result.zeroTailBytes()
                        + " bytes after the last record (space preallocated before a crash; trimmed at the next"
                        + " start or by metaq-ready; not data)");
            }
            records += result.records();
            bytes += result.bytes();
            corruptRanges += result.corruptRanges().size();
        }
        out.println("verified " + partitions.size() + " partitions: " + records + " records, " + bytes + " bytes, "
                + (corruptRanges == 0
                        ? "no corruption"
                        : corruptRanges + " corrupt ranges (" + corruptBytes + " bytes)"));
        return corruptRanges == 0 ? ExitCodes.OK : ExitCodes.FAILURE;
    }

    /** A running broker holds the lock of its data directory; its active segments would be read mid-write. */
    private void refuseWhileABrokerRuns() throws ToolException {
        if (!Files.exists(data.resolve(DataDirLock.LOCK_FILE))) {
            return; // no broker ever ran here with this directory as its dataPath (or a topic section's)
        }
        try {
            DataDirLock.acquire(data).close(); // free: no broker runs on it
        } catch (DataDirLock.DataDirLockedException e) {
            throw new ToolException(e.getMessage() + "; stop the broker first", e);
        } catch (IOException e) {
            throw new ToolException("cannot check the lock of " + data + ": " + e, e);
        }
    }

    /** The partition directories ({@code <topic>-<n>}) of the data directory, by name. */
    private Map<String, Path> partitions() throws ToolException {
        Map<String, Path> partitions = new TreeMap<>();
        try (Stream<Path> children = Files.list(data)) {
            for (Path child : children.toList()) {
                String name = child.getFileName().toString();
                Optional<TopicPartition> tp = TopicPartition.parseDirectoryName(name);
                if (Files.isDirectory(child)
                        && tp.isPresent()
                        && (topic == null || tp.get().topic().equals(topic))) {
                    partitions.put(name, child);
                }
            }
        } catch (IOException e) {
            throw new ToolException("listing " + data + " failed: " + e, e);
        }
        return partitions;
    }

    private static String segmentOf(OfflineVerifier verifier, Path partition, CorruptRange range) throws ToolException {
        try {
            Map.Entry<Long, Path> segment = verifier.segmentFiles(partition).floorEntry(range.startOffset());
            return segment == null
                    ? LogDescriptor.segmentFileName(0)
                    : segment.getValue().getFileName().toString();
        } catch (IOException e) {
            throw new ToolException("listing " + partition + " failed: " + e, e);
        }
    }
}
