package io.certkeeper.testing;

import io.certkeeper.store.Store;
import io.certkeeper.store.StoreException;
import java.nio.file.Path;
import java.util.Optional;

/**
 * The database engines a store test runs on. A repository test takes one as its parameter and runs
 * once per engine:
 *
 * <pre>{@code
 * @ParameterizedTest
 * @EnumSource(StoreBackend.class)
 * void findsWhatItStored(StoreBackend backend) throws Exception {
 *   try (Store store = backend.open(dir)) { ... }
 * }
 * }</pre>
 *
 * <p>{@link #H2} is the embedded file under the test's directory; {@link #POSTGRESQL} a fresh database
 * of this JVM's {@link PostgresCluster} (the run is skipped when PostgreSQL is not installed, and
 * fails under {@code CI=true}).
 */
public enum StoreBackend {
  H2 {
    @Override
    public Location fresh(Path dir) {
      // as a command holding the file would (a new store may be created), or as the daemon does
      return (poolSize, schema) -> Store.openEmbedded(dir, Optional.empty(), Optional.empty(), poolSize,
          io.certkeeper.store.StoreWait.none(), schema);
    }
  },
  POSTGRESQL {
    @Override
    public Location fresh(Path dir) {
      PostgresCluster.Database db = PostgresCluster.get().newDatabase();
      return (poolSize, schema) -> Store.open(db.url(), Optional.of(db.user()),
          Optional.of(db.password().toCharArray()), poolSize, schema);
    }
  };

  /** The pool size of {@link #open(Path)}. */
  public static final int POOL_SIZE = 4;

  /** A new, empty store of this engine that can be opened (and closed and opened again) many times. */
  @FunctionalInterface
  public interface Location {
    /** Opens the store, migrating or checking its schema as {@code schema} says. */
    Store open(int poolSize, Store.Schema schema) throws StoreException;

    /** Opens the store, migrating it as {@code Store.open} does. */
    default Store open(int poolSize) throws StoreException {
      return open(poolSize, Store.Schema.MIGRATE);
    }

    default Store open() throws StoreException {
      return open(POOL_SIZE);
    }
  }

  /** A new, empty store: H2's file under {@code dir}, or a new PostgreSQL database ({@code dir} unused). */
  public abstract Location fresh(Path dir);

  /** Opens a new, empty store; see {@link #fresh}. */
  public Store open(Path dir) throws StoreException {
    return fresh(dir).open();
  }

  /** The engine as {@code Store.engine()} names it. */
  public Store.Engine engine() {
    return this == H2 ? Store.Engine.H2 : Store.Engine.POSTGRESQL;
  }

  @Override
  public String toString() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }
}
