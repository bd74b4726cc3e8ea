package io.certkeeper;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.Architectures.layeredArchitecture;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/**
 * The design rules of docs/ARCHITECTURE.md, checked on the compiled main classes: the package
 * arrows, who may speak SQL, what an event-loop thread may call, and where the wall clock comes
 * from. A rule that fails names each offending class and call.
 */
class ArchitectureTest {
  private static final JavaClasses MAIN = new ClassFileImporter()
      .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
      .importPackages("io.certkeeper", "db.migration");

  /** The arrows of docs/ARCHITECTURE.md; a package may use only those listed for it (and the JDK and libraries). */
  @Test
  void packagesDependOnlyDownwards() {
    layeredArchitecture().consideringOnlyDependenciesInLayers()
        .layer("util").definedBy("io.certkeeper.util..")
        .layer("x509").definedBy("io.certkeeper.x509..")
        .layer("config").definedBy("io.certkeeper.config..")
        .layer("store").definedBy("io.certkeeper.store..")
        .layer("ca").definedBy("io.certkeeper.ca..")
        .layer("acme").definedBy("io.certkeeper.acme..")
        .layer("probe").definedBy("io.certkeeper.probe..")
        .layer("serve").definedBy("io.certkeeper.serve..")
        .layer("alert").definedBy("io.certkeeper.alert..")
        .layer("renew").definedBy("io.certkeeper.renew..")
        .layer("metrics").definedBy("io.certkeeper.metrics..")
        .layer("report").definedBy("io.certkeeper.report..")
        .layer("schedule").definedBy("io.certkeeper.schedule..")
        .layer("files").definedBy("io.certkeeper.files..")
        .layer("daemon").definedBy("io.certkeeper.daemon..")
        .layer("cli").definedBy("io.certkeeper.cli..")
        .whereLayer("util").mayNotAccessAnyLayer()
        .whereLayer("x509").mayOnlyAccessLayers("util")
        .whereLayer("config").mayOnlyAccessLayers("util", "x509")
        .whereLayer("store").mayOnlyAccessLayers("util", "x509")
        .whereLayer("ca").mayOnlyAccessLayers("util", "x509", "config", "store")
        .whereLayer("acme").mayOnlyAccessLayers("util", "x509", "config", "store")
        .whereLayer("probe").mayOnlyAccessLayers("util", "x509", "config", "store")
        .whereLayer("serve").mayOnlyAccessLayers("util", "x509", "config")
        .whereLayer("alert").mayOnlyAccessLayers("util", "x509", "config", "store")
        .whereLayer("renew").mayOnlyAccessLayers("util", "x509", "config", "store", "ca", "acme")
        .whereLayer("metrics").mayOnlyAccessLayers("util", "x509", "config", "store")
        .whereLayer("report").mayOnlyAccessLayers("util", "x509", "config", "store")
        .whereLayer("schedule").mayOnlyAccessLayers("util", "x509", "config", "store")
        .whereLayer("files").mayOnlyAccessLayers("util", "x509", "config", "store")
        .whereLayer("daemon").mayOnlyAccessLayers("util", "x509", "config", "store", "ca", "acme", "probe", "serve", "alert",
            "renew", "metrics", "report", "schedule", "files")
        .whereLayer("cli").mayNotBeAccessedByAnyLayer()
        .check(MAIN);
  }

  @Test
  void packagesHaveNoCycles() {
    slices().matching("io.certkeeper.(*)..").should().beFreeOfCycles().check(MAIN);
  }

  /** One owner per table: JDBC, SQL and the database libraries are the store's alone. */
  @Test
  void onlyTheStoreSpeaksSql() {
    noClasses().that().resideOutsideOfPackages("io.certkeeper.store..", "db.migration..")
        .should().dependOnClassesThat().resideInAnyPackage("java.sql..", "javax.sql..", "org.h2..", "org.postgresql..",
            "com.zaxxer.hikari..", "org.flywaydb..")
        .because("every table has one owner in io.certkeeper.store; others use its repositories and units of work")
        .check(MAIN);
  }

  /** Flyway's Java migrations (where SQL cannot say it) are the store's too, and stand alone. */
  @Test
  void javaMigrationsUseNoCertkeeperClassAndNoneUsesThem() {
    noClasses().that().resideInAPackage("db.migration..")
        .should().dependOnClassesThat().resideInAPackage("io.certkeeper..")
        .because("a migration must mean the same whatever the code of later versions does")
        .check(MAIN);
    noClasses().that().resideInAPackage("io.certkeeper..")
        .should().dependOnClassesThat().resideInAPackage("db.migration..")
        .check(MAIN);
  }

  /**
   * Netty handlers run on event-loop threads: no store, no JDBC, no process, no sleeping there
   * (blocking work goes to the listener's task executor).
   */
  @Test
  void channelHandlersDoNotBlock() {
    noClasses().that().areAssignableTo("io.netty.channel.ChannelHandler")
        .and().resideInAPackage("io.certkeeper..")
        .should().dependOnClassesThat().resideInAnyPackage("io.certkeeper.store..", "java.sql..")
        .orShould().callMethod(Thread.class, "sleep", long.class)
        .orShould().callConstructor(ProcessBuilder.class, String[].class)
        .orShould().callConstructor(ProcessBuilder.class, java.util.List.class)
        .check(MAIN);
  }

  /** Time is injected: only the entry points read the system clock. */
  @Test
  void onlyEntryPointsReadTheSystemClock() {
    noClasses().that().doNotHaveFullyQualifiedName("io.certkeeper.cli.Main")
        .and().doNotHaveFullyQualifiedName("io.certkeeper.cli.CdsTraining")
        .should().callMethod(java.time.Clock.class, "systemUTC")
        .orShould().callMethod(java.time.Clock.class, "systemDefaultZone")
        .orShould().callMethod(java.time.Instant.class, "now")
        .orShould().callMethod(System.class, "currentTimeMillis")
        .because("every part takes a java.time.Clock, so tests and the daemon agree on time")
        .check(MAIN);
  }
}
