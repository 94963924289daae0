#!/usr/bin/env python3
"""Reads mesh files with an outside reader and reports what it found.

Usage: read_mesh.py <reader> <file>...
       read_mesh.py <reader> --probe

Readers:
  assimp      `assimp info <file>`: Open Asset Import Library's command line,
              with its default post-processing, which includes validating the
              imported scene's data structure.
  assimp-raw  `assimp info -r <file>`: the import alone. Assimp's
              post-processing steps refuse a scene without meshes, so this is
              how an empty file is opened.
  usd         Pixar's usd-core (`pxr`): opens the stage, reads the Mesh prims.
  lib3mf      3MF Consortium's lib3mf: reads the package in strict mode.
  trimesh     trimesh.load(..., process=False), geometry concatenated with
              scene transforms applied.

Prints one JSON object per file, one a line:
  {"file": ..., "ok": true, "triangles": N, "min": [x,y,z] | null,
   "max": [x,y,z] | null, ...reader-specific facts (units, axis, warnings)}
or {"file": ..., "ok": false, "error": "..."}.
Exits 3 with a message when the reader is not installed (`--probe` checks
only that).
"""

import json
import re
import shutil
import subprocess
import sys

MISSING = 3


def missing(reader, how):
    print(f"outside reader '{reader}' is not installed: {how}", file=sys.stderr)
    sys.exit(MISSING)


def probe(reader):
    if reader in ("assimp", "assimp-raw"):
        if shutil.which("assimp") is None:
            missing(reader, "apt-get install assimp-utils")
    elif reader == "usd":
        try:
            from pxr import Usd, UsdGeom  # noqa: F401
        except ImportError:
            missing(reader, "python3 -m pip install usd-core")
    elif reader == "lib3mf":
        try:
            import lib3mf  # noqa: F401
        except ImportError:
            missing(reader, "python3 -m pip install lib3mf")
    elif reader == "trimesh":
        try:
            import numpy  # noqa: F401
            import trimesh  # noqa: F401
        except ImportError:
            missing(reader, "python3 -m pip install trimesh numpy")
    else:
        print(f"unknown reader '{reader}'", file=sys.stderr)
        sys.exit(2)


def bounds(points):
    """(min, max) of an iterable of 3-sequences, or (None, None)."""
    lo = hi = None
    for p in points:
        p = [float(v) for v in p]
        if lo is None:
            lo, hi = list(p), list(p)
        else:
            lo = [min(a, b) for a, b in zip(lo, p)]
            hi = [max(a, b) for a, b in zip(hi, p)]
    return lo, hi


def read_assimp(path, raw):
    args = ["assimp", "info", path] + (["-r"] if raw else [])
    run = subprocess.run(args, capture_output=True, text=True, timeout=300)
    text = run.stdout + run.stderr
    if run.returncode != 0:
        errors = [l.strip() for l in text.splitlines() if "ERROR" in l or "Unable" in l]
        raise RuntimeError(f"exit {run.returncode}: {' | '.join(errors) or text[-500:]}")

    def field(name):
        m = re.search(rf"^{name}:?\s+(\S+)", text, re.M)
        if not m:
            raise RuntimeError(f"no '{name}' in assimp's output")
        return int(m.group(1))

    def point(name):
        m = re.search(rf"^{name}\s+\(([^)]*)\)", text, re.M)
        if not m:
            raise RuntimeError(f"no '{name}' in assimp's output")
        return [float(v) for v in m.group(1).split()]

    faces, meshes = field("Faces"), field("Meshes")
    primitive = re.search(r"^Primitive Types:[ \t]*(.*)$", text, re.M)
    result = {
        "triangles": faces,
        "meshes": meshes,
        "vertices": field("Vertices"),
        "primitive_types": primitive.group(1).strip() if primitive else "",
        "min": None,
        "max": None,
    }
    if faces > 0:
        # Points from all meshes with the node transforms applied, to six decimals.
        result["min"], result["max"] = point("Minimum point"), point("Maximum point")
    return result


def read_usd(path):
    from pxr import Usd, UsdGeom

    stage = Usd.Stage.Open(path)
    if stage is None:
        raise RuntimeError("Usd.Stage.Open returned None")
    triangles, points, extents, meshes = 0, [], [], 0
    for prim in stage.Traverse():
        if not prim.IsA(UsdGeom.Mesh):
            continue
        meshes += 1
        mesh = UsdGeom.Mesh(prim)
        counts = list(mesh.GetFaceVertexCountsAttr().Get() or [])
        if any(c != 3 for c in counts):
            raise RuntimeError(f"{prim.GetPath()}: a face is not a triangle")
        indices = list(mesh.GetFaceVertexIndicesAttr().Get() or [])
        if len(indices) != 3 * len(counts):
            raise RuntimeError(f"{prim.GetPath()}: {len(indices)} indices for {len(counts)} triangles")
        triangles += len(counts)
        # World-space points, so any transform on the way is taken into account.
        xf = UsdGeom.Xformable(prim).ComputeLocalToWorldTransform(Usd.TimeCode.Default())
        pts = [xf.Transform(p) for p in (mesh.GetPointsAttr().Get() or [])]
        if indices and max(indices) >= len(pts):
            raise RuntimeError(f"{prim.GetPath()}: an index is past the last point")
        points.extend(pts)
        extent = mesh.GetExtentAttr().Get()
        if extent is not None:
            extents.append([list(map(float, extent[0])), list(map(float, extent[1]))])
        normals = mesh.GetNormalsAttr().Get()
        if normals is not None and len(normals) not in (0, len(pts)):
            raise RuntimeError(f"{prim.GetPath()}: {len(normals)} normals for {len(pts)} points")
        if normals is not None and len(normals) and mesh.GetNormalsInterpolation() != UsdGeom.Tokens.vertex:
            raise RuntimeError(f"{prim.GetPath()}: normals are not per vertex")
    lo, hi = bounds(points)
    return {
        "triangles": triangles,
        "meshes": meshes,
        "min": lo,
        "max": hi,
        "extents": extents,
        "up_axis": str(UsdGeom.GetStageUpAxis(stage)),
        "meters_per_unit": UsdGeom.GetStageMetersPerUnit(stage),
        "has_authored_meters_per_unit": UsdGeom.StageHasAuthoredMetersPerUnit(stage),
        "default_prim": str(stage.GetDefaultPrim().GetPath()) if stage.GetDefaultPrim() else None,
    }


def read_lib3mf(path):
    import lib3mf

    wrapper = lib3mf.get_wrapper()
    model = wrapper.CreateModel()
    reader = model.QueryReader("3mf")
    reader.SetStrictModeActive(True)
    reader.ReadFromFile(path)
    warnings = [reader.GetWarning(i)[1] for i in range(reader.GetWarningCount())]
    triangles, points, objects = 0, [], 0
    objects_it = model.GetMeshObjects()
    while objects_it.MoveNext():
        mesh = objects_it.GetCurrentMeshObject()
        objects += 1
        triangles += mesh.GetTriangleCount()
        points.extend((v.Coordinates[0], v.Coordinates[1], v.Coordinates[2]) for v in mesh.GetVertices())
    build_items = 0
    items = model.GetBuildItems()
    while items.MoveNext():
        build_items += 1
    lo, hi = bounds(points)
    return {
        "triangles": triangles,
        "objects": objects,
        "build_items": build_items,
        "min": lo,
        "max": hi,
        "unit": model.GetUnit().name,
        "warnings": warnings,
    }


def read_trimesh(path):
    import trimesh

    loaded = trimesh.load(path, process=False)
    if isinstance(loaded, trimesh.Scene):
        geometry = loaded.dump(concatenate=False) if loaded.geometry else []
        meshes = [g for g in geometry if isinstance(g, trimesh.Trimesh)]
    elif isinstance(loaded, trimesh.Trimesh):
        meshes = [loaded]
    else:
        raise RuntimeError(f"loaded a {type(loaded).__name__}, not a mesh or scene")
    triangles = sum(len(m.faces) for m in meshes)
    points = [v for m in meshes for v in m.vertices.tolist()]
    lo, hi = bounds(points)
    return {"triangles": triangles, "meshes": len(meshes), "min": lo, "max": hi}


def main():
    if len(sys.argv) < 3:
        print(__doc__, file=sys.stderr)
        sys.exit(2)
    reader, files = sys.argv[1], sys.argv[2:]
    probe(reader)
    if files == ["--probe"]:
        return
    read = {
        "assimp": lambda p: read_assimp(p, raw=False),
        "assimp-raw": lambda p: read_assimp(p, raw=True),
        "usd": read_usd,
        "lib3mf": read_lib3mf,
        "trimesh": read_trimesh,
    }[reader]
    for path in files:
        try:
            result = {"file": path, "ok": True, **read(path)}
        except Exception as e:  # report every failure as data; the test decides
            result = {"file": path, "ok": False, "error": f"{type(e).__name__}: {e}"}
        print(json.dumps(result), flush=True)


if __name__ == "__main__":
    main()
