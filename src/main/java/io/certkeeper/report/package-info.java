/**
 * Read models shared by the command line ({@code --json}) and the admin API, so both print the same
 * shapes: {@link io.certkeeper.report.CertificateListing}, {@link io.certkeeper.report.EndpointListing}.
 * Uses the store and the configuration codec; nothing here writes.
 */
package io.certkeeper.report;
