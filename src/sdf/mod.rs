//! The SDF engine: tree model, validation, compiler, evaluators.
//!
//! Layout:
//! - [`node`]: every node kind and its JSON form; [`catalog`]: what the table says about them.
//! - [`document`]: the ALICE-SDF wrapper or a bare node.
//! - [`validate`]: catalog rules and limits, errors with JSON paths.
//! - [`expr`]: the scalar expression graph trees are lowered to, and its builder.
//! - [`lower`]: every kind's distance formula, written against [`expr`].
//! - [`compile`]: validate → canonical hash → lower; the compiled-tree cache.
#![warn(missing_docs)]

pub mod catalog;
pub mod compile;
pub mod document;
pub mod expr;
pub mod lower;
pub mod node;
pub mod validate;
