//! The shared, swappable handle every tenant's scrub goes through.

use super::Registry;
use super::snapshot::{self, SnapshotError};
use arc_swap::ArcSwap;
use chrono::NaiveDate;
use std::path::Path;
use std::sync::Arc;

/// The current National DNC registry, shared by every tenant and cheap to clone.
///
/// A refresh builds or loads the new version off to the side and swaps it in with
/// [`NationalDnc::replace`]; readers holding [`NationalDnc::current`] keep the old version
/// until they drop it, so a scrub never sees half of two copies. Hot loops should take
/// `current()` once per batch rather than call [`NationalDnc::contains`] per number.
#[derive(Clone)]
pub struct NationalDnc {
    current: Arc<ArcSwap<Registry>>,
}

impl NationalDnc {
    /// A handle serving `registry`.
    pub fn new(registry: Registry) -> Self {
        Self { current: Arc::new(ArcSwap::from_pointee(registry)) }
    }

    /// A handle with no copy loaded yet (see [`Registry::unloaded`]).
    pub fn unloaded() -> Self {
        Self::new(Registry::unloaded())
    }

    /// A handle serving the snapshot at `path`.
    pub fn open(path: &Path) -> Result<Self, SnapshotError> {
        Ok(Self::new(snapshot::load(path)?))
    }

    /// The version in force now; it stays valid however long it is held.
    pub fn current(&self) -> Arc<Registry> {
        self.current.load_full()
    }

    /// Puts `registry` in force for every clone of this handle and returns the version it
    /// replaced.
    pub fn replace(&self, registry: Registry) -> Arc<Registry> {
        self.current.swap(Arc::new(registry))
    }

    /// Loads the snapshot at `path` and puts it in force; on error the old version stays.
    pub fn reload(&self, path: &Path) -> Result<Arc<Registry>, SnapshotError> {
        Ok(self.replace(snapshot::load(path)?))
    }

    /// Whether a 10-digit number is registered in the current version.
    pub fn contains(&self, number: u64) -> bool {
        self.current.load().contains(number)
    }

    /// [`Registry::scrub_sorted`] on the current version.
    pub fn scrub_sorted(&self, numbers: &[u64]) -> Vec<bool> {
        self.current.load().scrub_sorted(numbers)
    }

    /// [`Registry::scrub`] on the current version.
    pub fn scrub(&self, numbers: &[u64]) -> Vec<bool> {
        self.current.load().scrub(numbers)
    }

    /// The current version's copy date.
    pub fn copy_date(&self) -> Option<NaiveDate> {
        self.current.load().copy_date()
    }

    /// Whether the current version holds the full list of an area code.
    pub fn covers_npa(&self, npa: u16) -> bool {
        self.current.load().covers_npa(npa)
    }
}

impl std::fmt::Debug for NationalDnc {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("NationalDnc").field(&*self.current.load()).finish()
    }
}
