package io.imago.client.testing;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;

/**
 * A fake broker on 127.0.0.1 for remoting tests: it reads request header lines (and the ASCII
 * body of a put) and answers each with what the script returns for it (nothing = stay silent). Every
 * line received is recorded. {@link #dropConnections()} closes the client sockets; {@link #close()}
 * stops listening. Thread-safe; one daemon thread per connection.
 */
public final class ScriptedBroker implements AutoCloseable {
    private final Function<String, Optional<String>> script;
    private final List<String> received = new CopyOnWriteArrayList<>();
    private final List<String> bodies = new CopyOnWriteArrayList<>();
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();
    private final ServerSocket server;
    private final Thread acceptor;

    private ScriptedBroker(int port, Function<String, Optional<String>> script) throws IOException {
        this.script = script;
        this.server = new ServerSocket();
        server.setReuseAddress(true);
        server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
        this.acceptor = new Thread(this::accept, "scripted-broker-accept");
        acceptor.setDaemon(true);
    }

    /** Listens on {@code port} (0 = any free port) and answers with {@code script}. */
    public static ScriptedBroker start(int port, Function<String, Optional<String>> script) throws IOException {
        ScriptedBroker b = new ScriptedBroker(port, script);
        b.acceptor.start();
        return b;
    }

    /** A reply line for {@code result <code> <body> <opaque of the request line>}. */
    public static String result(String requestLine, int code, String body) {
        String[] t = requestLine.split(" ");
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        return "result " + code + " " + bytes.length + " " + t[t.length - 1] + "\r\n" + body;
    }

    public int port() {
        return server.getLocalPort();
    }

    public String url() {
        return "meta://127.0.0.1:" + port();
    }

    public List<String> received() {
        return received;
    }

    /** Writes raw bytes to every open connection. */
    public void sendToAll(String text) throws IOException {
        for (Socket s : sockets) {
            OutputStream out = s.getOutputStream();
            out.write(text.getBytes(StandardCharsets.UTF_8));
            out.flush();
        }
    }

    public void dropConnections() throws IOException {
        for (Socket s : sockets) {
            s.close();
        }
        sockets.clear();
    }

    private void accept() {
        while (!server.isClosed()) {
            try {
                Socket s = server.accept();
                sockets.add(s);
                if (server.isClosed()) {
                    s.close(); // accepted while closing: dropConnections may have missed it
                    return;
                }
                Thread t = new Thread(() -> serve(s), "scripted-broker-conn");
                t.setDaemon(true);
                t.start();
            } catch (IOException e) {
                return; // closed
            }
        }
    }

    private void serve(Socket s) {
        try (s;
                BufferedReader in =
                        new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = in.readLine()) != null) {
                received.add(line);
                skipPutBody(in, line);
                Optional<String> reply = script.apply(line);
                if (reply.isPresent()) {
                    synchronized (s) {
                        s.getOutputStream().write(reply.get().getBytes(StandardCharsets.UTF_8));
                        s.getOutputStream().flush();
                    }
                }
            }
        } catch (IOException e) {
            if (!s.isClosed()) {
                throw new UncheckedIOException(e);
            }
        }
    }

    /** A put's body follows its line: read it (tests send ASCII bodies, one char a byte) and record it. */
    private void skipPutBody(BufferedReader in, String line) throws IOException {
        String[] t = line.split(" ");
        if (!line.startsWith("put ") || t.length < 6) {
            return;
        }
        char[] body = new char[Integer.parseInt(t[3])];
        int read = 0;
        while (read < body.length) {
            int n = in.read(body, read, body.length - read);
            if (n < 0) {
                return;
            }
            read += n;
        }
        bodies.add(new String(body));
    }

    /** The bodies of the puts received, in order. */
    public List<String> bodies() {
        return bodies;
    }

    @Override
    public void close() throws IOException {
        server.close();
        dropConnections();
    }
}
