// End to end: the real `threatmark lsp` driven from Node over stdio with the client
// options the extension uses (document selector, `workspace/configuration` answers from
// the settings mapping, no initialization options) and the client capabilities of VS Code
// that matter here (pull diagnostics with refresh, code action literals, markdown hovers).
// THREATMARK_BIN names the binary (scripts/test-editors builds it).
import { settings } from './vscode-stub';
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { pathToFileURL } from 'node:url';
import * as vscode from 'vscode';
import {
  type CancellationToken,
  type CodeAction,
  type ConfigurationParams,
  type Diagnostic,
  type DocumentDiagnosticReport,
  type Hover,
  type ProtocolConnection,
  type TextDocumentEdit,
  type TextEdit,
  createProtocolConnection,
  StreamMessageReader,
  StreamMessageWriter,
} from 'vscode-languageserver-protocol/node';
import { clientOptions, configurationAnswer } from '../src/client';
import { explainText, portfolioReport, threatModelTemplate } from '../src/commands';
import { findServer, isExecutable } from '../src/server';

const fixtures = path.resolve(__dirname, '../../../test-fixtures');
const designPath = path.join(fixtures, 'docs/design/ledger-export.md');
const readmePath = path.join(fixtures, 'README.md');

function binary(): string {
  const found = findServer({
    setting: process.env.THREATMARK_BIN,
    extensionPath: path.resolve(__dirname, '../..'),
    platform: process.platform,
    envPath: process.env.PATH,
    isExecutable,
  });
  if ('error' in found) {
    throw new Error(`set THREATMARK_BIN to the threatmark binary: ${found.error}`);
  }
  return found.path;
}

/** The extension's client options, built as the extension builds them. */
const options = clientOptions(vscode.window.createOutputChannel('threatmark', { log: true }));

/** Whether the extension's document selector sends this document to the server. */
function selected(uri: string, languageId: string): boolean {
  const scheme = uri.slice(0, uri.indexOf(':'));
  return (options.documentSelector ?? []).some(
    (f) => typeof f !== 'string' && 'scheme' in f && f.scheme === scheme && f.language === languageId,
  );
}

/** Applies LSP edits (UTF-16 positions, as negotiated) to a text. */
function applyEdits(text: string, edits: TextEdit[]): string {
  const lineStarts = [0];
  for (let i = 0; i < text.length; i++) {
    if (text[i] === '\n') {
      lineStarts.push(i + 1);
    }
  }
  const offset = (p: { line: number; character: number }) => lineStarts[p.line] + p.character;
  const sorted = [...edits].sort((a, b) => offset(b.range.start) - offset(a.range.start));
  for (const e of sorted) {
    text = text.slice(0, offset(e.range.start)) + e.newText + text.slice(offset(e.range.end));
  }
  return text;
}

function positionOf(text: string, needle: string): { line: number; character: number } {
  const at = text.indexOf(needle);
  assert.ok(at >= 0, `${needle} is in the fixture`);
  const before = text.slice(0, at).split('\n');
  return { line: before.length - 1, character: before[before.length - 1].length };
}

describe('the extension against the real server', () => {
  let server: ChildProcess;
  let connection: ProtocolConnection;
  const configurationRequests: ConfigurationParams[] = [];
  let refreshes = 0;
  let onRefresh: (() => void) | undefined;
  const designUri = pathToFileURL(designPath).href;
  const readmeUri = pathToFileURL(readmePath).href;
  let designText = fs.readFileSync(designPath, 'utf8');
  let designVersion = 1;

  async function pull(uri: string): Promise<Diagnostic[]> {
    const report: DocumentDiagnosticReport = await connection.sendRequest('textDocument/diagnostic', {
      textDocument: { uri },
    });
    assert.equal(report.kind, 'full');
    return report.kind === 'full' ? report.items : [];
  }

  before(async () => {
    server = spawn(binary(), ['lsp'], {
      cwd: fixtures,
      env: { ...process.env, THREATMARK_TODAY: '2026-11-20' },
      stdio: ['pipe', 'pipe', 'inherit'],
    });
    connection = createProtocolConnection(
      new StreamMessageReader(server.stdout!),
      new StreamMessageWriter(server.stdin!),
    );
    // Answered by the extension's own middleware, as the language client would.
    const configuration = options.middleware?.workspace?.configuration;
    assert.ok(configuration, 'the extension answers workspace/configuration');
    connection.onRequest('workspace/configuration', (params: ConfigurationParams, token: CancellationToken) => {
      configurationRequests.push(params);
      return configuration(params, token, () => {
        throw new Error('the middleware answers without the default handler');
      });
    });
    connection.onRequest('workspace/diagnostic/refresh', () => {
      refreshes += 1;
      onRefresh?.();
      return null;
    });
    connection.onRequest('client/registerCapability', () => null);
    connection.onRequest('window/workDoneProgress/create', () => null);
    connection.onNotification('window/logMessage', () => undefined);
    connection.onNotification('window/showMessage', () => undefined);
    connection.onNotification('textDocument/publishDiagnostics', () => undefined);
    connection.listen();
    const root = pathToFileURL(fixtures).href;
    await connection.sendRequest('initialize', {
      processId: process.pid,
      rootUri: root,
      workspaceFolders: [{ uri: root, name: 'fixtures' }],
      // None: settings travel by workspace/configuration.
      initializationOptions: options.initializationOptions,
      capabilities: {
        general: { positionEncodings: ['utf-16'] },
        workspace: {
          configuration: true,
          workspaceFolders: true,
          didChangeConfiguration: { dynamicRegistration: true },
          didChangeWatchedFiles: { dynamicRegistration: true },
          workspaceEdit: { documentChanges: true },
          diagnostics: { refreshSupport: true },
        },
        textDocument: {
          synchronization: { dynamicRegistration: true, didSave: true },
          diagnostic: { dynamicRegistration: true, relatedDocumentSupport: false },
          publishDiagnostics: { versionSupport: false, codeDescriptionSupport: true, dataSupport: true },
          hover: { contentFormat: ['markdown', 'plaintext'] },
          codeAction: {
            codeActionLiteralSupport: {
              codeActionKind: { valueSet: ['', 'quickfix', 'refactor', 'source', 'source.fixAll'] },
            },
            isPreferredSupport: true,
            dataSupport: true,
          },
        },
      },
    });
    await connection.sendNotification('initialized', {});
    for (const [uri, file] of [
      [designUri, designPath],
      [readmeUri, readmePath],
    ]) {
      assert.ok(selected(uri, 'markdown'));
      await connection.sendNotification('textDocument/didOpen', {
        textDocument: { uri, languageId: 'markdown', version: 1, text: fs.readFileSync(file, 'utf8') },
      });
    }
  });

  after(async () => {
    await connection.sendRequest('shutdown');
    await connection.sendNotification('exit');
    connection.dispose();
    server.kill();
  });

  it('reports the design doc gaps with code, source and a link to the rule', async () => {
    const diagnostics = await pull(designUri);
    const codes = [...new Set(diagnostics.map((d) => String(d.code)))].sort();
    assert.deepEqual(codes, EXPECTED_CODES);
    for (const d of diagnostics) {
      assert.equal(d.source, 'threatmark');
      assert.match(String(d.codeDescription?.href), new RegExp(String(d.code)));
    }
  });

  it('opens the rule text a diagnostic links to', async () => {
    const diagnostic = (await pull(designUri)).find((d) => d.code === 'TM020');
    const text = await explainText(binary(), String(diagnostic?.codeDescription?.href));
    assert.match(text, /TM020/);
    assert.match(text, /## What it does/);
  });

  it('gives a markdown file that is not a design doc no diagnostics', async () => {
    assert.deepEqual(await pull(readmeUri), []);
  });

  it('asks for section threatmark and applies the settings it gets', async () => {
    assert.ok(configurationRequests.some((p) => p.items.some((i) => i.section === 'threatmark')));
    assert.ok((await pull(designUri)).some((d) => d.code === 'TM031'));
    settings.workspace = { rules: { TM031: 'off' } };
    const refreshed = new Promise<void>((resolve) => (onRefresh = resolve));
    const before = refreshes;
    await connection.sendNotification('workspace/didChangeConfiguration', { settings: null });
    await refreshed;
    assert.ok(refreshes > before);
    assert.ok(!(await pull(designUri)).some((d) => d.code === 'TM031'));
    const answer = configurationAnswer({ items: [{ section: 'threatmark' }] }, (s) =>
      vscode.workspace.getConfiguration(s),
    );
    assert.deepEqual(answer, [{ rules: { TM031: 'off' } }]);
    settings.workspace = {};
    const restored = new Promise<void>((resolve) => (onRefresh = resolve));
    await connection.sendNotification('workspace/didChangeConfiguration', { settings: null });
    await restored;
    assert.ok((await pull(designUri)).some((d) => d.code === 'TM031'));
  });

  it('applies a quick fix that removes its diagnostic', async () => {
    const diagnostic = (await pull(designUri)).find((d) => d.code === 'TM031');
    assert.ok(diagnostic, 'TM031 for the misspelt severity');
    const actions: (CodeAction | unknown)[] = await connection.sendRequest('textDocument/codeAction', {
      textDocument: { uri: designUri },
      range: diagnostic.range,
      context: { diagnostics: [diagnostic], only: ['quickfix'] },
    });
    const fix = actions.find((a): a is CodeAction => (a as CodeAction).isPreferred === true);
    assert.ok(fix?.edit?.documentChanges, 'a preferred quick fix with document changes');
    const change = fix.edit.documentChanges[0] as TextDocumentEdit;
    assert.equal(change.textDocument.uri, designUri);
    assert.equal(change.textDocument.version, designVersion);
    designText = applyEdits(designText, change.edits as TextEdit[]);
    assert.ok(designText.includes('| High | M2 |'));
    designVersion += 1;
    await connection.sendNotification('textDocument/didChange', {
      textDocument: { uri: designUri, version: designVersion },
      contentChanges: [{ text: designText }],
    });
    assert.ok(!(await pull(designUri)).some((d) => d.code === 'TM031'));
  });

  it('explains a STRIDE word on hover', async () => {
    const hover: Hover | null = await connection.sendRequest('textDocument/hover', {
      textDocument: { uri: designUri },
      position: positionOf(designText, 'Tampering'),
    });
    assert.ok(hover, 'a hover on Tampering');
    const text = JSON.stringify(hover.contents);
    assert.match(text, /integrity/i);
    assert.match(text, /\?/, 'guiding questions');
  });

  it('inserts the template the binary prints', async () => {
    const template = await threatModelTemplate(binary());
    assert.ok('text' in template, JSON.stringify(template));
    assert.match(template.text, /^## Threat model\n/);
    for (const heading of ['### Scope', '### Assets', '### Threats', '### Mitigations']) {
      assert.ok(template.text.includes(`\n${heading}\n`), heading);
    }
  });

  it('shows the portfolio report, or the binary\'s reason why not', async () => {
    const report = await portfolioReport(binary(), fixtures);
    if ('html' in report) {
      assert.match(report.html, /<html/i);
      assert.ok(report.html.includes('Ledger export'));
    } else {
      assert.match(report.error, /`threatmark report` is not yet available/);
    }
  });
});

const EXPECTED_CODES = ['TM002', 'TM011', 'TM020', 'TM031'];
