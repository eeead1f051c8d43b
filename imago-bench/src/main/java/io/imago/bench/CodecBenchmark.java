package io.imago.bench;

import io.imago.protocol.RecordDescriptor;
import io.imago.protocol.codec.RequestDecoder;
import io.imago.protocol.message.MessageSetIterator;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.util.ReferenceCountUtil;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * The codec's hot paths, one operation per message: the broker decoding pipelined {@code put} frames
 * (what every produced message costs it before the store), and the client walking a fetched message
 * set (what every consumed message costs it). {@value #BATCH} messages per invocation.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class CodecBenchmark {
    static final int BATCH = 256;

    /** Payload bytes of each message. */
    @Param({"100", "1024"})
    public int payloadBytes;

    private EmbeddedChannel decoder;
    private ByteBuf putFrames;
    private ByteBuf messageSet;

    @Setup(Level.Trial)
    public void setUp() {
        decoder = new EmbeddedChannel(new RequestDecoder());
        byte[] payload = new byte[payloadBytes];
        int checksum = RecordDescriptor.checksum(payload, 0, payload.length);
        putFrames = Unpooled.directBuffer();
        for (int i = 0; i < BATCH; i++) {
            putFrames.writeCharSequence(
                    "put bench 0 " + payloadBytes + " 0 " + checksum + " " + i + "\r\n", StandardCharsets.US_ASCII);
            putFrames.writeBytes(payload);
        }
        ByteBuffer set = ByteBuffer.allocateDirect(BATCH * RecordDescriptor.recordLength(payloadBytes));
        for (int i = 0; i < BATCH; i++) {
            RecordDescriptor.writeHeader(set, payloadBytes, checksum, i + 1, 0);
            set.put(payload);
        }
        set.flip();
        messageSet = Unpooled.wrappedBuffer(set);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        decoder.finishAndReleaseAll();
        putFrames.release();
        messageSet.release();
    }

    /** The broker's side of a put: header line parsed, body sliced, command built. */
    @Benchmark
    @OperationsPerInvocation(BATCH)
    public void decodePut(Blackhole bh) {
        decoder.writeInbound(putFrames.retainedDuplicate());
        for (Object command = decoder.readInbound(); command != null; command = decoder.readInbound()) {
            bh.consume(command);
            ReferenceCountUtil.release(command);
        }
    }

    /** The client's side of a fetch: each record's header checked (CRC included) and its payload sliced. */
    @Benchmark
    @OperationsPerInvocation(BATCH)
    public void iterateMessageSet(Blackhole bh) {
        MessageSetIterator it = new MessageSetIterator(messageSet.duplicate(), 0);
        while (it.hasNext()) {
            bh.consume(it.next());
        }
    }
}
