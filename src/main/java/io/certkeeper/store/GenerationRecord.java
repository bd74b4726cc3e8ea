package io.certkeeper.store;

import java.time.Instant;

/**
 * A generation of a managed certificate from its history ({@code managed_generations}), with its
 * validity.
 *
 * @param node the node that put it in force
 * @param name the managed certificate
 * @param generation its number: 1 for the first certificate put in force
 */
public record GenerationRecord(String node, String name, long generation, String serial, String sha256, Instant notBefore,
    Instant notAfter) {}
