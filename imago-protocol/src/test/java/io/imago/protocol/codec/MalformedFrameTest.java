package io.imago.protocol.codec;

import static io.imago.protocol.codec.Wire.ascii;
import static org.assertj.core.api.Assertions.assertThat;

import io.imago.protocol.command.PutCommand;
import io.imago.protocol.command.ResultCommand;
import io.imago.protocol.command.StatsCommand;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

@Timeout(10)
class MalformedFrameTest {
    private static final int SMALL_BUFFER_BYTES = 8 * 1024;

    /** Feeds {@code line} then a valid frame; expects exactly one MalformedFrame and nothing after it. */
    private static MalformedFrame malformed(FrameDecoder decoder, String input, String validFrame) {
        try (Wire.Harness h = new Wire.Harness(decoder)) {
            List<Object> out = h.feed(ascii(input));
            out.addAll(h.feed(ascii(validFrame)));
            assertThat(out).hasSize(1);
            assertThat(out.get(0)).isInstanceOf(MalformedFrame.class);
            assertThat(decoder.hasFailed()).isTrue();
            h.finish();
            assertThat(h.leaks()).isEmpty();
            return (MalformedFrame) out.get(0);
        }
    }

    private static MalformedFrame malformedRequest(String input) {
        return malformed(new RequestDecoder(), input, "version 1\r\n");
    }

    @Test
    void headerLineLongerThanTheLimitWithoutCrlfIsRefused() {
        char[] line = new char[4098];
        Arrays.fill(line, 'a');
        MalformedFrame frame = malformedRequest(new String(line));
        assertThat(frame.opaque()).isEqualTo(MalformedFrame.UNKNOWN_OPAQUE);
        assertThat(frame.reason()).isEqualTo("header line longer than 4096 bytes");
    }

    @Test
    void headerLineOfExactlyTheLimitIsAccepted() {
        String prefix = "stats ";
        String suffix = " 1";
        String item = "x".repeat(4096 - prefix.length() - suffix.length());
        try (Wire.Harness h = new Wire.Harness(new RequestDecoder())) {
            assertThat(h.feed(Wire.chunks(ascii(prefix + item + suffix + "\r\n"), 100)))
                    .containsExactly(new StatsCommand(item, 1));
        }
    }

    @Test
    void headerLineOneByteOverTheLimitIsRefusedEvenWithItsCrlf() {
        String line = "stats " + "x".repeat(4097 - "stats  1".length()) + " 1";
        assertThat(line).hasSize(4097);
        assertThat(malformedRequest(line + "\r\n").reason()).contains("longer than 4096");
    }

    @Test
    void bodyAboveTheLimitIsRefusedAsSoonAsTheHeaderArrives() {
        MalformedFrame frame = malformedRequest("put t 0 4194305 0 -1 12\r\n");
        assertThat(frame.opaque()).isEqualTo(12);
        assertThat(frame.reason())
                .isEqualTo("Invalid put command: body of 4194305 bytes exceeds the limit of 4194304 bytes");
    }

    @Test
    void bodyAtTheConfiguredLimitIsAcceptedAndOneByteMoreIsNot() {
        try (Wire.Harness h = new Wire.Harness(new RequestDecoder(10))) {
            List<Object> out = h.feed(ascii("put t 0 10 0 -1 1\r\n0123456789"));
            assertThat(out).hasSize(1).first().isInstanceOf(PutCommand.class);
            Wire.releaseAll(out);
        }
        assertThat(malformed(new RequestDecoder(10), "sync t 0 11 0 5 -1 1\r\n", "quit\r\n")
                        .reason())
                .contains("exceeds the limit of 10 bytes");
    }

    @Test
    void aClaimedTwoGibibyteBodyAllocatesNothingForIt() {
        RequestDecoder decoder = new RequestDecoder();
        try (Wire.Harness h = new Wire.Harness(decoder)) {
            List<Object> out = h.feed(ascii("put t 0 2147483647 0 -1 3\r\n"));
            assertThat(out)
                    .containsExactly(new MalformedFrame(
                            3, "Invalid put command: body of 2147483647 bytes exceeds the limit of 4194304 bytes"));
            byte[] kib = new byte[1024];
            for (int i = 0; i < 256; i++) {
                assertThat(h.feed(kib)).isEmpty();
                assertThat(decoder.bufferedCapacity()).isLessThanOrEqualTo(SMALL_BUFFER_BYTES);
            }
            assertThat(h.alloc.unreleased()).isEmpty();
        }
    }

    @Test
    void aBodyLengthBeyondThirtyTwoBitsIsNotANumber() {
        assertThat(malformedRequest("put t 0 2147483648 0 -1 3\r\n").reason())
                .isEqualTo("Invalid put command: body length is not a 32-bit decimal number: '2147483648'");
    }

    @Test
    void aNegativeBodyLengthIsRefused() {
        assertThat(malformedRequest("put t 0 -1 0 -1 3\r\n").reason()).contains("negative body length -1");
    }

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {
                "get t g x 0 10 5|5|Invalid get command: partition is not a 32-bit decimal number: 'x'",
                "get t g 0 zero 10 5|5|Invalid get command: offset is not a 64-bit decimal number: 'zero'",
                "offset t g 0 0 op|2147483647|Invalid offset command: opaque is not a 32-bit decimal number: 'op'",
                "version v1|2147483647|Invalid version command: opaque is not a 32-bit decimal number: 'v1'",
                "stats topics x|2147483647|Invalid stats command: opaque is not a 32-bit decimal number: 'x'",
                "transaction TX:s:1 s BEGIN 99999999999 3|3|Invalid transaction command: timeout is not a 32-bit decimal number: '99999999999'",
                "sync t 0 1 0 id 5 6|6|Invalid sync command: message id is not a 64-bit decimal number: 'id'",
                "put t 0 1 f 5|5|Invalid put command: flag is not a 32-bit decimal number: 'f'",
            })
    void nonNumericNumberIsRefused(String line, int opaque, String reason) {
        assertThat(malformedRequest(line + "\r\n")).isEqualTo(new MalformedFrame(opaque, reason));
    }

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {
                "get t g 0 0 10|10|Invalid get command: expected 7 to 8 tokens but got 6",
                "get t g 0 0 10 1 2 3|3|Invalid get command: expected 7 to 8 tokens but got 9",
                "put t 0 1 0 5 TX:s:1 -1 7|7|Invalid put command: expected 6 to 8 tokens but got 9",
                "put t 0 1 7|7|Invalid put command: expected 6 to 8 tokens but got 5",
                "offset t g 0 0 1 2|2|Invalid offset command: expected 6 tokens but got 7",
                "quit 5|5|Invalid quit command: expected 1 tokens but got 2",
                "version 1 2|2|Invalid version command: expected 1 to 2 tokens but got 3",
                "stats a b 3|3|Invalid stats command: expected 1 to 3 tokens but got 4",
                "transaction TX:s:1 s BEGIN|2147483647|Invalid transaction command: expected 5 to 7 tokens but got 4",
                "sync t 0 1 0 5|5|Invalid sync command: expected 7 to 8 tokens but got 6",
            })
    void wrongTokenCountIsRefused(String line, int opaque, String reason) {
        assertThat(malformedRequest(line + "\r\n")).isEqualTo(new MalformedFrame(opaque, reason));
    }

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {
                "bogus 1|Unknown command 'bogus'",
                "vxyz 1|Unknown command 'vxyz'",
                "result 200 0 1|Unknown command 'result'",
                "value 0 1|Unknown command 'value'",
                "' put t 0 0 0 1'|Blank command line",
            })
    void unknownCommandIsRefusedWithoutOpaque(String line, String reason) {
        assertThat(malformedRequest(line + "\r\n"))
                .isEqualTo(new MalformedFrame(MalformedFrame.UNKNOWN_OPAQUE, reason));
    }

    @Test
    void emptyLineIsRefused() {
        assertThat(malformedRequest("\r\n").reason()).isEqualTo("Blank command line");
    }

    @Test
    void illegalTransactionKeysAndTypesAreRefused() {
        assertThat(malformedRequest("put t 0 1 0 TXX 5\r\nx").reason())
                .isEqualTo("Invalid put command: illegal transaction key 'TXX'");
        assertThat(malformedRequest("put t 0 1 0 1 XID:1:0g:00:q 5\r\nx").reason())
                .startsWith("Invalid put command: illegal XA transaction key");
        assertThat(malformedRequest("transaction TX:s:1 s START 5\r\n").reason())
                .isEqualTo("Invalid transaction command: unknown transaction type 'START'");
        assertThat(malformedRequest("put t 0 1 0  5\r\nx").reason())
                .isEqualTo("Invalid put command: empty checksum or transaction key");
    }

    @Test
    void nothingAfterAMalformedFrameIsDecodedEvenInTheSameRead() {
        try (Wire.Harness h = new Wire.Harness(new RequestDecoder())) {
            List<Object> out = h.feed(ascii("version 1\r\nbogus\r\nversion 2\r\nput t 0 1 0 -1 3\r\nx"));
            assertThat(out).hasSize(2);
            assertThat(out.get(1)).isInstanceOf(MalformedFrame.class);
            assertThat(h.feed(ascii("version 3\r\n"))).isEmpty();
        }
    }

    @Test
    void malformedFrameRepliesResult500WithItsReason() {
        ResultCommand reply = new MalformedFrame(7, "Unknown command 'bogus'").toReply();
        assertThat(Wire.text(Wire.encodeResponse(reply))).isEqualTo("result 500 23 7\r\nUnknown command 'bogus'");
    }

    @Test
    void responseDecoderRefusesOversizedAndUnknownReplies() {
        assertThat(malformed(new ResponseDecoder(), "value 4194305 1\r\n", "result 200 0 1\r\n"))
                .isEqualTo(new MalformedFrame(
                        1, "Invalid value reply: body of 4194305 bytes exceeds the limit of" + " 4194304 bytes"));
        assertThat(malformed(new ResponseDecoder(), "version 1\r\n", "result 200 0 1\r\n"))
                .isEqualTo(new MalformedFrame(MalformedFrame.UNKNOWN_OPAQUE, "Unknown reply 'version'"));
        assertThat(malformed(new ResponseDecoder(), "result 200 x 1\r\n", "result 200 0 1\r\n")
                        .reason())
                .isEqualTo("Invalid result reply: body length is not a 32-bit decimal number: 'x'");
    }
}
