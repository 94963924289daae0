//! Every file in `templates/` is a usable gallery entry: the right fields, a slug
//! for a name, a tree the engine validates and compiles with the service's
//! default limits, and a non-empty mesh at 64³ — the same checks whether one
//! file or the whole gallery changed.

use std::path::Path;

use ai_modeler::config::Config;
use ai_modeler::mesh::{self, MeshSettings, Method};
use ai_modeler::sdf::compile;
use ai_modeler::server::compute::limits;
use ai_modeler::store::templates::check_template;

#[test]
fn every_template_compiles_and_meshes_at_64() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("templates");
    let limits = limits(&Config::default());
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    let mut checked = 0;
    let mut failures = Vec::new();
    for path in files {
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let Some(slug) = name.strip_suffix(".json") else {
            failures.push(format!("{name}: templates/ holds only .json files"));
            continue;
        };
        let bytes = std::fs::read(&path).unwrap();
        let t = match check_template(slug, &bytes, &limits) {
            Ok(t) => t,
            Err(e) => {
                failures.push(format!("{name}: {e}"));
                continue;
            }
        };
        if t.file.tags.is_empty() || t.file.description.trim().is_empty() {
            failures.push(format!("{name}: needs at least one tag and a description"));
        }
        let compiled = match compile::compile(&t.file.tree, &limits) {
            Ok(c) => c,
            Err(e) => {
                failures.push(format!("{name}: does not compile: {e}"));
                continue;
            }
        };
        let settings = MeshSettings {
            method: Method::SurfaceNets,
            resolution: 64,
            ..MeshSettings::default()
        };
        match mesh::mesh(&compiled.tape, compiled.bounds, &settings, &|_| {}) {
            Ok(out) if out.mesh.is_empty() => {
                failures.push(format!("{name}: meshes to nothing at 64³"))
            }
            Ok(_) => {}
            Err(e) => failures.push(format!("{name}: does not mesh at 64³: {e}")),
        }
        checked += 1;
    }
    assert!(
        failures.is_empty(),
        "bad templates:\n{}",
        failures.join("\n")
    );
    assert!(checked >= 1, "templates/ is empty");
}
