/**
 * The inventory: one database (H2 file by default, PostgreSQL for fleets) with Flyway migrations
 * under {@code db/migration}, and one repository per aggregate that hides the SQL. Start from
 * {@link io.certkeeper.store.Store#open} and {@link io.certkeeper.store.CertificateRepository}.
 */
package io.certkeeper.store;
