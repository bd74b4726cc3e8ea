package io.certkeeper.alert;

import io.certkeeper.config.AlertsConfig;
import io.certkeeper.config.DigestMode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Who receives an alert: the subject's owners, or the default recipients when it has none; plus
 * every route whose severity the alert reaches. Each address once (compared case-insensitively),
 * with its digest mode.
 */
final class Routing {
  record Recipient(String address, DigestMode digest) {}

  private Routing() {}

  static List<Recipient> recipients(List<String> owners, Severity severity, AlertsConfig config) {
    Map<String, String> byKey = new LinkedHashMap<>();
    for (String a : owners.isEmpty() ? config.recipients() : owners) {
      byKey.putIfAbsent(a.toLowerCase(Locale.ROOT), a);
    }
    for (AlertsConfig.Route r : config.routes()) {
      if (severity.compareTo(Severity.ofCode(r.severity())) >= 0) {
        for (String a : r.to()) {
          byKey.putIfAbsent(a.toLowerCase(Locale.ROOT), a);
        }
      }
    }
    List<Recipient> out = new ArrayList<>();
    for (String a : byKey.values()) {
      out.add(new Recipient(a, config.digestOf(a)));
    }
    return out;
  }
}
