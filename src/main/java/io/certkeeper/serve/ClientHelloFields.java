package io.certkeeper.serve;

import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * What a listener needs from a TLS ClientHello before choosing its certificate: the server name
 * (SNI, RFC 6066 3) and the application protocols offered (ALPN, RFC 7301 3.1). Reads the
 * handshake body as {@link io.netty.handler.ssl.SslClientHelloHandler} hands it over (from
 * {@code client_version} on); anything malformed or cut short reads as "no name, no protocols",
 * which the normal handshake then deals with.
 */
record ClientHelloFields(Optional<String> serverName, List<String> protocols) {
  static final ClientHelloFields NONE = new ClientHelloFields(Optional.empty(), List.of());

  private static final int SERVER_NAME = 0;
  private static final int ALPN = 16;
  /** More offered protocols than this are not read (a real client offers a handful). */
  static final int MAX_PROTOCOLS = 32;

  ClientHelloFields {
    protocols = List.copyOf(protocols);
  }

  /** Whether the client asks for {@code protocol} (say {@code acme-tls/1}). */
  boolean offers(String protocol) {
    return protocols.contains(protocol);
  }

  /** The fields of the ClientHello body in {@code hello} (read from its reader index, which is not moved). */
  static ClientHelloFields read(ByteBuf hello) {
    if (hello == null) {
      return NONE;
    }
    try {
      return parse(hello, hello.readerIndex(), hello.writerIndex());
    } catch (IndexOutOfBoundsException e) {
      return NONE;
    }
  }

  private static ClientHelloFields parse(ByteBuf in, int start, int end) {
    int at = start + 2 + 32; // client_version, random
    at += 1 + in.getUnsignedByte(at); // session_id
    at += 2 + in.getUnsignedShort(at); // cipher_suites
    at += 1 + in.getUnsignedByte(at); // compression_methods
    if (at + 2 > end) {
      return NONE; // no extensions
    }
    int extensionsEnd = at + 2 + in.getUnsignedShort(at);
    at += 2;
    if (extensionsEnd > end) {
      return NONE;
    }
    Optional<String> name = Optional.empty();
    List<String> protocols = List.of();
    while (at + 4 <= extensionsEnd) {
      int type = in.getUnsignedShort(at);
      int length = in.getUnsignedShort(at + 2);
      int body = at + 4;
      if (body + length > extensionsEnd) {
        return NONE;
      }
      if (type == SERVER_NAME) {
        name = serverName(in, body, body + length);
      } else if (type == ALPN) {
        protocols = protocols(in, body, body + length);
      }
      at = body + length;
    }
    return new ClientHelloFields(name, protocols);
  }

  /** The host_name entry of a server_name_list, lowercase; none when absent or not plain ASCII. */
  private static Optional<String> serverName(ByteBuf in, int at, int end) {
    int listEnd = Math.min(end, at + 2 + in.getUnsignedShort(at));
    at += 2;
    while (at + 3 <= listEnd) {
      int type = in.getUnsignedByte(at);
      int length = in.getUnsignedShort(at + 1);
      at += 3;
      if (at + length > listEnd) {
        return Optional.empty();
      }
      if (type == 0) {
        String name = in.toString(at, length, StandardCharsets.US_ASCII);
        return name.chars().allMatch(c -> c > 0x20 && c < 0x7f)
            ? Optional.of(name.toLowerCase(Locale.ROOT)) : Optional.empty();
      }
      at += length;
    }
    return Optional.empty();
  }

  /** The protocol_name_list of ALPN. */
  private static List<String> protocols(ByteBuf in, int at, int end) {
    int listEnd = Math.min(end, at + 2 + in.getUnsignedShort(at));
    at += 2;
    List<String> out = new ArrayList<>();
    while (at < listEnd && out.size() < MAX_PROTOCOLS) {
      int length = in.getUnsignedByte(at);
      at += 1;
      if (length == 0 || at + length > listEnd) {
        break;
      }
      out.add(in.toString(at, length, StandardCharsets.ISO_8859_1));
      at += length;
    }
    return out;
  }
}
