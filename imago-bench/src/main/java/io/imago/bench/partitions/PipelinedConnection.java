package io.imago.bench.partitions;

import io.imago.protocol.RecordDescriptor;
import io.imago.protocol.codec.MalformedFrame;
import io.imago.protocol.codec.RequestEncoder;
import io.imago.protocol.codec.ResponseDecoder;
import io.imago.protocol.command.GetCommand;
import io.imago.protocol.command.PutCommand;
import io.imago.protocol.command.RequestCommand;
import io.imago.protocol.command.ResponseCommand;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.channel.embedded.EmbeddedChannel;
import java.io.BufferedOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;

/**
 * One blocking connection to a broker on 127.0.0.1 that pipelines requests: {@code put…}/{@code get…}
 * buffer a request frame and return its opaque, {@link #read()} flushes what is buffered and returns
 * the next reply in arrival order (replies of different partitions may come in any order: match them
 * by opaque). Frames are written by the protocol's {@link RequestEncoder} and replies parsed by its
 * {@link ResponseDecoder} (in an {@link EmbeddedChannel}), so the wire format has one home.
 *
 * <p>Replies are {@link io.imago.protocol.command.ResultCommand}s and
 * {@link io.imago.protocol.command.ValueCommand}s that the caller must release. Not thread-safe.
 */
final class PipelinedConnection implements AutoCloseable {
    private static final int BUFFER_BYTES = 64 * 1024;

    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;
    private final EmbeddedChannel decoder = new EmbeddedChannel(new ResponseDecoder());
    private final byte[] readBuffer = new byte[BUFFER_BYTES];
    private int nextOpaque = 1;

    private PipelinedConnection(Socket socket) throws IOException {
        this.socket = socket;
        this.in = socket.getInputStream();
        this.out = new BufferedOutputStream(socket.getOutputStream(), BUFFER_BYTES);
    }

    /** Connects to {@code 127.0.0.1:port}; a read waits at most {@code readTimeout}. */
    static PipelinedConnection open(int port, Duration readTimeout) throws IOException {
        Socket s = new Socket();
        try {
            s.setTcpNoDelay(true);
            s.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
            s.setSoTimeout((int) readTimeout.toMillis());
            return new PipelinedConnection(s);
        } catch (IOException e) {
            s.close();
            throw e;
        }
    }

    /** Buffers a put of {@code payload} (flag 0, with its checksum) to one partition; returns its opaque. */
    int put(String topic, int partition, byte[] payload) throws IOException {
        int checksum = RecordDescriptor.checksum(payload, 0, payload.length);
        int opaque = nextOpaque++;
        write(new PutCommand(topic, partition, 0, checksum, null, opaque, Unpooled.wrappedBuffer(payload)));
        return opaque;
    }

    /** Buffers a get of up to {@code maxSize} bytes at {@code offset}; returns its opaque. */
    int get(String topic, String group, int partition, long offset, int maxSize) throws IOException {
        int opaque = nextOpaque++;
        write(new GetCommand(topic, group, partition, offset, maxSize, opaque));
        return opaque;
    }

    private void write(RequestCommand command) throws IOException {
        ByteBuf frame = RequestEncoder.encode(UnpooledByteBufAllocator.DEFAULT, command);
        try {
            frame.readBytes(out, frame.readableBytes());
        } finally {
            frame.release();
            if (command instanceof PutCommand put) {
                put.release();
            }
        }
    }

    /** Sends what is buffered and returns the next reply (the caller releases it). */
    ResponseCommand read() throws IOException {
        while (true) {
            Object decoded = decoder.readInbound();
            if (decoded instanceof ResponseCommand reply) {
                return reply;
            }
            if (decoded instanceof MalformedFrame bad) {
                throw new IOException("malformed reply from the broker: " + bad.reason());
            }
            if (decoded != null) {
                throw new IOException("unexpected decoded object " + decoded);
            }
            out.flush();
            int n = in.read(readBuffer);
            if (n < 0) {
                throw new EOFException("connection closed by the broker");
            }
            decoder.writeInbound(Unpooled.copiedBuffer(readBuffer, 0, n));
        }
    }

    @Override
    public void close() throws IOException {
        try {
            decoder.finishAndReleaseAll();
        } finally {
            socket.close();
        }
    }
}
