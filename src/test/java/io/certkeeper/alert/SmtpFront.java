package io.certkeeper.alert;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;

/**
 * Small SMTP servers on loopback for what GreenMail does not do. {@link #startTls} speaks the
 * plain-text start of a session itself (greeting, EHLO offering STARTTLS, STARTTLS), does the TLS
 * handshake with its own certificate, then relays the decrypted session to a plain GreenMail, which
 * handles AUTH and the mail. {@link #replying} answers every RCPT with a fixed reply.
 */
final class SmtpFront implements AutoCloseable {
  private final ServerSocket server;
  private final Thread acceptor;
  final AtomicInteger connections = new AtomicInteger();

  private interface Handler {
    void handle(Socket s) throws IOException;
  }

  private SmtpFront(Handler handler) throws IOException {
    server = new ServerSocket();
    server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
    acceptor = new Thread(() -> {
      while (!server.isClosed()) {
        try {
          Socket s = server.accept();
          connections.incrementAndGet();
          Thread t = new Thread(() -> {
            try (s) {
              handler.handle(s);
            } catch (IOException e) {
              // the client went away
            }
          }, "smtp-front-session");
          t.setDaemon(true);
          t.start();
        } catch (IOException e) {
          return;
        }
      }
    }, "smtp-front");
    acceptor.setDaemon(true);
    acceptor.start();
  }

  int port() {
    return server.getLocalPort();
  }

  static SmtpFront startTls(SSLContext tls, int relayPort) throws IOException {
    return new SmtpFront(s -> {
      BufferedReader in = reader(s.getInputStream());
      OutputStream out = s.getOutputStream();
      write(out, "220 front ESMTP");
      String line;
      while ((line = in.readLine()) != null) {
        String cmd = line.toUpperCase(java.util.Locale.ROOT);
        if (cmd.startsWith("EHLO")) {
          write(out, "250-front\r\n250 STARTTLS");
        } else if (cmd.startsWith("STARTTLS")) {
          write(out, "220 2.0.0 ready to start TLS");
          SSLSocket ssl = (SSLSocket) tls.getSocketFactory().createSocket(s, null, s.getPort(), false);
          ssl.setUseClientMode(false);
          ssl.startHandshake();
          relay(ssl, relayPort);
          return;
        } else if (cmd.startsWith("QUIT")) {
          write(out, "221 bye");
          return;
        } else {
          write(out, "530 5.7.0 must issue STARTTLS first");
        }
      }
    });
  }

  static SmtpFront replying(String rcptReply) throws IOException {
    return new SmtpFront(s -> {
      BufferedReader in = reader(s.getInputStream());
      OutputStream out = s.getOutputStream();
      write(out, "220 scripted ESMTP");
      String line;
      while ((line = in.readLine()) != null) {
        String cmd = line.toUpperCase(java.util.Locale.ROOT);
        if (cmd.startsWith("EHLO") || cmd.startsWith("HELO")) {
          write(out, "250 scripted");
        } else if (cmd.startsWith("RCPT")) {
          write(out, rcptReply);
        } else if (cmd.startsWith("DATA")) {
          write(out, "354 go ahead");
          while ((line = in.readLine()) != null && !line.equals(".")) {
            // the message
          }
          write(out, "250 2.0.0 queued");
        } else if (cmd.startsWith("QUIT")) {
          write(out, "221 bye");
          return;
        } else {
          write(out, "250 OK");
        }
      }
    });
  }

  private static void relay(Socket client, int port) throws IOException {
    try (Socket upstream = new Socket(InetAddress.getLoopbackAddress(), port)) {
      InputStream up = upstream.getInputStream();
      // swallow the upstream greeting: the client had ours
      int b;
      while ((b = up.read()) != -1 && b != '\n') {
        // greeting line
      }
      Thread back = new Thread(() -> pump(up, outOf(client)), "smtp-front-back");
      back.setDaemon(true);
      back.start();
      pump(client.getInputStream(), upstream.getOutputStream());
      try {
        back.join(2000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  private static OutputStream outOf(Socket s) {
    try {
      return s.getOutputStream();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  private static void pump(InputStream in, OutputStream out) {
    byte[] buf = new byte[8192];
    try {
      int n;
      while ((n = in.read(buf)) > 0) {
        out.write(buf, 0, n);
        out.flush();
      }
    } catch (IOException e) {
      // one side closed
    }
  }

  private static BufferedReader reader(InputStream in) {
    return new BufferedReader(new InputStreamReader(in, StandardCharsets.US_ASCII));
  }

  private static void write(OutputStream out, String reply) throws IOException {
    out.write((reply + "\r\n").getBytes(StandardCharsets.US_ASCII));
    out.flush();
  }

  @Override
  public void close() throws IOException {
    server.close();
  }
}
