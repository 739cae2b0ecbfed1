//! The extension's allocator: the system's, except that large blocks are mapped on their
//! own in transparent huge pages, and a few freed ones are kept for reuse.
//!
//! A matching of 10,000 against 1,000,000 units makes some twenty vectors of 4-8 MB
//! (sort keys, positions, fitted values, weights). With the system allocator each of them
//! comes from fresh 4 KiB pages, whose faults took about 40 % of `nearest_match`
//! (measured with `perf` on a 2-core AMD EPYC: 58 ms -> 35 ms when glibc was told to use
//! huge pages with `GLIBC_TUNABLES=glibc.malloc.hugetlb=1`, which a library cannot set).
//! Here a block of at least [`LARGE`] bytes is an anonymous mapping aligned to 2 MiB and
//! marked `MADV_HUGEPAGE`, so that it faults in 2 MiB at a time.
//!
//! Even so the kernel zeroes every fresh huge page (`clear_page_erms` was 5-8 % of a
//! repeated matching's CPU time, some 7 ms of each 1,010,000-unit match). So a freed block
//! of at most [`KEPT_BLOCK`] bytes is kept, up to [`KEPT`] bytes in all, and handed out
//! again for the next large request it fits (its surplus huge pages unmapped): the
//! matching's vectors of a few megabytes are recycled within a call and between calls.
//! A request that no kept block fits unmaps them all before it maps a new block, and
//! larger blocks (a register's columns) are unmapped at once, so that memory goes back to
//! the system and the ingestion benchmark sees a computation's own peak (kept blocks can
//! stand only beside the system allocator's small blocks); they are at most [`KEPT`]
//! bytes of resident memory after a call.
//! Smaller blocks, and every block on systems other than Linux, go to the system allocator.
//!
//! On a kernel with transparent huge pages off, `madvise` does nothing and the blocks
//! are plain mappings, as glibc's own for blocks of this size.

use std::alloc::{GlobalAlloc, Layout, System};

/// Blocks of at least this many bytes are mapped on their own (one huge page; a
/// million `u32` of a matching's tables, 4.04 MB, then fill two huge pages exactly).
pub const LARGE: usize = 2 << 20;

/// The size (and alignment) of a transparent huge page on x86-64 and aarch64 Linux.
const HUGE: usize = 2 << 20;

/// The largest freed block that is kept for reuse (mapped length).
pub const KEPT_BLOCK: usize = 16 << 20;

/// The most memory kept in freed blocks.
pub const KEPT: usize = 64 << 20;

/// The allocator (see the module documentation).
pub struct HugeLarge;

#[cfg(target_os = "linux")]
mod mapping {
    use super::{HUGE, KEPT, KEPT_BLOCK};
    use std::sync::Mutex;

    /// Freed blocks kept for reuse: (address, mapped length; 0 for a free slot), at most
    /// [`KEPT`] bytes in all.
    static KEPT_BLOCKS: Mutex<[(usize, usize); 16]> = Mutex::new([(0, 0); 16]);

    /// A kept block of at least `len` bytes, cut to `len` (the smallest that fits), or None;
    /// then every kept block is smaller than `len` and all are unmapped, so that kept memory
    /// never stands beside a fresh mapping (a computation's peak stays its own).
    fn take(len: usize) -> Option<*mut u8> {
        let mut kept = KEPT_BLOCKS.lock().unwrap_or_else(|e| e.into_inner());
        let Some((slot, &(addr, have))) = kept.iter().enumerate().filter(|(_, b)| b.1 >= len).min_by_key(|(_, b)| b.1)
        else {
            for block in kept.iter_mut().filter(|b| b.1 > 0) {
                // SAFETY: a kept block is a whole mapping this module owns, used by no one.
                unsafe { libc::munmap(block.0 as *mut libc::c_void, block.1) };
                *block = (0, 0);
            }
            return None;
        };
        kept[slot] = (0, 0);
        drop(kept);
        if have > len {
            // SAFETY: the surplus huge pages are the tail of a mapping this module owns.
            unsafe { libc::munmap((addr + len) as *mut libc::c_void, have - len) };
        }
        Some(addr as *mut u8)
    }

    /// Keeps a freed block of `len` mapped bytes for reuse; false when there is no room.
    fn keep(addr: *mut u8, len: usize) -> bool {
        if len > KEPT_BLOCK {
            return false;
        }
        let mut kept = KEPT_BLOCKS.lock().unwrap_or_else(|e| e.into_inner());
        if kept.iter().map(|b| b.1).sum::<usize>() + len > KEPT {
            return false;
        }
        let Some(slot) = kept.iter().position(|b| b.1 == 0) else {
            return false;
        };
        kept[slot] = (addr as usize, len);
        true
    }

    /// A block of `length(size)` bytes aligned to [`HUGE`] (a kept one, or a fresh zeroed
    /// mapping: `fresh` says which), or null.
    ///
    /// # Safety
    ///
    /// As [`map`].
    pub unsafe fn reuse_or_map(size: usize) -> (*mut u8, bool) {
        match take(length(size)) {
            Some(ptr) => (ptr, false),
            None => (map(size), true),
        }
    }

    /// Releases a block of `size` bytes: kept for reuse when there is room, else unmapped.
    ///
    /// # Safety
    ///
    /// `ptr` and `size` must be those of a live block from this module.
    pub unsafe fn release(ptr: *mut u8, size: usize) {
        if !keep(ptr, length(size)) {
            unmap(ptr, size);
        }
    }

    /// The mapped length of a block of `size` bytes: whole huge pages.
    pub fn length(size: usize) -> usize {
        size.div_ceil(HUGE) * HUGE
    }

    /// A zeroed mapping of `length(size)` bytes aligned to [`HUGE`], or null.
    ///
    /// # Safety
    ///
    /// Plain system calls; the caller owns the mapping and must release it with [`unmap`].
    unsafe fn map(size: usize) -> *mut u8 {
        let len = length(size);
        // Over-map by one huge page, then cut the ends off so that the start is aligned.
        let Some(over) = len.checked_add(HUGE) else {
            return std::ptr::null_mut();
        };
        let base = libc::mmap(
            std::ptr::null_mut(),
            over,
            libc::PROT_READ | libc::PROT_WRITE,
            libc::MAP_PRIVATE | libc::MAP_ANONYMOUS,
            -1,
            0,
        );
        if base == libc::MAP_FAILED {
            return std::ptr::null_mut();
        }
        let start = (base as usize).next_multiple_of(HUGE);
        let head = start - base as usize;
        if head > 0 {
            libc::munmap(base, head);
        }
        let tail = over - head - len;
        if tail > 0 {
            libc::munmap((start + len) as *mut libc::c_void, tail);
        }
        // Advice only: without transparent huge pages the block is ordinary memory.
        libc::madvise(start as *mut libc::c_void, len, libc::MADV_HUGEPAGE);
        start as *mut u8
    }

    /// Unmaps a block from [`map`] (or [`remap`]) of `size` bytes.
    ///
    /// # Safety
    ///
    /// `ptr` and `size` must be those of a live block.
    unsafe fn unmap(ptr: *mut u8, size: usize) {
        libc::munmap(ptr as *mut libc::c_void, length(size));
    }

    /// Resizes a mapped block without copying its pages (`mremap`), or null.
    ///
    /// # Safety
    ///
    /// `ptr` and `old` must be those of a live block; on success the old block is gone.
    pub unsafe fn remap(ptr: *mut u8, old: usize, new: usize) -> *mut u8 {
        let (from, to) = (length(old), length(new));
        if from == to {
            return ptr;
        }
        let moved = libc::mremap(ptr as *mut libc::c_void, from, to, libc::MREMAP_MAYMOVE);
        if moved == libc::MAP_FAILED {
            std::ptr::null_mut()
        } else {
            moved as *mut u8
        }
    }
}

impl HugeLarge {
    /// Whether a block of this layout is mapped on its own.
    #[inline]
    fn mapped(layout: &Layout) -> bool {
        cfg!(target_os = "linux") && layout.size() >= LARGE && layout.align() <= HUGE
    }
}

// SAFETY: every block is either the system allocator's (and goes back to it) or a mapping of
// its own (released by `munmap`); which one is decided by the layout, which the caller
// passes unchanged to `dealloc` and `realloc`, so both sides always agree.
unsafe impl GlobalAlloc for HugeLarge {
    #[inline]
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        #[cfg(target_os = "linux")]
        if Self::mapped(&layout) {
            return mapping::reuse_or_map(layout.size()).0;
        }
        System.alloc(layout)
    }

    #[inline]
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        #[cfg(target_os = "linux")]
        if Self::mapped(&layout) {
            let (ptr, fresh) = mapping::reuse_or_map(layout.size());
            // A fresh mapping is zero already; a kept block is cleared.
            if !fresh && !ptr.is_null() {
                std::ptr::write_bytes(ptr, 0, layout.size());
            }
            return ptr;
        }
        System.alloc_zeroed(layout)
    }

    #[inline]
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        #[cfg(target_os = "linux")]
        if Self::mapped(&layout) {
            return mapping::release(ptr, layout.size());
        }
        System.dealloc(ptr, layout)
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let Ok(new_layout) = Layout::from_size_align(new_size, layout.align()) else {
            return std::ptr::null_mut();
        };
        match (Self::mapped(&layout), Self::mapped(&new_layout)) {
            (false, false) => System.realloc(ptr, layout, new_size),
            #[cfg(target_os = "linux")]
            (true, true) => mapping::remap(ptr, layout.size(), new_size),
            _ => {
                // Across the threshold: a new block of the other kind, and a copy.
                let new = self.alloc(new_layout);
                if !new.is_null() {
                    std::ptr::copy_nonoverlapping(ptr, new, layout.size().min(new_size));
                    self.dealloc(ptr, layout);
                }
                new
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Fills `len` bytes with a pattern of `seed` and checks it.
    unsafe fn fill(ptr: *mut u8, len: usize, seed: u8) {
        for i in (0..len).step_by(4093) {
            *ptr.add(i) = seed.wrapping_add(i as u8);
        }
        *ptr.add(len - 1) = seed;
    }

    unsafe fn check(ptr: *const u8, len: usize, seed: u8) {
        for i in (0..len - 1).step_by(4093) {
            assert_eq!(*ptr.add(i), seed.wrapping_add(i as u8), "byte {i}");
        }
    }

    #[test]
    fn large_blocks_are_zeroed_aligned_and_keep_their_bytes_when_resized() {
        let a = HugeLarge;
        unsafe {
            for size in [LARGE - 1, LARGE, LARGE + 12_345, 3 * LARGE] {
                let layout = Layout::from_size_align(size, 8).unwrap();
                let p = a.alloc_zeroed(layout);
                assert!(!p.is_null());
                if HugeLarge::mapped(&layout) {
                    assert_eq!(p as usize % HUGE, 0);
                }
                assert!((0..size).step_by(4096).all(|i| *p.add(i) == 0));
                fill(p, size, 7);
                // Grow (mapped -> mapped, or small -> mapped), then shrink below the threshold.
                let grown = a.realloc(p, layout, size * 2 + 1);
                assert!(!grown.is_null());
                check(grown, size, 7);
                let big = Layout::from_size_align(size * 2 + 1, 8).unwrap();
                let shrunk = a.realloc(grown, big, 1000);
                assert!(!shrunk.is_null());
                check(shrunk, 1000, 7);
                a.dealloc(shrunk, Layout::from_size_align(1000, 8).unwrap());
            }
        }
    }

    #[test]
    fn a_kept_block_comes_back_cleared_when_asked_for_zeroed_memory() {
        let a = HugeLarge;
        unsafe {
            for size in [LARGE, 3 * LARGE + 5, KEPT_BLOCK + 1] {
                let layout = Layout::from_size_align(size, 8).unwrap();
                let p = a.alloc(layout);
                assert!(!p.is_null());
                std::ptr::write_bytes(p, 0xAB, size);
                a.dealloc(p, layout);
                // Kept (or not, when the other tests filled the room): zero either way.
                let q = a.alloc_zeroed(layout);
                assert!(!q.is_null());
                if HugeLarge::mapped(&layout) {
                    assert_eq!(q as usize % HUGE, 0);
                }
                assert!((0..size).step_by(997).all(|i| *q.add(i) == 0));
                assert_eq!(*q.add(size - 1), 0);
                // A smaller request from a kept larger block is cut to its own length.
                let small = Layout::from_size_align(LARGE, 8).unwrap();
                a.dealloc(q, layout);
                let r = a.alloc(small);
                fill(r, LARGE, 3);
                check(r, LARGE, 3);
                a.dealloc(r, small);
            }
        }
    }

    #[test]
    fn a_vector_through_the_allocator_behaves_as_any_other() {
        // The allocator is global only in the extension; here it is called through a Vec's
        // own growth pattern by hand.
        let a = HugeLarge;
        unsafe {
            let mut layout = Layout::array::<u64>(1024).unwrap();
            let mut p = a.alloc(layout) as *mut u64;
            let mut n = 0usize;
            while n < 3_000_000 {
                if (n + 1) * 8 > layout.size() {
                    let bigger = Layout::array::<u64>(layout.size() / 4).unwrap();
                    p = a.realloc(p as *mut u8, layout, bigger.size()) as *mut u64;
                    assert!(!p.is_null());
                    layout = bigger;
                }
                *p.add(n) = n as u64 * 3;
                n += 1;
            }
            assert!((0..n).all(|i| *p.add(i) == i as u64 * 3));
            a.dealloc(p as *mut u8, layout);
        }
    }
}
