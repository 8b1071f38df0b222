// The packaged extension: the .vsix that `vsce package --no-dependencies` wrote (path in
// VSIX) holds exactly the bundled extension, its manifest and docs, and no sources,
// tests or node_modules. A .vsix is a zip; its file list is the zip's central directory.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { it } from 'node:test';

function zipEntries(file: string): string[] {
  const zip = fs.readFileSync(file);
  // The end-of-central-directory record is in the last 64 KiB + 22 bytes.
  let end = -1;
  for (let i = zip.length - 22; i >= Math.max(0, zip.length - 65557); i--) {
    if (zip.readUInt32LE(i) === 0x06054b50) {
      end = i;
      break;
    }
  }
  assert.ok(end >= 0, `${file} is not a zip`);
  const count = zip.readUInt16LE(end + 10);
  let at = zip.readUInt32LE(end + 16);
  const names: string[] = [];
  for (let n = 0; n < count; n++) {
    assert.equal(zip.readUInt32LE(at), 0x02014b50, 'central directory entry');
    const nameLength = zip.readUInt16LE(at + 28);
    const extraLength = zip.readUInt16LE(at + 30);
    const commentLength = zip.readUInt16LE(at + 32);
    names.push(zip.toString('utf8', at + 46, at + 46 + nameLength));
    at += 46 + nameLength + extraLength + commentLength;
  }
  return names.sort();
}

it('the .vsix holds the bundled extension and its docs only', () => {
  const vsix = process.env.VSIX;
  assert.ok(vsix, 'VSIX names the packaged file');
  assert.deepEqual(zipEntries(vsix), [
    '[Content_Types].xml',
    'extension.vsixmanifest',
    'extension/changelog.md',
    'extension/dist/extension.js',
    'extension/package.json',
    'extension/readme.md',
  ]);
});
