//! The log's tree as each node keeps it: the hash of every full block of [`BLOCK`] leaves and of
//! every perfect subtree above them (about one byte of memory per entry). A proof then reads
//! from the database only the leaves of the blocks it passes through (at most three), instead
//! of every leaf hash of the log.

use super::merkle::{self, Hash, Subtrees};
use std::collections::HashMap;

/// Leaves per kept block.
pub const BLOCK: usize = 64;

/// The kept hashes: `levels[0]` the full blocks in order, `levels[j]` the perfect subtrees of
/// `BLOCK * 2^j` leaves. Leaves are never changed once appended, so what is kept stays true as
/// the log grows.
#[derive(Debug, Clone)]
pub struct Kept {
    block: usize,
    levels: Vec<Vec<Hash>>,
}

impl Default for Kept {
    fn default() -> Self {
        Self::new(BLOCK)
    }
}

impl Kept {
    pub fn new(block: usize) -> Self {
        Self { block, levels: vec![Vec::new()] }
    }

    pub fn block(&self) -> usize {
        self.block
    }

    /// The leaves the kept blocks cover (`0..covered`).
    pub fn covered(&self) -> usize {
        self.levels[0].len() * self.block
    }

    /// Keeps the next full blocks: `leaves` are whole blocks of leaves following the kept ones.
    pub fn push_blocks(&mut self, leaves: &[Hash]) {
        for block in leaves.chunks_exact(self.block) {
            self.levels[0].push(merkle::root(block));
            let mut level = 0;
            while self.levels[level].len().is_multiple_of(2) {
                let below = &self.levels[level];
                let parent = merkle::node_hash(&below[below.len() - 2], &below[below.len() - 1]);
                if self.levels.len() == level + 1 {
                    self.levels.push(Vec::new());
                }
                self.levels[level + 1].push(parent);
                level += 1;
            }
        }
    }

    /// The leaf ranges a proof in the tree of the first `n` leaves needs below the kept blocks,
    /// when it passes leaf positions `at`: the block of each position, and the tail after the last
    /// full block.
    pub fn leaves_needed(&self, at: &[usize], n: usize) -> Vec<(usize, usize)> {
        let b = self.block;
        let mut ranges: Vec<(usize, usize)> =
            at.iter().filter(|&&p| p < n).map(|&p| (p - p % b, (p - p % b + b).min(n))).collect();
        if !n.is_multiple_of(b) {
            ranges.push((n - n % b, n));
        }
        ranges.sort_unstable();
        ranges.dedup();
        ranges
    }
}

/// The kept tree with the leaves a proof reads: a source of subtree hashes.
pub struct View<'a> {
    pub kept: &'a Kept,
    pub leaves: HashMap<usize, Hash>,
}

impl Subtrees for View<'_> {
    fn subtree(&self, start: usize, end: usize) -> Option<Hash> {
        let size = end.checked_sub(start).filter(|&s| s > 0)?;
        if size == 1 {
            return self.leaves.get(&start).copied();
        }
        let b = self.kept.block;
        if size.is_power_of_two() && size >= b && start.is_multiple_of(size) && end <= self.kept.covered() {
            let level = (size / b).trailing_zeros() as usize;
            return self.kept.levels.get(level)?.get(start / size).copied();
        }
        let k = merkle::split(size);
        Some(merkle::node_hash(&self.subtree(start, start + k)?, &self.subtree(start + k, end)?))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use merkle::{consistency_path, inclusion_path, leaf_hash, root};

    fn leaves(n: usize) -> Vec<Hash> {
        (0..n).map(|i| leaf_hash(format!("entry {i}").as_bytes())).collect()
    }

    /// The kept tree of the first `n` of `all` (blocks of 4) with the leaves of `ranges`.
    fn view<'a>(kept: &'a Kept, all: &[Hash], ranges: &[(usize, usize)]) -> View<'a> {
        let leaves = ranges.iter().flat_map(|&(a, b)| (a..b).map(|i| (i, all[i]))).collect();
        View { kept, leaves }
    }

    #[test]
    fn proofs_from_kept_blocks_are_the_proofs_from_every_leaf() {
        let all = leaves(100);
        let mut kept = Kept::new(4);
        for n in 1..=all.len() {
            // The node keeps up as the log grows: whole blocks only.
            if kept.covered() + 4 <= n {
                kept.push_blocks(&all[kept.covered()..n - n % 4]);
            }
            let whole = &all[..n];
            let v = view(&kept, &all, &kept.leaves_needed(&[], n));
            assert_eq!(v.subtree(0, n), Some(root(whole)), "root of {n}");
            for m in 0..n {
                let v = view(&kept, &all, &kept.leaves_needed(&[m], n));
                assert_eq!(inclusion_path(m, n, &v), Some(merkle::inclusion_proof(m, whole)), "inclusion {m} in {n}");
                let first = m + 1;
                let v = view(&kept, &all, &kept.leaves_needed(&[first - 1, first], n));
                assert_eq!(v.subtree(0, first), Some(root(&all[..first])), "root of {first} in {n}");
                assert_eq!(
                    consistency_path(first, n, &v),
                    Some(merkle::consistency_proof(first, whole)),
                    "consistency {first} in {n}"
                );
            }
        }
    }

    #[test]
    fn a_missing_leaf_is_none_never_a_wrong_hash() {
        let kept = Kept::new(4);
        let v = View { kept: &kept, leaves: HashMap::new() };
        assert_eq!(v.subtree(0, 10), None);
        assert_eq!(inclusion_path(3, 10, &v), None);
    }
}
