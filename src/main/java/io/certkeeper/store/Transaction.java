package io.certkeeper.store;

import java.sql.Connection;
import java.sql.SQLException;

/**
 * One database transaction, handed to the work of {@link Store#inTransaction}. The repositories it
 * offers run every statement in it, so what is done through them commits together when the work
 * returns, or not at all when it throws:
 *
 * <pre>{@code
 * store.inTransaction(tx -> {
 *   tx.managed(node).failed(name, error, nextAttempt, now);
 *   alerts.renewalFailed(tx, ...); // writes through tx.outbox()
 *   return null;
 * });
 * }</pre>
 *
 * <p>The handle is valid only while its work runs, on that work's thread; afterwards every use
 * fails with {@link IllegalStateException}.
 */
public final class Transaction {
  private final Connection connection;
  private volatile boolean ended;

  Transaction(Connection connection) {
    this.connection = connection;
  }

  /** The managed certificates {@code node} holds, and their generations. */
  public ManagedCertificateRepository managed(String node) {
    return new ManagedCertificateRepository(Scope.in(this), node);
  }

  /** Alert events and their deliveries: the outbox. */
  public AlertOutboxRepository outbox() {
    return new AlertOutboxRepository(Scope.in(this));
  }

  /** What has been alerted per endpoint. */
  public EndpointAlertStateRepository alertState() {
    return new EndpointAlertStateRepository(Scope.in(this));
  }

  /** Probe results, endpoint states and the changes of served certificates. */
  public ProbeResultRepository probes() {
    return new ProbeResultRepository(Scope.in(this));
  }

  /** The certificate files {@code node} watches, and what they hold. */
  public WatchedFileRepository files(String node) {
    return new WatchedFileRepository(Scope.in(this), node);
  }

  /** The issued leaves near their expiry. */
  public ExpiringIssued expiringIssued() {
    return new ExpiringIssued(Scope.in(this));
  }

  /** The certificate inventory. */
  public CertificateRepository certificates() {
    return new CertificateRepository(Scope.in(this));
  }

  /** Runs SQL on this transaction's connection; a failed statement becomes a {@link StoreException}. */
  <T> T run(Store.Transactional<T> work) throws StoreException {
    if (ended) {
      throw new IllegalStateException("the transaction has ended: use its handle only inside its work");
    }
    try {
      return work.run(connection);
    } catch (SQLException e) {
      throw Store.failure(e);
    }
  }

  void end() {
    ended = true;
  }
}
