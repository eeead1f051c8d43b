package io.imago.protocol.codec;

import static io.imago.protocol.codec.Wire.ascii;
import static org.assertj.core.api.Assertions.assertThat;

import io.imago.protocol.command.RequestCommand;
import io.imago.protocol.command.ResponseCommand;
import io.netty.buffer.ByteBufHolder;
import io.netty.buffer.ByteBufUtil;
import io.netty.util.ResourceLeakDetector;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.function.Supplier;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.BeforeContainer;

/**
 * Feeds random bytes and mutated valid frames, in random chunks, to both decoders: nothing escapes the
 * pipeline, every output is a decoded command or one final {@link MalformedFrame}, the chunking does
 * not change the outcome and no buffer stays referenced.
 */
class CodecFuzzProperties {

    private static final List<byte[]> REQUESTS = List.of(
            Wire.stream(1, true),
            Wire.stream(2, true),
            Wire.stream(3, true),
            ascii("put t1 2 5 0 1932574684 TX:192.0.2.2-1795639329547-1:1 -2147483643\r\ntxmsg"),
            ascii("transaction XID:1:0a0b:0c0d:uq-host s BEGIN 60 uq-host -3\r\nquit\r\n"),
            ascii("transaction null s RECOVER uq 3\r\nsync t 1 2 0 77 99 4\r\nhistats\r\nversion\r\n"),
            ascii("put t 0 3 0 5\r\nabcput t 0 3 0 TX:s:1 5\r\nabcsync t 1 2 0 77 4\r\nhi"));
    private static final List<byte[]> RESPONSES = List.of(
            Wire.stream(1, false),
            Wire.stream(2, false),
            Wire.stream(3, false),
            ascii("result 200 0 -5\r\nresult 500 3 1\r\nerrvalue 0 9\r\n"));

    @BeforeContainer
    static void detectLeaksParanoidly() {
        ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.PARANOID);
    }

    @Property(tries = 300)
    void randomBytesNeverEscapeTheRequestDecoder(@ForAll("noise") byte[] input, @ForAll long chunkSeed) {
        checkDecoding(RequestDecoder::new, RequestCommand.class, input, chunkSeed);
    }

    @Property(tries = 300)
    void randomBytesNeverEscapeTheResponseDecoder(@ForAll("noise") byte[] input, @ForAll long chunkSeed) {
        checkDecoding(ResponseDecoder::new, ResponseCommand.class, input, chunkSeed);
    }

    @Property(tries = 400)
    void mutatedRequestsDecodeToCommandsOrOneFinalMalformedFrame(
            @ForAll("mutatedRequests") byte[] input, @ForAll long chunkSeed) {
        checkDecoding(RequestDecoder::new, RequestCommand.class, input, chunkSeed);
    }

    @Property(tries = 300)
    void mutatedResponsesDecodeToRepliesOrOneFinalMalformedFrame(
            @ForAll("mutatedResponses") byte[] input, @ForAll long chunkSeed) {
        checkDecoding(ResponseDecoder::new, ResponseCommand.class, input, chunkSeed);
    }

    @Provide
    Arbitrary<byte[]> noise() {
        Arbitrary<byte[]> random = Arbitraries.bytes().array(byte[].class).ofMaxSize(600);
        Arbitrary<byte[]> verbThenNoise = Combinators.combine(
                        Arbitraries.of(
                                "put ", "get ", "sync ", "stats ", "transaction ", "result ", "value ", "version "),
                        Arbitraries.strings()
                                .withChars("0123456789 -\r\nTXID:abc")
                                .ofMaxLength(80))
                .as((verb, rest) -> ascii(verb + rest));
        return Arbitraries.oneOf(random, verbThenNoise);
    }

    @Provide
    Arbitrary<byte[]> mutatedRequests() {
        return mutated(REQUESTS);
    }

    @Provide
    Arbitrary<byte[]> mutatedResponses() {
        return mutated(RESPONSES);
    }

    private static Arbitrary<byte[]> mutated(List<byte[]> corpus) {
        return Combinators.combine(Arbitraries.of(corpus), Arbitraries.of(corpus), Arbitraries.longs())
                .as(CodecFuzzProperties::mutate);
    }

    /** Bit flips, truncation, splicing or a digit change, chosen by the seed. */
    private static byte[] mutate(byte[] a, byte[] b, long seed) {
        Random random = new Random(seed);
        byte[] out = a.clone();
        switch (random.nextInt(5)) {
            case 0 -> {
                for (int flips = 1 + random.nextInt(3); flips > 0; flips--) {
                    out[random.nextInt(out.length)] ^= (byte) (1 << random.nextInt(8));
                }
            }
            case 1 -> out = Arrays.copyOf(out, random.nextInt(out.length + 1));
            case 2 -> {
                int cutA = random.nextInt(a.length + 1);
                int cutB = random.nextInt(b.length + 1);
                out = Wire.concat(Arrays.copyOf(a, cutA), Arrays.copyOfRange(b, cutB, b.length));
            }
            case 3 -> out[random.nextInt(out.length)] = (byte) "0123456789- \r\n".charAt(random.nextInt(14));
            default -> {
                // unmutated: must decode without any MalformedFrame
            }
        }
        return out;
    }

    private static void checkDecoding(
            Supplier<FrameDecoder> decoders, Class<?> commandType, byte[] input, long chunkSeed) {
        List<String> whole = decodeAndCheck(decoders.get(), commandType, List.of(input));
        List<String> chunked = decodeAndCheck(decoders.get(), commandType, randomChunks(input, chunkSeed));
        assertThat(chunked).as("chunking does not change the outcome").isEqualTo(whole);
    }

    /** Decodes, checks the invariants, releases everything and returns a description of each output. */
    private static List<String> decodeAndCheck(FrameDecoder decoder, Class<?> commandType, List<byte[]> chunks) {
        try (Wire.Harness h = new Wire.Harness(decoder)) {
            List<Object> out = h.feed(chunks);
            h.channel.checkException();
            List<String> described = new ArrayList<>();
            for (int i = 0; i < out.size(); i++) {
                Object message = out.get(i);
                if (message instanceof MalformedFrame) {
                    assertThat(i).as("a MalformedFrame is the last output").isEqualTo(out.size() - 1);
                } else {
                    assertThat(message).isInstanceOf(commandType);
                }
                described.add(
                        message instanceof ByteBufHolder holder
                                ? message + ":" + ByteBufUtil.hexDump(holder.content())
                                : message.toString());
            }
            Wire.releaseAll(out);
            h.finish();
            assertThat(h.leaks()).as("no buffer stays referenced").isEmpty();
            return described;
        }
    }

    private static List<byte[]> randomChunks(byte[] input, long seed) {
        Random random = new Random(seed);
        List<byte[]> chunks = new ArrayList<>();
        int at = 0;
        while (at < input.length) {
            int size = Math.min(input.length - at, 1 + random.nextInt(random.nextBoolean() ? 4 : 64));
            chunks.add(Arrays.copyOfRange(input, at, at + size));
            at += size;
        }
        return chunks;
    }
}
