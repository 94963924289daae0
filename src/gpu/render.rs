//! Offscreen rendering of a `fragment_raymarch` shader ([`Gpu::render`]) and
//! the camera maths it needs ([`Camera`]), plus the CPU sphere tracer that
//! draws the same silhouette with the engine's evaluator ([`cpu_silhouette`]),
//! so the two can be compared.

use std::sync::mpsc;
use std::time::Duration;

use super::GpuError;
use super::device::{Gpu, wait_for_map};
use crate::sdf::compile::Compiled;
use crate::sdf::eval::SimdWidth;

/// The `fragment_raymarch` camera uniform (see `docs/shaders-and-gpu.md`).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Camera {
    /// Clip space to world, column-major (WebGPU depth 0..1).
    pub inv_view_proj: [f32; 16],
    /// xy: target size in pixels; z: longest ray; w: hit threshold.
    pub viewport: [f32; 4],
    /// xyz: direction towards the light.
    pub light: [f32; 4],
    /// Colour of pixels whose ray misses.
    pub background: [f32; 4],
}

/// Steps of the sphere tracer, as in the shader.
const MAX_STEPS: usize = 512;

impl Camera {
    /// A perspective camera at `eye` looking at `target` (+Y up), vertical field
    /// of view `fov_y` radians, for a `width`×`height` target.
    pub fn look_at(eye: [f32; 3], target: [f32; 3], fov_y: f32, width: u32, height: u32) -> Camera {
        let (near, far) = (0.01f64, 100.0f64);
        let e = eye.map(f64::from);
        let t = target.map(f64::from);
        let f = normalize([t[0] - e[0], t[1] - e[1], t[2] - e[2]]);
        let s = normalize(cross(f, [0.0, 1.0, 0.0]));
        let u = cross(s, f);
        // View (right-handed, looking down -Z) and perspective with depth 0..1.
        let view = [
            [s[0], u[0], -f[0], 0.0],
            [s[1], u[1], -f[1], 0.0],
            [s[2], u[2], -f[2], 0.0],
            [-dot(s, e), -dot(u, e), dot(f, e), 1.0],
        ];
        let aspect = f64::from(width) / f64::from(height.max(1));
        let g = 1.0 / (f64::from(fov_y) / 2.0).tan();
        let proj = [
            [g / aspect, 0.0, 0.0, 0.0],
            [0.0, g, 0.0, 0.0],
            [0.0, 0.0, far / (near - far), -1.0],
            [0.0, 0.0, near * far / (near - far), 0.0],
        ];
        let inv = invert(mul(proj, view)).unwrap_or(IDENTITY);
        let mut m = [0.0f32; 16];
        for (c, col) in inv.iter().enumerate() {
            for (r, v) in col.iter().enumerate() {
                m[c * 4 + r] = *v as f32;
            }
        }
        Camera {
            inv_view_proj: m,
            viewport: [width as f32, height as f32, 50.0, 1e-3],
            light: [0.5, 0.8, 0.6, 0.0],
            background: [0.0, 0.0, 0.0, 0.0],
        }
    }

    /// The uniform's bytes (little-endian, 112).
    pub fn bytes(&self) -> Vec<u8> {
        self.inv_view_proj
            .iter()
            .chain(&self.viewport)
            .chain(&self.light)
            .chain(&self.background)
            .flat_map(|v| v.to_le_bytes())
            .collect()
    }

    /// Origin and direction of the ray through pixel centre `(x + 0.5, y + 0.5)`
    /// (y down), exactly as the shader computes them.
    pub fn ray(&self, x: u32, y: u32) -> ([f32; 3], [f32; 3]) {
        let ndc = [
            (x as f32 + 0.5) / self.viewport[0] * 2.0 - 1.0,
            1.0 - (y as f32 + 0.5) / self.viewport[1] * 2.0,
        ];
        let apply = |z: f32| {
            let m = &self.inv_view_proj;
            let v = [ndc[0], ndc[1], z, 1.0];
            let mut o = [0.0f32; 4];
            for (r, out) in o.iter_mut().enumerate() {
                *out = (0..4).map(|c| m[c * 4 + r] * v[c]).sum();
            }
            [o[0] / o[3], o[1] / o[3], o[2] / o[3]]
        };
        let near = apply(0.0);
        let far = apply(1.0);
        let d = [far[0] - near[0], far[1] - near[1], far[2] - near[2]];
        let len = (d[0] * d[0] + d[1] * d[1] + d[2] * d[2]).sqrt();
        (near, [d[0] / len, d[1] / len, d[2] / len])
    }
}

const IDENTITY: [[f64; 4]; 4] = [
    [1.0, 0.0, 0.0, 0.0],
    [0.0, 1.0, 0.0, 0.0],
    [0.0, 0.0, 1.0, 0.0],
    [0.0, 0.0, 0.0, 1.0],
];

fn dot(a: [f64; 3], b: [f64; 3]) -> f64 {
    a[0] * b[0] + a[1] * b[1] + a[2] * b[2]
}
fn cross(a: [f64; 3], b: [f64; 3]) -> [f64; 3] {
    [
        a[1] * b[2] - a[2] * b[1],
        a[2] * b[0] - a[0] * b[2],
        a[0] * b[1] - a[1] * b[0],
    ]
}
fn normalize(a: [f64; 3]) -> [f64; 3] {
    let l = dot(a, a).sqrt();
    if l > 0.0 { a.map(|v| v / l) } else { a }
}

/// Column-major product `a · b`.
fn mul(a: [[f64; 4]; 4], b: [[f64; 4]; 4]) -> [[f64; 4]; 4] {
    let mut out = [[0.0; 4]; 4];
    for (c, col) in out.iter_mut().enumerate() {
        for (r, v) in col.iter_mut().enumerate() {
            *v = (0..4).map(|k| a[k][r] * b[c][k]).sum();
        }
    }
    out
}

/// Gauss–Jordan inverse of a column-major matrix; `None` when singular.
fn invert(m: [[f64; 4]; 4]) -> Option<[[f64; 4]; 4]> {
    // Work on rows: a[r] = [row r of m | row r of I].
    let mut a = [[0.0f64; 8]; 4];
    for (r, row) in a.iter_mut().enumerate() {
        for c in 0..4 {
            row[c] = m[c][r];
        }
        row[4 + r] = 1.0;
    }
    for col in 0..4 {
        let pivot = (col..4).max_by(|&i, &j| a[i][col].abs().total_cmp(&a[j][col].abs()))?;
        if a[pivot][col].abs() < 1e-300 {
            return None;
        }
        a.swap(col, pivot);
        let p = a[col][col];
        a[col].iter_mut().for_each(|v| *v /= p);
        for r in 0..4 {
            if r != col {
                let f = a[r][col];
                let pivot_row = a[col];
                a[r].iter_mut()
                    .zip(pivot_row)
                    .for_each(|(v, pv)| *v -= f * pv);
            }
        }
    }
    let mut out = [[0.0; 4]; 4];
    for (r, row) in a.iter().enumerate() {
        for c in 0..4 {
            out[c][r] = row[4 + c];
        }
    }
    Some(out)
}

/// Which pixels' rays hit the surface, by sphere tracing on the CPU with the
/// engine's evaluator (all live rays advanced together, one batch a step), the
/// same march the shader runs. Row-major, y down.
pub fn cpu_silhouette(compiled: &Compiled, camera: &Camera, width: u32, height: u32) -> Vec<bool> {
    let n = (width * height) as usize;
    let rays: Vec<([f32; 3], [f32; 3])> = (0..n)
        .map(|i| camera.ray(i as u32 % width, i as u32 / width))
        .collect();
    let mut t = vec![0.0f32; n];
    let mut hit = vec![false; n];
    let mut live: Vec<usize> = (0..n).collect();
    let (max_t, eps) = (camera.viewport[2], camera.viewport[3]);
    let mut points = Vec::with_capacity(n);
    for _ in 0..MAX_STEPS {
        if live.is_empty() {
            break;
        }
        points.clear();
        points.extend(live.iter().map(|&i| {
            let (o, d) = rays[i];
            [o[0] + d[0] * t[i], o[1] + d[1] * t[i], o[2] + d[2] * t[i]]
        }));
        let distances = compiled.eval_points(&points, SimdWidth::Auto);
        let mut still = Vec::with_capacity(live.len());
        for (&i, &d) in live.iter().zip(&distances) {
            if d < eps {
                hit[i] = true;
                continue;
            }
            t[i] += d;
            if t[i] <= max_t {
                still.push(i);
            }
        }
        live = still;
    }
    hit
}

/// How long one frame may take before the render is abandoned.
const FRAME_TIMEOUT: Duration = Duration::from_secs(120);

impl Gpu {
    /// Renders `wgsl` (a `fragment_raymarch` module) into a `width`×`height`
    /// RGBA8 image (row-major, y down) with parameter buffer `params`.
    pub fn render(
        &self,
        wgsl: &str,
        params: &[f32],
        camera: &Camera,
        width: u32,
        height: u32,
    ) -> Result<Vec<u8>, GpuError> {
        if width == 0 || height == 0 || width > 8192 || height > 8192 {
            return Err(GpuError::TooLarge(format!(
                "image {width}x{height}: each side must be 1 to 8192"
            )));
        }
        let device = self.device();
        let validation = device.push_error_scope(wgpu::ErrorFilter::Validation);
        let oom = device.push_error_scope(wgpu::ErrorFilter::OutOfMemory);
        let result = self.render_scoped(wgsl, params, camera, width, height);
        let errors = [
            pollster::block_on(oom.pop()),
            pollster::block_on(validation.pop()),
        ];
        match errors.into_iter().flatten().next() {
            Some(e @ wgpu::Error::OutOfMemory { .. }) => Err(GpuError::OutOfMemory(e.to_string())),
            Some(e) => Err(GpuError::Shader(e.to_string())),
            None => result,
        }
    }

    fn render_scoped(
        &self,
        wgsl: &str,
        params: &[f32],
        camera: &Camera,
        width: u32,
        height: u32,
    ) -> Result<Vec<u8>, GpuError> {
        let (device, queue) = (self.device(), self.queue());
        let uniform = |binding| wgpu::BindGroupLayoutEntry {
            binding,
            visibility: wgpu::ShaderStages::FRAGMENT,
            ty: wgpu::BindingType::Buffer {
                ty: wgpu::BufferBindingType::Uniform,
                has_dynamic_offset: false,
                min_binding_size: None,
            },
            count: None,
        };
        let group_layout = device.create_bind_group_layout(&wgpu::BindGroupLayoutDescriptor {
            label: Some("raymarch"),
            entries: &[uniform(0), uniform(1)],
        });
        let layout = device.create_pipeline_layout(&wgpu::PipelineLayoutDescriptor {
            label: Some("raymarch"),
            bind_group_layouts: &[Some(&group_layout)],
            immediate_size: 0,
        });
        let module = device.create_shader_module(wgpu::ShaderModuleDescriptor {
            label: Some("fragment_raymarch"),
            source: wgpu::ShaderSource::Wgsl(wgsl.into()),
        });
        let format = wgpu::TextureFormat::Rgba8Unorm;
        let pipeline = device.create_render_pipeline(&wgpu::RenderPipelineDescriptor {
            label: Some("raymarch"),
            layout: Some(&layout),
            vertex: wgpu::VertexState {
                module: &module,
                entry_point: Some("vs_main"),
                compilation_options: Default::default(),
                buffers: &[],
            },
            primitive: wgpu::PrimitiveState::default(),
            depth_stencil: None,
            multisample: wgpu::MultisampleState::default(),
            fragment: Some(wgpu::FragmentState {
                module: &module,
                entry_point: Some("fs_main"),
                compilation_options: Default::default(),
                targets: &[Some(wgpu::ColorTargetState {
                    format,
                    blend: None,
                    write_mask: wgpu::ColorWrites::ALL,
                })],
            }),
            multiview_mask: None,
            cache: None,
        });
        let mut param_bytes: Vec<u8> = params.iter().flat_map(|v| v.to_le_bytes()).collect();
        param_bytes.resize(param_bytes.len().div_ceil(16).max(1) * 16, 0);
        let buffer = |label, bytes: &[u8]| {
            let b = device.create_buffer(&wgpu::BufferDescriptor {
                label: Some(label),
                size: bytes.len() as u64,
                usage: wgpu::BufferUsages::UNIFORM | wgpu::BufferUsages::COPY_DST,
                mapped_at_creation: false,
            });
            queue.write_buffer(&b, 0, bytes);
            b
        };
        let params_buffer = buffer("params", &param_bytes);
        let camera_buffer = buffer("camera", &camera.bytes());
        let bind_group = device.create_bind_group(&wgpu::BindGroupDescriptor {
            label: Some("raymarch"),
            layout: &group_layout,
            entries: &[
                wgpu::BindGroupEntry {
                    binding: 0,
                    resource: params_buffer.as_entire_binding(),
                },
                wgpu::BindGroupEntry {
                    binding: 1,
                    resource: camera_buffer.as_entire_binding(),
                },
            ],
        });
        let size = wgpu::Extent3d {
            width,
            height,
            depth_or_array_layers: 1,
        };
        let texture = device.create_texture(&wgpu::TextureDescriptor {
            label: Some("raymarch target"),
            size,
            mip_level_count: 1,
            sample_count: 1,
            dimension: wgpu::TextureDimension::D2,
            format,
            usage: wgpu::TextureUsages::RENDER_ATTACHMENT | wgpu::TextureUsages::COPY_SRC,
            view_formats: &[],
        });
        let view = texture.create_view(&wgpu::TextureViewDescriptor::default());
        // Rows of a texture copy are padded to 256 bytes.
        let row = (width * 4).div_ceil(256) * 256;
        let readback = device.create_buffer(&wgpu::BufferDescriptor {
            label: Some("raymarch readback"),
            size: u64::from(row) * u64::from(height),
            usage: wgpu::BufferUsages::MAP_READ | wgpu::BufferUsages::COPY_DST,
            mapped_at_creation: false,
        });
        let mut encoder =
            device.create_command_encoder(&wgpu::CommandEncoderDescriptor { label: None });
        {
            let mut pass = encoder.begin_render_pass(&wgpu::RenderPassDescriptor {
                label: Some("raymarch"),
                color_attachments: &[Some(wgpu::RenderPassColorAttachment {
                    view: &view,
                    depth_slice: None,
                    resolve_target: None,
                    ops: wgpu::Operations {
                        load: wgpu::LoadOp::Clear(wgpu::Color::TRANSPARENT),
                        store: wgpu::StoreOp::Store,
                    },
                })],
                ..Default::default()
            });
            pass.set_pipeline(&pipeline);
            pass.set_bind_group(0, &bind_group, &[]);
            pass.draw(0..3, 0..1);
        }
        encoder.copy_texture_to_buffer(
            wgpu::TexelCopyTextureInfo {
                texture: &texture,
                mip_level: 0,
                origin: wgpu::Origin3d::ZERO,
                aspect: wgpu::TextureAspect::All,
            },
            wgpu::TexelCopyBufferInfo {
                buffer: &readback,
                layout: wgpu::TexelCopyBufferLayout {
                    offset: 0,
                    bytes_per_row: Some(row),
                    rows_per_image: Some(height),
                },
            },
            size,
        );
        let submission = queue.submit([encoder.finish()]);
        let (tx, rx) = mpsc::channel();
        readback.slice(..).map_async(wgpu::MapMode::Read, move |r| {
            let _ = tx.send(r);
        });
        wait_for_map(device, submission, &rx, FRAME_TIMEOUT, "the image")?;
        let mut image = Vec::with_capacity((width * height * 4) as usize);
        {
            let mapped = readback
                .slice(..)
                .get_mapped_range()
                .map_err(|e| GpuError::Map(e.to_string()))?;
            for y in 0..height as usize {
                let start = y * row as usize;
                image.extend_from_slice(&mapped[start..start + width as usize * 4]);
            }
        }
        readback.unmap();
        Ok(image)
    }
}
