/**
 * Certificates on disk ({@code files:}): glob patterns walked within bounds ({@link GlobPattern}),
 * each matched file read as PEM, DER, PKCS#12, JKS or JCEKS ({@link FileScan}), and the inventory
 * kept in step with what the files hold ({@link FileInventory}). Uses the configuration, the x509
 * readers and the store; the daemon runs it on each set's rescan interval, {@code certkeeper files
 * rescan} on demand.
 */
package io.certkeeper.files;
