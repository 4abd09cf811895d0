//! The Merkle tree of RFC 9162 (Certificate Transparency 2.0), section 2.1: SHA-256 leaves
//! `H(0x00 || entry)` and nodes `H(0x01 || left || right)`, inclusion and consistency proofs, and
//! their verification. Pure functions over leaf hashes.

use sha2::{Digest, Sha256};

pub type Hash = [u8; 32];

/// A leaf's hash: `SHA-256(0x00 || entry)`.
pub fn leaf_hash(entry: &[u8]) -> Hash {
    let mut h = Sha256::new();
    h.update([0u8]);
    h.update(entry);
    h.finalize().into()
}

/// An inner node's hash: `SHA-256(0x01 || left || right)`.
pub fn node_hash(left: &Hash, right: &Hash) -> Hash {
    let mut h = Sha256::new();
    h.update([1u8]);
    h.update(left);
    h.update(right);
    h.finalize().into()
}

/// The largest power of two smaller than `n` (`n` > 1).
pub(crate) fn split(n: usize) -> usize {
    let mut k = 1;
    while k * 2 < n {
        k *= 2;
    }
    k
}

/// The tree head hash MTH of these leaves (the empty tree: SHA-256 of nothing).
pub fn root(leaves: &[Hash]) -> Hash {
    match leaves.len() {
        0 => Sha256::digest([]).into(),
        1 => leaves[0],
        n => {
            let k = split(n);
            node_hash(&root(&leaves[..k]), &root(&leaves[k..]))
        }
    }
}

/// Where the hash of the subtree over leaves `start..end` comes from: computed from all the
/// leaves, or from a kept tree (`tree::View`). `None` when the source lacks what it needs.
pub trait Subtrees {
    fn subtree(&self, start: usize, end: usize) -> Option<Hash>;
}

impl Subtrees for [Hash] {
    fn subtree(&self, start: usize, end: usize) -> Option<Hash> {
        Some(root(self.get(start..end)?))
    }
}

impl Subtrees for Vec<Hash> {
    fn subtree(&self, start: usize, end: usize) -> Option<Hash> {
        self.as_slice().subtree(start, end)
    }
}

/// The inclusion proof (audit path) of leaf `m` in the tree of the first `n` leaves of `tree`;
/// `m` < `n` (RFC 9162, 2.1.3.1).
pub fn inclusion_path(m: usize, n: usize, tree: &(impl Subtrees + ?Sized)) -> Option<Vec<Hash>> {
    fn path(m: usize, start: usize, end: usize, tree: &(impl Subtrees + ?Sized)) -> Option<Vec<Hash>> {
        if end - start <= 1 {
            return Some(Vec::new());
        }
        let k = split(end - start);
        let (mut path, sibling) = if m < start + k {
            (path(m, start, start + k, tree)?, tree.subtree(start + k, end)?)
        } else {
            (path(m, start + k, end, tree)?, tree.subtree(start, start + k)?)
        };
        path.push(sibling);
        Some(path)
    }
    path(m, 0, n, tree)
}

/// The consistency proof that the tree of the first `m` leaves is a prefix of the tree of the
/// first `n`; 0 < `m` <= `n` (RFC 9162, 2.1.4.1).
pub fn consistency_path(m: usize, n: usize, tree: &(impl Subtrees + ?Sized)) -> Option<Vec<Hash>> {
    fn sub(m: usize, start: usize, end: usize, whole: bool, tree: &(impl Subtrees + ?Sized)) -> Option<Vec<Hash>> {
        if m == end - start {
            return Some(if whole { Vec::new() } else { vec![tree.subtree(start, end)?] });
        }
        let k = split(end - start);
        let (mut proof, node) = if m <= k {
            (sub(m, start, start + k, whole, tree)?, tree.subtree(start + k, end)?)
        } else {
            (sub(m - k, start + k, end, false, tree)?, tree.subtree(start, start + k)?)
        };
        proof.push(node);
        Some(proof)
    }
    if m == 0 || m > n {
        return Some(Vec::new());
    }
    sub(m, 0, n, true, tree)
}

/// [`inclusion_path`] over all these leaves.
pub fn inclusion_proof(m: usize, leaves: &[Hash]) -> Vec<Hash> {
    inclusion_path(m, leaves.len(), leaves).unwrap_or_default()
}

/// [`consistency_path`] of the first `m` of these leaves in all of them.
pub fn consistency_proof(m: usize, leaves: &[Hash]) -> Vec<Hash> {
    consistency_path(m, leaves.len(), leaves).unwrap_or_default()
}

/// Whether `path` proves leaf `index` (hash `leaf`) is in the tree of `size` leaves with this root
/// (RFC 9162, 2.1.3.2).
pub fn verify_inclusion(index: u64, size: u64, leaf: &Hash, path: &[Hash], root: &Hash) -> bool {
    if index >= size {
        return false;
    }
    let (mut f, mut s, mut r) = (index, size - 1, *leaf);
    for p in path {
        if s == 0 {
            return false;
        }
        if f & 1 == 1 || f == s {
            r = node_hash(p, &r);
            while f & 1 == 0 && f != 0 {
                f >>= 1;
                s >>= 1;
            }
        } else {
            r = node_hash(&r, p);
        }
        f >>= 1;
        s >>= 1;
    }
    s == 0 && r == *root
}

/// Whether `proof` shows the tree of `first` leaves (root `first_root`) is a prefix of the tree of
/// `second` leaves (root `second_root`) (RFC 9162, 2.1.4.2).
pub fn verify_consistency(first: u64, second: u64, first_root: &Hash, second_root: &Hash, proof: &[Hash]) -> bool {
    if first > second {
        return false;
    }
    if first == second {
        return proof.is_empty() && first_root == second_root;
    }
    if first == 0 {
        return proof.is_empty();
    }
    let mut path: Vec<Hash> = proof.to_vec();
    if first.is_power_of_two() {
        path.insert(0, *first_root);
    }
    let Some((start, rest)) = path.split_first() else { return false };
    let (mut f, mut s) = (first - 1, second - 1);
    while f & 1 == 1 {
        f >>= 1;
        s >>= 1;
    }
    let (mut fr, mut sr) = (*start, *start);
    for c in rest {
        if s == 0 {
            return false;
        }
        if f & 1 == 1 || f == s {
            fr = node_hash(c, &fr);
            sr = node_hash(c, &sr);
            while f & 1 == 0 && f != 0 {
                f >>= 1;
                s >>= 1;
            }
        } else {
            sr = node_hash(&sr, c);
        }
        f >>= 1;
        s >>= 1;
    }
    fr == *first_root && sr == *second_root && s == 0
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ssr::vault::encode_hex;

    fn leaves(n: usize) -> Vec<Hash> {
        (0..n).map(|i| leaf_hash(format!("entry {i}").as_bytes())).collect()
    }

    #[test]
    fn hashes_are_rfc_9162s() {
        // The empty tree and a tree of one empty entry, as in Certificate Transparency's tests.
        assert_eq!(encode_hex(&root(&[])), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
        assert_eq!(encode_hex(&leaf_hash(b"")), "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d");
        let l = leaves(3);
        assert_eq!(root(&l), node_hash(&node_hash(&l[0], &l[1]), &l[2]));
    }

    #[test]
    fn the_root_is_the_one_the_outside_verifier_computes() {
        // scripts/verify-publicity.py's tree_root of the same seven entries.
        assert_eq!(encode_hex(&root(&leaves(7))), "98c97f0ba3175cd08b031dd084b9dc4e649b64d1a28e6ea694646503173ab587");
    }

    #[test]
    fn every_inclusion_proof_verifies_and_no_other_leaf_does() {
        for n in 1..=33 {
            let l = leaves(n);
            let r = root(&l);
            for m in 0..n {
                let path = inclusion_proof(m, &l);
                assert!(verify_inclusion(m as u64, n as u64, &l[m], &path, &r), "leaf {m} of {n}");
                let other = leaf_hash(b"edited");
                assert!(!verify_inclusion(m as u64, n as u64, &other, &path, &r));
            }
        }
    }

    #[test]
    fn every_consistency_proof_verifies_and_a_rewritten_past_does_not() {
        for n in 1..=33 {
            let l = leaves(n);
            for m in 1..=n {
                let proof = consistency_proof(m, &l);
                assert!(verify_consistency(m as u64, n as u64, &root(&l[..m]), &root(&l), &proof), "{m} of {n}");
                // The same later tree with one earlier leaf rewritten is not consistent with it.
                let mut forged = l.clone();
                forged[m - 1] = leaf_hash(b"edited");
                let forged_proof = consistency_proof(m, &forged);
                assert!(
                    !verify_consistency(m as u64, n as u64, &root(&l[..m]), &root(&forged), &forged_proof),
                    "{m} of {n} forged"
                );
            }
        }
    }
}
