package io.imago.protocol.codec;

import static io.imago.protocol.codec.Wire.ascii;
import static io.imago.protocol.codec.Wire.concat;
import static io.imago.protocol.codec.Wire.hex;
import static org.assertj.core.api.Assertions.assertThat;

import io.imago.protocol.Capabilities;
import io.imago.protocol.command.GetCommand;
import io.imago.protocol.command.OffsetCommand;
import io.imago.protocol.command.PutCommand;
import io.imago.protocol.command.QuitCommand;
import io.imago.protocol.command.RequestCommand;
import io.imago.protocol.command.StatsCommand;
import io.imago.protocol.command.SyncCommand;
import io.imago.protocol.command.TransactionCommand;
import io.imago.protocol.command.TransactionId;
import io.imago.protocol.command.TransactionType;
import io.imago.protocol.command.TxAdminCommand;
import io.imago.protocol.command.VersionCommand;
import io.imago.protocol.message.MessagePayload;
import io.netty.buffer.Unpooled;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

@Timeout(10)
class RequestCodecTest {

    private static final String TX_SESSION = "192.0.2.2-1795639329547-1";

    /** Decodes {@code bytes} fed in chunks of {@code chunkSize}; the caller releases the commands. */
    private static List<Object> decode(byte[] bytes, int chunkSize) {
        try (Wire.Harness h = new Wire.Harness(new RequestDecoder())) {
            return h.feed(Wire.chunks(bytes, chunkSize));
        }
    }

    /** Decodes one frame fed whole, asserts it is the only output, and that re-encoding gives the same bytes. */
    private static Object roundTrip(byte[] frame) {
        List<Object> decoded = decode(frame, frame.length);
        assertThat(decoded).hasSize(1);
        Object command = decoded.get(0);
        assertThat(command).isInstanceOf(RequestCommand.class);
        String description = command.toString();
        ByteArrayOutputStream reencoded = new ByteArrayOutputStream();
        if (command instanceof PutCommand put) {
            put.retain();
        } else if (command instanceof SyncCommand sync) {
            sync.retain();
        }
        reencoded.writeBytes(Wire.encodeRequest((RequestCommand) command));
        assertThat(Wire.text(reencoded.toByteArray())).as(description).isEqualTo(Wire.text(frame));
        return command;
    }

    @Test
    void putWithAttributeMatchesTheWorkedExample() {
        byte[] payload = hex("00000004 61747472 68656c6c6f");
        byte[] frame = concat(
                hex("70 75 74 20 74 65 73 74 20 30 20 31 33 20 31 20 31 32 36 34 37 37 32 33 38 30 20 37 0d 0a"),
                payload);
        PutCommand put = (PutCommand) roundTrip(frame);
        try {
            assertThat(put.topic()).isEqualTo("test");
            assertThat(put.partition()).isZero();
            assertThat(put.flag()).isEqualTo(1);
            assertThat(put.checksum()).isEqualTo(1264772380);
            assertThat(put.txKey()).isNull();
            assertThat(put.opaque()).isEqualTo(7);
            assertThat(Wire.bytes(put.body())).isEqualTo(payload);
            assertThat(MessagePayload.decode(put.flag(), put.body()))
                    .isEqualTo(MessagePayload.of(ascii("hello"), "attr"));
        } finally {
            put.release();
        }
    }

    @Test
    void encodingAPutBuiltFromAPayloadGivesTheWorkedExampleBytes() {
        MessagePayload payload = MessagePayload.of(ascii("hello"), "attr");
        PutCommand put = new PutCommand(
                "test", 0, payload.flag(), payload.checksum(), null, 7, Unpooled.wrappedBuffer(payload.encode()));
        assertThat(Wire.text(Wire.encodeRequest(put)))
                .isEqualTo("put test 0 13 1 1264772380 7\r\n\u0000\u0000\u0000\u0004attrhello");
    }

    @Test
    void plainPutMatchesTheWorkedExample() {
        PutCommand put = (PutCommand) roundTrip(ascii("put test 0 5 0 907060870 2\r\nhello"));
        assertThat(put.checksum()).isEqualTo(MessagePayload.of(ascii("hello")).checksum());
        put.release();
    }

    @Test
    void getMatchesTheWorkedExample() {
        assertThat(roundTrip(ascii("get test g1 0 0 1024 10\r\n")))
                .isEqualTo(new GetCommand("test", "g1", 0, 0, 1024, 10));
    }

    @Test
    void longPollingGetCarriesItsWaitBeforeTheOpaqueAndReencodesByteForByte() {
        GetCommand get = (GetCommand) roundTrip(ascii("get test g1 0 0 1024 500 10\r\n"));
        assertThat(get).isEqualTo(new GetCommand("test", "g1", 0, 0, 1024, 500, 10));
        assertThat(get.waits()).isTrue();
        assertThat(new GetCommand("test", "g1", 0, 0, 1024, 10).waits()).isFalse();
    }

    @Test
    void realClientTraceDecodesAndReencodesByteForByte() {
        String key = "TX:" + TX_SESSION + ":1";
        byte[] trace = concat(
                ascii("put t1 1 4 0 853207815 -2147483648\r\nmsg0"),
                ascii("put t1 2 10 1 1332031515 -2147483647\r\n\u0000\u0000\u0000\u0002a1msg1"),
                ascii("transaction " + key + " " + TX_SESSION + " BEGIN -2147483644\r\n"),
                ascii("put t1 2 5 0 1932574684 " + key + " -2147483643\r\ntxmsg"),
                ascii("transaction " + key + " " + TX_SESSION + " COMMIT_ONE_PHASE -2147483642\r\n"),
                ascii("get t1 grp1 2 0 1024 -2147483641\r\n"),
                ascii("get t1 grp1 2 55 1024 -2147483638\r\n"),
                ascii("stats  -2147483614\r\n"));
        List<Object> commands = decode(trace, trace.length);
        assertThat(commands).hasSize(8);
        assertThat(reencode(commands)).isEqualTo(Wire.text(trace));

        TransactionId.Local tx = new TransactionId.Local(TX_SESSION, 1);
        assertThat(commands.get(2))
                .isEqualTo(new TransactionCommand(tx, TX_SESSION, TransactionType.BEGIN, 0, "", -2147483644));
        PutCommand txPut = (PutCommand) commands.get(3);
        assertThat(txPut.txKey()).isEqualTo(tx);
        assertThat(txPut.checksum()).isEqualTo(1932574684);
        assertThat(commands.get(7)).isEqualTo(new StatsCommand("", -2147483614));
        Wire.releaseAll(commands);
    }

    /** Re-encodes decoded commands (keeping them alive) and returns the bytes as text. */
    private static String reencode(List<Object> commands) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (Object command : commands) {
            if (command instanceof PutCommand put) {
                put.retain();
            } else if (command instanceof SyncCommand sync) {
                sync.retain();
            }
            out.writeBytes(Wire.encodeRequest((RequestCommand) command));
        }
        return Wire.text(out.toByteArray());
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 3})
    void capturedClientStreamDecodesAndReencodesByteForByte(int section) {
        byte[] stream = Wire.stream(section, true);
        List<Object> whole = decode(stream, stream.length);
        List<Object> byteByByte = decode(stream, 1);
        assertThat(whole).isNotEmpty().allMatch(RequestCommand.class::isInstance);
        assertThat(byteByByte).isEqualTo(whole);
        assertThat(reencode(whole)).isEqualTo(Wire.text(stream));
        Wire.releaseAll(whole);
        Wire.releaseAll(byteByByte);
    }

    @Test
    void capturedProbeRequestsHaveTheExpectedFields() {
        List<Object> commands = decode(Wire.stream(3, true), 7);
        assertThat(commands).hasSize(12);
        assertThat(commands.get(0)).isEqualTo(new GetCommand("test", "probe-g", 0, 999999999, 1048576, 1000));
        assertThat(commands.get(5)).isEqualTo(new OffsetCommand("test", "probe-g", 0, 999999999, 1005));
        PutCommand random = (PutCommand) commands.get(9);
        assertThat(random.partition()).isEqualTo(-1);
        assertThat(random.checksum()).isEqualTo(429229636);
        assertThat(commands.get(10)).isEqualTo(new StatsCommand("", 1010));
        assertThat(commands.get(11)).isEqualTo(new VersionCommand(1011));
        Wire.releaseAll(commands);
    }

    @Test
    void sixTokenPutHasNoChecksumAndIsReencodedWithSevenTokens() {
        List<Object> decoded = decode(ascii("put t 0 3 0 5\r\nabc"), 100);
        PutCommand put = (PutCommand) decoded.get(0);
        assertThat(put.checksum()).isEqualTo(PutCommand.NO_CHECKSUM);
        assertThat(put.hasChecksum()).isFalse();
        assertThat(put.txKey()).isNull();
        assertThat(put.opaque()).isEqualTo(5);
        assertThat(Wire.text(Wire.encodeRequest(put))).isEqualTo("put t 0 3 0 -1 5\r\nabc");
    }

    @Test
    void sevenTokenPutWithALetterInSlotFiveCarriesATxKeyInsteadOfAChecksum() {
        PutCommand put =
                (PutCommand) decode(ascii("put t 0 3 0 TX:s-1:4 5\r\nabc"), 100).get(0);
        assertThat(put.checksum()).isEqualTo(PutCommand.NO_CHECKSUM);
        assertThat(put.txKey()).isEqualTo(new TransactionId.Local("s-1", 4));
        assertThat(Wire.text(Wire.encodeRequest(put))).isEqualTo("put t 0 3 0 -1 TX:s-1:4 5\r\nabc");
    }

    @Test
    void sevenTokenPutWithADigitOrMinusInSlotFiveCarriesAChecksum() {
        PutCommand negative = (PutCommand) roundTrip(ascii("put t -1 3 0 -7 5\r\nabc"));
        assertThat(negative.checksum()).isEqualTo(-7);
        assertThat(negative.txKey()).isNull();
        negative.release();
    }

    @Test
    void eightTokenPutCarriesChecksumAndXaKey() {
        PutCommand put = (PutCommand) roundTrip(ascii("put t 2 3 1 123 XID:1:0a0b:0c0d:uq-host -9\r\nabc"));
        assertThat(put.checksum()).isEqualTo(123);
        assertThat(put.txKey()).isEqualTo(new TransactionId.Xa(1, new byte[] {10, 11}, new byte[] {12, 13}, "uq-host"));
        assertThat(put.opaque()).isEqualTo(-9);
        put.release();
    }

    @Test
    void putWithEmptyBodyDecodes() {
        PutCommand put = (PutCommand) roundTrip(ascii("put t 0 0 0 0 1\r\n"));
        assertThat(put.bodyLength()).isZero();
        put.release();
    }

    @Test
    void putBodyIsASliceOfTheInputNotACopy() {
        byte[] frame = ascii("put t 0 3 0 -1 5\r\nabc");
        try (Wire.Harness h = new Wire.Harness(new RequestDecoder())) {
            PutCommand put = (PutCommand) h.feed(frame).get(0);
            assertThat(put.body().hasArray()).isTrue();
            assertThat(put.body().array()).isSameAs(frame);
            put.release();
            h.finish();
            assertThat(h.leaks()).isEmpty();
        }
    }

    @Test
    void eightTokenSyncCarriesMessageIdAndChecksum() {
        SyncCommand sync = (SyncCommand) roundTrip(ascii("sync t 1 2 0 -5468932327725858816 99 4\r\nhi"));
        assertThat(sync.messageId()).isEqualTo(-5468932327725858816L);
        assertThat(sync.checksum()).isEqualTo(99);
        assertThat(sync.opaque()).isEqualTo(4);
        sync.release();
    }

    @Test
    void sevenTokenSyncHasNoChecksum() {
        SyncCommand sync =
                (SyncCommand) decode(ascii("sync t 1 2 0 77 4\r\nhi"), 3).get(0);
        assertThat(sync.checksum()).isEqualTo(PutCommand.NO_CHECKSUM);
        assertThat(sync.messageId()).isEqualTo(77);
        assertThat(Wire.text(Wire.encodeRequest(sync))).isEqualTo("sync t 1 2 0 77 -1 4\r\nhi");
    }

    @Test
    void fiveTokenTransactionHasNeitherTimeoutNorQualifier() {
        assertThat(roundTrip(ascii("transaction null s RECOVER 3\r\n")))
                .isEqualTo(new TransactionCommand(TransactionId.Null.INSTANCE, "s", TransactionType.RECOVER, 0, "", 3));
    }

    @Test
    void sixTokenTransactionWithDigitsHasATimeout() {
        assertThat(roundTrip(ascii("transaction TX:s:2 s BEGIN 30 3\r\n")))
                .isEqualTo(
                        new TransactionCommand(new TransactionId.Local("s", 2), "s", TransactionType.BEGIN, 30, "", 3));
    }

    @Test
    void sixTokenTransactionWithoutDigitsHasAQualifier() {
        String key = "XID:1:0a0b:0c0d:uq-host";
        assertThat(roundTrip(ascii("transaction " + key + " s RECOVER uq-host 3\r\n")))
                .isEqualTo(new TransactionCommand(
                        TransactionId.parse(key), "s", TransactionType.RECOVER, 0, "uq-host", 3));
    }

    @Test
    void sevenTokenTransactionHasTimeoutAndQualifier() {
        String key = "XID:1:0a0b:0c0d:uq-host";
        assertThat(roundTrip(ascii("transaction " + key + " s BEGIN 60 uq-host -3\r\n")))
                .isEqualTo(new TransactionCommand(
                        TransactionId.parse(key), "s", TransactionType.BEGIN, 60, "uq-host", -3));
    }

    @Test
    void transactionEncoderSkipsNonPositiveTimeoutAndBlankQualifier() {
        TransactionCommand tx =
                new TransactionCommand(new TransactionId.Local("s", 1), "s", TransactionType.END, -5, "  ", 8);
        assertThat(Wire.text(Wire.encodeRequest(tx))).isEqualTo("transaction TX:s:1 s END 8\r\n");
    }

    @Test
    void statsWithItemMatchesTheCapture() {
        assertThat(roundTrip(hex("737461747320746f70696373203433343334330d0a")))
                .isEqualTo(new StatsCommand("topics", 434343));
    }

    @Test
    void statsWithoutItemIsWrittenWithTwoSpaces() {
        assertThat(roundTrip(ascii("stats  1010\r\n"))).isEqualTo(new StatsCommand("", 1010));
    }

    @Test
    void statsWithTwoTokensHasNoOpaque() {
        assertThat(decode(ascii("stats offsets\r\n"), 1)).containsExactly(new StatsCommand("offsets", 2147483647));
    }

    @Test
    void statsAloneHasNeitherItemNorOpaque() {
        assertThat(decode(ascii("stats\r\n"), 1)).containsExactly(new StatsCommand("", Integer.MAX_VALUE));
    }

    @Test
    void versionWithoutOpaqueUsesMaxValue() {
        assertThat(decode(ascii("version\r\n"), 1)).containsExactly(new VersionCommand(Integer.MAX_VALUE));
        assertThat(roundTrip(ascii("version -2147483647\r\n"))).isEqualTo(new VersionCommand(-2147483647));
    }

    @Test
    void quitHasNoOpaque() {
        assertThat(roundTrip(ascii("quit\r\n"))).isEqualTo(QuitCommand.INSTANCE);
        assertThat(QuitCommand.INSTANCE.opaque()).isEqualTo(RequestCommand.NO_OPAQUE);
    }

    @Test
    void offsetRoundTrips() {
        assertThat(roundTrip(ascii("offset test wire-mwwl8cpf 0 5 424242\r\n")))
                .isEqualTo(new OffsetCommand("test", "wire-mwwl8cpf", 0, 5, 424242));
    }

    @Test
    void incompleteLineDecodesNothingUntilTheRestArrives() {
        try (Wire.Harness h = new Wire.Harness(new RequestDecoder())) {
            assertThat(h.feed(ascii("get test g1 0 0 1024 10\r"))).isEmpty();
            assertThat(h.feed(ascii("\n"))).containsExactly(new GetCommand("test", "g1", 0, 0, 1024, 10));
        }
    }

    @Test
    void incompleteBodyDecodesNothingUntilTheRestArrives() {
        try (Wire.Harness h = new Wire.Harness(new RequestDecoder())) {
            assertThat(h.feed(ascii("put test 0 5 0 907060870 2\r\nhel"))).isEmpty();
            List<Object> out = h.feed(ascii("lo"));
            assertThat(out).hasSize(1);
            assertThat(((PutCommand) out.get(0)).body().toString(StandardCharsets.US_ASCII))
                    .isEqualTo("hello");
            Wire.releaseAll(out);
            h.finish();
            assertThat(h.leaks()).isEmpty();
        }
    }

    @Test
    void aLoneCarriageReturnOrLineFeedDoesNotEndALine() {
        assertThat(decode(ascii("stats a\rb\nc 1\r\n"), 2)).containsExactly(new StatsCommand("a\rb\nc", 1));
    }

    @Test
    void pipelinedFramesFedByteByByteGiveTheSameCommandsAsFedWhole() {
        byte[] stream = concat(
                ascii("put test 0 5 0 907060870 2\r\nhello"),
                ascii("version 3\r\n"),
                ascii("sync t 1 2 0 77 99 4\r\nhi"),
                ascii("quit\r\n"),
                ascii("stats  5\r\n"));
        List<Object> whole = decode(stream, stream.length);
        List<Object> bytes = decode(stream, 1);
        assertThat(whole).hasSize(5);
        assertThat(bytes).isEqualTo(whole);
        Wire.releaseAll(whole);
        Wire.releaseAll(bytes);
    }

    @Test
    void txAdminRoundTripsAndIsAnnounced() {
        assertThat(roundTrip(ascii("txadmin list 5\r\n"))).isEqualTo(new TxAdminCommand(TxAdminCommand.Op.LIST, "", 5));
        assertThat(roundTrip(ascii("txadmin commit XID:1:0a:0b:uq 6\r\n")))
                .isEqualTo(new TxAdminCommand(TxAdminCommand.Op.COMMIT, "XID:1:0a:0b:uq", 6));
        assertThat(roundTrip(ascii("txadmin forget XID:1:0a:0b:uq -7\r\n")))
                .isEqualTo(new TxAdminCommand(TxAdminCommand.Op.FORGET, "XID:1:0a:0b:uq", -7));
        for (String bad : List.of("txadmin bogus 1\r\n", "txadmin commit 1\r\n", "txadmin list XID:1:0a:0b:uq 1\r\n")) {
            assertThat(decode(ascii(bad), 3)).as(bad).singleElement().isInstanceOf(MalformedFrame.class);
        }
        assertThat(Capabilities.supportsTxAdmin(Capabilities.versionBody("imago-0.1.0", 1024)))
                .isTrue();
        assertThat(Capabilities.supportsTxAdmin("1.4.6.2")).isFalse();
        assertThat(Capabilities.supportsTxAdmin("txadmin")).isFalse(); // a version string, not a marker
    }
}
