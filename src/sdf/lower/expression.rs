//! The expression layer: arithmetic on coordinates, one graph op per node.

use crate::sdf::expr::E;

/// `-a`
pub fn neg(a: E<'_>) -> E<'_> {
    -a
}
/// `|a|`
pub fn abs(a: E<'_>) -> E<'_> {
    a.abs()
}
/// `sqrt(a)`
pub fn sqrt(a: E<'_>) -> E<'_> {
    a.sqrt()
}
/// `a²`
pub fn square(a: E<'_>) -> E<'_> {
    a.square()
}
/// `1/a`
pub fn recip(a: E<'_>) -> E<'_> {
    a.recip()
}
/// `sin(a)`
pub fn sin(a: E<'_>) -> E<'_> {
    a.sin()
}
/// `cos(a)`
pub fn cos(a: E<'_>) -> E<'_> {
    a.cos()
}
/// `tan(a)`
pub fn tan(a: E<'_>) -> E<'_> {
    a.tan()
}
/// `asin(a)`
pub fn asin(a: E<'_>) -> E<'_> {
    a.asin()
}
/// `acos(a)`
pub fn acos(a: E<'_>) -> E<'_> {
    a.acos()
}
/// `atan(a)`
pub fn atan(a: E<'_>) -> E<'_> {
    a.atan()
}
/// `e^a`
pub fn exp(a: E<'_>) -> E<'_> {
    a.exp()
}
/// `ln(a)`
pub fn ln(a: E<'_>) -> E<'_> {
    a.ln()
}
/// `floor(a)`
pub fn floor(a: E<'_>) -> E<'_> {
    a.floor()
}
/// `ceil(a)`
pub fn ceil(a: E<'_>) -> E<'_> {
    a.ceil()
}
/// `sign(a)`
pub fn sign(a: E<'_>) -> E<'_> {
    a.sign()
}
/// `a + b`
pub fn add<'a>(a: E<'a>, b: E<'a>) -> E<'a> {
    a + b
}
/// `a - b`
pub fn sub<'a>(a: E<'a>, b: E<'a>) -> E<'a> {
    a - b
}
/// `a * b`
pub fn mul<'a>(a: E<'a>, b: E<'a>) -> E<'a> {
    a * b
}
/// `a / b`
pub fn div<'a>(a: E<'a>, b: E<'a>) -> E<'a> {
    a / b
}
/// `min(a, b)`
pub fn min<'a>(a: E<'a>, b: E<'a>) -> E<'a> {
    a.min(b)
}
/// `max(a, b)`
pub fn max<'a>(a: E<'a>, b: E<'a>) -> E<'a> {
    a.max(b)
}
/// GLSL `mod(a, b)`
pub fn r#mod<'a>(a: E<'a>, b: E<'a>) -> E<'a> {
    a.modulo(b)
}
/// `atan2(a, b)`
pub fn atan2<'a>(a: E<'a>, b: E<'a>) -> E<'a> {
    a.atan2(b)
}
