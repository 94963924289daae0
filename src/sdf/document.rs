//! Reading a tree document: a bare node, or ALICE-SDF's wrapper
//! `{"version": "…", "root": {…}, "metadata": {…} | null}`.
#![warn(missing_docs)]

use serde::{Deserialize, Serialize};

use super::node::Node;

/// A parsed tree document.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Document {
    /// Format version the file declared (ALICE-SDF writes its crate version).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    /// The tree.
    pub root: Node,
    /// Free-form metadata, kept as is.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metadata: Option<serde_json::Value>,
}

impl Document {
    /// Parses either form from a JSON value. Errors carry the JSON path.
    pub fn from_value(
        v: serde_json::Value,
    ) -> Result<Self, serde_path_to_error::Error<serde_json::Error>> {
        let wrapped = v.as_object().is_some_and(|o| o.contains_key("root"));
        if wrapped {
            serde_path_to_error::deserialize(v)
        } else {
            let root: Node = serde_path_to_error::deserialize(v)?;
            Ok(Self {
                version: None,
                root,
                metadata: None,
            })
        }
    }
}
