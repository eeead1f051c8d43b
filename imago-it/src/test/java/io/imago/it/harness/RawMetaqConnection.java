package io.imago.it.harness;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A MetaQ text-protocol client over a plain {@link Socket}, written from the spec alone (no project
 * code), so the suite checks a broker against the protocol and not against our own codec.
 *
 * <p>Requests are a header line ({@code verb args… opaque\r\n}) and an optional body; replies are
 * parsed as {@code result <code> <len> <opaque>\r\n<body>} or {@code value <len> <opaque>\r\n<bytes>}.
 * Opaques come from a per-connection counter starting at {@link Integer#MIN_VALUE}, like the
 * original client. Requests may be pipelined: {@code send…} methods return the opaque and
 * {@link #read()} takes the next reply in arrival order; the {@code request…} helpers send one
 * request and read one reply, checking that it answers that request.
 *
 * <p>Not thread-safe, except that one thread may write while another reads.
 */
public final class RawMetaqConnection implements AutoCloseable {
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);
    private static final int MAX_HEADER_BYTES = 64 * 1024;

    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;
    private int nextOpaque = Integer.MIN_VALUE;

    private RawMetaqConnection(Socket socket) throws IOException {
        this.socket = socket;
        this.in = new BufferedInputStream(socket.getInputStream(), 64 * 1024);
        this.out = socket.getOutputStream();
    }

    /** Connects to {@code 127.0.0.1:port}. */
    public static RawMetaqConnection open(int port) throws IOException {
        Socket s = new Socket();
        s.setTcpNoDelay(true);
        s.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
        s.setSoTimeout((int) DEFAULT_TIMEOUT.toMillis());
        return new RawMetaqConnection(s);
    }

    public static RawMetaqConnection open(BrokerProcess broker) throws IOException {
        return open(broker.port());
    }

    /** The opaque the next {@code send…} call will use. */
    public int peekOpaque() {
        return nextOpaque;
    }

    /** Sends {@code line + " " + opaque + "\r\n"} followed by {@code body}; returns the opaque. */
    public synchronized int send(String lineWithoutOpaque, byte[] body) throws IOException {
        int opaque = nextOpaque++;
        writeRaw(frame(lineWithoutOpaque + " " + opaque, body));
        return opaque;
    }

    public int send(String lineWithoutOpaque) throws IOException {
        return send(lineWithoutOpaque, new byte[0]);
    }

    /** Sends a put in the 1.4.6.2 client's 7-token shape with a correct checksum; returns the opaque. */
    public int sendPut(String topic, int partition, byte[] payload, int flag) throws IOException {
        return send(putLine(topic, partition, payload, flag), payload);
    }

    /** {@code put <topic> <partition> <len> <flag> <checksum>} (without the opaque). */
    public static String putLine(String topic, int partition, byte[] payload, int flag) {
        return "put " + topic + " " + partition + " " + payload.length + " " + flag + " "
                + StoredRecord.checksumOf(payload);
    }

    /** Writes bytes exactly as given. */
    public synchronized void writeRaw(byte[] bytes) throws IOException {
        out.write(bytes);
        out.flush();
    }

    /** A header line plus CRLF plus body, as bytes. */
    public static byte[] frame(String line, byte[] body) {
        byte[] head = (line + "\r\n").getBytes(StandardCharsets.UTF_8);
        byte[] all = new byte[head.length + body.length];
        System.arraycopy(head, 0, all, 0, head.length);
        System.arraycopy(body, 0, all, head.length, body.length);
        return all;
    }

    /** Sends one request and reads its reply (which must carry the request's opaque). */
    public Reply request(String lineWithoutOpaque, byte[] body) throws IOException {
        int opaque = send(lineWithoutOpaque, body);
        Reply reply = read();
        if (reply.opaque() != opaque) {
            throw new IOException("expected a reply to opaque " + opaque + " but got " + reply);
        }
        return reply;
    }

    public Reply request(String lineWithoutOpaque) throws IOException {
        return request(lineWithoutOpaque, new byte[0]);
    }

    public Reply put(String topic, int partition, byte[] payload, int flag) throws IOException {
        return request(putLine(topic, partition, payload, flag), payload);
    }

    public Reply put(String topic, int partition, byte[] payload) throws IOException {
        return put(topic, partition, payload, 0);
    }

    public Reply get(String topic, String group, int partition, long offset, int maxSize) throws IOException {
        return request("get " + topic + " " + group + " " + partition + " " + offset + " " + maxSize);
    }

    public Reply offset(String topic, String group, int partition, long offset) throws IOException {
        return request("offset " + topic + " " + group + " " + partition + " " + offset);
    }

    /** {@code stats <item> <opaque>}; an empty item gives the client's two-space form. */
    public Reply stats(String item) throws IOException {
        return request("stats " + item);
    }

    /** Reads the next reply, waiting at most {@link #DEFAULT_TIMEOUT}. */
    public Reply read() throws IOException {
        return read(DEFAULT_TIMEOUT);
    }

    /** Reads the next reply; {@link SocketTimeoutException} after {@code timeout}, {@link EOFException} on close. */
    public Reply read(Duration timeout) throws IOException {
        socket.setSoTimeout((int) timeout.toMillis());
        String header = readLine();
        String[] t = header.split(" ");
        if (t.length == 4 && t[0].equals("result")) {
            return new Reply(
                    Reply.Kind.RESULT,
                    Integer.parseInt(t[1]),
                    Integer.parseInt(t[3]),
                    readBody(Integer.parseInt(t[2])),
                    header);
        }
        if (t.length == 3 && t[0].equals("value")) {
            return new Reply(
                    Reply.Kind.VALUE,
                    Reply.VALUE_CODE,
                    Integer.parseInt(t[2]),
                    readBody(Integer.parseInt(t[1])),
                    header);
        }
        throw new IOException("not a reply frame: '" + header + "'");
    }

    /** Reads {@code n} replies in arrival order. */
    public List<Reply> read(int n, Duration timeoutEach) throws IOException {
        List<Reply> replies = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            replies.add(read(timeoutEach));
        }
        return replies;
    }

    /**
     * Reads until the broker closes the connection and returns every byte received before that;
     * throws {@link SocketTimeoutException} if the connection is still open after {@code timeout}.
     */
    public byte[] readUntilClosed(Duration timeout) throws IOException {
        long deadline = System.nanoTime() + timeout.toNanos();
        ByteArrayOutputStream got = new ByteArrayOutputStream();
        byte[] buf = new byte[8192];
        while (true) {
            long leftMs = Math.max(1, (deadline - System.nanoTime()) / 1_000_000);
            socket.setSoTimeout((int) Math.min(Integer.MAX_VALUE, leftMs));
            int n;
            try {
                n = in.read(buf);
            } catch (java.net.SocketException e) {
                return got.toByteArray(); // a reset is a close too
            } catch (SocketTimeoutException e) {
                throw new SocketTimeoutException("connection still open after " + timeout + "; received " + got.size()
                        + " bytes: " + got.toString(StandardCharsets.UTF_8));
            }
            if (n < 0) {
                return got.toByteArray();
            }
            got.write(buf, 0, n);
        }
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }

    private String readLine() throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream(64);
        int prev = -1;
        while (true) {
            int b = in.read();
            if (b < 0) {
                throw new EOFException("connection closed by the broker"
                        + (line.size() > 0
                                ? " after partial header '" + line.toString(StandardCharsets.UTF_8) + "'"
                                : ""));
            }
            if (prev == '\r' && b == '\n') {
                byte[] bytes = line.toByteArray();
                return new String(bytes, 0, bytes.length - 1, StandardCharsets.UTF_8);
            }
            if (line.size() >= MAX_HEADER_BYTES) {
                throw new IOException("reply header longer than " + MAX_HEADER_BYTES + " bytes");
            }
            line.write(b);
            prev = b;
        }
    }

    private byte[] readBody(int length) throws IOException {
        if (length < 0) {
            throw new IOException("negative body length " + length);
        }
        byte[] body = in.readNBytes(length);
        if (body.length != length) {
            throw new EOFException("connection closed after " + body.length + " of " + length + " body bytes");
        }
        return body;
    }
}
