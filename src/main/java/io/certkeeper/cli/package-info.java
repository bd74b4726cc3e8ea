/**
 * The picocli command line. {@link io.certkeeper.cli.Main} is the entry point; {@link
 * io.certkeeper.cli.CertkeeperCommand} holds the global options and gives subcommands the
 * configuration, data directory, store and clock.
 */
package io.certkeeper.cli;
