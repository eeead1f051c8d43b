package io.imago.broker;

import io.imago.protocol.codec.ResponseDecoder;
import io.imago.protocol.command.PutBatchCommand;
import io.imago.protocol.command.ResponseCommand;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * A blocking test client: writes raw request bytes over a socket and decodes replies with the
 * protocol's own {@link ResponseDecoder}. Replies are returned in arrival order; callers match
 * opaques. The caller releases what it reads. Not thread-safe.
 */
public final class WireClient implements AutoCloseable {
    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;
    private final EmbeddedChannel decoder = new EmbeddedChannel(new ResponseDecoder(8 << 20));

    WireClient(InetSocketAddress address) throws IOException {
        socket = new Socket(address.getAddress(), address.getPort());
        socket.setTcpNoDelay(true);
        socket.setSoTimeout(10_000);
        in = socket.getInputStream();
        out = socket.getOutputStream();
    }

    public WireClient send(String line) throws IOException {
        return send(line.getBytes(StandardCharsets.UTF_8));
    }

    public WireClient send(byte[] bytes) throws IOException {
        out.write(bytes);
        out.flush();
        return this;
    }

    /** Sends {@code put topic partition len flag -1 opaque} with the body. */
    public WireClient put(String topic, int partition, byte[] body, int opaque) throws IOException {
        send("put " + topic + " " + partition + " " + body.length + " 0 -1 " + opaque + "\r\n");
        return send(body);
    }

    /** The frame of a batch of {@code messages} (attribute "a" on every odd one). */
    public static byte[] putbFrame(String topic, int partition, List<String> messages, int opaque) {
        ByteBuf body = Unpooled.buffer();
        for (int i = 0; i < messages.size(); i++) {
            PutBatchCommand.writeEntry(body, i % 2 == 1 ? "a" : null, bytes(messages.get(i)));
        }
        byte[] entries = ByteBufUtil.getBytes(body);
        body.release();
        byte[] line = bytes("putb " + topic + " " + partition + " " + messages.size() + " " + entries.length + " "
                + opaque + "\r\n");
        byte[] frame = new byte[line.length + entries.length];
        System.arraycopy(line, 0, frame, 0, line.length);
        System.arraycopy(entries, 0, frame, line.length, entries.length);
        return frame;
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** The next reply, waiting up to the socket timeout. */
    public ResponseCommand read() throws IOException {
        while (true) {
            Object decoded = decoder.readInbound();
            if (decoded != null) {
                return (ResponseCommand) decoded;
            }
            byte[] buf = new byte[64 * 1024];
            int n = in.read(buf);
            if (n < 0) {
                throw new IOException("connection closed by the broker");
            }
            decoder.writeInbound(Unpooled.wrappedBuffer(buf, 0, n));
        }
    }

    public List<ResponseCommand> read(int count) throws IOException {
        List<ResponseCommand> replies = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            replies.add(read());
        }
        return replies;
    }

    /** Whether the broker closed the connection within the timeout (any pending replies are skipped). */
    public boolean closedByBroker(int timeoutMs) throws IOException {
        socket.setSoTimeout(timeoutMs);
        try {
            byte[] buf = new byte[4096];
            while (true) {
                if (in.read(buf) < 0) {
                    return true;
                }
            }
        } catch (SocketTimeoutException e) {
            return false;
        } catch (IOException e) {
            return true;
        }
    }

    @Override
    public void close() throws IOException {
        decoder.finishAndReleaseAll();
        socket.close();
    }
}
