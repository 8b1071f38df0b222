// What the commands run besides the language client: the binary's `init` and `report`.
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

export function run(binary: string, args: string[], cwd: string | undefined): Promise<RunResult> {
  return new Promise((resolve) => {
    execFile(binary, args, { cwd, maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : -1) : 0;
      resolve({ code, stdout, stderr: stderr || (error && code === -1 ? error.message : '') });
    });
  });
}

/**
 * The threat-model section of the design-doc template `threatmark init -` prints, from
 * its `## Threat model` heading to the end: the same skeleton the CLI and the server's
 * fixes use, so the extension keeps no copy of its own.
 */
export function threatModelSection(template: string): string | undefined {
  const match = /^## Threat model[ \t]*\r?$/m.exec(template);
  if (!match) {
    return undefined;
  }
  return template.slice(match.index).replace(/\s*$/, '\n');
}

export async function threatModelTemplate(binary: string): Promise<{ text: string } | { error: string }> {
  const result = await run(binary, ['init', '-'], undefined);
  if (result.code !== 0) {
    return { error: result.stderr.trim() || `threatmark init exited with ${result.code}` };
  }
  const text = threatModelSection(result.stdout);
  return text ? { text } : { error: 'the design-doc template printed by threatmark init has no threat-model section' };
}

/**
 * `threatmark report --format html` over a folder, as one self-contained HTML page, or
 * the binary's own explanation of why not (an older binary says the report is not
 * available yet).
 */
export async function portfolioReport(binary: string, folder: string): Promise<{ html: string; problems?: string } | { error: string }> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'threatmark-report-'));
  const file = path.join(dir, 'report.html');
  try {
    const result = await run(binary, ['report', '--format', 'html', '-o', file, '.'], folder);
    // A file it could not read makes `report` exit with an error after writing the report
    // on the others: show that report, and the error beside it.
    if (!fs.existsSync(file)) {
      return { error: result.stderr.trim() || `threatmark report exited with ${result.code}` };
    }
    const problems = result.code === 0 ? undefined : result.stderr.trim();
    return { html: fs.readFileSync(file, 'utf8'), problems };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * The rule documentation a diagnostic links to: the server's `codeDescription` is
 * `threatmark://explain/TM020`, and what it stands for is `threatmark explain TM020`.
 */
export async function explainText(binary: string, uri: string): Promise<string> {
  const match = /^threatmark:\/\/explain\/([A-Za-z0-9_-]+)$/.exec(uri);
  if (!match) {
    return `${uri} is not a threatmark explanation.`;
  }
  const result = await run(binary, ['explain', match[1]], undefined);
  return result.code === 0 ? result.stdout : result.stderr.trim() || `threatmark explain exited with ${result.code}`;
}
