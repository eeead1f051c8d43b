package io.imago.store.fs;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The power-loss model of the seam (what survives is what was fsynced, bytes and directory entries) and its delete gate. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class FaultInjectingStorageIoTest {
    @TempDir
    Path tmp;

    private final FaultInjectingStorageIo io = new FaultInjectingStorageIo();

    private void createFsynced(Path file) throws IOException {
        try (StorageFile f = io.create(file)) {
            f.write(ByteBuffer.wrap(new byte[] {1, 2, 3}), 0);
            f.force();
        }
    }

    @Test
    void aWriteIntoFsyncedSpaceIsLostOnPowerLossUnlessItsFileIsFsyncedAgain() throws IOException {
        Path file = tmp.resolve("a.meta");
        try (StorageFile f = io.create(file)) {
            f.write(ByteBuffer.wrap(new byte[8]), 0); // zero fill, as preallocation writes it
            f.force();
            f.write(ByteBuffer.wrap(new byte[] {7, 7}), 2);
            f.write(ByteBuffer.wrap(new byte[] {9}), 3); // over the first, unfsynced write
            f.write(ByteBuffer.wrap(new byte[] {5, 5, 5}), 6); // two bytes in fsynced space, one beyond
            io.syncDirectory(tmp);
        }
        io.simulatePowerLoss();
        assertThat(file)
                .as("each unfsynced write reverted, the length restored")
                .hasBinaryContent(new byte[8]);
    }

    @Test
    void aWriteIntoFsyncedSpaceSurvivesPowerLossOnceFsynced() throws IOException {
        Path file = tmp.resolve("a.meta");
        try (StorageFile f = io.create(file)) {
            f.write(ByteBuffer.wrap(new byte[4]), 0);
            f.force();
            f.write(ByteBuffer.wrap(new byte[] {7, 7}), 1);
            f.force();
            f.write(ByteBuffer.wrap(new byte[] {9}), 0);
            io.syncDirectory(tmp);
        }
        io.simulatePowerLoss();
        assertThat(file).hasBinaryContent(new byte[] {0, 7, 7, 0});
    }

    @Test
    void aNewFileWhoseDirectoryWasNotSyncedIsLostOnPowerLoss() throws IOException {
        Path file = tmp.resolve("a.meta");
        createFsynced(file);
        io.simulatePowerLoss();
        assertThat(file).doesNotExist();
    }

    @Test
    void aNewFileSurvivesPowerLossOnceItsDirectoryIsSynced() throws IOException {
        Path file = tmp.resolve("a.meta");
        createFsynced(file);
        io.syncDirectory(tmp);
        io.simulatePowerLoss();
        assertThat(file).hasBinaryContent(new byte[] {1, 2, 3});
    }

    @Test
    void aNewDirectoryIsLostWithItsFilesUnlessItsParentIsSynced() throws IOException {
        Path dir = tmp.resolve("t-0");
        io.createDirectories(dir);
        createFsynced(dir.resolve("a.meta"));
        io.syncDirectory(dir);
        io.simulatePowerLoss();
        assertThat(dir).doesNotExist();
    }

    @Test
    void aNewDirectorySurvivesOnceItsParentIsSynced() throws IOException {
        Path dir = tmp.resolve("t-0");
        io.createDirectories(dir);
        io.syncDirectory(tmp);
        Path file = dir.resolve("a.meta");
        createFsynced(file);
        io.syncDirectory(dir);
        io.simulatePowerLoss();
        assertThat(file).hasBinaryContent(new byte[] {1, 2, 3});
    }

    @Test
    void everyNewAncestorNeedsItsOwnParentSynced() throws IOException {
        Path data = tmp.resolve("data");
        Path dir = data.resolve("t-0");
        io.createDirectories(dir);
        io.syncDirectory(data);
        io.simulatePowerLoss();
        assertThat(data).doesNotExist();
    }

    @Test
    void filesAndDirectoriesThatExistedBeforeAreNotLost() throws IOException {
        Path dir = Files.createDirectories(tmp.resolve("t-0"));
        Path file = Files.write(dir.resolve("a.meta"), new byte[] {7});
        io.createDirectories(dir);
        try (StorageFile f = io.open(file)) {
            f.write(ByteBuffer.wrap(new byte[] {8}), 1);
        }
        io.simulatePowerLoss();
        assertThat(file).hasBinaryContent(new byte[] {7});
    }

    @Test
    void aHeldDeleteWaitsAtItsGateUntilItIsOpened() throws Exception {
        Path held = Files.write(tmp.resolve("a.meta"), new byte[] {1});
        Path other = Files.write(tmp.resolve("b.meta.retired"), new byte[0]);
        FaultInjectingStorageIo.Gate gate = io.holdDeletes(p -> p.equals(held));
        io.delete(other);
        assertThat(other).as("a file the gate does not match").doesNotExist();
        Thread deleter = new Thread(
                () -> {
                    try {
                        io.delete(held);
                    } catch (IOException e) {
                        throw new java.io.UncheckedIOException(e);
                    }
                },
                "held-delete");
        deleter.start();
        try {
            assertThat(gate.awaitHeld(10, TimeUnit.SECONDS)).isTrue();
            assertThat(held).as("while the gate is closed").exists();
        } finally {
            gate.open();
        }
        deleter.join(TimeUnit.SECONDS.toMillis(10));
        assertThat(deleter.isAlive()).isFalse();
        assertThat(held).doesNotExist();
    }
}
