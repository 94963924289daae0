//! Route groups, one module each, each exporting `router()`; [`super::app`] merges them.

pub mod accounts;
pub mod admin;
pub mod api_keys;
pub mod engine;
pub mod export;
pub mod health;
pub mod home;
pub mod mesh;
pub mod projects;
pub mod shader;
pub mod templates;
