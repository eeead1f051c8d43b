package io.imago.protocol.codec;

import io.imago.protocol.command.RequestCommand;
import io.netty.buffer.AbstractByteBufAllocator;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.channel.ChannelHandler;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.ReferenceCounted;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** Test fixtures: bytes from hex and text, feeding decoders and collecting encoders' output. */
final class Wire {

    private Wire() {}

    static byte[] hex(String hex) {
        return HexFormat.of().parseHex(hex.replaceAll("\\s", ""));
    }

    static byte[] ascii(String text) {
        return text.getBytes(StandardCharsets.ISO_8859_1);
    }

    static String text(byte[] bytes) {
        return new String(bytes, StandardCharsets.ISO_8859_1);
    }

    static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] part : parts) {
            out.writeBytes(part);
        }
        return out.toByteArray();
    }

    /** Readable bytes of a buffer, indices untouched. */
    static byte[] bytes(ByteBuf buf) {
        byte[] out = new byte[buf.readableBytes()];
        buf.getBytes(buf.readerIndex(), out);
        return out;
    }

    /** Splits {@code bytes} into chunks of {@code size} (the last may be shorter). */
    static List<byte[]> chunks(byte[] bytes, int size) {
        List<byte[]> out = new ArrayList<>();
        for (int i = 0; i < bytes.length; i += size) {
            byte[] chunk = new byte[Math.min(size, bytes.length - i)];
            System.arraycopy(bytes, i, chunk, 0, chunk.length);
            out.add(chunk);
        }
        return out;
    }

    /** An allocator that remembers every buffer it hands out, to check that all were released. */
    static final class TrackingAllocator extends AbstractByteBufAllocator {
        private final List<ByteBuf> allocated = new CopyOnWriteArrayList<>();

        TrackingAllocator() {
            super(false);
        }

        @Override
        protected ByteBuf newHeapBuffer(int initialCapacity, int maxCapacity) {
            return track(Unpooled.buffer(initialCapacity, maxCapacity));
        }

        @Override
        protected ByteBuf newDirectBuffer(int initialCapacity, int maxCapacity) {
            return track(Unpooled.directBuffer(initialCapacity, maxCapacity));
        }

        @Override
        public boolean isDirectBufferPooled() {
            return false;
        }

        private ByteBuf track(ByteBuf buf) {
            allocated.add(buf);
            return buf;
        }

        List<ByteBuf> unreleased() {
            return allocated.stream().filter(b -> b.refCnt() != 0).toList();
        }
    }

    /** A channel with one handler and a tracking allocator; remembers the inputs it was fed. */
    static final class Harness implements AutoCloseable {
        final TrackingAllocator alloc = new TrackingAllocator();
        final EmbeddedChannel channel;
        private final List<ByteBuf> inputs = new ArrayList<>();

        Harness(ChannelHandler... handlers) {
            channel = new EmbeddedChannel(handlers);
            channel.config().setAllocator(alloc);
        }

        /** Feeds each chunk as its own read and returns everything decoded so far (caller releases). */
        List<Object> feed(List<byte[]> chunkList) {
            for (byte[] chunk : chunkList) {
                ByteBuf in = Unpooled.wrappedBuffer(chunk);
                if (chunk.length > 0) {
                    inputs.add(in); // an empty chunk is the shared, never-released EMPTY_BUFFER
                }
                channel.writeInbound(in);
            }
            return drainInbound();
        }

        List<Object> feed(byte[] bytes) {
            return feed(List.of(bytes));
        }

        List<Object> drainInbound() {
            List<Object> out = new ArrayList<>();
            for (Object msg = channel.readInbound(); msg != null; msg = channel.readInbound()) {
                out.add(msg);
            }
            return out;
        }

        /** Everything written outbound, as one byte array; releases the written buffers. */
        byte[] drainOutbound() {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            for (Object msg = channel.readOutbound(); msg != null; msg = channel.readOutbound()) {
                ByteBuf buf = (ByteBuf) msg;
                out.writeBytes(bytes(buf));
                buf.release();
            }
            return out.toByteArray();
        }

        /** Buffers still referenced: inputs the decoder kept or allocations nobody released. */
        List<ReferenceCounted> leaks() {
            List<ReferenceCounted> out = new ArrayList<>();
            inputs.stream().filter(b -> b.refCnt() != 0).forEach(out::add);
            out.addAll(alloc.unreleased());
            return out;
        }

        /** Closes the channel, releasing whatever it still holds; idempotent. */
        void finish() {
            channel.finishAndReleaseAll();
        }

        @Override
        public void close() {
            finish();
        }
    }

    static void releaseAll(List<?> messages) {
        messages.forEach(ReferenceCountUtil::release);
    }

    /** The bytes the request encoder writes for {@code command}; the command is released. */
    static byte[] encodeRequest(RequestCommand command) {
        try (Harness h = new Harness(new RequestEncoder())) {
            h.channel.writeOutbound(command);
            return h.drainOutbound();
        }
    }

    /** The bytes the response encoder writes for {@code reply}; reference-counted replies are released. */
    static byte[] encodeResponse(Object reply) {
        try (Harness h = new Harness(new ResponseEncoder())) {
            h.channel.writeOutbound(reply);
            return h.drainOutbound();
        }
    }

    static ByteBufAllocator heap() {
        return UnpooledByteBufAllocator.DEFAULT;
    }

    /** One packet of the original client/broker capture. */
    record Packet(int section, int number, boolean clientToBroker, byte[] bytes) {}

    static List<Packet> capture() {
        try (InputStream in = Wire.class.getResourceAsStream("metaq-wire-capture.packets")) {
            String all = new String(in.readAllBytes(), StandardCharsets.US_ASCII);
            List<Packet> packets = new ArrayList<>();
            for (String line : all.split("\n")) {
                if (line.isBlank() || line.startsWith("#")) {
                    continue;
                }
                String[] f = line.split(" ");
                packets.add(new Packet(Integer.parseInt(f[0]), Integer.parseInt(f[1]), f[2].equals("C2B"), hex(f[3])));
            }
            return packets;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The concatenated bytes of one direction of one capture section. */
    static byte[] stream(int section, boolean clientToBroker) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        capture().stream()
                .filter(p -> p.section() == section && p.clientToBroker() == clientToBroker)
                .forEach(p -> out.writeBytes(p.bytes()));
        return out.toByteArray();
    }
}
