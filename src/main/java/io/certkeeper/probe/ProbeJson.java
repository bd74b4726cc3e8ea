package io.certkeeper.probe;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.certkeeper.util.Timestamps;
import java.util.List;

/**
 * The {@code --json} shape of probe results, one object per target, as the CLI contract states:
 * target, host, port, address, servername, status, problems, message, protocol, cipher, daysLeft,
 * chain (subject, issuer, serial, notBefore, notAfter, sha256, spkiSha256, keyAlgorithm, keySize,
 * signatureAlgorithm, sans typed as {@code dns:}, {@code ip:}, {@code email:}, {@code uri:}), validPath,
 * ocsp, timings (connectMs, handshakeMs, totalMs). Absent values are JSON null; times are RFC 3339
 * UTC in whole seconds ({@link Timestamps}).
 */
public final class ProbeJson {
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  private ProbeJson() {}

  /** The array printed by {@code certkeeper probe --json}. */
  public static ArrayNode array(List<ProbeResult> results) {
    ArrayNode array = NODES.arrayNode();
    results.forEach(r -> array.add(object(r)));
    return array;
  }

  /** One target's object. */
  public static ObjectNode object(ProbeResult r) {
    ObjectNode o = NODES.objectNode();
    o.put("target", r.target().spec());
    o.put("host", r.target().host());
    o.put("port", r.target().port());
    o.put("address", r.address().orElse(null));
    o.put("servername", r.serverName());
    o.put("status", r.statusCode());
    ArrayNode problems = o.putArray("problems");
    r.problemCodes().forEach(problems::add);
    o.put("message", r.message());
    o.put("protocol", r.protocol().orElse(null));
    o.put("cipher", r.cipher().orElse(null));
    if (r.daysLeft().isPresent()) {
      o.put("daysLeft", r.daysLeft().getAsLong());
    } else {
      o.putNull("daysLeft");
    }
    ArrayNode chain = o.putArray("chain");
    for (CertificateSummary c : r.chain()) {
      ObjectNode cert = chain.addObject();
      cert.put("subject", c.subject());
      cert.put("issuer", c.issuer());
      cert.put("serial", c.serial());
      cert.put("notBefore", Timestamps.format(c.notBefore()));
      cert.put("notAfter", Timestamps.format(c.notAfter()));
      cert.put("sha256", c.sha256());
      cert.put("spkiSha256", c.spkiSha256());
      cert.put("keyAlgorithm", c.keyAlgorithm());
      cert.put("keySize", c.keySize());
      cert.put("signatureAlgorithm", c.signatureAlgorithm());
      ArrayNode sans = cert.putArray("sans");
      c.sans().forEach(sans::add);
    }
    o.put("validPath", r.validPath());
    o.put("ocsp", r.ocsp().code());
    ObjectNode timings = o.putObject("timings");
    timings.put("connectMs", r.timings().connectMs());
    timings.put("handshakeMs", r.timings().handshakeMs());
    timings.put("totalMs", r.timings().totalMs());
    return o;
  }
}
