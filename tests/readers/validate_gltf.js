#!/usr/bin/env node
// Validates glTF/GLB files with the Khronos glTF-Validator (npm `gltf-validator`).
//
// Usage: node validate_gltf.js <file>...
//        node validate_gltf.js --probe
//
// The validator is looked up in $AIM_READERS_DIR/node_modules (default
// $HOME/.cache/ai-modeler/readers), a node project outside the clone that
// .ci/run installs it into.
//
// Prints one JSON object per file, one a line:
//   {"file": ..., "ok": true, "errors": N, "warnings": N, "infos": N, "hints": N,
//    "messages": [...], "triangles": N | null, "vertices": N | null, "version": ...}
// or {"file": ..., "ok": false, "error": "..."} when the validator could not run.
// Exits 3 with a message when the validator is not installed.
'use strict';

const fs = require('fs');
const os = require('os');
const path = require('path');

const dir = process.env.AIM_READERS_DIR || path.join(os.homedir(), '.cache', 'ai-modeler', 'readers');
let validator;
try {
    validator = require(require.resolve('gltf-validator', { paths: [dir] }));
} catch (e) {
    console.error(`outside reader 'gltf-validator' is not installed in ${dir}: npm install --prefix "${dir}" gltf-validator`);
    process.exit(3);
}

async function main() {
    const files = process.argv.slice(2);
    if (files[0] === '--probe') {
        return;
    }
    for (const file of files) {
        let result;
        try {
            const report = await validator.validateBytes(new Uint8Array(fs.readFileSync(file)), {
                uri: path.basename(file),
                maxIssues: 100,
            });
            const info = report.info || {};
            result = {
                file,
                ok: true,
                version: report.validatorVersion,
                errors: report.issues.numErrors,
                warnings: report.issues.numWarnings,
                infos: report.issues.numInfos,
                hints: report.issues.numHints,
                messages: report.issues.messages.map((m) => `${m.severity}:${m.code} ${m.pointer || ''} ${m.message}`),
                triangles: info.totalTriangleCount === undefined ? null : info.totalTriangleCount,
                vertices: info.totalVertexCount === undefined ? null : info.totalVertexCount,
            };
        } catch (e) {
            result = { file, ok: false, error: String(e) };
        }
        console.log(JSON.stringify(result));
    }
}

main().catch((e) => {
    console.error(String(e));
    process.exit(1);
});
