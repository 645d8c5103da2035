//! What the gateway knows about one call once it is answered: the evidence (DESIGN.md "The
//! archive"). Filled along the pipeline, handed to the archive and the metrics. The type lives
//! in the store crate, next to the archive that keeps it.

pub use topgate_store::archive::CallRecord;
