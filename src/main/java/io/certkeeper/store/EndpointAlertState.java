package io.certkeeper.store;

import java.util.List;
import java.util.Objects;

/**
 * What the alert evaluator has alerted about one endpoint in its current episode (an episode ends
 * with a {@code resolved} alert).
 *
 * @param alertedProblems the problem codes alerted in this episode
 * @param failingAlerted whether {@code failing} was alerted in this episode
 * @param lastChangeId the last {@code endpoint_changes} row the evaluator has looked at
 */
public record EndpointAlertState(String endpointId, int episode, List<String> alertedProblems,
    boolean failingAlerted, long lastChangeId) {
  public EndpointAlertState {
    Objects.requireNonNull(endpointId, "endpointId");
    alertedProblems = List.copyOf(alertedProblems);
  }
}
