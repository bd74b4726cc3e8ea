/**
 * The inventory: one database (H2 file by default, PostgreSQL for fleets) with Flyway migrations
 * under {@code db/migration}, and one repository per aggregate that owns its tables and hides their
 * SQL; no other package holds SQL. Start from {@link io.certkeeper.store.Store#open} and
 * {@link io.certkeeper.store.CertificateRepository}. Writes that must commit together (a state
 * change and the alert it raises) run in {@link io.certkeeper.store.Store#inTransaction}, through
 * the repositories of its {@link io.certkeeper.store.Transaction}.
 */
package io.certkeeper.store;
