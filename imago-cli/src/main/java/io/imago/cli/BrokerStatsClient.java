package io.imago.cli;

import io.imago.protocol.zk.BrokerUrl;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Sends one {@code stats [item]} to a broker over a short-lived connection and returns the raw lines
 * of the answer (spec section 1.4: {@code result 200 <len> <opaque>\r\n} then {@code STATS\r\n...END\r\n},
 * or the raw {@code server.ini} for {@code config}). The client's {@code StatsResult} keys lines by
 * their first word, which merges the per-partition lines of {@code stats offsets}; the tools need every
 * line. Stateless; thread-safe.
 */
final class BrokerStatsClient {
    private static final int OPAQUE = 1;
    private final int timeoutMs;

    BrokerStatsClient(int timeoutMs) {
        this.timeoutMs = timeoutMs;
    }

    /** The lines of {@code stats item} ({@code ""}: the summary) of the broker at {@code address}. */
    List<String> stats(InetSocketAddress address, String item) throws ToolException {
        try (Socket socket = new Socket()) {
            socket.connect(address, timeoutMs);
            socket.setSoTimeout(timeoutMs);
            OutputStream out = socket.getOutputStream();
            out.write(("stats " + item + " " + OPAQUE + "\r\n").getBytes(StandardCharsets.UTF_8));
            out.flush();
            InputStream in = socket.getInputStream();
            String header = readLine(in);
            String[] words = header.split(" ");
            if (words.length < 3 || !"result".equals(words[0])) {
                throw new ToolException("broker " + address + " answered stats with '" + header + "'");
            }
            byte[] body = in.readNBytes(Integer.parseInt(words[2]));
            String text = new String(body, StandardCharsets.UTF_8);
            if (!"200".equals(words[1])) {
                throw new ToolException("broker " + address + " refused stats " + item + ": " + words[1] + " " + text);
            }
            return lines(text);
        } catch (IOException | NumberFormatException e) {
            throw new ToolException("broker " + address + " unreachable: " + e.getMessage(), e);
        }
    }

    private static List<String> lines(String text) {
        List<String> lines = new ArrayList<>();
        for (String line : text.split("\r\n")) {
            if (!line.isEmpty() && !"STATS".equals(line) && !"END".equals(line)) {
                lines.add(line);
            }
        }
        return lines;
    }

    static String readLine(InputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        int previous = -1;
        for (int b = in.read(); b != -1; b = in.read()) {
            if (previous == '\r' && b == '\n') {
                byte[] bytes = line.toByteArray();
                return new String(bytes, 0, bytes.length - 1, StandardCharsets.UTF_8);
            }
            line.write(b);
            previous = b;
        }
        throw new IOException("connection closed before the reply");
    }

    /** {@code host:port} or {@code meta://host:port} ({@link BrokerUrl}) as an address. */
    static InetSocketAddress parseAddress(String text) {
        BrokerUrl url;
        try {
            url = BrokerUrl.parse(text.startsWith(BrokerUrl.SCHEME) ? text : BrokerUrl.SCHEME + text);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("not host:port: " + text, e);
        }
        return new InetSocketAddress(url.host(), url.port());
    }
}
