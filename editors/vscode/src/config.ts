// The VS Code settings the server reads. Each `threatmark.*` setting other than the
// extension's own mirrors a key of `.threatmark.toml` in camelCase (package.json's list is
// generated from the engine's CONFIG_KEYS); the server is answered, through
// `workspace/configuration` section `threatmark`, with the TOML key names.
import type * as vscode from 'vscode';
import pkg from '../package.json';

export const SECTION = 'threatmark';

/** Settings for the extension itself, not for the server. */
const EDITOR_ONLY = new Set(['server.path', 'trace.server']);

/** The setting names (without `threatmark.`) that go to the server. */
export const SERVER_SETTINGS: readonly string[] = Object.keys(pkg.contributes.configuration.properties)
  .map((name) => name.slice(SECTION.length + 1))
  .filter((name) => !EDITOR_ONLY.has(name));

/** `staleAfterMonths` → `stale_after_months`. */
export function camelToSnake(name: string): string {
  return name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}

/**
 * The `threatmark` section as the server reads it: only the settings the user set, so
 * that the server's own defaults (and `.threatmark.toml`, which wins over these) decide
 * everything else. Table settings (`rules`, `sections`…) keep their keys as written.
 */
export function serverSettings(config: vscode.WorkspaceConfiguration): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const name of SERVER_SETTINGS) {
    const set = config.inspect(name);
    const userSet =
      set !== undefined &&
      (set.globalValue !== undefined || set.workspaceValue !== undefined || set.workspaceFolderValue !== undefined);
    if (userSet) {
      out[camelToSnake(name)] = config.get(name);
    }
  }
  return out;
}
