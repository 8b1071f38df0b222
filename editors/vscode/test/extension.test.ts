// The extension's own logic under node:test, with the `vscode` stub: where the server
// binary comes from (and that the choice is logged), and how settings reach the server.
import { logged, settings } from './vscode-stub';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterEach, describe, it } from 'node:test';
import { DOCUMENT_SELECTOR, configurationAnswer } from '../src/client';
import { SERVER_SETTINGS, camelToSnake, serverSettings } from '../src/config';
import { threatModelSection } from '../src/commands';
import { bundledPath, findServer, isExecutable, locateServer } from '../src/server';
import * as vscode from 'vscode';

/** A folder with executable `threatmark` files at the given relative paths. */
function tree(executables: string[], plainFiles: string[] = []): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'threatmark-ext-'));
  for (const rel of [...executables, ...plainFiles]) {
    const file = path.join(root, rel);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, '#!/bin/sh\n');
    fs.chmodSync(file, executables.includes(rel) ? 0o755 : 0o644);
  }
  return root;
}

function lookup(root: string, setting: string | undefined, pathDirs: string[]) {
  return findServer({
    setting,
    extensionPath: path.join(root, 'ext'),
    platform: 'linux',
    envPath: pathDirs.map((d) => path.join(root, d)).join(':'),
    isExecutable,
  });
}

afterEach(() => {
  settings.global = {};
  settings.workspace = {};
  logged.length = 0;
});

describe('server lookup', () => {
  it('takes the setting first, then the bundled binary, then PATH', () => {
    const root = tree(['custom/threatmark', 'ext/server/threatmark', 'bin1/threatmark']);
    assert.deepEqual(lookup(root, path.join(root, 'custom/threatmark'), ['bin1']), {
      path: path.join(root, 'custom/threatmark'),
      source: 'setting threatmark.server.path',
    });
    assert.deepEqual(lookup(root, '', ['bin1']), {
      path: bundledPath(path.join(root, 'ext'), 'linux'),
      source: 'bundled with the extension',
    });
    fs.rmSync(path.join(root, 'ext'), { recursive: true });
    assert.deepEqual(lookup(root, '  ', ['bin1']), { path: path.join(root, 'bin1/threatmark'), source: 'PATH' });
  });

  it('takes the first PATH entry that has an executable threatmark', () => {
    const root = tree(['bin2/threatmark', 'bin3/threatmark'], ['bin1/threatmark']);
    assert.deepEqual(lookup(root, undefined, ['empty', 'bin1', 'bin2', 'bin3']), {
      path: path.join(root, 'bin2/threatmark'),
      source: 'PATH',
    });
  });

  it('does not fall through when the setting names a missing binary', () => {
    const root = tree(['ext/server/threatmark', 'bin1/threatmark']);
    const found = lookup(root, path.join(root, 'nowhere/threatmark'), ['bin1']);
    assert.ok('error' in found);
    assert.match(found.error, /threatmark\.server\.path is set to .*nowhere\/threatmark/);
  });

  it('says what to do when there is no binary anywhere', () => {
    const root = tree([]);
    const found = lookup(root, undefined, ['bin1']);
    assert.ok('error' in found);
    assert.match(found.error, /threatmark\.server\.path/);
  });

  it('names the bundled binary threatmark.exe on Windows', () => {
    assert.equal(path.basename(bundledPath('/ext', 'win32')), 'threatmark.exe');
  });

  it('reads the setting from VS Code and logs the chosen binary', () => {
    const root = tree(['custom/threatmark']);
    settings.global['server.path'] = path.join(root, 'custom/threatmark');
    const output = vscode.window.createOutputChannel('threatmark', { log: true });
    const found = locateServer(path.join(root, 'ext'), output);
    assert.equal(found?.path, path.join(root, 'custom/threatmark'));
    assert.deepEqual(logged, [
      `info: Using the threatmark server ${path.join(root, 'custom/threatmark')} (setting threatmark.server.path).`,
    ]);
  });

  it('logs why no binary was found', () => {
    settings.global['server.path'] = '/nonexistent/threatmark';
    const output = vscode.window.createOutputChannel('threatmark', { log: true });
    assert.equal(locateServer('/nonexistent/ext', output), undefined);
    assert.equal(logged.length, 1);
    assert.match(logged[0], /^error: threatmark\.server\.path is set to \/nonexistent\/threatmark/);
  });
});

describe('settings', () => {
  it('sends every .threatmark.toml setting and none of the editor-only ones', () => {
    const keys = SERVER_SETTINGS.map(camelToSnake);
    for (const key of ['include', 'default_include', 'stale_after_months', 'element_scope', 'rules', 'remediation_days']) {
      assert.ok(keys.includes(key), key);
    }
    assert.ok(!SERVER_SETTINGS.includes('server.path'));
    assert.ok(!SERVER_SETTINGS.includes('trace.server'));
  });

  it('sends only what the user set, under the TOML names, table keys as written', () => {
    settings.global = { staleAfterMonths: 6, rules: { TM011: 'off' }, 'server.path': '/usr/bin/threatmark' };
    settings.workspace = { elementScope: 'all', staleAfterMonths: 3 };
    const answer = serverSettings(vscode.workspace.getConfiguration('threatmark'));
    assert.deepEqual(answer, { stale_after_months: 3, element_scope: 'all', rules: { TM011: 'off' } });
  });

  it('sends nothing when nothing is set, so the server keeps its own defaults', () => {
    assert.deepEqual(serverSettings(vscode.workspace.getConfiguration('threatmark')), {});
  });

  it('merges a table setting with its default like VS Code does', () => {
    settings.global = { remediationDays: { high: 14 } };
    const answer = serverSettings(vscode.workspace.getConfiguration('threatmark'));
    assert.deepEqual(answer, { remediation_days: { critical: 7, high: 14, medium: 90, low: 180 } });
  });

  it('answers workspace/configuration for section threatmark only', () => {
    settings.global = { defaultInclude: false };
    const answer = configurationAnswer({ items: [{ section: 'threatmark' }, { section: 'editor' }, {}] }, (s) =>
      vscode.workspace.getConfiguration(s),
    );
    assert.deepEqual(answer, [{ default_include: false }, null, null]);
  });

  it('sends every markdown document, saved or untitled', () => {
    assert.deepEqual(
      DOCUMENT_SELECTOR.map((d) => `${d.scheme}:${d.language}`),
      ['file:markdown', 'untitled:markdown'],
    );
  });
});

describe('template', () => {
  it('takes the threat-model section of the design-doc template to the end', () => {
    const template = '# Title\n\n## Overview\n\nText.\n\n## Threat model\n\n### Scope\n\n<What?>\n\n';
    assert.equal(threatModelSection(template), '## Threat model\n\n### Scope\n\n<What?>\n');
    assert.equal(threatModelSection('# Title\n\n### Threat model notes\n'), undefined);
  });
});
