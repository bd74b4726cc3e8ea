package io.certkeeper.x509;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class PeerNameTest {
  @ParameterizedTest
  @CsvSource({
      "example.com, Dns, example.com",
      "WWW.Example.COM., Dns, www.example.com",
      "192.0.2.1, Ip, 192.0.2.1",
      "::1, Ip, 0:0:0:0:0:0:0:1",
      "[2001:db8::1], Ip, 2001:db8:0:0:0:0:0:1",
      "192.168.001.001, Dns, 192.168.001.001",
      "0xC0A80101, Dns, 0xc0a80101",
      "alice@example.com, Email, alice@example.com",
  })
  void parseGuessesTheKind(String text, String kind, String canonical) {
    PeerName name = PeerName.parse(text);

    assertEquals(kind, name.getClass().getSimpleName());
    assertEquals(canonical, name.toString());
  }

  @ParameterizedTest
  @ValueSource(strings = {"", " ", "has space.example.com", "@example.com", "alice@"})
  void parseRefusesWhatIsNoName(String text) {
    assertThrows(IllegalArgumentException.class, () -> PeerName.parse(text));
  }
}
