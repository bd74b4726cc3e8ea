/**
 * The typed configuration and its loader. {@link io.certkeeper.config.ConfigLoader#load} reads the
 * YAML file into a {@link io.certkeeper.config.Config}; each section is a record that reads its own
 * keys through {@link io.certkeeper.config.ConfigNode}, so every mistake names file, line and key.
 * Secrets are {@link io.certkeeper.config.SecretRef references}, resolved only when used.
 * {@link io.certkeeper.config.SystemdDropin} derives from a configuration the systemd drop-in that
 * lets the shipped unit write its outputs.
 */
package io.certkeeper.config;
