//! Shader targets: one [`Target`] per language, one registry ([`targets`]).
//! WGSL is what [`super::wgsl`] writes; every other target is naga's back end
//! run on the validated module, so they all mean the same thing.

use naga::back;
use naga::valid::{Capabilities, ModuleInfo, ValidationFlags, Validator};

use super::Kind;
use super::wgsl::{Entry, Stage};

/// Output of a target for one module.
#[derive(Debug)]
pub struct Written {
    /// The whole output (SPIR-V: base64 of the binary). For languages with one
    /// entry point per source (GLSL), the primary entry point's source.
    pub source: String,
    /// Per-entry-point sources, for languages with one entry point per source.
    pub per_entry: Vec<(Entry, String)>,
}

/// Why a target could not write a module.
#[derive(Debug, thiserror::Error)]
pub enum TargetError {
    /// The target language cannot express this shape.
    #[error("{target} cannot express {kind}: {reason}")]
    Unsupported {
        /// Target name.
        target: &'static str,
        /// Shape name.
        kind: &'static str,
        /// Why not.
        reason: &'static str,
    },
    /// naga's back end failed (a bug in the generated WGSL or in naga).
    #[error("{target} back end: {message}")]
    Backend {
        /// Target name.
        target: &'static str,
        /// naga's message.
        message: String,
    },
}

/// A shader language the service writes.
pub trait Target: Sync {
    /// Name used in the URL (`/v1/shader/{name}`).
    fn name(&self) -> &'static str;
    /// Language and version, for `GET /v1/shader/targets`.
    fn language(&self) -> &'static str;
    /// Whether the output is binary (sent base64-encoded).
    fn binary(&self) -> bool {
        false
    }
    /// Whether `kind` can be written.
    fn check(&self, kind: Kind) -> Result<(), TargetError> {
        let _ = kind;
        Ok(())
    }
    /// Writes the validated module.
    fn write(
        &self,
        wgsl: &str,
        module: &naga::Module,
        info: &ModuleInfo,
        entries: &[Entry],
    ) -> Result<Written, TargetError>;
}

/// Every target, in the order `GET /v1/shader/targets` lists them.
pub fn targets() -> &'static [&'static dyn Target] {
    static TARGETS: [&dyn Target; 6] = [&Wgsl, &GLSL, &GLSL_ES, &Hlsl, &Msl, &Spirv];
    &TARGETS
}

/// The target called `name`.
pub fn by_name(name: &str) -> Option<&'static dyn Target> {
    targets().iter().copied().find(|t| t.name() == name)
}

/// Names of all targets.
pub fn names() -> Vec<&'static str> {
    targets().iter().map(|t| t.name()).collect()
}

/// Parses and validates WGSL with naga; errors carry naga's diagnostic.
pub fn validate(wgsl: &str) -> Result<(naga::Module, ModuleInfo), String> {
    let module = naga::front::wgsl::parse_str(wgsl).map_err(|e| e.emit_to_string(wgsl))?;
    let info = Validator::new(ValidationFlags::all(), Capabilities::default())
        .validate(&module)
        .map_err(|e| e.emit_to_string(wgsl))?;
    Ok((module, info))
}

fn naga_stage(stage: Stage) -> naga::ShaderStage {
    match stage {
        Stage::Vertex => naga::ShaderStage::Vertex,
        Stage::Fragment => naga::ShaderStage::Fragment,
        Stage::Compute => naga::ShaderStage::Compute,
    }
}

fn backend(target: &'static str) -> impl Fn(String) -> TargetError {
    move |message| TargetError::Backend { target, message }
}

struct Wgsl;
impl Target for Wgsl {
    fn name(&self) -> &'static str {
        "wgsl"
    }
    fn language(&self) -> &'static str {
        "WGSL (WebGPU)"
    }
    fn write(
        &self,
        wgsl: &str,
        _: &naga::Module,
        _: &ModuleInfo,
        _: &[Entry],
    ) -> Result<Written, TargetError> {
        Ok(Written {
            source: wgsl.to_string(),
            per_entry: Vec::new(),
        })
    }
}

/// GLSL writes one entry point per source; `version` picks desktop or ES.
fn write_glsl(
    target: &'static str,
    version: back::glsl::Version,
    module: &naga::Module,
    info: &ModuleInfo,
    entries: &[Entry],
) -> Result<Written, TargetError> {
    let options = back::glsl::Options {
        version,
        writer_flags: back::glsl::WriterFlags::empty(),
        ..Default::default()
    };
    let mut per_entry = Vec::new();
    for entry in entries {
        let pipeline = back::glsl::PipelineOptions {
            shader_stage: naga_stage(entry.stage),
            entry_point: entry.name.to_string(),
            multiview: None,
        };
        let mut text = String::new();
        let mut writer = back::glsl::Writer::new(
            &mut text,
            module,
            info,
            &options,
            &pipeline,
            naga::proc::BoundsCheckPolicies::default(),
        )
        .map_err(|e| backend(target)(e.to_string()))?;
        writer.write().map_err(|e| backend(target)(e.to_string()))?;
        per_entry.push((*entry, text));
    }
    // The fragment stage is what users paste; the vertex stage is boilerplate.
    let primary = per_entry
        .iter()
        .find(|(e, _)| e.stage != Stage::Vertex)
        .or(per_entry.first())
        .map(|(_, s)| s.clone())
        .unwrap_or_default();
    Ok(Written {
        source: primary,
        per_entry,
    })
}

/// GLSL in one version: desktop 450 core, or ES 3.00 for WebGL2.
struct Glsl {
    name: &'static str,
    language: &'static str,
    version: back::glsl::Version,
    /// Whether the version has compute shaders (ES 3.00 does not).
    compute: bool,
}

static GLSL: Glsl = Glsl {
    name: "glsl",
    language: "GLSL 450 core (OpenGL 4.5, Vulkan GLSL)",
    version: back::glsl::Version::Desktop(450),
    compute: true,
};

static GLSL_ES: Glsl = Glsl {
    name: "glsl-es",
    language: "GLSL ES 300 (WebGL2, OpenGL ES 3.0)",
    version: back::glsl::Version::Embedded {
        version: 300,
        is_webgl: true,
    },
    compute: false,
};

impl Target for Glsl {
    fn name(&self) -> &'static str {
        self.name
    }
    fn language(&self) -> &'static str {
        self.language
    }
    fn check(&self, kind: Kind) -> Result<(), TargetError> {
        match kind {
            Kind::ComputeEval if !self.compute => Err(TargetError::Unsupported {
                target: self.name,
                kind: kind.name(),
                reason: "GLSL ES 3.00 (WebGL2) has no compute shaders or storage buffers; use glsl, hlsl, msl, spirv or wgsl",
            }),
            _ => Ok(()),
        }
    }
    fn write(
        &self,
        _: &str,
        module: &naga::Module,
        info: &ModuleInfo,
        entries: &[Entry],
    ) -> Result<Written, TargetError> {
        write_glsl(self.name, self.version, module, info, entries)
    }
}

struct Hlsl;
impl Target for Hlsl {
    fn name(&self) -> &'static str {
        "hlsl"
    }
    fn language(&self) -> &'static str {
        "HLSL shader model 5.1 (Direct3D 12, Unity, Unreal)"
    }
    fn write(
        &self,
        _: &str,
        module: &naga::Module,
        info: &ModuleInfo,
        _: &[Entry],
    ) -> Result<Written, TargetError> {
        let options = back::hlsl::Options {
            shader_model: back::hlsl::ShaderModel::V5_1,
            ..Default::default()
        };
        let pipeline = back::hlsl::PipelineOptions { entry_point: None };
        let mut text = String::new();
        back::hlsl::Writer::new(&mut text, &options, &pipeline)
            .write(module, info, None)
            .map_err(|e| backend(self.name())(e.to_string()))?;
        Ok(Written {
            source: text,
            per_entry: Vec::new(),
        })
    }
}

struct Msl;
impl Target for Msl {
    fn name(&self) -> &'static str {
        "msl"
    }
    fn language(&self) -> &'static str {
        "Metal Shading Language 2.0"
    }
    fn write(
        &self,
        _: &str,
        module: &naga::Module,
        info: &ModuleInfo,
        _: &[Entry],
    ) -> Result<Written, TargetError> {
        let options = back::msl::Options {
            lang_version: (2, 0),
            ..Default::default()
        };
        let pipeline = back::msl::PipelineOptions {
            entry_point: None,
            ..Default::default()
        };
        let (text, _) = back::msl::write_string(module, info, &options, &pipeline)
            .map_err(|e| backend(self.name())(e.to_string()))?;
        Ok(Written {
            source: text,
            per_entry: Vec::new(),
        })
    }
}

struct Spirv;
impl Target for Spirv {
    fn name(&self) -> &'static str {
        "spirv"
    }
    fn language(&self) -> &'static str {
        "SPIR-V 1.0 binary, base64-encoded (Vulkan)"
    }
    fn binary(&self) -> bool {
        true
    }
    fn write(
        &self,
        _: &str,
        module: &naga::Module,
        info: &ModuleInfo,
        _: &[Entry],
    ) -> Result<Written, TargetError> {
        let mut options = back::spv::Options::default();
        // Debug builds of naga turn on debug info by default; the output
        // should not depend on how the server was built.
        options.flags.remove(back::spv::WriterFlags::DEBUG);
        let words = back::spv::write_vec(module, info, &options, None)
            .map_err(|e| backend(self.name())(e.to_string()))?;
        let bytes: Vec<u8> = words.iter().flat_map(|w| w.to_le_bytes()).collect();
        use base64::Engine as _;
        Ok(Written {
            source: base64::engine::general_purpose::STANDARD.encode(bytes),
            per_entry: Vec::new(),
        })
    }
}
