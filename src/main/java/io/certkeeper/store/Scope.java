package io.certkeeper.store;

import java.util.Objects;

/**
 * Where a repository's statements run: each call in a transaction of its own (a repository made
 * from a {@link Store}), or every call in one caller's {@link Transaction} (a repository taken from
 * it). The repository's code is the same either way.
 */
final class Scope {
  private final Store store;
  private final Transaction transaction;

  private Scope(Store store, Transaction transaction) {
    this.store = store;
    this.transaction = transaction;
  }

  /** Each call of the repository commits on its own. */
  static Scope perCall(Store store) {
    return new Scope(Objects.requireNonNull(store, "store"), null);
  }

  /** Every call of the repository runs in {@code tx}, which its caller commits. */
  static Scope in(Transaction tx) {
    return new Scope(null, Objects.requireNonNull(tx, "tx"));
  }

  <T> T run(Store.Transactional<T> work) throws StoreException {
    return transaction != null ? transaction.run(work) : store.transaction(work);
  }
}
