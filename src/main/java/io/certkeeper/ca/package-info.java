/**
 * The local certificate authority: a root and optional intermediate whose keys are encrypted at
 * rest, leaf issuance under a policy, revocation and CRLs. Every certificate it signs is recorded in
 * the store before anyone is told it exists.
 *
 * <p>Start from {@link io.certkeeper.ca.LocalCa} ({@code init} / {@code load}), then {@link
 * io.certkeeper.ca.Issuer} for leaves ({@link io.certkeeper.ca.IssueRequest}, {@link
 * io.certkeeper.ca.Profile}, {@link io.certkeeper.ca.CaPolicy}) and {@link
 * io.certkeeper.ca.CrlPublisher} for revocation, {@link io.certkeeper.ca.OcspResponder} (with its
 * delegated {@link io.certkeeper.ca.OcspSigner}) for OCSP. Uses {@code x509}, {@code store},
 * {@code config} and {@code util} only; the CLI maps the configuration onto {@link
 * io.certkeeper.ca.CaPolicy}.
 */
package io.certkeeper.ca;
