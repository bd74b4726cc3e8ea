package io.certkeeper.util;

import java.io.EOFException;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.nio.channels.ClosedChannelException;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.FileSystemLoopException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Words for what a low-level exception means, for people: no Java class names, no
 * {@code InetSocketAddress} forms ({@code localhost/127.0.0.1:443}), no resolver internals
 * ({@code [A(1), AAAA(28)]}), and a file named once.
 *
 * <pre>{@code
 * ErrorText.of(new NoSuchFileException("/etc/x.pem"))          // "/etc/x.pem: no such file or directory"
 * ErrorText.reason(new NoSuchFileException("/etc/x.pem"))      // "no such file or directory"
 * ErrorText.of(connectException)                               // "connection refused by 127.0.0.1:18449"
 * ErrorText.of(nettyUnknownHost)                               // "cannot resolve host x.invalid"
 * }</pre>
 *
 * Callers add where it happened (the file, endpoint or step) and what to do; this class only turns
 * the exception into its reason.
 */
public final class ErrorText {
  /** {@code java.io.IOException: } and the like, anywhere in a message. */
  private static final Pattern CLASS_NAME = Pattern.compile(
      "\\b(?:[a-z_][a-z0-9_]*\\.)+[A-Z][A-Za-z0-9_]*(?:\\$[A-Za-z0-9_]+)*(?:Exception|Error)\\b:?\\s*");
  /**
   * {@code host/1.2.3.4:443}, {@code /1.2.3.4:443}, {@code /[::1]:443} or {@code /0:0:0:0:0:0:0:1:443}: how
   * {@code InetSocketAddress} prints itself.
   */
  private static final Pattern SOCKET_ADDRESS = Pattern.compile(
      "(?<=^|[\\s(\\[,=:])[A-Za-z0-9._-]*/(?:\\[([0-9a-fA-F:.]+(?:%[A-Za-z0-9_.]+)?)\\]"
          + "|((?:\\d{1,3}\\.){3}\\d{1,3}|(?:[0-9a-fA-F]{0,4}:){2,7}[0-9a-fA-F]{0,4}(?:%[A-Za-z0-9_.]+)?)):(\\d{1,5})\\b");
  /** Netty's resolver: {@code Failed to resolve 'x.invalid' [A(1), AAAA(28)] after 2 queries}. */
  private static final Pattern NETTY_RESOLVE = Pattern.compile("Failed to resolve '([^']*)'");

  private ErrorText() {}

  /**
   * What {@code t} means, with the file it concerns when it is about a file:
   * {@code /etc/x.pem: no such file or directory}, {@code connection refused by 127.0.0.1:18449}.
   */
  public static String of(Throwable t) {
    Throwable c = unwrap(t);
    if (c instanceof FileSystemException f && f.getFile() != null) {
      return f.getFile() + ": " + reason(c);
    }
    return reason(c);
  }

  /** {@code FILE: reason}, naming {@code file} once even when the exception names it too. */
  public static String about(Path file, Throwable t) {
    String s = of(t);
    String name = file.toString();
    return s.startsWith(name + ":") ? s : name + ": " + s;
  }

  /**
   * What {@code t} means for {@code file}: the bare reason when {@code t} is about {@code file}
   * itself ({@code no such file or directory}), else with the file it is about
   * ({@code /srv/out: already exists} when a parent folder is a file).
   */
  public static String reason(Path file, Throwable t) {
    Throwable c = unwrap(t);
    if (c instanceof FileSystemException f && f.getFile() != null && !Path.of(f.getFile()).equals(file)) {
      return of(c);
    }
    return reason(c);
  }

  /** What {@code t} means, without the file a file-system exception names. */
  public static String reason(Throwable t) {
    Throwable c = unwrap(t);
    if (c instanceof NoSuchFileException) {
      return "no such file or directory";
    }
    if (c instanceof AccessDeniedException) {
      return "permission denied";
    }
    if (c instanceof FileAlreadyExistsException) {
      return "already exists";
    }
    if (c instanceof NotDirectoryException) {
      return "not a directory";
    }
    if (c instanceof DirectoryNotEmptyException) {
      return "directory not empty";
    }
    if (c instanceof FileSystemLoopException) {
      return "symbolic link loop";
    }
    if (c instanceof FileSystemException f) {
      String r = f.getReason();
      return r == null || r.isBlank() ? "cannot be accessed" : lowerFirst(clean(r));
    }
    if (c instanceof UnknownHostException) {
      return "cannot resolve host " + unresolvedHost(c.getMessage());
    }
    if (c instanceof ConnectException || c instanceof NoRouteToHostException) {
      return connectFailure(c.getMessage());
    }
    if (c instanceof SocketTimeoutException) {
      return c.getMessage() == null ? "timed out" : lowerFirst(clean(c.getMessage()));
    }
    if (c instanceof EOFException && c.getMessage() == null) {
      return "unexpected end of input";
    }
    if (c instanceof ClosedChannelException) {
      return "connection closed";
    }
    String m = c.getMessage();
    if (m == null || m.isBlank()) {
      return words(c.getClass().getSimpleName());
    }
    return clean(m);
  }

  /**
   * {@code text} without Java class names and with socket addresses as {@code 127.0.0.1:443}
   * (IPv6 in brackets) instead of {@code localhost/127.0.0.1:443}.
   */
  public static String clean(String text) {
    if (text == null) {
      return null;
    }
    String s = CLASS_NAME.matcher(text).replaceAll("");
    Matcher m = SOCKET_ADDRESS.matcher(s);
    StringBuilder b = new StringBuilder();
    while (m.find()) {
      String host = m.group(1) != null ? m.group(1) : m.group(2);
      String shown = host.indexOf(':') >= 0 ? "[" + host + "]:" + m.group(3) : host + ":" + m.group(3);
      m.appendReplacement(b, Matcher.quoteReplacement(shown));
    }
    m.appendTail(b);
    return b.toString().strip();
  }

  /** The host of a resolver's message: Netty's {@code Failed to resolve 'x' ...} or the JDK's {@code x: reason}. */
  public static String unresolvedHost(String message) {
    if (message == null || message.isBlank()) {
      return "(unknown)";
    }
    Matcher m = NETTY_RESOLVE.matcher(message);
    if (m.find()) {
      return m.group(1);
    }
    String s = message.strip();
    int colon = s.indexOf(": ");
    return colon > 0 ? s.substring(0, colon) : s;
  }

  /** {@code Connection refused: /127.0.0.1:18449} → {@code connection refused by 127.0.0.1:18449}. */
  static String connectFailure(String message) {
    if (message == null || message.isBlank()) {
      return "cannot connect";
    }
    String s = clean(message);
    String what = s;
    String where = null;
    int colon = s.lastIndexOf(": ");
    if (colon > 0) {
      what = s.substring(0, colon);
      where = s.substring(colon + 2);
    }
    what = lowerFirst(what);
    if (what.equals("connection refused")) {
      return where == null ? what : what + " by " + where;
    }
    return where == null ? what : what + " (" + where + ")";
  }

  private static Throwable unwrap(Throwable t) {
    Throwable c = t;
    while ((c instanceof CompletionException || c instanceof ExecutionException || c instanceof UncheckedIOException
        || c instanceof java.lang.reflect.InvocationTargetException) && c.getCause() != null) {
      c = c.getCause();
    }
    return c;
  }

  private static String lowerFirst(String s) {
    if (s.length() > 1 && Character.isUpperCase(s.charAt(0)) && Character.isLowerCase(s.charAt(1))) {
      return s.substring(0, 1).toLowerCase(Locale.ROOT) + s.substring(1);
    }
    return s;
  }

  /** {@code SslHandshakeTimeoutException} → {@code ssl handshake timeout}: the type in words, for messageless exceptions. */
  private static String words(String simpleName) {
    String s = simpleName.replaceAll("(Exception|Error)$", "");
    s = s.replaceAll("([a-z0-9])([A-Z])", "$1 $2").toLowerCase(Locale.ROOT).strip();
    return s.isEmpty() ? "failed" : s;
  }
}
