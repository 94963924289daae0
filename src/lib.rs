//! ai-modeler: one binary that is a whole AI 3D-modeling SaaS.
//!
//! Layout:
//! - [`sdf`]: the engine — tree model, validation, compiler, evaluators. It never
//!   imports the web layer and can be used as a plain library.
pub mod sdf;
