/**
 * The TLS prober: connects to endpoints, captures what they present, then judges it.
 *
 * <p>Start from {@link io.certkeeper.probe.Prober}: {@code Prober.start(options)} owns one shared
 * Netty event loop group and probes many {@link io.certkeeper.probe.ProbeTarget}s concurrently
 * under a bound, returning one {@link io.certkeeper.probe.ProbeCapture} per target.
 *
 * <p>Capture first, judge after. The handshake trusts any chain so the chain is always recorded,
 * even when a strict client would refuse it; servers that only speak TLS 1.0/1.1 or only weak
 * suites are read with a hand-built legacy ClientHello. Judging is a separate pure step
 * ({@code ProbeJudge}) over the capture, the expected name, the trust anchors and a clock, and
 * produces a {@link io.certkeeper.probe.ProbeResult} whose problems are
 * {@link io.certkeeper.probe.ProbeProblem} codes.
 */
package io.certkeeper.probe;
