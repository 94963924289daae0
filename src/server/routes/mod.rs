//! Route groups, one module each, each exporting `router()`; [`super::app`] merges them.

pub mod engine;
pub mod export;
pub mod health;
pub mod home;
pub mod mesh;
pub mod shader;
