package io.certkeeper.probe;

import io.certkeeper.x509.Pem;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The certificates a server sent, re-read from their bytes through the bounded reader
 * ({@code x509.Pem.decodeDer}, which checks size and nesting first). The TLS stack hands over
 * certificates that parse lazily, on first use, outside any guard; re-reading them here means a
 * hostile certificate is refused once, as this probe's {@code malformed} problem, and everything
 * after the capture works on certificates that are already parsed.
 *
 * @param certificates the certificates that read, in the order sent
 * @param defect what was wrong with the first one that did not, naming its position
 */
record PeerChain(List<X509Certificate> certificates, Optional<String> defect) {
  PeerChain {
    certificates = List.copyOf(certificates);
  }

  static PeerChain of(List<X509Certificate> sent) {
    List<X509Certificate> read = new ArrayList<>(sent.size());
    String defect = null;
    for (int i = 0; i < sent.size(); i++) {
      try {
        read.add(Pem.decodeDer(sent.get(i).getEncoded()));
      } catch (CertificateEncodingException | RuntimeException e) {
        if (defect == null) {
          defect = "certificate " + (i + 1) + " of " + sent.size() + " sent is malformed: "
              + io.certkeeper.util.ErrorText.reason(e);
        }
      }
    }
    return new PeerChain(read, Optional.ofNullable(defect));
  }
}
