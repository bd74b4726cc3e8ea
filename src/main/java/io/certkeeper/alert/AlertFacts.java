package io.certkeeper.alert;

import java.util.List;
import java.util.Objects;

/**
 * What an alert mail says, beyond its title: what happened, where, when, what to do, and the
 * certificate chain involved (one line per certificate, leaf first). Stored with the event as JSON.
 */
public record AlertFacts(String what, String where, String when, String action, List<String> chain) {
  public AlertFacts {
    Objects.requireNonNull(what, "what");
    Objects.requireNonNull(where, "where");
    Objects.requireNonNull(when, "when");
    Objects.requireNonNull(action, "action");
    chain = List.copyOf(chain);
  }
}
