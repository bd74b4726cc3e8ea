package io.certkeeper.renew;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.certkeeper.ca.Profile;
import io.certkeeper.config.LeafProfile;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The configuration's profiles reach the CA's own under the same codes, every one of them. */
class CaPoliciesTest {
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
