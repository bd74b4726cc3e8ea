package io.certkeeper.store;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicInteger;
import org.quartz.utils.ConnectionProvider;
import org.quartz.utils.DBConnectionManager;

/**
 * Lends the store's pooled connections to Quartz's JDBC job store, which owns the {@code QRTZ_}
 * tables this package's migrations create: the scheduler names the data source {@link #register}
 * returned in its properties. The store owns and closes the pool.
 */
public final class JobStoreConnections implements ConnectionProvider {
  private static final AtomicInteger INSTANCES = new AtomicInteger();

  private final Store store;

  private JobStoreConnections(Store store) {
    this.store = store;
  }

  /** Registers {@code store}'s pool with Quartz under a new data source name, and returns that name. */
  public static String register(Store store) {
    Objects.requireNonNull(store, "store");
    String name = "certkeeper-store-" + INSTANCES.incrementAndGet();
    DBConnectionManager.getInstance().addConnectionProvider(name, new JobStoreConnections(store));
    return name;
  }

  /** Forgets the data source {@code name}; the pool itself stays open (the store closes it). */
  public static void unregister(String name) {
    try {
      DBConnectionManager.getInstance().shutdown(name);
    } catch (SQLException e) {
      // the pool is owned and closed by the store
    }
  }

  @Override
  public Connection getConnection() throws SQLException {
    return store.connection();
  }

  @Override
  public void shutdown() {}

  @Override
  public void initialize() {}
}
