//! Importer for fidget's `.vm` expression format.
//!
//! One operation per line: `ID OP ARGS…`, where `ID` names the result (any token,
//! usually `_1f`), `OP` is `var-x`/`var-y`/`var-z`, `const VALUE`, a unary op
//! (`neg square sqrt abs recip sin cos tan asin acos atan exp ln floor ceil`) or a
//! binary op (`add sub mul div min max mod atan2`) whose arguments are earlier
//! IDs. Blank lines and lines starting with `#` are ignored. The last operation is
//! the output.
//!
//! ```
//! let g = ai_modeler::sdf::vm::parse("_0 var-x\n_1 const 2\n_2 mul _0 _1\n").unwrap();
//! assert_eq!(g.eval_point(g.root(), [3.0, 0.0, 0.0]), 6.0);
//! ```
//!
//! Differences from fidget: `sqrt` of a negative is 0 here (NaN in fidget); the
//! models in `tests/data` only take square roots of sums of squares.
#![warn(missing_docs)]

use std::collections::HashMap;

use super::expr::{Axis, Binary, Graph, Id, Op, Unary};

/// Why a `.vm` text could not be read. Every variant names the 1-based line.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum VmError {
    /// An operation name this importer does not know.
    #[error("line {line}: unknown operation {op:?}")]
    UnknownOp {
        /// Line number.
        line: usize,
        /// The operation name.
        op: String,
    },
    /// Too few or too many arguments.
    #[error("line {line}: {op} takes {want} argument(s), got {got}")]
    Arity {
        /// Line number.
        line: usize,
        /// The operation name.
        op: String,
        /// Expected count.
        want: usize,
        /// Actual count.
        got: usize,
    },
    /// An argument that names no earlier line.
    #[error("line {line}: {name:?} is not defined on an earlier line")]
    Undefined {
        /// Line number.
        line: usize,
        /// The unknown name.
        name: String,
    },
    /// A `const` whose value is not a finite number.
    #[error("line {line}: {text:?} is not a finite number")]
    BadConst {
        /// Line number.
        line: usize,
        /// The text.
        text: String,
    },
    /// A line with an id but no operation.
    #[error("line {line}: missing operation")]
    MissingOp {
        /// Line number.
        line: usize,
    },
    /// No operations at all.
    #[error("the file defines no operation")]
    Empty,
}

/// Parses a `.vm` text into a graph whose root is the last operation.
pub fn parse(text: &str) -> Result<Graph, VmError> {
    let mut g = Graph::default();
    let mut names: HashMap<&str, Id> = HashMap::new();
    let mut last = None;
    for (k, raw) in text.lines().enumerate() {
        let line = k + 1;
        let s = raw.trim();
        if s.is_empty() || s.starts_with('#') {
            continue;
        }
        let mut words = s.split_whitespace();
        let (Some(id), Some(op)) = (words.next(), words.next()) else {
            return Err(VmError::MissingOp { line });
        };
        let args: Vec<&str> = words.collect();
        let arity = |want: usize| {
            if args.len() == want {
                Ok(())
            } else {
                Err(VmError::Arity {
                    line,
                    op: op.to_string(),
                    want,
                    got: args.len(),
                })
            }
        };
        let arg = |i: usize| {
            names
                .get(args[i])
                .copied()
                .ok_or_else(|| VmError::Undefined {
                    line,
                    name: args[i].to_string(),
                })
        };
        let value = match op {
            "var-x" | "var-y" | "var-z" => {
                arity(0)?;
                let axis = match op {
                    "var-x" => Axis::X,
                    "var-y" => Axis::Y,
                    _ => Axis::Z,
                };
                g.push(Op::Input(axis))
            }
            "const" => {
                arity(1)?;
                let v: f32 = args[0]
                    .parse()
                    .ok()
                    .filter(|v: &f32| v.is_finite())
                    .ok_or_else(|| VmError::BadConst {
                        line,
                        text: args[0].to_string(),
                    })?;
                g.constant_id(v)
            }
            _ => {
                if let Some(u) = unary(op) {
                    arity(1)?;
                    let a = arg(0)?;
                    g.push(Op::Unary(u, a))
                } else if let Some(b) = binary(op) {
                    arity(2)?;
                    let (a, c) = (arg(0)?, arg(1)?);
                    g.push(Op::Binary(b, a, c))
                } else {
                    return Err(VmError::UnknownOp {
                        line,
                        op: op.to_string(),
                    });
                }
            }
        };
        names.insert(id, value);
        last = Some(value);
    }
    let root = last.ok_or(VmError::Empty)?;
    g.set_root(root);
    Ok(g)
}

fn unary(op: &str) -> Option<Unary> {
    Some(match op {
        "neg" => Unary::Neg,
        "abs" => Unary::Abs,
        "sqrt" => Unary::Sqrt,
        "square" => Unary::Square,
        "recip" => Unary::Recip,
        "sin" => Unary::Sin,
        "cos" => Unary::Cos,
        "tan" => Unary::Tan,
        "asin" => Unary::Asin,
        "acos" => Unary::Acos,
        "atan" => Unary::Atan,
        "exp" => Unary::Exp,
        "ln" => Unary::Ln,
        "floor" => Unary::Floor,
        "ceil" => Unary::Ceil,
        _ => return None,
    })
}

fn binary(op: &str) -> Option<Binary> {
    Some(match op {
        "add" => Binary::Add,
        "sub" => Binary::Sub,
        "mul" => Binary::Mul,
        "div" => Binary::Div,
        "min" => Binary::Min,
        "max" => Binary::Max,
        "mod" => Binary::Mod,
        "atan2" => Binary::Atan2,
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sdf::tape::Tape;

    #[test]
    fn parses_the_reference_models() {
        for (name, text, min_ops) in [
            (
                "prospero",
                include_str!("../../tests/data/prospero.vm"),
                5000,
            ),
            ("bear", include_str!("../../tests/data/bear.vm"), 300),
            (
                "colonnade",
                include_str!("../../tests/data/colonnade.vm"),
                300,
            ),
        ] {
            let g = parse(text).unwrap_or_else(|e| panic!("{name}: {e}"));
            assert!(g.len() > min_ops, "{name}: {} ops", g.len());
            let t = Tape::new(&g);
            let p = [0.1, 0.2, 0.0];
            let (a, b) = (g.eval_point(g.root(), p), t.eval_point(p));
            assert!(a == b || (a.is_nan() && b.is_nan()), "{name}: {a} vs {b}");
        }
    }

    #[test]
    fn errors_name_the_line() {
        let e = parse("# c\n_0 var-x\n_1 frob _0\n").unwrap_err();
        assert_eq!(e.to_string(), "line 3: unknown operation \"frob\"");
        let e = parse("_0 var-x\n_1 add _0 _9\n").unwrap_err();
        assert!(e.to_string().starts_with("line 2:"), "{e}");
        let e = parse("_0 const nan\n").unwrap_err();
        assert!(e.to_string().starts_with("line 1:"), "{e}");
        assert_eq!(parse("# nothing\n").unwrap_err(), VmError::Empty);
    }
}
