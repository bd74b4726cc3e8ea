package io.certkeeper.renew;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.certkeeper.ca.Profile;
import io.certkeeper.config.LeafKeyType;
import io.certkeeper.config.LeafProfile;
import io.certkeeper.x509.KeyType;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The configuration's key types and profiles reach the CA's own under the same codes, every one of them. */
class CaPoliciesTest {
  @ParameterizedTest
  @EnumSource(LeafKeyType.class)
  void aConfiguredKeyTypeIsTheCaKeyTypeOfTheSameCode(LeafKeyType t) {
    assertEquals(t.code(), CaPolicies.keyType(t).code());
  }

  @Test
  void theConfigurationKnowsEveryKeyTypeInTheSameOrder() {
    assertEquals(Arrays.asList(KeyType.values()),
        Arrays.stream(LeafKeyType.values()).map(CaPolicies::keyType).toList());
  }

  @ParameterizedTest
  @EnumSource(LeafProfile.class)
  void aConfiguredProfileIsTheCaProfileOfTheSameCode(LeafProfile p) {
    assertEquals(p.code(), CaPolicies.profile(p).code());
  }

  @Test
  void theConfigurationKnowsEveryProfile() {
    assertEquals(List.of(Profile.values()), Arrays.stream(LeafProfile.values()).map(CaPolicies::profile).toList());
  }
}
