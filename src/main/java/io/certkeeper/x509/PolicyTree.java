package io.certkeeper.x509;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Certificate-policy processing of RFC 5280 sections 6.1.2 to 6.1.5 over one path: the
 * valid_policy_tree with the explicit_policy, inhibit_anyPolicy and policy_mapping counters, the
 * policy mappings, and the intersection with the user-initial-policy-set at the end.
 *
 * <p>The tree can grow exponentially with hostile mappings (CVE-2023-0464): a path whose tree
 * would hold more than {@link Budget#MAX_POLICY_NODES} nodes is refused. The bound is per path, so
 * the candidates path building tried before cannot use it up for the one that is valid; all
 * paths of one validation together are held to {@link Budget#MAX_POLICY_NODES_TOTAL}. When the trust
 * anchor is a certificate its own policyConstraints and inhibitAnyPolicy apply before the first
 * certificate below it, as RFC 5937 allows for anchor constraints.
 */
final class PolicyTree {
  private static final String ANY = PolicyInputs.ANY_POLICY;

  private static final class Node {
    final String validPolicy;
    Set<String> expected;
    final Node parent;
    int children;
    boolean deleted;

    Node(String validPolicy, Set<String> expected, Node parent) {
      this.validPolicy = validPolicy;
      this.expected = expected;
      this.parent = parent;
      if (parent != null) {
        parent.children++;
      }
    }
  }

  /** Thrown when the tree outgrows the budget. */
  private static final class TooBig extends Exception {
    private static final long serialVersionUID = 1L;

    TooBig() {
      super(null, null, false, false);
    }
  }

  private final Budget budget;
  private int nodes;
  /** levels.get(d): the live and deleted nodes of depth d; null once the tree is NULL. */
  private List<List<Node>> levels;

  private PolicyTree(Budget budget) {
    this.budget = budget;
  }

  /**
   * Why no policy is valid for {@code path} (leaf first, trust anchor last), or null when the
   * path passes policy processing under {@code inputs}.
   */
  static String check(List<ParsedCertificate> path, PolicyInputs inputs, Budget budget) {
    try {
      return new PolicyTree(budget).run(path, inputs);
    } catch (TooBig e) {
      return "the certificate policies and mappings of the path make a policy tree larger than "
          + Budget.MAX_POLICY_NODES + " nodes";
    }
  }

  private String run(List<ParsedCertificate> path, PolicyInputs inputs) throws TooBig {
    int n = path.size() - 1; // certificates below the anchor
    int explicitPolicy = inputs.requireExplicitPolicy() ? 0 : n + 1;
    int inhibitAny = inputs.inhibitAnyPolicy() ? 0 : n + 1;
    int policyMapping = inputs.inhibitPolicyMapping() ? 0 : n + 1;
    ParsedCertificate anchor = path.get(n);
    explicitPolicy = tighten(explicitPolicy, anchor.requireExplicitPolicy);
    policyMapping = tighten(policyMapping, anchor.inhibitPolicyMapping);
    inhibitAny = tighten(inhibitAny, anchor.inhibitAnyPolicy);
    levels = new ArrayList<>();
    levels.add(new ArrayList<>(List.of(new Node(ANY, Set.of(ANY), null))));
    for (int i = 1; i <= n; i++) {
      ParsedCertificate cert = path.get(n - i);
      String who = (i == n ? "leaf '" : "intermediate '") + cert.displayName() + "'";
      // 6.1.3 (d), (e)
      if (cert.policies == null) {
        levels = null;
      } else if (levels != null) {
        processPolicies(cert, i, i < n, inhibitAny > 0);
      }
      // 6.1.3 (f)
      if (explicitPolicy <= 0 && levels == null) {
        return who + " leaves no valid certificate policy, and an explicit policy is required";
      }
      if (i == n) {
        break;
      }
      // 6.1.4 (a), (b)
      if (cert.policyMappings != null) {
        for (String[] m : cert.policyMappings) {
          if (m[0].equals(ANY) || m[1].equals(ANY)) {
            return who + " maps anyPolicy in its policyMappings";
          }
        }
        if (levels != null) {
          applyMappings(cert, i, policyMapping > 0);
        }
      }
      // 6.1.4 (h), (i), (j)
      if (!cert.selfIssued) {
        explicitPolicy = Math.max(0, explicitPolicy - 1);
        policyMapping = Math.max(0, policyMapping - 1);
        inhibitAny = Math.max(0, inhibitAny - 1);
      }
      explicitPolicy = tighten(explicitPolicy, cert.requireExplicitPolicy);
      policyMapping = tighten(policyMapping, cert.inhibitPolicyMapping);
      inhibitAny = tighten(inhibitAny, cert.inhibitAnyPolicy);
    }
    // 6.1.5 (a), (b)
    ParsedCertificate leaf = path.get(0);
    explicitPolicy = Math.max(0, explicitPolicy - 1);
    if (leaf.requireExplicitPolicy == 0) {
      explicitPolicy = 0;
    }
    // 6.1.5 (g)
    if (levels != null && !inputs.anyInitialPolicy()) {
      intersect(inputs.initialPolicies(), n);
    }
    if (explicitPolicy <= 0 && levels == null) {
      return inputs.anyInitialPolicy()
          ? "no certificate policy is valid for the whole path, and an explicit policy is required"
          : "no certificate policy valid for the whole path is among the acceptable ones "
              + inputs.initialPolicies();
    }
    return null;
  }

  /** 6.1.4 (i), (j): a counter lowered to a certificate's SkipCerts, when it has one (-1: absent). */
  private static int tighten(int counter, int skipCerts) {
    return skipCerts >= 0 ? Math.min(counter, skipCerts) : counter;
  }

  private Node add(String policy, Set<String> expected, Node parent, List<Node> level) throws TooBig {
    if (++nodes > Budget.MAX_POLICY_NODES || !budget.spendPolicyNode()) {
      throw new TooBig();
    }
    Node node = new Node(policy, expected, parent);
    level.add(node);
    return node;
  }

  private List<Node> live(int depth) {
    List<Node> out = new ArrayList<>();
    for (Node node : levels.get(depth)) {
      if (!node.deleted) {
        out.add(node);
      }
    }
    return out;
  }

  /** 6.1.3 (d) for certificate {@code i}. */
  private void processPolicies(ParsedCertificate cert, int i, boolean notLast, boolean anyAllowed)
      throws TooBig {
    List<Node> parents = live(i - 1);
    List<Node> level = new ArrayList<>();
    levels.add(level);
    boolean certHasAny = false;
    for (String p : cert.policies) {
      if (p.equals(ANY)) {
        certHasAny = true;
        continue;
      }
      boolean matched = false;
      for (Node parent : parents) {
        if (parent.expected.contains(p)) {
          add(p, Set.of(p), parent, level);
          matched = true;
        }
      }
      if (!matched) {
        for (Node parent : parents) {
          if (parent.validPolicy.equals(ANY)) {
            add(p, Set.of(p), parent, level);
          }
        }
      }
    }
    if (certHasAny && (anyAllowed || (notLast && cert.selfIssued))) {
      for (Node parent : parents) {
        Set<String> present = new java.util.HashSet<>();
        for (Node child : level) {
          if (child.parent == parent) {
            present.add(child.validPolicy);
          }
        }
        for (String e : parent.expected) {
          if (!present.contains(e)) {
            add(e, Set.of(e), parent, level);
          }
        }
      }
    }
    prune(i);
  }

  /** 6.1.4 (b) for certificate {@code i}. */
  private void applyMappings(ParsedCertificate cert, int i, boolean mappingAllowed) throws TooBig {
    Map<String, Set<String>> mapped = new HashMap<>();
    for (String[] m : cert.policyMappings) {
      mapped.computeIfAbsent(m[0], k -> new LinkedHashSet<>()).add(m[1]);
    }
    List<Node> level = levels.get(i);
    for (Map.Entry<String, Set<String>> e : mapped.entrySet()) {
      String idp = e.getKey();
      List<Node> withIdp = new ArrayList<>();
      Node anyNode = null;
      for (Node node : level) {
        if (node.deleted) {
          continue;
        }
        if (node.validPolicy.equals(idp)) {
          withIdp.add(node);
        } else if (node.validPolicy.equals(ANY)) {
          anyNode = node;
        }
      }
      if (mappingAllowed) {
        if (!withIdp.isEmpty()) {
          for (Node node : withIdp) {
            node.expected = Set.copyOf(e.getValue());
          }
        } else if (anyNode != null) {
          add(idp, Set.copyOf(e.getValue()), anyNode.parent, level);
        }
      } else {
        for (Node node : withIdp) {
          delete(node);
        }
      }
    }
    if (!mappingAllowed) {
      prune(i);
    }
  }

  private static void delete(Node node) {
    if (!node.deleted) {
      node.deleted = true;
      if (node.parent != null) {
        node.parent.children--;
      }
    }
  }

  /**
   * Deletes the nodes above depth {@code deepest} that have no child left, from the bottom up,
   * and makes the tree NULL when nothing is left at {@code deepest}.
   */
  private void prune(int deepest) {
    for (int d = deepest - 1; d >= 0; d--) {
      for (Node node : levels.get(d)) {
        if (!node.deleted && node.children == 0) {
          delete(node);
        }
      }
    }
    if (live(deepest).isEmpty()) {
      levels = null;
    }
  }

  /** 6.1.5 (g) (iii): the tree intersected with the user-initial-policy-set. */
  private void intersect(Set<String> acceptable, int n) throws TooBig {
    for (int d = 1; d <= n; d++) {
      for (Node node : levels.get(d)) {
        if (deletedAbove(node)) {
          delete(node);
          continue;
        }
        if (node.deleted || !node.parent.validPolicy.equals(ANY)) {
          continue;
        }
        if (!node.validPolicy.equals(ANY) && !acceptable.contains(node.validPolicy)) {
          delete(node);
        }
      }
    }
    List<Node> leaves = levels.get(n);
    for (Node node : new ArrayList<>(leaves)) {
      if (!node.deleted && node.validPolicy.equals(ANY)) {
        delete(node);
        for (String p : acceptable) {
          add(p, Set.of(p), node.parent, leaves);
        }
      }
    }
    prune(n);
  }

  private static boolean deletedAbove(Node node) {
    for (Node p = node.parent; p != null; p = p.parent) {
      if (p.deleted) {
        return true;
      }
    }
    return false;
  }
}
