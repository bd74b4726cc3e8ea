package io.certkeeper.schedule;

import io.certkeeper.config.EndpointCodec;
import io.certkeeper.config.EndpointConfig;
import io.certkeeper.store.EndpointRepository;
import io.certkeeper.store.EndpointRow;
import io.certkeeper.store.Store;
import io.certkeeper.store.StoreException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BiConsumer;

/** The endpoints of the store (declared in config or added with the CLI), decoded. */
public final class StoredEndpoints {
  private StoredEndpoints() {}

  /**
   * Decodes each row's spec; a row that does not decode is reported to {@code skipped} (id,
   * reason) and left out.
   */
  public static List<EndpointConfig> decode(List<EndpointRow> rows, BiConsumer<String, String> skipped) {
    List<EndpointConfig> out = new ArrayList<>(rows.size());
    for (EndpointRow row : rows) {
      try {
        out.add(EndpointCodec.fromJson(row.specJson()));
      } catch (IllegalArgumentException e) {
        skipped.accept(row.id(), e.getMessage());
      }
    }
    return out;
  }

  /** The probe calendar of every stored endpoint that decodes. */
  public static ProbeCalendar calendar(Store store) throws StoreException {
    return ProbeCalendar.of(decode(new EndpointRepository(store).list(), (id, why) -> {}));
  }
}
