//! The SDF engine: tree model, validation, compiler, evaluators.
//!
//! Layout:
//! - [`node`]: every node kind and its JSON form; [`catalog`]: what the table says about them.
//! - [`expr`]: the scalar expression graph trees are lowered to, and its builder.
#![warn(missing_docs)]

pub mod bounds;
pub mod catalog;
pub mod document;
pub mod eval;
pub mod expr;
pub mod lower;
pub mod node;
pub mod slice;
pub mod tape;
pub mod vm;
