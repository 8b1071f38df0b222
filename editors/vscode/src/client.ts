// The language client's options: which documents go to the server and how the server
// gets its settings. Kept apart from the client itself so the end-to-end test drives the
// real server with exactly these.
import * as vscode from 'vscode';
import type { ConfigurationParams, LanguageClientOptions } from 'vscode-languageclient/node';
import { SECTION, serverSettings } from './config';

/**
 * Every markdown document, saved or not: the server decides which are design docs
 * (SPEC §3) and still offers hovers and completions in the others.
 */
export const DOCUMENT_SELECTOR = [
  { scheme: 'file', language: 'markdown' },
  { scheme: 'untitled', language: 'markdown' },
];

/**
 * The answer to `workspace/configuration`: the server asks for section `threatmark` and
 * gets the settings under their `.threatmark.toml` names; any other section is `null`.
 */
export function configurationAnswer(
  params: ConfigurationParams,
  getConfiguration: (section: string, scope?: vscode.Uri) => vscode.WorkspaceConfiguration,
): unknown[] {
  return params.items.map((item) => {
    if (item.section !== SECTION) {
      return null;
    }
    const scope = item.scopeUri ? vscode.Uri.parse(item.scopeUri) : undefined;
    return serverSettings(getConfiguration(SECTION, scope));
  });
}

export function clientOptions(output: vscode.OutputChannel): LanguageClientOptions {
  return {
    documentSelector: DOCUMENT_SELECTOR,
    outputChannel: output,
    // Settings reach the server only through `workspace/configuration` (above), which it
    // asks for at start and again on every `didChangeConfiguration`.
    synchronize: { configurationSection: SECTION },
    middleware: {
      workspace: {
        configuration: (params) =>
          configurationAnswer(params, (section, scope) => vscode.workspace.getConfiguration(section, scope)),
      },
    },
  };
}
