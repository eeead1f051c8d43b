package io.imago.client.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A TCP forwarder on 127.0.0.1 between one client and a server (a ZooKeeper, a broker) that a test can
 * cut and restore: the network partition of that one client, while every other client of the server
 * stays connected. {@link #cut()} closes the forwarded connections and refuses new ones (a refused
 * connection is accepted and closed at once, as a partitioned peer looks to a retrying client);
 * {@link #restore()} forwards again. Two daemon threads per connection and one for accepting; all end
 * with {@link #close()}. Thread-safe.
 */
public final class TcpLink implements AutoCloseable {
    private final InetSocketAddress target;
    private final ServerSocket server;
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();
    private final Thread acceptor;
    private volatile boolean cut;
    private volatile boolean closed;

    /** Listens on an ephemeral port of 127.0.0.1 and forwards to {@code 127.0.0.1:targetPort}. */
    public TcpLink(int targetPort) throws IOException {
        InetAddress loopback = InetAddress.getByAddress(new byte[] {127, 0, 0, 1});
        this.target = new InetSocketAddress(loopback, targetPort);
        this.server = new ServerSocket(0, 50, loopback);
        this.acceptor = new Thread(this::acceptLoop, "tcp-link-" + server.getLocalPort());
        acceptor.setDaemon(true);
        acceptor.start();
    }

    /** {@code 127.0.0.1:<port>} of the forwarder, to give the client instead of the server's address. */
    public String address() {
        return "127.0.0.1:" + server.getLocalPort();
    }

    /** Closes every forwarded connection and refuses new ones until {@link #restore()}. */
    public void cut() {
        cut = true;
        sockets.forEach(TcpLink::closeQuietly);
        sockets.clear();
    }

    /** Forwards new connections again. */
    public void restore() {
        cut = false;
    }

    private void acceptLoop() {
        while (!closed) {
            Socket client;
            try {
                client = server.accept();
            } catch (IOException e) {
                return; // closed
            }
            if (cut) {
                closeQuietly(client);
                continue;
            }
            Socket upstream = new Socket();
            try {
                upstream.connect(target, 5_000);
            } catch (IOException e) {
                closeQuietly(client);
                closeQuietly(upstream);
                continue;
            }
            sockets.add(client);
            sockets.add(upstream);
            pump(client, upstream);
            pump(upstream, client);
        }
    }

    private void pump(Socket from, Socket to) {
        Thread t = new Thread(
                () -> {
                    byte[] buffer = new byte[8192];
                    try (InputStream in = from.getInputStream();
                            OutputStream out = to.getOutputStream()) {
                        int n;
                        while ((n = in.read(buffer)) >= 0) {
                            out.write(buffer, 0, n);
                            out.flush();
                        }
                    } catch (IOException e) {
                        // the link was cut or a side closed: close both below
                    } finally {
                        closeQuietly(from);
                        closeQuietly(to);
                        sockets.remove(from);
                        sockets.remove(to);
                    }
                },
                "tcp-link-pump-" + from.getLocalPort());
        t.setDaemon(true);
        t.start();
    }

    private static void closeQuietly(Socket socket) {
        try {
            socket.close();
        } catch (IOException e) {
            // closing: nothing left to do with it
        }
    }

    @Override
    public void close() throws IOException {
        closed = true;
        cut();
        server.close();
        try {
            acceptor.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
