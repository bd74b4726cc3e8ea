/**
 * Metrics in the Prometheus text format, written by hand (the format is small; no client library).
 * Start from {@link io.certkeeper.metrics.Metrics}. {@link io.certkeeper.metrics.Counters} holds
 * what only the running daemon knows; the renewal and alert code increments it.
 *
 * <p>This is a package of its own rather than part of {@code serve} because the renew and alert
 * packages increment its counters, and they may not depend on {@code serve}. It uses only
 * {@code store} and {@code util}.
 */
package io.certkeeper.metrics;
