package io.imago.cli;

import io.imago.protocol.Capabilities;
import io.imago.protocol.command.TxAdminCommand;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * Sends one {@code txadmin} request (Imago's operator extension, {@link TxAdminCommand}) to a broker
 * over a short-lived connection, after checking with {@code version} that the broker announces it, and
 * returns the body of a {@code result 200}; any other answer is a {@link ToolException} carrying the
 * broker's reason. Stateless; thread-safe.
 */
final class TxAdminClient {
    private final int timeoutMs;

    TxAdminClient(int timeoutMs) {
        this.timeoutMs = timeoutMs;
    }

    /** The body of the broker's answer to {@code txadmin <op> [key]}. */
    String request(InetSocketAddress address, TxAdminCommand.Op op, String key) throws ToolException {
        try (Socket socket = new Socket()) {
            socket.connect(address, timeoutMs);
            socket.setSoTimeout(timeoutMs);
            OutputStream out = socket.getOutputStream();
            InputStream in = socket.getInputStream();
            out.write("version 1\r\n".getBytes(StandardCharsets.UTF_8));
            out.flush();
            String version = body(address, in, "version");
            if (!Capabilities.supportsTxAdmin(version)) {
                throw new ToolException("broker " + address + " (" + version
                        + ") does not announce txadmin: it is not an Imago broker with transactions");
            }
            String line = "txadmin " + op.token() + (key.isEmpty() ? "" : " " + key) + " 2\r\n";
            out.write(line.getBytes(StandardCharsets.UTF_8));
            out.flush();
            return body(address, in, "txadmin " + op.token());
        } catch (IOException | NumberFormatException e) {
            throw new ToolException("broker " + address + " unreachable: " + e.getMessage(), e);
        }
    }

    private static String body(InetSocketAddress address, InputStream in, String what)
            throws IOException, ToolException {
        String header = BrokerStatsClient.readLine(in);
        String[] words = header.split(" ");
        if (words.length < 3 || !"result".equals(words[0])) {
            throw new ToolException("broker " + address + " answered " + what + " with '" + header + "'");
        }
        String text = new String(in.readNBytes(Integer.parseInt(words[2])), StandardCharsets.UTF_8);
        if (!"200".equals(words[1])) {
            throw new ToolException("broker " + address + " refused " + what + ": " + text);
        }
        return text;
    }
}
