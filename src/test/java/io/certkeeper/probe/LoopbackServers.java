package io.certkeeper.probe;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.ssl.SniHandler;
import io.netty.handler.ssl.SslContext;
import io.netty.util.ReferenceCountUtil;
import java.io.BufferedReader;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.util.Base64;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;

/** Small servers on 127.0.0.1 for the probe zoo; each closes with the test class. */
final class LoopbackServers {
  private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();
  private static final ExecutorService THREADS = Executors.newCachedThreadPool(r -> {
    Thread t = new Thread(r, "zoo-server");
    t.setDaemon(true);
    return t;
  });

  private LoopbackServers() {}

  /** A Netty TLS server for many ports that records the SNI names it was sent. */
  static final class NettyTls implements Closeable {
    final EventLoopGroup group;
    final Queue<String> sniNames = new ConcurrentLinkedQueue<>();
    private final SslContext context;

    NettyTls(SslContext context) {
      this(context, 1);
    }

    NettyTls(SslContext context, int threads) {
      this.context = context;
      this.group = new MultiThreadIoEventLoopGroup(threads, NioIoHandler.newFactory());
    }

    /** Binds one more port serving the context; returns it. */
    int bind() {
      ServerBootstrap b = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
          .childHandler(new ChannelInitializer<Channel>() {
            @Override
            protected void initChannel(Channel ch) {
              ch.pipeline().addLast(new SniHandler(hostname -> {
                sniNames.add(hostname == null ? "<none>" : hostname);
                return context;
              }));
              ch.pipeline().addLast(new ChannelInboundHandlerAdapter() {
                @Override
                public void channelRead(ChannelHandlerContext ctx, Object msg) {
                  ReferenceCountUtil.release(msg);
                }

                @Override
                public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
                  ctx.close();
                }
              });
            }
          });
      b.option(io.netty.channel.ChannelOption.SO_BACKLOG, 1024);
      Channel ch = b.bind(new InetSocketAddress(LOOPBACK, 0)).syncUninterruptibly().channel();
      return ((InetSocketAddress) ch.localAddress()).getPort();
    }

    @Override
    public void close() {
      group.shutdownGracefully(0, 1, java.util.concurrent.TimeUnit.SECONDS).syncUninterruptibly();
    }
  }

  /** A port whose kernel accepts connections that no one ever reads or answers. */
  static final class Silent implements Closeable {
    final ServerSocket socket;

    Silent() throws IOException {
      socket = new ServerSocket(0, 50, LOOPBACK);
    }

    int port() {
      return socket.getLocalPort();
    }

    @Override
    public void close() throws IOException {
      socket.close();
    }
  }

  /** A port that was free a moment ago and has no listener. */
  static int closedPort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, LOOPBACK)) {
      return s.getLocalPort();
    }
  }

  /** Runs {@code session} for every accepted connection, on a thread of its own. */
  abstract static class Threaded implements Closeable {
    final ServerSocket socket;

    Threaded() throws IOException {
      socket = new ServerSocket(0, 50, LOOPBACK);
      THREADS.execute(() -> {
        while (!socket.isClosed()) {
          try {
            Socket s = socket.accept();
            THREADS.execute(() -> {
              try (s) {
                s.setSoTimeout(10_000);
                session(s);
              } catch (IOException | RuntimeException e) {
                // the probe hung up; nothing to do
              }
            });
          } catch (IOException e) {
            return;
          }
        }
      });
    }

    abstract void session(Socket s) throws IOException;

    int port() {
      return socket.getLocalPort();
    }

    @Override
    public void close() throws IOException {
      socket.close();
    }
  }

  /** An HTTP server on a port where TLS was expected. */
  static final class PlainHttp extends Threaded {
    PlainHttp() throws IOException {
      super();
    }

    @Override
    void session(Socket s) throws IOException {
      s.getInputStream().read(new byte[4096]);
      s.getOutputStream().write(("HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n"
          + "Connection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
      s.getOutputStream().flush();
    }
  }

  /** A fake SMTP server that offers STARTTLS (or not) and upgrades with the JDK. */
  static final class Smtp extends Threaded {
    private final SSLContext tls;
    private final boolean offerStartTls;

    Smtp(TestPki.Held leaf, List<X509Certificate> chain, boolean offerStartTls) throws Exception {
      super();
      this.offerStartTls = offerStartTls;
      KeyStore ks = KeyStore.getInstance("PKCS12");
      ks.load(null, null);
      ks.setKeyEntry("k", leaf.key(), new char[0], chain.toArray(new X509Certificate[0]));
      KeyManagerFactory kmf = KeyManagerFactory.getInstance("PKIX");
      kmf.init(ks, new char[0]);
      tls = SSLContext.getInstance("TLS");
      tls.init(kmf.getKeyManagers(), null, null);
    }

    @Override
    void session(Socket s) throws IOException {
      BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(),
          StandardCharsets.US_ASCII));
      OutputStream out = s.getOutputStream();
      write(out, "220-zoo.test ESMTP ready\r\n220 zoo.test\r\n");
      String line;
      while ((line = in.readLine()) != null) {
        if (line.startsWith("EHLO")) {
          write(out, "250-zoo.test greets you\r\n250-PIPELINING\r\n"
              + (offerStartTls ? "250-STARTTLS\r\n" : "") + "250 8BITMIME\r\n");
        } else if (line.equals("STARTTLS") && offerStartTls) {
          write(out, "220 2.0.0 Ready to start TLS\r\n");
          SSLSocket ssl = (SSLSocket) tls.getSocketFactory().createSocket(s,
              s.getInetAddress().getHostAddress(), s.getPort(), false);
          ssl.setUseClientMode(false);
          ssl.startHandshake();
          ssl.getInputStream().read();
          return;
        } else {
          write(out, "502 5.5.2 command not recognized\r\n");
        }
      }
    }

    private static void write(OutputStream out, String text) throws IOException {
      out.write(text.getBytes(StandardCharsets.US_ASCII));
      out.flush();
    }
  }

  /** A server for any {@link StartTls} protocol that always agrees to upgrade (JDK TLS). */
  static final class StartTlsServer extends Threaded {
    private final StartTls protocol;
    private final SSLContext tls;
    final Queue<String> requests = new ConcurrentLinkedQueue<>();

    StartTlsServer(StartTls protocol, TestPki.Held leaf) throws Exception {
      super();
      this.protocol = protocol;
      KeyStore ks = KeyStore.getInstance("PKCS12");
      ks.load(null, null);
      ks.setKeyEntry("k", leaf.key(), new char[0], new X509Certificate[] {leaf.cert()});
      KeyManagerFactory kmf = KeyManagerFactory.getInstance("PKIX");
      kmf.init(ks, new char[0]);
      tls = SSLContext.getInstance("TLS");
      tls.init(kmf.getKeyManagers(), null, null);
    }

    @Override
    void session(Socket s) throws IOException {
      java.io.DataInputStream in = new java.io.DataInputStream(s.getInputStream());
      OutputStream out = s.getOutputStream();
      switch (protocol) {
        case IMAP -> dialogue(in, out, "* OK [CAPABILITY IMAP4rev1 STARTTLS] ready\r\n",
            "a001 OK Begin TLS negotiation now\r\n");
        case POP3 -> dialogue(in, out, "+OK POP3 ready\r\n", "+OK Begin TLS\r\n");
        case FTP -> dialogue(in, out, "220-Welcome\r\n220 FTP ready\r\n", "234 Proceed\r\n");
        case SMTP -> {
          dialogue(in, out, "220 smtp ready\r\n", "250-hello\r\n250 STARTTLS\r\n");
          requests.add(readLine(in));
          out.write("220 go ahead\r\n".getBytes(StandardCharsets.US_ASCII));
        }
        case LDAP -> {
          byte[] request = new byte[31];
          in.readFully(request);
          requests.add(new String(request, 9, 22, StandardCharsets.US_ASCII));
          out.write(new byte[] {0x30, 0x0c, 0x02, 0x01, 0x01, 0x78, 0x07, 0x0a, 0x01, 0x00, 0x04,
              0x00, 0x04, 0x00});
        }
        case POSTGRES -> {
          requests.add(Integer.toString(in.readInt()) + "/" + in.readInt());
          out.write('S');
        }
        default -> throw new AssertionError(protocol);
      }
      out.flush();
      SSLSocket ssl = (SSLSocket) tls.getSocketFactory().createSocket(s,
          s.getInetAddress().getHostAddress(), s.getPort(), false);
      ssl.setUseClientMode(false);
      ssl.startHandshake();
      ssl.getInputStream().read();
    }

    private void dialogue(java.io.DataInputStream in, OutputStream out, String greeting,
        String agree) throws IOException {
      out.write(greeting.getBytes(StandardCharsets.US_ASCII));
      out.flush();
      requests.add(readLine(in));
      out.write(agree.getBytes(StandardCharsets.US_ASCII));
    }

    /** Reads one CRLF line byte by byte, so nothing of the TLS handshake is buffered away. */
    private static String readLine(InputStream in) throws IOException {
      StringBuilder line = new StringBuilder();
      int b;
      while ((b = in.read()) >= 0 && b != '\n') {
        if (b != '\r') {
          line.append((char) b);
        }
      }
      return line.toString();
    }
  }

  /**
   * An HTTP CONNECT proxy: checks Basic credentials when given, or answers every request with
   * {@code denyStatus} when that is set; records the request lines it saw.
   */
  static final class ConnectProxy extends Threaded {
    final Queue<String> requests = new ConcurrentLinkedQueue<>();
    private final String credentials;
    private final String denyStatus;

    ConnectProxy(String credentials, String denyStatus) throws IOException {
      super();
      this.credentials = credentials;
      this.denyStatus = denyStatus;
    }

    @Override
    void session(Socket s) throws IOException {
      InputStream in = s.getInputStream();
      OutputStream out = s.getOutputStream();
      String head = readHead(in);
      String requestLine = head.substring(0, head.indexOf("\r\n"));
      requests.add(requestLine);
      if (denyStatus != null) {
        out.write(("HTTP/1.1 " + denyStatus + "\r\nContent-Length: 0\r\n\r\n")
            .getBytes(StandardCharsets.US_ASCII));
        out.flush();
        return;
      }
      if (credentials != null) {
        String expected = "Proxy-Authorization: Basic "
            + Base64.getEncoder().encodeToString(credentials.getBytes(StandardCharsets.UTF_8));
        if (!head.toLowerCase().contains(expected.toLowerCase())) {
          out.write(("HTTP/1.1 407 Proxy Authentication Required\r\n"
              + "Proxy-Authenticate: Basic realm=\"zoo\"\r\nContent-Length: 0\r\n\r\n")
              .getBytes(StandardCharsets.US_ASCII));
          out.flush();
          return;
        }
      }
      String[] parts = requestLine.split(" ");
      String authority = parts[1];
      int colon = authority.lastIndexOf(':');
      try (Socket upstream = new Socket(authority.substring(0, colon),
          Integer.parseInt(authority.substring(colon + 1)))) {
        out.write("HTTP/1.1 200 Connection established\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        out.flush();
        THREADS.execute(() -> {
          try {
            upstream.getInputStream().transferTo(out);
          } catch (IOException e) {
            // closed
          }
        });
        in.transferTo(upstream.getOutputStream());
      }
    }

    private static String readHead(InputStream in) throws IOException {
      StringBuilder head = new StringBuilder();
      while (!head.toString().endsWith("\r\n\r\n")) {
        int b = in.read();
        if (b < 0 || head.length() > 8192) {
          throw new IOException("bad request head");
        }
        head.append((char) b);
      }
      return head.toString();
    }
  }
}
