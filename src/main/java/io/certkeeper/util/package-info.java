/**
 * Small helpers every other package may use: argument checks, duration parsing, atomic file
 * writes and the shared JSON mapper. Nothing here knows about certificates or the store.
 */
package io.certkeeper.util;
