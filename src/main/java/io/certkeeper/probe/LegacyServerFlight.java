package io.certkeeper.probe;

import io.certkeeper.x509.Pem;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.math.BigInteger;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Reads a server's first flight in answer to a {@link LegacyClientHello}: ServerHello (version,
 * suite), Certificate, CertificateStatus (OCSP staple), ServerKeyExchange (DH group size),
 * CertificateRequest, up to ServerHelloDone; or an alert. Sizes are bounded: records as the RFC
 * allows, the whole flight to {@value #MAX_FLIGHT_BYTES} bytes.
 */
final class LegacyServerFlight {
  static final int MAX_FLIGHT_BYTES = 1 << 20;
  private static final int MAX_RECORD_BYTES = 16384 + 2048;

  /** Where reading stands after the bytes seen so far. */
  enum State { NEED_MORE, DONE, ALERT, NOT_TLS, MALFORMED }

  private final ByteBuf handshake = Unpooled.buffer(4096);
  private int consumed;
  private boolean sawRecord;
  private State state = State.NEED_MORE;

  String protocol;
  String cipher;
  final List<X509Certificate> chain = new ArrayList<>();
  byte[] ocspStaple;
  Integer dhGroupBits;
  boolean certificateRequested;
  int alert = -1;
  String detail;

  State state() {
    return state;
  }

  /** Consumes whole records from {@code in}; leaves a partial record in place. */
  State feed(ByteBuf in) {
    while (state == State.NEED_MORE && in.readableBytes() >= 5) {
      int start = in.readerIndex();
      int type = in.getUnsignedByte(start);
      int major = in.getUnsignedByte(start + 1);
      int length = in.getUnsignedShort(start + 3);
      if (type < 20 || type > 23 || major != 3) {
        return fail(sawRecord ? State.MALFORMED : State.NOT_TLS,
            sawRecord ? "bad TLS record header" : "the server's answer is not TLS");
      }
      if (length > MAX_RECORD_BYTES) {
        return fail(State.MALFORMED, "TLS record of " + length + " bytes");
      }
      if (in.readableBytes() < 5 + length) {
        break;
      }
      sawRecord = true;
      consumed += 5 + length;
      if (consumed > MAX_FLIGHT_BYTES) {
        return fail(State.MALFORMED, "server flight larger than " + MAX_FLIGHT_BYTES + " bytes");
      }
      ByteBuf payload = in.slice(start + 5, length);
      in.skipBytes(5 + length);
      switch (type) {
        case 21 -> readAlert(payload);
        case 22 -> {
          handshake.writeBytes(payload);
          readHandshakeMessages();
        }
        default -> fail(State.MALFORMED, "unexpected record type " + type + " before ServerHelloDone");
      }
    }
    return state;
  }

  void release() {
    handshake.release();
  }

  private void readAlert(ByteBuf payload) {
    if (payload.readableBytes() < 2) {
      fail(State.MALFORMED, "short alert");
      return;
    }
    int level = payload.getUnsignedByte(0);
    int description = payload.getUnsignedByte(1);
    if (level == 2 || description == 0) {
      alert = description;
      state = State.ALERT;
      detail = "server sent alert " + TlsAlerts.name(description) + " (" + description + ")";
    }
  }

  private void readHandshakeMessages() {
    while (state == State.NEED_MORE && handshake.readableBytes() >= 4) {
      int start = handshake.readerIndex();
      int type = handshake.getUnsignedByte(start);
      int length = handshake.getUnsignedMedium(start + 1);
      if (length > MAX_FLIGHT_BYTES) {
        fail(State.MALFORMED, "handshake message of " + length + " bytes");
        return;
      }
      if (handshake.readableBytes() < 4 + length) {
        return;
      }
      ByteBuf body = handshake.slice(start + 4, length);
      handshake.skipBytes(4 + length);
      try {
        readMessage(type, body);
      } catch (IndexOutOfBoundsException e) {
        fail(State.MALFORMED, "truncated handshake message of type " + type);
      }
    }
    handshake.discardReadBytes();
  }

  private void readMessage(int type, ByteBuf body) {
    switch (type) {
      case 0 -> { } // HelloRequest: ignored
      case 2 -> readServerHello(body);
      case 11 -> readCertificate(body);
      case 12 -> readServerKeyExchange(body);
      case 13 -> certificateRequested = true;
      case 14 -> state = protocol == null ? fail(State.MALFORMED, "ServerHelloDone before ServerHello") : State.DONE;
      case 22 -> readCertificateStatus(body);
      default -> fail(State.MALFORMED, "unexpected handshake message of type " + type);
    }
  }

  private void readServerHello(ByteBuf body) {
    int version = body.readUnsignedShort();
    protocol = switch (version) {
      case 0x0300 -> "SSLv3";
      case 0x0301 -> "TLSv1";
      case 0x0302 -> "TLSv1.1";
      case 0x0303 -> "TLSv1.2";
      default -> String.format(Locale.ROOT, "0x%04X", version);
    };
    body.skipBytes(32);
    body.skipBytes(body.readUnsignedByte());
    cipher = CipherSuites.name(body.readUnsignedShort());
  }

  private void readCertificate(ByteBuf body) {
    int total = body.readUnsignedMedium();
    ByteBuf list = body.readSlice(total);
    while (list.isReadable()) {
      byte[] der = new byte[list.readUnsignedMedium()];
      list.readBytes(der);
      try {
        chain.add(Pem.decodeDer(der));
      } catch (IllegalArgumentException e) {
        fail(State.MALFORMED, "certificate " + (chain.size() + 1) + " does not parse: " + io.certkeeper.util.ErrorText.reason(e));
        return;
      }
    }
  }

  private void readServerKeyExchange(ByteBuf body) {
    if (cipher != null && CipherSuites.usesFiniteFieldDh(cipher)) {
      byte[] p = new byte[body.readUnsignedShort()];
      body.readBytes(p);
      dhGroupBits = new BigInteger(1, p).bitLength();
    }
  }

  private void readCertificateStatus(ByteBuf body) {
    if (body.readUnsignedByte() == 1) {
      byte[] response = new byte[body.readUnsignedMedium()];
      body.readBytes(response);
      ocspStaple = response;
    }
  }

  private State fail(State s, String why) {
    state = s;
    detail = why;
    return s;
  }
}
