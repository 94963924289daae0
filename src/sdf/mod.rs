//! The SDF engine: tree model, validation, compiler, evaluators.
//!
//! Layout:
//! - [`node`]: every node kind and its JSON form; [`catalog`]: what the table says about them.
//! - [`document`]: the ALICE-SDF wrapper or a bare node.
//! - [`validate`]: catalog rules and limits, errors with JSON paths.
//! - [`expr`]: the scalar expression graph trees are lowered to, and its builder.
//! - [`lower`]: every kind's distance formula, written against [`expr`].
//! - [`tape`]: the register tape a graph compiles to; [`eval`]: scalar, SIMD batch
//!   and interval evaluators, tape simplification per region.
//! - [`compile`]: validate → canonical hash → lower → tape; the compiled-tree cache.
//! - [`slice`]: cross-sections as images, pruned by intervals; [`bounds`]: the box
//!   that holds a shape; [`vm`]: fidget's `.vm` expression files.
#![warn(missing_docs)]

pub mod bounds;
pub mod catalog;
pub mod compile;
pub mod document;
pub mod eval;
pub mod expr;
pub mod lipschitz;
pub mod lower;
pub mod node;
pub mod slice;
pub mod tape;
pub mod validate;
pub mod vm;
