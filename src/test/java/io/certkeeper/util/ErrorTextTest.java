package io.certkeeper.util;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.UnknownHostException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ErrorTextTest {
  @TempDir Path dir;

  @Test
  void aMissingFileIsNamedOnceWithTheReason() {
    Path missing = dir.resolve("missing.pem");
    IOException e = assertThrows(IOException.class, () -> Files.readAllBytes(missing));
    assertEquals(missing + ": no such file or directory", ErrorText.of(e));
    assertEquals("no such file or directory", ErrorText.reason(e));
    assertEquals(missing + ": no such file or directory", ErrorText.about(missing, e));
    assertEquals(missing + ": no such file or directory", ErrorText.of(new CompletionException(e)));
  }

  @Test
  void fileSystemReasonsAreWords() {
    assertEquals("/etc/x: permission denied", ErrorText.of(new AccessDeniedException("/etc/x")));
    assertEquals("/srv/x: no space left on device",
        ErrorText.of(new FileSystemException("/srv/x", null, "No space left on device")));
    assertEquals("/srv/x: no such file or directory", ErrorText.about(Path.of("/srv/x"), new NoSuchFileException("/srv/x")));
  }

  @Test
  void aReasonAboutAnotherFileNamesIt() {
    Path out = Path.of("/srv/a-file/out.pem");
    assertEquals("no such file or directory", ErrorText.reason(out, new NoSuchFileException(out.toString())));
    assertEquals("/srv/a-file: already exists",
        ErrorText.reason(out, new java.nio.file.FileAlreadyExistsException("/srv/a-file")));
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', textBlock = """
      Netty's resolver | Failed to resolve 'x.invalid' [A(1), AAAA(28)] after 2 queries | cannot resolve host x.invalid
      JDK resolver     | x.invalid: Name or service not known                        | cannot resolve host x.invalid
      JDK, bare        | x.invalid                                                   | cannot resolve host x.invalid
      """)
  void unknownHostsAreNamed(String what, String message, String expected) {
    assertEquals(expected, ErrorText.of(new UnknownHostException(message)));
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', textBlock = """
      Netty, IPv4       | Connection refused: /127.0.0.1:18449            | connection refused by 127.0.0.1:18449
      Netty, with host  | Connection refused: localhost/127.0.0.1:1       | connection refused by 127.0.0.1:1
      Netty, IPv6 JDK17 | Connection refused: /[0:0:0:0:0:0:0:1]:443      | connection refused by [0:0:0:0:0:0:0:1]:443
      Netty, IPv6 plain | Connection refused: /0:0:0:0:0:0:0:1:443        | connection refused by [0:0:0:0:0:0:0:1]:443
      JDK               | Connection refused                              | connection refused
      """)
  void refusedConnectionsNameTheAddress(String what, String message, String expected) {
    assertEquals(expected, ErrorText.of(new ConnectException(message)));
  }

  @Test
  void otherConnectFailuresKeepTheirWordsAndTheAddress() {
    assertEquals("no route to host (10.0.0.1:443)",
        ErrorText.of(new NoRouteToHostException("No route to host: /10.0.0.1:443")));
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', textBlock = """
      nested class name   | java.io.IOException: bad things                          | bad things
      inner class name    | io.netty.channel.AbstractChannel$AnnotatedConnectException: x | x
      socket address      | cannot listen on localhost/127.0.0.1:8443: in use        | cannot listen on 127.0.0.1:8443: in use
      file paths are kept | /etc/certkeeper/x.pem:12: bad                            | /etc/certkeeper/x.pem:12: bad
      """)
  void javaInternalsAreRemovedFromText(String what, String text, String expected) {
    assertEquals(expected, ErrorText.clean(text));
  }

  @Test
  void anExceptionWithoutAMessageIsDescribedInWords() {
    assertEquals("connection closed", ErrorText.of(new java.nio.channels.ClosedChannelException()));
    assertEquals("unexpected end of input", ErrorText.of(new java.io.EOFException()));
  }
}
