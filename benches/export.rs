//! Export write time per format for a ~1M-triangle mesh (a torus of
//! 1000 x 500 quads: 1,000,000 triangles, 500,000 vertices with normals),
//! written into memory, best of 3 after a warm-up that sizes the buffer.
//! Prints a Markdown table; pass a format name to measure only the formats
//! whose names contain it.
//!
//! `cargo bench --bench export`

use std::f32::consts::PI;
use std::time::Instant;

use ai_modeler::export;
use ai_modeler::mesh::Mesh;

// Shared bench code; here for the shipped allocator it sets.
mod common;

const AROUND: u32 = 1000;
const TUBE: u32 = 500;

fn torus() -> Mesh {
    let (major, minor) = (0.4f32, 0.15f32);
    let mut mesh = Mesh::empty();
    for i in 0..AROUND {
        let theta = 2.0 * PI * i as f32 / AROUND as f32;
        for j in 0..TUBE {
            let phi = 2.0 * PI * j as f32 / TUBE as f32;
            let n = [phi.cos() * theta.cos(), phi.sin(), phi.cos() * theta.sin()];
            let ring = [theta.cos(), 0.0, theta.sin()];
            mesh.positions
                .push([0, 1, 2].map(|k| major * ring[k] + minor * n[k]));
            mesh.normals.push(n);
        }
    }
    let at = |i: u32, j: u32| (i % AROUND) * TUBE + j % TUBE;
    for i in 0..AROUND {
        for j in 0..TUBE {
            let (a, b, c, d) = (at(i, j), at(i, j + 1), at(i + 1, j), at(i + 1, j + 1));
            mesh.triangles.push([a, b, c]);
            mesh.triangles.push([b, d, c]);
        }
    }
    mesh
}

fn main() {
    let filter = std::env::args().skip(1).find(|a| !a.starts_with('-'));
    let mesh = torus();
    println!(
        "{} triangles, {} vertices with normals\n",
        mesh.triangle_count(),
        mesh.vertex_count()
    );
    println!("| format | ms | MB | MB/s | bytes/triangle |");
    println!("|---|---:|---:|---:|---:|");
    for e in export::formats() {
        let name = e.info().name;
        if filter.as_deref().is_some_and(|f| !name.contains(f)) {
            continue;
        }
        let mut out = Vec::new();
        e.write(&mesh, &mut out).expect("write");
        let mut best = f64::MAX;
        for _ in 0..3 {
            out.clear();
            let t = Instant::now();
            e.write(&mesh, &mut out).expect("write");
            best = best.min(t.elapsed().as_secs_f64());
        }
        let mb = out.len() as f64 / 1e6;
        println!(
            "| {name} | {:.0} | {mb:.1} | {:.0} | {:.1} |",
            best * 1e3,
            mb / best,
            out.len() as f64 / mesh.triangle_count() as f64
        );
    }
}
