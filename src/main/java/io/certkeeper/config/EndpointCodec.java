package io.certkeeper.config;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.certkeeper.util.Json;

/** An endpoint's resolved settings as the JSON the store keeps, and back. */
public final class EndpointCodec {
  private EndpointCodec() {}

  public static String toJson(EndpointConfig e) {
    try {
      return Json.mapper().writeValueAsString(e);
    } catch (JsonProcessingException ex) {
      throw new IllegalStateException("cannot encode endpoint " + e.id(), ex);
    }
  }

  /**
   * @throws IllegalArgumentException when the stored JSON is not an endpoint (a newer or corrupt row)
   */
  public static EndpointConfig fromJson(String json) {
    try {
      return Json.mapper().readValue(json, EndpointConfig.class);
    } catch (JsonProcessingException ex) {
      throw new IllegalArgumentException("stored endpoint is not readable: " + ex.getOriginalMessage(), ex);
    }
  }
}
