// Where the language server binary comes from. The lookup order is written here and
// nowhere else: the `threatmark.server.path` setting, then the binary bundled in the
// extension, then `threatmark` on `PATH`. Whichever is chosen is logged with its source.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';

export type ServerSource = 'setting threatmark.server.path' | 'bundled with the extension' | 'PATH';

export interface FoundServer {
  path: string;
  source: ServerSource;
}

export interface LookupInputs {
  /** The `threatmark.server.path` setting; empty or undefined when unset. */
  setting: string | undefined;
  extensionPath: string;
  platform: NodeJS.Platform;
  /** The `PATH` environment variable. */
  envPath: string | undefined;
  isExecutable: (file: string) => boolean;
}

export function binaryName(platform: NodeJS.Platform): string {
  return platform === 'win32' ? 'threatmark.exe' : 'threatmark';
}

/** The binary bundled in the extension, where `vsce package` puts `server/`. */
export function bundledPath(extensionPath: string, platform: NodeJS.Platform): string {
  return path.join(extensionPath, 'server', binaryName(platform));
}

/**
 * The server to run, or why there is none. A setting that names a missing binary is an
 * error rather than a reason to fall through: the user asked for that binary, and
 * quietly running another one would hide the mistake.
 */
export function findServer(inputs: LookupInputs): FoundServer | { error: string } {
  const setting = inputs.setting?.trim();
  if (setting) {
    const file = setting.startsWith('~') ? path.join(os.homedir(), setting.slice(1)) : setting;
    if (inputs.isExecutable(file)) {
      return { path: file, source: 'setting threatmark.server.path' };
    }
    return { error: `threatmark.server.path is set to ${setting}, which is not an executable file.` };
  }
  const bundled = bundledPath(inputs.extensionPath, inputs.platform);
  if (inputs.isExecutable(bundled)) {
    return { path: bundled, source: 'bundled with the extension' };
  }
  const name = binaryName(inputs.platform);
  const delimiter = inputs.platform === 'win32' ? ';' : ':';
  for (const dir of (inputs.envPath ?? '').split(delimiter)) {
    if (dir === '') {
      continue;
    }
    const candidate = path.join(dir, name);
    if (inputs.isExecutable(candidate)) {
      return { path: candidate, source: 'PATH' };
    }
  }
  return {
    error:
      'Cannot find the threatmark binary: threatmark.server.path is not set, none is bundled with the ' +
      'extension, and there is no threatmark on PATH. Install it (cargo install threatmark) or set ' +
      'threatmark.server.path.',
  };
}

export function isExecutable(file: string): boolean {
  try {
    if (!fs.statSync(file).isFile()) {
      return false;
    }
    fs.accessSync(file, process.platform === 'win32' ? fs.constants.F_OK : fs.constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

export interface Log {
  info(message: string): void;
  error(message: string): void;
}

/** Finds the server with the editor's settings and environment, and logs the choice. */
export function locateServer(extensionPath: string, log: Log): FoundServer | undefined {
  // In an untrusted workspace VS Code leaves out the workspace's value of this setting
  // (package.json lists it under restrictedConfigurations).
  const setting = vscode.workspace.getConfiguration('threatmark').get<string>('server.path');
  const found = findServer({
    setting,
    extensionPath,
    platform: process.platform,
    envPath: process.env.PATH,
    isExecutable,
  });
  if ('error' in found) {
    log.error(found.error);
    return undefined;
  }
  log.info(`Using the threatmark server ${found.path} (${found.source}).`);
  return found;
}
