/**
 * Tests of what ships beside the jar: the systemd unit and the install scripts. They run the real
 * tools ({@code systemd-analyze}, {@code sh}) and skip with a message where a tool is missing.
 */
package io.certkeeper.ops;
