package io.certkeeper.cli;

import io.certkeeper.alert.MailTransport;
import io.certkeeper.alert.SmtpFailure;
import io.certkeeper.config.Config;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.HelpCommand;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(
    name = "mail",
    mixinStandardHelpOptions = true,
    description = "Check the mail set-up of alerts.",
    subcommands = {HelpCommand.class, MailCommand.Test.class})
final class MailCommand {

  @Command(
      name = "test",
      mixinStandardHelpOptions = true,
      description = {
        "Send a test message through the configured smtp server and print what the server answered.",
        "Exit 0 when the server accepted it, 1 when not (the error says which step failed)."
      })
  static final class Test implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Option(names = "--to", paramLabel = "ADDR", required = true, description = "Recipient address.")
    String to;

    @Override
    public Integer call() throws Exception {
      CertkeeperCommand root = CertkeeperCommand.of(spec);
      Config config = root.config();
      PrintWriter out = root.out();
      if (!to.contains("@")) {
        throw CliException.usage("--to expects an e-mail address, got '" + to + "'");
      }
      try {
        MailTransport transport = MailTransport.forConfig(config.smtp());
        out.printf("smtp: connecting to %s (%s)%n", transport.server(), config.smtp().security().code());
        out.flush();
        MailTransport.TestResult r = transport.sendTest(to, root.clock().instant());
        out.printf("smtp: connected%s%s%n", r.encrypted() ? ", TLS" : ", plain text",
            config.smtp().user().map(u -> ", authenticated as " + u).orElse(""));
        out.printf("smtp: accepted: %s%n", r.reply());
        out.printf("message-id: %s%n", r.messageId());
        return ExitCodes.OK;
      } catch (SmtpFailure f) {
        throw new CliException(ExitCodes.USAGE, "mail test: " + f.getMessage(), f);
      }
    }
  }
}
