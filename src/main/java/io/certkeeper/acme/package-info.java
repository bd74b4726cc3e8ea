/**
 * Certificates from ACME servers (RFC 8555): account keys kept encrypted in the data directory,
 * orders placed and their challenges answered ({@code http-01} through the store, which every
 * {@code acme-http} listener reads), server problems turned into one line. The protocol and JWS
 * layer are acme4j's.
 */
package io.certkeeper.acme;
