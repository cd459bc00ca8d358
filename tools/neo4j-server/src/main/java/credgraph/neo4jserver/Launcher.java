package credgraph.neo4jserver;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.neo4j.configuration.GraphDatabaseInternalSettings;
import org.neo4j.configuration.GraphDatabaseSettings;
import org.neo4j.configuration.connectors.BoltConnector;
import org.neo4j.configuration.helpers.SocketAddress;
import org.neo4j.dbms.api.DatabaseManagementService;
import org.neo4j.dbms.api.DatabaseManagementServiceBuilder;
import org.neo4j.io.ByteUnit;
import org.neo4j.logging.Level;
import org.neo4j.logging.log4j.Log4jLogProvider;

/**
 * Embeds a Neo4j 5 Community DBMS with only the Bolt connector, bound to 127.0.0.1.
 *
 * <pre>
 * Launcher --data DIR [--port P] [--password PW] [--pagecache 256m] [--pid-file FILE]
 * </pre>
 *
 * <p>Port 0 (the default) picks a free port. Auth is disabled unless --password is given, in
 * which case the built-in user {@code neo4j} gets that password (at least 8 characters). Once
 * the default database is available and Bolt answers a handshake, one line
 * {@code BOLT_URI=bolt://127.0.0.1:PORT} is printed on stdout. SIGTERM/SIGINT shut the DBMS
 * down cleanly (then {@code STOPPED} is printed).
 */
public final class Launcher {
    private static final String HOST = "127.0.0.1";
    private static final int AUTO_PORT_ATTEMPTS = 5;

    private Launcher() {}

    public static void main(String[] args) {
        try {
            run(args);
        } catch (Throwable t) {
            System.err.println("launcher: failed to start Neo4j:");
            t.printStackTrace();
            System.err.flush();
            System.exit(1);
        }
    }

    private static void run(String[] args) throws Exception {
        Path data = null;
        int port = 0;
        String password = null;
        String pageCache = "256m";
        Path pidFile = null;
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            switch (a) {
                case "--data" -> data = Path.of(need(args, ++i, a));
                case "--port" -> port = Integer.parseInt(need(args, ++i, a));
                case "--password" -> password = need(args, ++i, a);
                case "--pagecache" -> pageCache = need(args, ++i, a);
                case "--pid-file" -> pidFile = Path.of(need(args, ++i, a));
                case "-h", "--help" -> {
                    System.out.println("usage: Launcher --data DIR [--port P] [--password PW]"
                            + " [--pagecache 256m] [--pid-file FILE]");
                    return;
                }
                default -> die("unknown argument: " + a);
            }
        }
        if (data == null) {
            die("--data DIR is required");
        }
        if (port < 0 || port > 65535) {
            die("bad --port " + port);
        }
        if (password != null && password.length() < 8) {
            die("--password must have at least 8 characters (Neo4j's minimum)");
        }
        data = data.toAbsolutePath().normalize();
        Files.createDirectories(data);
        if (pidFile != null) {
            Files.writeString(pidFile, ProcessHandle.current().pid() + "\n");
        }

        PrintStream out = System.out;
        Log4jLogProvider userLog = new Log4jLogProvider(System.err, Level.INFO);
        long pageCacheBytes = ByteUnit.parse(pageCache);

        DatabaseManagementService dbms = null;
        int boundPort = -1;
        int attempts = port == 0 ? AUTO_PORT_ATTEMPTS : 1;
        for (int attempt = 1; attempt <= attempts && dbms == null; attempt++) {
            int candidate = port == 0 ? freePort() : port;
            try {
                dbms = start(data, candidate, password, pageCacheBytes, userLog);
                boundPort = candidate;
            } catch (RuntimeException e) {
                if (attempt == attempts) {
                    throw e;
                }
                System.err.println("launcher: start on port " + candidate + " failed (" + e
                        + "), retrying with another free port");
            }
        }

        final DatabaseManagementService service = dbms;
        final CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            System.err.println("launcher: shutting down Neo4j");
            try {
                service.shutdown();
            } catch (Throwable t) {
                System.err.println("launcher: shutdown failed: " + t);
            } finally {
                userLog.close();
                out.println("STOPPED");
                out.flush();
                stopped.countDown();
            }
        }, "neo4j-launcher-shutdown"));

        if (!service.database(GraphDatabaseSettings.DEFAULT_DATABASE_NAME).isAvailable(120_000)) {
            die("default database did not become available within 120 s");
        }
        if (password != null) {
            setPassword(service, password);
        }
        waitForBolt(boundPort, 60_000);
        out.println("BOLT_URI=bolt://" + HOST + ":" + boundPort);
        out.flush();
        stopped.await();
    }

    private static DatabaseManagementService start(
            Path home, int port, String password, long pageCacheBytes, Log4jLogProvider userLog) {
        SocketAddress address = new SocketAddress(HOST, port);
        return new DatabaseManagementServiceBuilder(home)
                .setUserLogProvider(userLog)
                .setConfig(BoltConnector.enabled, true)
                .setConfig(BoltConnector.listen_address, address)
                .setConfig(BoltConnector.advertised_address, address)
                .setConfig(BoltConnector.encryption_level, BoltConnector.EncryptionLevel.DISABLED)
                .setConfig(GraphDatabaseSettings.auth_enabled, password != null)
                .setConfig(GraphDatabaseSettings.pagecache_memory, pageCacheBytes)
                // No "anonymous usage data" reports: this machine must not phone home.
                .setConfig(GraphDatabaseSettings.udc_enabled, false)
                // Small disk footprint for dev/test stores.
                .setConfig(GraphDatabaseSettings.keep_logical_logs, "keep_none")
                .setConfig(GraphDatabaseSettings.preallocate_logical_logs, false)
                // Netty's default graceful shutdown waits 2 x 5 s of "quiet period" for Bolt;
                // a dev/test server has no need for that (internal setting, pinned version).
                .setConfig(GraphDatabaseInternalSettings.netty_server_shutdown_quiet_period, 0)
                .setConfig(GraphDatabaseInternalSettings.netty_server_shutdown_timeout,
                        Duration.ofSeconds(5))
                .build();
    }

    private static void setPassword(DatabaseManagementService dbms, String password) {
        try {
            dbms.database(GraphDatabaseSettings.SYSTEM_DATABASE_NAME).executeTransactionally(
                    "ALTER USER neo4j SET PASSWORD $pw CHANGE NOT REQUIRED", Map.of("pw", password));
        } catch (RuntimeException e) {
            // On a restart with the same password Neo4j refuses to "change" it: that's fine.
            String msg = String.valueOf(e.getMessage()) + " " + e.getCause();
            if (!msg.contains("cannot be the same")) {
                throw e;
            }
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket()) {
            s.setReuseAddress(true);
            s.bind(new InetSocketAddress(InetAddress.getByName(HOST), 0));
            return s.getLocalPort();
        }
    }

    /** Bolt handshake: magic 0x6060B017 then four version proposals; a non-zero reply = ready. */
    private static void waitForBolt(int port, long timeoutMillis) throws InterruptedException {
        byte[] hello = {
            0x60, 0x60, (byte) 0xB0, 0x17,
            0x00, 0x04, 0x04, 0x05, // 5.4 .. 5.0
            0x00, 0x00, 0x04, 0x04, // 4.4
            0x00, 0x00, 0x00, 0x00,
            0x00, 0x00, 0x00, 0x00,
        };
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        Exception last = null;
        while (System.nanoTime() < deadline) {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress(HOST, port), 2_000);
                s.setSoTimeout(5_000);
                OutputStream o = s.getOutputStream();
                o.write(hello);
                o.flush();
                InputStream in = s.getInputStream();
                byte[] reply = in.readNBytes(4);
                if (reply.length == 4 && (reply[0] | reply[1] | reply[2] | reply[3]) != 0) {
                    return;
                }
                last = new IOException("unexpected handshake reply of " + reply.length + " bytes");
            } catch (IOException e) {
                last = e;
            }
            Thread.sleep(200);
        }
        die("Bolt on " + HOST + ":" + port + " did not answer a handshake: " + last);
    }

    private static String need(String[] args, int i, String flag) {
        if (i >= args.length) {
            die(flag + " needs a value");
        }
        return args[i];
    }

    private static void die(String message) {
        System.err.println("launcher: " + message);
        System.err.flush();
        // System.exit runs the shutdown hook (if registered), so a started DBMS is stopped too.
        System.exit(2);
    }
}
