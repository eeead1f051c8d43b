package io.imago.cli;

import io.imago.broker.Broker;
import io.imago.broker.partition.DataDirLock;
import io.imago.store.CorruptRange;
import io.imago.store.LogConfig;
import io.imago.store.LogDescriptor;
import io.imago.store.PartitionLog;
import io.imago.store.RecoveryReport;
import io.imago.store.TopicPartition;
import io.imago.store.fs.FileChannelStorageIo;
import io.imago.store.txlog.JournalTx;
import io.imago.store.txlog.TxJournal;
import io.imago.store.txlog.TxJournalConfig;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code imago metaq-ready --data DIR [--topic T]}: makes a stopped broker's data directory loadable by
 * the original MetaQ 1.4.6.2 broker, which takes each sealed segment's file length as its end and scans
 * only the last segment. A broker stopped cleanly leaves MetaQ's format already; after a crash the
 * active segment may end in zeros written ahead of the writer (storage.md), which MetaQ would load as
 * empty records. Each partition is recovered as the broker would (torn tail truncated, zero fill
 * trimmed) and closed cleanly; the {@code .lock} file is removed, since MetaQ's loader may skip
 * partitions when the data directory holds a plain file. Holds only its options; not thread-safe.
 */
@Command(
        name = "metaq-ready",
        mixinStandardHelpOptions = true,
        description = {
            "Makes a stopped broker's data directory ready for the original MetaQ 1.4.6.2 broker: recovers every "
                    + "partition as the broker would, trims the zero fill a crash can leave after the last record, "
                    + "closes it cleanly and removes the .lock file. Prints per partition '<topic>-<n> offsets "
                    + "[min, max) segments S zero fill Z bytes trimmed, torn tail T bytes truncated' and a summary.",
            "Refused while a broker holds the directory. Corrupt ranges are printed: MetaQ serves those in sealed "
                    + "segments as they are, and truncates the last segment at the first one (exit 1)."
        },
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
            "0:the directory is ready for MetaQ",
            "1:a broker holds the directory, a partition could not be recovered, MetaQ would truncate a "
                    + "corrupt last segment, or the directory holds something else than partitions",
            ExitCodes.LIST_2
        })
final class MetaqReadyCommand implements Callable<Integer> {
    private static final String TRANSACTIONS_DIR = Broker.TRANSACTIONS_DIR;

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

    private long zeroFill;
    private long torn;
    private boolean lastSegmentCorrupt;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        if (!Files.isDirectory(data)) {
            err.println("imago metaq-ready: " + data + " is not a directory");
            return ExitCodes.USAGE;
        }
        if (maxMessageBytes <= 0) {
            err.println("imago metaq-ready: --max-message-size must be at least 1");
            return ExitCodes.USAGE;
        }
        try {
            return prepare(out, err);
        } catch (ToolException e) {
            err.println("imago metaq-ready: " + e.getMessage());
            return ExitCodes.FAILURE;
        }
    }

    private int prepare(PrintWriter out, PrintWriter err) throws ToolException {
        Map<String, Path> partitions;
        int openTransactions;
        boolean brokerLeftALock = Files.exists(data.resolve(DataDirLock.LOCK_FILE));
        DataDirLock lock = lock(); // held while partitions are changed: no broker starts on them meanwhile
        try (lock) {
            partitions = partitions();
            LogConfig config = LogConfig.builder()
                    .maxMessageBytes(maxMessageBytes)
                    .preallocateMaxBytes(0)
                    .build();
            for (Map.Entry<String, Path> partition : partitions.entrySet()) {
                err.println("metaq-ready: " + partition.getKey());
                prepare(partition.getKey(), partition.getValue(), config, out);
            }
            openTransactions = transactionJournal(out);
        } catch (IOException e) {
            throw new ToolException("releasing the lock of " + data + " failed: " + e, e);
        }
        String lockNote = removeLockFile(brokerLeftALock);
        List<Path> others = otherEntries();
        for (Path other : others) {
            out.println("not a partition directory: " + other + " (MetaQ 1.4.6.2 may leave partitions unloaded, or"
                    + " fail to start, while it is in the data directory: move it out)");
        }
        boolean ready = !lastSegmentCorrupt && others.isEmpty() && openTransactions == 0;
        out.println((ready ? "ready for MetaQ: " : "NOT ready for MetaQ: ") + partitions.size()
                + " partitions, zero fill " + zeroFill + " bytes trimmed, torn tail " + torn + " bytes truncated"
                + lockNote);
        return ready ? ExitCodes.OK : ExitCodes.FAILURE;
    }

    /** Recovers one partition as the broker would and closes it cleanly: its last segment ends at its last record. */
    private void prepare(String name, Path dir, LogConfig config, PrintWriter out) throws ToolException {
        try {
            long before = lastSegmentBytes(dir);
            RecoveryReport report;
            long lastStart;
            try (PartitionLog log = PartitionLog.open(dir, config, new FileChannelStorageIo(), Clock.systemUTC())) {
                report = log.recovery();
                lastStart = lastSegmentStart(dir);
            }
            long after = lastSegmentBytes(dir);
            if (after != report.maxOffset() - lastStart) {
                throw new ToolException(name + ": after recovery its last segment holds " + after + " bytes, but its"
                        + " records end at " + report.maxOffset() + "; not ready for MetaQ");
            }
            long trimmed = Math.max(0, before - after - report.truncatedBytes());
            zeroFill += trimmed;
            torn += report.truncatedBytes();
            out.println(name + " offsets [" + report.minOffset() + ", " + report.maxOffset() + ") segments "
                    + report.segmentCount() + " zero fill " + trimmed + " bytes trimmed, torn tail "
                    + report.truncatedBytes() + " bytes truncated");
            for (CorruptRange range : report.corruptRanges()) {
                boolean inLast = range.endOffset() > lastStart;
                lastSegmentCorrupt |= inLast;
                out.println(name + " corrupt " + range + " " + range.lengthBytes() + " bytes: "
                        + (inLast
                                ? "MetaQ truncates its last segment at " + range.startOffset() + ", dropping "
                                        + (report.maxOffset() - range.startOffset()) + " bytes of records"
                                : "MetaQ serves these bytes as they are"));
            }
        } catch (IOException | RuntimeException e) {
            throw new ToolException("recovering " + dir + " failed: " + e + "; nothing after it was changed", e);
        }
    }

    /** Takes the data directory's lock, refusing while a broker holds it. */
    private DataDirLock lock() throws ToolException {
        try {
            return DataDirLock.acquire(data);
        } catch (DataDirLock.DataDirLockedException e) {
            throw new ToolException(e.getMessage() + "; stop the broker first", e);
        } catch (IOException e) {
            throw new ToolException("cannot take the lock of " + data + ": " + e, e);
        }
    }

    /**
     * Removes {@code .lock} (the broker's, or the one this tool took): MetaQ 1.4.6.2 loads the partition directories of its dataPath in batches and
     * loads a last, partial batch only if the last entry listed is a directory, so a plain file there can
     * leave partitions unloaded until their first put (spec section 3.5).
     */
    private String removeLockFile(boolean brokerLeftIt) throws ToolException {
        try {
            return Files.deleteIfExists(data.resolve(DataDirLock.LOCK_FILE)) && brokerLeftIt
                    ? "; removed " + data.resolve(DataDirLock.LOCK_FILE)
                    : "";
        } catch (IOException e) {
            throw new ToolException(
                    "removing " + data.resolve(DataDirLock.LOCK_FILE) + " failed: " + e
                            + "; remove it before starting MetaQ",
                    e);
        }
    }

    private static long lastSegmentStart(Path dir) throws IOException {
        long last = 0;
        try (Stream<Path> files = Files.list(dir)) {
            for (Path file : files.toList()) {
                Optional<Long> start =
                        LogDescriptor.parseSegmentFileName(file.getFileName().toString());
                if (start.isPresent()) {
                    last = Math.max(last, start.get());
                }
            }
        }
        return last;
    }

    private static long lastSegmentBytes(Path dir) throws IOException {
        Path last = dir.resolve(LogDescriptor.segmentFileName(lastSegmentStart(dir)));
        return Files.exists(last) ? Files.size(last) : 0;
    }

    /**
     * The entries of the data directory other than partition directories: MetaQ's loader skips a plain
     * file or a directory without '-' but then may not load its last batch of partitions, and fails on
     * a directory whose name after the last '-' is not a number (spec section 3.5).
     */
    private List<Path> otherEntries() throws ToolException {
        List<Path> others = new ArrayList<>();
        try (Stream<Path> children = Files.list(data)) {
            for (Path child : children.sorted().toList()) {
                if (child.equals(data.resolve(TRANSACTIONS_DIR))) {
                    continue; // Imago's transaction journal: see transactionJournal()
                }
                if (child.equals(data.resolve(Broker.METAQ_TRANSACTIONS_DIR))) {
                    continue; // MetaQ's own transaction journal, left from MetaQ's run: its own to read
                }
                if (!Files.isDirectory(child)
                        || TopicPartition.parseDirectoryName(child.getFileName().toString())
                                .isEmpty()) {
                    others.add(child);
                }
            }
        } catch (IOException e) {
            throw new ToolException("listing " + data + " failed: " + e, e);
        }
        return others;
    }

    /**
     * Imago's transaction journal ({@code DIR/imago_transactions}, the default {@code dataLogPath}): MetaQ
     * cannot read it, and any entry of the data directory that is not a partition may leave MetaQ's last
     * partitions unloaded. Without an open transaction the
     * directory is removed; otherwise each open transaction is printed and the directory kept.
     *
     * @return the number of open transactions
     */
    private int transactionJournal(PrintWriter out) throws ToolException {
        Path dir = data.resolve(TRANSACTIONS_DIR);
        if (!Files.isDirectory(dir)) {
            return 0;
        }
        Map<String, JournalTx> live;
        try (TxJournal journal =
                TxJournal.open(dir, TxJournalConfig.defaults(), new FileChannelStorageIo(), Clock.systemUTC())) {
            live = new TreeMap<>(journal.live());
        } catch (IOException | RuntimeException e) {
            throw new ToolException("reading the transaction journal " + dir + " failed: " + e.getMessage(), e);
        }
        if (live.isEmpty()) {
            try (Stream<Path> walk = Files.walk(dir)) {
                for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                    Files.delete(p);
                }
            } catch (IOException e) {
                throw new ToolException("removing the transaction journal " + dir + " failed: " + e, e);
            }
            out.println("removed Imago's transaction journal " + dir
                    + " (no open transaction; MetaQ cannot read its format)");
            return 0;
        }
        for (JournalTx tx : live.values()) {
            out.println("open transaction " + tx.key() + " " + tx.state() + " ("
                    + tx.messages().size()
                    + " messages): decide it first (its transaction manager, or bin/imago transactions on the"
                    + " running broker)");
        }
        return live.size();
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
}
