package io.certkeeper.x509;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class HostnameMatcherTest {
  @ParameterizedTest(name = "{0} vs {1}: {2}")
  @CsvSource({
      "example.com, example.com, true",
      "example.com, www.example.com, false",
      "www.example.com, example.com, false",
      "*.example.com, www.example.com, true",
      "*.example.com, example.com, false",
      "*.example.com, a.b.example.com, false",
      "*.co.uk, example.co.uk, false",
      "*.com, example.com, false",
      "*.s3.amazonaws.com, bucket.s3.amazonaws.com, false",
      "*.example.co.uk, www.example.co.uk, true",
  })
  void dnsNamesMatchExactlyOrByOneLeftMostWildcardLabel(String presented, String reference,
      boolean matches) {
    assertEquals(matches, HostnameMatcher.dnsMatches(presented, reference));
  }

  @ParameterizedTest(name = "{0}: {1}")
  @CsvSource({
      "www.example.com, true",
      "*.example.com, true",
      "*, false",
      "*.com, false",
      "ba*.example.com, false",
      "foo.*.example.com, false",
      "foo_bar.example.com, false",
      ".example.com, false",
      "example.com., false",
      "8.8.8.8, false",
      "xn--bcher-kva.example, true",
  })
  void presentedNamesFollowThePreferredNameSyntax(String name, boolean valid) {
    assertEquals(valid, DnsNames.isPresentedName(name));
  }

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource({
      "2001:db8:0:0:1:0:0:1, 2001:db8::1:0:0:1",
      "2001:0db8:0000:0000:0000:0000:0000:0001, 2001:db8::1",
      "::1, ::1",
      "::, ::",
      "2001:db8:0:1:1:1:1:1, 2001:db8:0:1:1:1:1:1",
  })
  void ipv6TextIsRfc5952(String input, String canonical) {
    assertEquals(canonical, CommonNameRule.ipText(IpLiterals.parse(input).getAddress()));
  }
}
