// Test-only TUF client: tuf-js (an independent JavaScript implementation of
// TUF) refreshes a Lifeline repository from a trusted root, then finds,
// downloads and verifies the named targets. Used by
// internal/tufhttp/tufjs_test.go; see CONTRIBUTING.md.
//
// Usage:
//
//	node client.mjs METADATA_URL TARGETS_URL TRUSTED_ROOT_FILE OUT_DIR TARGET_PATH...
//
// When every target is downloaded and verified it writes one JSON document
// to stdout and exits 0:
//
//	{"tuf_js":"6.0.2",
//	 "targets":[{"path":"1.0.0/plug.bin","file":"OUT_DIR/1.0.0%2Fplug.bin","length":…,"hashes":{…},"custom":{…}}, …],
//	 "metadata":["bin-0a3.json","root.json","snapshot.json","targets.json","timestamp.json"]}
//
// "metadata" lists the metadata files tuf-js verified and kept, which shows
// which delegated roles (hash bins) it followed.
//
// On any failure (bad arguments, unverifiable metadata, unknown target, hash
// or length mismatch) it prints "tuf-js client: …" to stderr, writes nothing
// to stdout and exits non-zero. DEBUG='tuf:*' makes
// tuf-js log every request.
//
// tuf-js takes "now" from the system clock (TrustedMetadataStore uses
// new Date()), so the repository's metadata must be valid at the real time.

import { mkdtempSync, copyFileSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const require = createRequire(import.meta.url);
const WANT_VERSION = '6.0.2';

function fail(message, code = 1) {
  process.stderr.write(`tuf-js client: ${message}\n`);
  process.exit(code);
}

const args = process.argv.slice(2);
if (args.length < 5) {
  fail('usage: node client.mjs METADATA_URL TARGETS_URL TRUSTED_ROOT_FILE OUT_DIR TARGET_PATH...', 2);
}
const [metadataBaseUrl, targetBaseUrl, rootFile, outDir, ...targets] = args;

let tuf;
let version;
try {
  tuf = require('tuf-js');
  version = require('tuf-js/package.json').version;
} catch (err) {
  fail(`cannot load tuf-js (run "make tufjs"): ${err.message}`, 3);
}
if (version !== WANT_VERSION) {
  fail(`tuf-js ${version} is installed, want ${WANT_VERSION} (run "make tufjs")`, 3);
}

// The updater keeps its trusted metadata in a private directory that starts
// with nothing but the trusted root, as on a freshly flashed device.
const metadataDir = mkdtempSync(join(tmpdir(), 'tufjs-metadata-'));
try {
  copyFileSync(rootFile, join(metadataDir, 'root.json'));
  mkdirSync(outDir, { recursive: true });

  const updater = new tuf.Updater({
    metadataBaseUrl,
    targetBaseUrl,
    metadataDir,
    targetDir: outDir,
    config: { userAgent: 'lifeline-interop-test', fetchTimeout: 30000 },
  });
  await updater.refresh();
  const downloaded = [];
  for (const path of targets) {
    const info = await updater.getTargetInfo(path);
    if (!info) {
      throw new Error(`target ${JSON.stringify(path)} is not in the repository`);
    }
    const file = await updater.downloadTarget(info);
    downloaded.push({ path: info.path, file, length: info.length, hashes: info.hashes, custom: info.custom });
  }
  const metadata = readdirSync(metadataDir).sort();
  process.stdout.write(JSON.stringify({ tuf_js: version, targets: downloaded, metadata }) + '\n');
} catch (err) {
  // Not fail(): process.exit would skip the clean-up below.
  const name = err?.constructor?.name ?? 'Error';
  const cause = err?.cause ? ` (cause: ${err.cause.message ?? err.cause})` : '';
  process.stderr.write(`tuf-js client: ${name}: ${err?.message ?? err}${cause}\n`);
  process.exitCode = 1;
} finally {
  rmSync(metadataDir, { recursive: true, force: true });
}
