/**
 * X.509 and PKCS handling that every other package builds on: reading and writing PEM, DER and
 * PKCS#12, fingerprints, key generation, and strict chain validation. Start from {@link
 * io.certkeeper.x509.CertificateInfo} (the facts about one certificate) and {@link
 * io.certkeeper.x509.Pem}. Uses nothing else of certkeeper but {@code io.certkeeper.util}.
 */
package io.certkeeper.x509;
